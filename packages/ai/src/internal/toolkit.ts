import type * as McpClient from "@effect-mcp/client/McpClient"
import type { GroupError, McpError } from "@effect-mcp/client/McpError"
import * as McpGroup from "@effect-mcp/client/McpGroup"
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Tool from "@effect/ai/Tool"
import * as Toolkit from "@effect/ai/Toolkit"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SynchronizedRef from "effect/SynchronizedRef"
import type * as McpToolkit from "../McpToolkit.js"
import { ToolFailure, ToolResult } from "../McpToolkit.js"

// -----------------------------------------------------------------------------
// names
// -----------------------------------------------------------------------------

// a name already taken gets `_2`, `_3`, ... (kept within 64 characters)
const unique = (name: string, taken: Set<string>): string => {
  let candidate = name
  for (let n = 2; taken.has(candidate); n++) {
    const suffix = `_${n}`
    candidate = `${name.slice(0, 64 - suffix.length)}${suffix}`
  }
  taken.add(candidate)
  return candidate
}

// -----------------------------------------------------------------------------
// parameters
// -----------------------------------------------------------------------------

/**
 * The JSON Schema given as a `jsonSchema` annotation is used as it is by
 * `JSONSchema.fromAST` when it has `type`, `anyOf`, `oneOf` or `$ref`; any
 * other is merged into the schema of the annotated AST (here an object with
 * `properties: {}` and `required: []`). MCP requires `type: "object"`; a
 * server that leaves it out gets it added, and nothing else.
 */
const jsonSchemaOf = (inputSchema: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const copy = structuredClone(inputSchema) as Record<string, unknown>
  return "type" in copy || "anyOf" in copy || "oneOf" in copy || "$ref" in copy
    ? copy
    : { type: "object", ...copy }
}

/** @internal */
export const parameters = (inputSchema: Readonly<Record<string, unknown>>): McpToolkit.Parameters =>
  Schema.Struct({}, Schema.Record({ key: Schema.String, value: Schema.Unknown })).annotations({
    jsonSchema: jsonSchemaOf(inputSchema)
  })

// -----------------------------------------------------------------------------
// results
// -----------------------------------------------------------------------------

const textOf = (content: ReadonlyArray<McpSchema.ContentBlock>): string => {
  const parts: Array<string> = []
  for (const block of content) {
    if (block.type === "text") parts.push(block.text)
    else if (block.type === "resource" && "text" in block.resource) parts.push(block.resource.text)
  }
  return parts.join("\n")
}

/** @internal */
export const toResult = (result: McpSchema.CallToolResult): typeof ToolResult.Type => {
  const content = result.content ?? []
  return result.structuredContent === undefined
    ? { text: textOf(content), content }
    : { text: textOf(content), content, structuredContent: result.structuredContent }
}

/** @internal */
export const failureFromResult = (tool: string, result: McpSchema.CallToolResult): ToolFailure => {
  const content = result.content ?? []
  const text = textOf(content)
  return new ToolFailure({
    tool,
    reason: "ToolError",
    message: text.length > 0 ? text : `The tool "${tool}" reported an error (no text content)`,
    content,
    ...(result.structuredContent === undefined ? {} : { structuredContent: result.structuredContent })
  })
}

/** @internal */
export const failureFromError = (
  tool: string,
  error: McpError | GroupError
) => new ToolFailure({ tool, reason: error._tag, message: error.message, content: [] })

// -----------------------------------------------------------------------------
// tools
// -----------------------------------------------------------------------------

/** @internal */
export interface Spec {
  /** The name in the toolkit (provider-safe). */
  readonly name: string
  readonly origin: McpToolkit.Origin
  readonly tool: McpSchema.Tool
  readonly call: (
    params: Record<string, unknown>
  ) => Effect.Effect<McpSchema.CallToolResult, McpError | GroupError>
}

const hint = (annotations: McpSchema.Tool["annotations"], key: string): boolean | undefined => {
  const value = annotations?.[key]
  return typeof value === "boolean" ? value : undefined
}

const makeTool = <Mode extends Tool.FailureMode>(
  spec: Spec,
  failureMode: Mode
): McpToolkit.McpTool<Mode> => {
  const { annotations, description, inputSchema, title } = spec.tool
  let tool = Tool.make(spec.name, {
    description: description ?? title,
    success: ToolResult,
    failure: ToolFailure,
    failureMode
  }).setParameters(parameters(inputSchema))
  const displayTitle = title ?? (typeof annotations?.title === "string" ? annotations.title : undefined)
  if (displayTitle !== undefined) tool = tool.annotate(Tool.Title, displayTitle)
  const readOnly = hint(annotations, "readOnlyHint")
  if (readOnly !== undefined) tool = tool.annotate(Tool.Readonly, readOnly)
  const destructive = hint(annotations, "destructiveHint")
  if (destructive !== undefined) tool = tool.annotate(Tool.Destructive, destructive)
  const idempotent = hint(annotations, "idempotentHint")
  if (idempotent !== undefined) tool = tool.annotate(Tool.Idempotent, idempotent)
  const openWorld = hint(annotations, "openWorldHint")
  if (openWorld !== undefined) tool = tool.annotate(Tool.OpenWorld, openWorld)
  return tool as McpToolkit.McpTool<Mode>
}

const handlerOf = (spec: Spec) => (params: Readonly<Record<string, unknown>>) =>
  spec.call(params as Record<string, unknown>).pipe(
    Effect.mapError((error) => failureFromError(spec.name, error)),
    Effect.flatMap((result) =>
      result.isError === true ? Effect.fail(failureFromResult(spec.name, result)) : Effect.succeed(toResult(result))
    )
  )

/** @internal */
export const fromSpecs = <Mode extends Tool.FailureMode>(
  specs: ReadonlyArray<Spec>,
  failureMode: Mode
): McpToolkit.ToolkitAndLayer<Mode> => {
  const tools = specs.map((spec) => makeTool(spec, failureMode))
  const toolkit = Toolkit.make(...tools) as unknown as Toolkit.Toolkit<McpToolkit.Tools<Mode>>
  const handlers: Record<string, ReturnType<typeof handlerOf>> = {}
  const origins: Record<string, McpToolkit.Origin> = {}
  for (const spec of specs) {
    handlers[spec.name] = handlerOf(spec)
    origins[spec.name] = spec.origin
  }
  const layer = toolkit.toLayer(handlers as Toolkit.HandlersFrom<McpToolkit.Tools<Mode>>)
  return { toolkit, layer, origins }
}

const withHandler = <Mode extends Tool.FailureMode>(
  made: McpToolkit.ToolkitAndLayer<Mode>
): Effect.Effect<McpToolkit.WithHandler<Mode>> => Effect.provide(made.toolkit, made.layer)

// -----------------------------------------------------------------------------
// from a client
// -----------------------------------------------------------------------------

const clientSpecs = (
  client: McpClient.Service,
  tools: ReadonlyArray<McpSchema.Tool>,
  options: McpToolkit.ClientOptions<any> | undefined
): ReadonlyArray<Spec> => {
  const prefix = options?.prefix
  const callOptions = options?.callOptions
  const filter = options?.filter
  const taken = new Set<string>()
  const specs: Array<Spec> = []
  for (const tool of tools) {
    if (filter !== undefined && !filter(tool)) continue
    const name = unique(McpGroup.safeName(prefix === undefined ? tool.name : `${prefix}_${tool.name}`), taken)
    const original = tool.name
    specs.push({
      name,
      origin: { name: original },
      tool,
      call: (params) => client.callToolRaw(original, params, callOptions)
    })
  }
  return specs
}

/** @internal */
export const makeFromClient = <Mode extends Tool.FailureMode = "return">(
  client: McpClient.Service,
  options?: McpToolkit.ClientOptions<Mode>
): Effect.Effect<McpToolkit.ToolkitAndLayer<Mode>, McpError> =>
  Effect.map(
    client.listTools,
    (tools) => fromSpecs(clientSpecs(client, tools, options), (options?.failureMode ?? "return") as Mode)
  )

/** @internal */
export const fromClient = <Mode extends Tool.FailureMode = "return">(
  client: McpClient.Service,
  options?: McpToolkit.ClientOptions<Mode>
): Effect.Effect<McpToolkit.WithHandler<Mode>, McpError> => Effect.flatMap(makeFromClient(client, options), withHandler)

// what the model sees of a list of tools: a change in any of it means a new toolkit
const fingerprint = (tools: ReadonlyArray<unknown>): string => JSON.stringify(tools)

interface Current<Mode extends Tool.FailureMode> {
  readonly key: string
  readonly toolkit: McpToolkit.WithHandler<Mode>
}

/** @internal */
export const liveClient = <Mode extends Tool.FailureMode = "return">(
  client: McpClient.Service,
  options?: McpToolkit.ClientOptions<Mode>
): Effect.Effect<Effect.Effect<McpToolkit.WithHandler<Mode>, McpError>, never, Scope.Scope> =>
  Effect.gen(function*() {
    // a list-changed notification or a new session: list again before the next use
    let stale = true
    const markStale = Effect.sync(() => {
      stale = true
    })
    yield* client.listChanged.pipe(
      Stream.filter((kind) => kind === "tools"),
      Stream.runForEach(() => markStale),
      Effect.forkScoped
    )
    yield* client.connectionStates.pipe(Stream.runForEach(() => markStale), Effect.forkScoped)
    // give the watchers their turn to subscribe before the first list
    yield* Effect.yieldNow()
    const state = yield* SynchronizedRef.make(Option.none<Current<Mode>>())
    const failureMode = (options?.failureMode ?? "return") as Mode
    return SynchronizedRef.modifyEffect(state, (cached) => {
      if (Option.isSome(cached) && !stale) return Effect.succeed([cached.value.toolkit, cached] as const)
      stale = false
      return client.listTools.pipe(
        Effect.tap(() =>
          // a server that never says its list changed is asked every time
          Effect.flatMap(Effect.option(client.serverCapabilities), (capabilities) =>
            Option.exists(capabilities, (caps) => caps.tools?.listChanged === true)
              ? Effect.void
              : markStale)
        ),
        Effect.tapError(() => markStale),
        Effect.flatMap((tools) => {
          const key = fingerprint(tools)
          if (Option.isSome(cached) && cached.value.key === key) {
            return Effect.succeed([cached.value.toolkit, cached] as const)
          }
          return Effect.map(
            withHandler(fromSpecs(clientSpecs(client, tools, options), failureMode)),
            (toolkit) => [toolkit, Option.some({ key, toolkit })] as const
          )
        })
      )
    })
  })

// -----------------------------------------------------------------------------
// from a group
// -----------------------------------------------------------------------------

type Entries = McpGroup.Catalogue["tools"]

const groupSpecs = (
  group: McpGroup.Service,
  entries: Entries,
  options: McpToolkit.Options<any> | undefined
): ReadonlyArray<Spec> => {
  const callOptions = options?.callOptions
  const filter = options?.filter
  const specs: Array<Spec> = []
  for (const entry of entries) {
    if (!entry.available) continue
    if (filter !== undefined && !filter(entry.value)) continue
    const name = entry.name
    specs.push({
      name,
      origin: { name: entry.original, server: entry.server },
      tool: entry.value,
      call: (params) => group.callToolRaw(name, params, callOptions)
    })
  }
  return specs
}

/** @internal */
export const makeFromGroup = <Mode extends Tool.FailureMode = "return">(
  group: McpGroup.Service,
  options?: McpToolkit.Options<Mode>
): Effect.Effect<McpToolkit.ToolkitAndLayer<Mode>, GroupError> =>
  Effect.map(
    group.catalogue,
    (catalogue) => fromSpecs(groupSpecs(group, catalogue.tools, options), (options?.failureMode ?? "return") as Mode)
  )

/** @internal */
export const fromGroup = <Mode extends Tool.FailureMode = "return">(
  group: McpGroup.Service,
  options?: McpToolkit.Options<Mode>
): Effect.Effect<McpToolkit.WithHandler<Mode>, GroupError> => Effect.flatMap(makeFromGroup(group, options), withHandler)

/** @internal */
export const liveGroup = <Mode extends Tool.FailureMode = "return">(
  group: McpGroup.Service,
  options?: McpToolkit.Options<Mode>
): Effect.Effect<Effect.Effect<McpToolkit.WithHandler<Mode>, GroupError>> =>
  Effect.gen(function*() {
    const state = yield* SynchronizedRef.make(
      Option.none<Current<Mode> & { readonly tools: Entries }>()
    )
    const failureMode = (options?.failureMode ?? "return") as Mode
    return SynchronizedRef.modifyEffect(state, (cached) =>
      Effect.flatMap(group.catalogue, (catalogue) => {
        const tools = catalogue.tools
        if (Option.isSome(cached) && cached.value.tools === tools) {
          return Effect.succeed([cached.value.toolkit, cached] as const)
        }
        const key = fingerprint(tools.filter((entry) => entry.available))
        if (Option.isSome(cached) && cached.value.key === key) {
          return Effect.succeed([cached.value.toolkit, Option.some({ ...cached.value, tools })] as const)
        }
        return Effect.map(
          withHandler(fromSpecs(groupSpecs(group, tools, options), failureMode)),
          (toolkit) => [toolkit, Option.some({ key, toolkit, tools })] as const
        )
      }))
  })
