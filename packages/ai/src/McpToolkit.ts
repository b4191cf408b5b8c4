/**
 * MCP tools as an `@effect/ai` `Toolkit`: every tool of a server (or of a
 * group of servers) becomes a tool the model can call, with the server's
 * JSON Schema as its parameters (as the server wrote it), every kind of
 * content in its result, and a failure the model sees when the tool reports
 * an error or the call cannot be made.
 *
 * - `fromClient` / `fromGroup`: the toolkit with its handlers, as
 *   `LanguageModel.generateText({ prompt, toolkit })` takes it.
 * - `make`: the `Toolkit` and its handler `Layer`, to compose the usual
 *   `@effect/ai` way.
 * - `live`: an Effect that yields the current toolkit each time it runs:
 *   give it as `toolkit` and each model turn sees the tools the servers have
 *   then (it lists again only when the list changed).
 *
 * A tool's success value is a `ToolResult` (the content blocks, the
 * structured content and the text joined); its failure is a `ToolFailure`.
 * With the default `failureMode: "return"` a failure goes back to the model
 * as the tool's result, marked as a failure (the model can react to it); with
 * `"error"` it fails the whole `generateText`.
 *
 * @example
 * ```ts
 * import { LanguageModel } from "@effect/ai"
 * import { McpToolkit } from "@effect-mcp/ai"
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* McpClient.McpClient
 *   // the tools as the server has them at each turn, named `files_<tool>`
 *   const toolkit = yield* McpToolkit.live(client, { prefix: "files" })
 *   const response = yield* LanguageModel.generateText({ prompt: "What is in README.md?", toolkit })
 *   for (const result of response.toolResults) {
 *     console.log(result.name, result.isFailure, result.result)
 *   }
 * })
 * ```
 *
 * @since 0.3.0
 */
import type * as McpClient from "@effect-mcp/client/McpClient"
import { isMcpClient } from "@effect-mcp/client/McpClient"
import type { GroupError, McpError } from "@effect-mcp/client/McpError"
import type * as McpGroup from "@effect-mcp/client/McpGroup"
import * as McpSchema from "@effect-mcp/client/McpSchema"
import type * as Tool from "@effect/ai/Tool"
import type * as Toolkit from "@effect/ai/Toolkit"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/toolkit.js"

/**
 * What a tool call gave: every content block as the server sent it (text,
 * image, audio, embedded resource, resource link), the structured content if
 * any, and, for convenience, the text of the text blocks and embedded text
 * resources joined by newlines.
 *
 * @since 0.3.0
 * @category schemas
 */
export const ToolResult = Schema.Struct({
  text: Schema.String,
  content: Schema.Array(McpSchema.ContentBlock),
  structuredContent: Schema.optional(Schema.Unknown)
}).annotations({ identifier: "McpToolResult" })

/**
 * @since 0.3.0
 * @category models
 */
export type ToolResult = typeof ToolResult.Type

/**
 * Why a tool gave no result: `ToolError` when the server answered with
 * `isError: true` (its content is kept), else the tag of the error that
 * stopped the call (`TimeoutError`, `TransportError`, ..., or `GroupError`
 * when a group could not route it).
 *
 * @since 0.3.0
 * @category models
 */
export type FailureReason =
  | "ToolError"
  | "NotConnected"
  | "McpRpcError"
  | "TimeoutError"
  | "TransportError"
  | "ProtocolError"
  | "GroupError"

/**
 * A tool's failure: the tool reported an error (`reason: "ToolError"`, with
 * its content), or the call could not be made (the client's or group's error,
 * by tag, and its message). `tool` is the name in the toolkit.
 *
 * @since 0.3.0
 * @category schemas
 */
export class ToolFailure extends Schema.TaggedError<ToolFailure>("@effect-mcp/ai/McpToolkit/ToolFailure")(
  "McpToolFailure",
  {
    tool: Schema.String,
    reason: Schema.Literal(
      "ToolError",
      "NotConnected",
      "McpRpcError",
      "TimeoutError",
      "TransportError",
      "ProtocolError",
      "GroupError"
    ),
    message: Schema.String,
    content: Schema.Array(McpSchema.ContentBlock),
    structuredContent: Schema.optional(Schema.Unknown)
  }
) {}

/**
 * A tool's parameters: any JSON object, described to the model by exactly
 * the server's `inputSchema` (`Tool.getJsonSchema` returns it as the server
 * wrote it, `$defs` and `$ref`s included; one without `type` gets
 * `type: "object"`).
 *
 * @since 0.3.0
 * @category schemas
 */
export type Parameters = Schema.TypeLiteral<{}, readonly [Schema.Record$<typeof Schema.String, typeof Schema.Unknown>]>

/**
 * The parameters schema of a tool with this `inputSchema`.
 *
 * @since 0.3.0
 * @category schemas
 */
export const parameters: (inputSchema: Readonly<Record<string, unknown>>) => Parameters = internal.parameters

/**
 * One MCP tool in a toolkit.
 *
 * @since 0.3.0
 * @category models
 */
export type McpTool<Mode extends Tool.FailureMode = "return"> = Tool.Tool<string, {
  readonly parameters: Parameters
  readonly success: typeof ToolResult
  readonly failure: typeof ToolFailure
  readonly failureMode: Mode
}>

/**
 * The tools of a toolkit, by name.
 *
 * @since 0.3.0
 * @category models
 */
export type Tools<Mode extends Tool.FailureMode = "return"> = Record<string, McpTool<Mode>>

/**
 * A toolkit with its handlers, as `LanguageModel.generateText` takes it.
 *
 * @since 0.3.0
 * @category models
 */
export type WithHandler<Mode extends Tool.FailureMode = "return"> = Toolkit.WithHandler<Tools<Mode>>

/**
 * Where a tool of the toolkit lives: its name on its server (and, in a group,
 * the server's name).
 *
 * @since 0.3.0
 * @category models
 */
export interface Origin {
  readonly name: string
  readonly server?: string | undefined
}

/**
 * A `Toolkit` and the `Layer` of its handlers; `origins` maps each toolkit
 * name to the tool it calls.
 *
 * @since 0.3.0
 * @category models
 */
export interface ToolkitAndLayer<Mode extends Tool.FailureMode = "return"> {
  readonly toolkit: Toolkit.Toolkit<Tools<Mode>>
  readonly layer: Layer.Layer<Tool.HandlersFor<Tools<Mode>>>
  readonly origins: Readonly<Record<string, Origin>>
}

/**
 * How tools become a toolkit.
 *
 * @since 0.3.0
 * @category models
 */
export interface Options<Mode extends Tool.FailureMode = "return"> {
  /**
   * What a failure does (default `"return"`): `"return"` gives it to the
   * model as the tool's result (marked `isFailure`), `"error"` fails
   * `generateText` with the `ToolFailure`.
   */
  readonly failureMode?: Mode | undefined
  /** Settings for every call (timeout, progress, ...). */
  readonly callOptions?: McpClient.RequestOptions | undefined
  /** Keep only the tools this accepts. */
  readonly filter?: ((tool: McpSchema.Tool) => boolean) | undefined
}

/**
 * How one server's tools become a toolkit. A tool's name in the toolkit is
 * `prefix_name` (or `name`) made provider-safe (`^[a-zA-Z0-9_-]{1,64}$`:
 * as `McpGroup.safeName` makes it: other characters become `_`, a longer
 * name is cut and ends with a hash of the whole), with `_2`, `_3`, ... for names that then clash; the call
 * reaches the server with the tool's own name.
 *
 * @since 0.3.0
 * @category models
 */
export interface ClientOptions<Mode extends Tool.FailureMode = "return"> extends Options<Mode> {
  readonly prefix?: string | undefined
}

/**
 * The tools a server has now, as a toolkit whose handlers call them.
 *
 * @example
 * ```ts
 * import { McpToolkit } from "@effect-mcp/ai"
 * import { McpClient } from "@effect-mcp/client"
 * import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
 * import { Effect } from "effect"
 * import { z } from "zod"
 *
 * const server = new McpServer({ name: "files", version: "1.0.0" })
 * server.registerTool("read-file", { inputSchema: { path: z.string() } }, ({ path }) => ({
 *   content: [{ type: "text", text: `the text of ${path}` }]
 * }))
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* McpClient.make(server)
 *   const toolkit = yield* McpToolkit.fromClient(client, { prefix: "files" })
 *   assert.deepStrictEqual(Object.keys(toolkit.tools), ["files_read-file"])
 *   // what LanguageModel.generateText({ prompt, toolkit }) does when the model calls it
 *   const call = yield* toolkit.handle("files_read-file", { path: "README.md" })
 *   assert.strictEqual(call.isFailure, false)
 *   assert.strictEqual((call.result as McpToolkit.ToolResult).text, "the text of README.md")
 * })
 *
 * Effect.runPromise(Effect.scoped(program))
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const fromClient: <Mode extends Tool.FailureMode = "return">(
  client: McpClient.Service,
  options?: ClientOptions<Mode>
) => Effect.Effect<WithHandler<Mode>, McpError> = internal.fromClient

/**
 * The available tools of a group's catalogue now, under their catalogue
 * names, as a toolkit whose handlers call them through the group.
 *
 * @example
 * ```ts
 * import { LanguageModel } from "@effect/ai"
 * import { McpToolkit } from "@effect-mcp/ai"
 * import { McpGroup } from "@effect-mcp/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   // every available tool of every server, under its catalogue name (`files_read_text_file`, ...)
 *   const toolkit = yield* McpToolkit.fromGroup(yield* McpGroup.McpGroup, { failureMode: "error" })
 *   return yield* LanguageModel.generateText({ prompt: "Summarize README.md", toolkit })
 * })
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const fromGroup: <Mode extends Tool.FailureMode = "return">(
  group: McpGroup.Service,
  options?: Options<Mode>
) => Effect.Effect<WithHandler<Mode>, GroupError> = internal.fromGroup

/**
 * The tools of a server (or of a group) now, as a `Toolkit` and the `Layer`
 * of its handlers.
 *
 * @example
 * ```ts
 * import { LanguageModel } from "@effect/ai"
 * import { McpToolkit } from "@effect-mcp/ai"
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const { layer, toolkit } = yield* McpToolkit.make(yield* McpClient.McpClient)
 *   return yield* LanguageModel.generateText({ prompt: "...", toolkit }).pipe(Effect.provide(layer))
 * })
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const make: {
  <Mode extends Tool.FailureMode = "return">(
    client: McpClient.Service,
    options?: ClientOptions<Mode>
  ): Effect.Effect<ToolkitAndLayer<Mode>, McpError>
  <Mode extends Tool.FailureMode = "return">(
    group: McpGroup.Service,
    options?: Options<Mode>
  ): Effect.Effect<ToolkitAndLayer<Mode>, GroupError>
} = ((source: McpClient.Service | McpGroup.Service, options?: ClientOptions<any>) =>
  isMcpClient(source)
    ? internal.makeFromClient(source, options)
    : internal.makeFromGroup(source, options)) as any

/**
 * The toolkit as it is at each use: an Effect that yields the current
 * toolkit each time it runs, for `generateText({ toolkit })`, which runs it
 * every turn. From a client it lists the tools again after the server says
 * they changed (or a new session started; a server that never says so is
 * asked every time); from a group it reads the catalogue, which follows
 * every server. The toolkit is rebuilt only when the tools changed. Watching
 * stops with the scope.
 *
 * @example
 * ```ts
 * import { LanguageModel } from "@effect/ai"
 * import { McpToolkit } from "@effect-mcp/ai"
 * import { McpGroup } from "@effect-mcp/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   // each turn sees the tools the servers have then
 *   const toolkit = yield* McpToolkit.live(yield* McpGroup.McpGroup, {
 *     filter: (tool) => tool.annotations?.readOnlyHint === true,
 *     callOptions: { timeout: "30 seconds" }
 *   })
 *   return yield* LanguageModel.generateText({ prompt: "What changed today?", toolkit })
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const live: {
  <Mode extends Tool.FailureMode = "return">(
    client: McpClient.Service,
    options?: ClientOptions<Mode>
  ): Effect.Effect<Effect.Effect<WithHandler<Mode>, McpError>, never, Scope.Scope>
  <Mode extends Tool.FailureMode = "return">(
    group: McpGroup.Service,
    options?: Options<Mode>
  ): Effect.Effect<Effect.Effect<WithHandler<Mode>, GroupError>, never, Scope.Scope>
} = ((source: McpClient.Service | McpGroup.Service, options?: ClientOptions<any>) =>
  isMcpClient(source)
    ? internal.liveClient(source, options)
    : internal.liveGroup(source, options)) as any

/**
 * A tool's result as the toolkit gives it to the model.
 *
 * @example
 * ```ts
 * import { McpToolkit } from "@effect-mcp/ai"
 *
 * const result = McpToolkit.toToolResult({ content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] })
 * assert.strictEqual(result.text, "a\nb")
 * ```
 *
 * @since 0.3.0
 * @category utils
 */
export const toToolResult: (result: McpSchema.CallToolResult) => ToolResult = internal.toResult
