/**
 * `effect-mcp tools list` and `effect-mcp tools call <tool> [key=value...]`.
 *
 * @since 0.1.0
 */
import type * as McpClient from "@effect-mcp/client/McpClient"
import type { ToolError } from "@effect-mcp/client/McpError"
import * as McpGroup from "@effect-mcp/client/McpGroup"
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Arguments from "./Arguments.js"
import * as Connection from "./Connection.js"
import type * as ExitCode from "./ExitCode.js"
import { UsageError } from "./ExitCode.js"
import * as Group from "./Group.js"
import type * as Interactive from "./Interactive.js"
import * as ListCommand from "./ListCommand.js"
import * as Output from "./Output.js"

const oneServerList = ListCommand.run({
  name: "list",
  description: "List the server's tools and their arguments",
  fetch: (client) => client.listTools,
  empty: "no tools",
  columns: [
    { header: "tool", get: (tool) => tool.name },
    { header: "arguments", get: (tool) => Output.argumentsLine(tool.inputSchema), flexible: true },
    { header: "description", get: (tool) => tool.description ?? tool.title ?? "", flexible: true }
  ]
})

const toolCount = (catalogue: McpGroup.Catalogue) => (report: Group.ServerReport) =>
  report.state === "ready" ? String(catalogue.tools.filter((entry) => entry.server === report.name).length) : ""

/** Every server's tools under their catalogue names, after every server's state. */
const groupList = (connection: Connection.ConnectionOptions, config: Group.GroupConfig) =>
  Group.use(connection, config, ({ group, json, reports }) =>
    Effect.gen(function*() {
      const catalogue = yield* group.catalogue
      const servers = yield* reports
      if (json) {
        yield* Output.json({
          servers: servers.map((report) => ({
            ...report,
            tools: catalogue.tools.filter((entry) => entry.server === report.name).length
          })),
          tools: catalogue.tools.map(({ available, name, original, server, value }) => ({
            name,
            server,
            original,
            available,
            tool: value
          }))
        })
        return servers
      }
      yield* Output.line(Group.statesTable(servers, [{ header: "tools", get: toolCount(catalogue) }]))
      yield* Output.line("")
      yield* Output.list(catalogue.tools, {
        json: false,
        empty: "no tools",
        columns: [
          { header: "tool", get: (entry) => entry.name },
          { header: "server", get: (entry) => entry.server },
          { header: "arguments", get: (entry) => Output.argumentsLine(entry.value.inputSchema), flexible: true },
          {
            header: "description",
            get: (entry) =>
              `${entry.available ? "" : "(unavailable) "}${entry.value.description ?? entry.value.title ?? ""}`,
            flexible: true
          }
        ]
      })
      return servers
    })).pipe(Effect.flatMap((servers) => Group.failIfNoneReady(config, servers)))

/**
 * @since 0.1.0
 * @category commands
 */
export const list = Command.make("list", Connection.options, (connection) =>
  Effect.flatMap(
    Group.groupConfig(connection, 2),
    Option.match({
      onNone: () => oneServerList(connection),
      onSome: (config) => groupList(connection, config)
    })
  )).pipe(
    Command.withDescription(
      "List the server's tools and their arguments; with --config and no --server, every server's tools " +
        "under catalogue names (<server>_<tool>) and each server's state"
    )
  )

/**
 * Finds a tool by name, or says which tools there are.
 *
 * @since 0.1.0
 * @category helpers
 */
export const findTool = (
  tools: ReadonlyArray<McpSchema.Tool>,
  name: string
): Either.Either<McpSchema.Tool, UsageError> => {
  const tool = tools.find((candidate) => candidate.name === name)
  return tool !== undefined
    ? Either.right(tool)
    : Either.left(
      new UsageError({
        message: `the server has no tool named "${name}"`,
        details: `Its tools: ${tools.map((candidate) => candidate.name).join(", ") || "none"}`
      })
    )
}

/**
 * Is the text the structured content again, as JSON (or the value a server
 * wrapped as `{ "result": ... }`, as FastMCP does)? Then it need not be
 * shown twice.
 */
const sameJson = (text: string, value: unknown) => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // a text result of a string tool: FastMCP sends "hello" as text and { "result": "hello" }
    parsed = text
  }
  const same = (candidate: unknown) => JSON.stringify(parsed) === JSON.stringify(candidate)
  if (same(value)) return true
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    Object.keys(value).length === 1 && "result" in value && same((value as { result: unknown }).result)
}

const printResult = (result: McpSchema.CallToolResult) =>
  Effect.gen(function*() {
    const text = Output.content(result.content)
    if (text.length > 0) yield* Output.line(text)
    if (result.structuredContent !== undefined && !sameJson(text, result.structuredContent)) {
      yield* Output.line(`${Output.dim("structured content:")}\n${JSON.stringify(result.structuredContent, null, 2)}`)
    }
  })

/**
 * Calls a tool with arguments typed by its schema, with a progress bar where
 * one can be drawn, and prints the result; `invoke` makes the call (on one
 * client, or on a group by catalogue name).
 */
const callAndPrint = (
  tool: McpSchema.Tool,
  options: { readonly pairs: ReadonlyArray<string>; readonly args: Option.Option<string> },
  session: { readonly ui: Interactive.Ui; readonly json: boolean },
  invoke: (
    args: Record<string, unknown>,
    onProgress: McpClient.RequestOptions["onProgress"]
  ) => Effect.Effect<McpSchema.CallToolResult, ExitCode.CommandError>
) =>
  Effect.gen(function*() {
    const args = yield* Arguments.forTool(tool, options.pairs, Option.getOrUndefined(options.args))
    const bar = yield* session.ui.progress(tool.name)
    // ask for progress only where it can be shown
    const result = yield* invoke(args, session.ui.bar ? bar.update : undefined).pipe(
      Effect.ensuring(bar.done),
      // the server refused the arguments (the SDK reports that as a tool error): show the schema
      Effect.catchTag("ToolError", (error): Effect.Effect<never, UsageError | ToolError> =>
        /input validation error|invalid arguments/i.test(error.text)
          ? Effect.fail(
            new UsageError({
              message: `the server refused the arguments of "${tool.name}": ${error.text}`,
              details: Arguments.toolSchemaHelp(tool),
              data: { content: error.content, schema: tool.inputSchema }
            })
          )
          : Effect.fail(error))
    )
    if (session.json) {
      return yield* Output.json(result)
    }
    yield* printResult(result)
  })

const callOptions = {
  ...Connection.options,
  tool: Args.text({ name: "tool" }).pipe(
    Args.withDescription("The tool's name (with --config and no --server: its catalogue name, <server>_<tool>)")
  ),
  pairs: Args.text({ name: "key=value" }).pipe(
    Args.withDescription("Arguments, typed by the tool's input schema (key:=<json> for a JSON value)"),
    Args.repeated
  ),
  args: Options.text("args").pipe(
    Options.withDescription("Arguments as a JSON object (key=value pairs override its entries)"),
    Options.optional
  )
}

type CallOptions = Command.Command.ParseConfig<typeof callOptions>

/** Finds a tool in the catalogue, or says which there are (and where one of that name lives). */
const findEntry = (
  catalogue: McpGroup.Catalogue,
  config: Group.GroupConfig,
  name: string
): Either.Either<McpGroup.Entry<McpSchema.Tool>, UsageError> => {
  const entry = catalogue.tools.find((candidate) => candidate.name === name)
  if (entry !== undefined) return Either.right(entry)
  const same = catalogue.tools.filter((candidate) => candidate.original === name).map((candidate) => candidate.name)
  const missing = Object.entries(catalogue.servers).filter(([, state]) => !McpGroup.isAvailable(state))
    .map(([server]) => server)
  const misconfigured = Object.keys(config.misconfigured)
  return Either.left(
    new UsageError({
      message: `the servers of ${config.path} have no tool named "${name}"${
        same.length === 0 ? "" : `; did you mean ${same.join(" or ")}?`
      }`,
      details: [
        `Their tools: ${catalogue.tools.map((candidate) => candidate.name).join(", ") || "none"}`,
        ...([...missing, ...misconfigured].length === 0 ? [] : [
          `Not connected (their tools are not listed): ${[...missing, ...misconfigured].join(", ")}`
        ])
      ].join("\n")
    })
  )
}

const groupCall = (options: CallOptions, config: Group.GroupConfig) =>
  Group.use(options, config, ({ group, json, requestOptions, ui }) =>
    Effect.gen(function*() {
      const catalogue = yield* group.catalogue
      const entry = yield* findEntry(catalogue, config, options.tool)
      yield* callAndPrint(entry.value, options, { ui, json }, (args, onProgress) =>
        group.callTool(entry.name, args, {
          ...requestOptions,
          ...(onProgress === undefined ? {} : { onProgress })
        }))
    }))

const oneServerCall = (options: CallOptions) =>
  Connection.use(options, ({ client, json, requestOptions, ui }) =>
    Effect.gen(function*() {
      const tools = yield* client.listTools
      const tool = yield* findTool(tools, options.tool)
      yield* callAndPrint(tool, options, { ui, json }, (args, onProgress) =>
        client.callTool(tool.name, args, {
          ...requestOptions,
          ...(onProgress === undefined ? {} : { onProgress })
        }))
    }))

/**
 * @since 0.1.0
 * @category commands
 */
export const call = Command.make("call", callOptions, (options) =>
  Effect.flatMap(
    Group.groupConfig(options, 2),
    Option.match({
      onNone: () => oneServerCall(options),
      onSome: (config) => groupCall(options, config)
    })
  )).pipe(
    Command.withDescription(
      "Call a tool: effect-mcp tools call add a=1 b=2 -s <server>; with --config and no --server, by catalogue " +
        "name: effect-mcp tools call files_read_text_file path=README.md --config mcp.json"
    )
  )

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("tools").pipe(
  Command.withDescription("The server's tools (with --config and no --server: every server's)"),
  Command.withSubcommands([list, call])
)
