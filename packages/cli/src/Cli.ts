/**
 * The `effect-mcp` command: every subcommand, the `--` split for stdio
 * servers, and the exit code of a run.
 *
 * @since 0.1.0
 */
import * as McpTelemetry from "@effect-mcp/client-node/McpTelemetry"
import * as NodeHttpTransport from "@effect-mcp/client-node/NodeHttpTransport"
import * as NodeStdioTransport from "@effect-mcp/client-node/NodeStdioTransport"
import type * as HttpTransport from "@effect-mcp/client/HttpTransport"
import type * as StdioTransport from "@effect-mcp/client/StdioTransport"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as CompleteCommand from "./CompleteCommand.js"
import { ServerCommand } from "./Connection.js"
import * as Demo from "./Demo.js"
import * as DiscoverCommand from "./DiscoverCommand.js"
import * as ExitCode from "./ExitCode.js"
import * as Help from "./Help.js"
import * as InspectCommand from "./InspectCommand.js"
import * as PromptsCommand from "./PromptsCommand.js"
import * as ResourcesCommand from "./ResourcesCommand.js"
import * as ServersCommand from "./ServersCommand.js"
import * as TailCommand from "./TailCommand.js"
import * as ToolsCommand from "./ToolsCommand.js"

/**
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

/**
 * `effect-mcp demo-server`: serves the demo server over stdio.
 *
 * @since 0.1.0
 * @category commands
 */
export const demoServer = Command.make("demo-server", {
  heartbeat: Options.integer("heartbeat").pipe(
    Options.withDescription("Send a log message (and a demo://clock update) every this many milliseconds"),
    Options.optional
  )
}, ({ heartbeat }) =>
  // loaded on demand: the SDK's server and zod are not needed by any other command
  Effect.flatMap(
    Effect.promise(() => import("./DemoServer.js")),
    (DemoServer) => DemoServer.serveStdio({ heartbeatMillis: Option.getOrUndefined(heartbeat) })
  )).pipe(
    Command.withDescription("Serve the embedded demo MCP server over stdio (for use as a server command)")
  )

/**
 * @since 0.1.0
 * @category commands
 */
export const root = Command.make("effect-mcp").pipe(
  Command.withDescription("Poke any MCP server, or every server of an mcp.json file, from the terminal"),
  Command.withSubcommands([
    InspectCommand.inspect,
    ServersCommand.command,
    ToolsCommand.command,
    ResourcesCommand.command,
    PromptsCommand.command,
    CompleteCommand.command,
    InspectCommand.ping,
    TailCommand.command,
    DiscoverCommand.command,
    Demo.demo,
    demoServer
  ])
)

const footer = HelpDoc.blocks([
  HelpDoc.h1("SERVERS"),
  HelpDoc.p(
    "-s <url> (Streamable HTTP; a path ending in /sse is legacy SSE), -s <script.js|.ts|.py>, " +
      "-s <name> --config mcp.json, or -- <command> <args...> at the end for any stdio server. " +
      "$MCP_SERVER, $MCP_CONFIG, $MCP_HEADERS and $MCP_BEARER_TOKEN stand in for the options."
  ),
  HelpDoc.h1("MANY SERVERS"),
  HelpDoc.p(
    "--config mcp.json without --server: servers shows every server of the file with its state, protocol " +
      "and counts; tools list shows every server's tools under catalogue names (<server>_<tool>); tools call " +
      "<server>_<tool> reaches the right server. A server that fails to start is shown failed and the others " +
      "still work (exit 3 only when none does). A file of one server works as before. " +
      "discover shows the servers the hosts on this machine (Claude Desktop, Claude Code, Cursor, VS Code, " +
      "Windsurf) are configured with, without secret values."
  ),
  HelpDoc.h1("TRACING"),
  HelpDoc.p(
    "--trace (every command that talks to servers, and demo): after the result, the spans of the run on " +
      "stderr as a tree with durations: connecting (starting the server, server/discover, initialize), then " +
      "each request (tools/call <tool>, ...); a failed span is marked with its error type. stdout, --json " +
      "included, is unchanged."
  ),
  HelpDoc.h1("EXIT CODES"),
  HelpDoc.p(
    "0 ok (also tail stopped with Ctrl-C), 1 tool error, 2 usage error, 3 connection error, " +
      "4 server or protocol error, 5 timeout, 70 internal error, 130 interrupted (Ctrl-C; tail exits 0)"
  )
])

const cli = Command.run(root, { name: "effect-mcp", version, footer })

/**
 * Splits the command line at the first `--`: what follows is a stdio
 * server's command.
 *
 * @since 0.1.0
 * @category parsing
 */
export const splitServerCommand = (
  argv: ReadonlyArray<string>
): readonly [ReadonlyArray<string>, ReadonlyArray<string>] => {
  const index = argv.indexOf("--", 2)
  return index < 0 ? [argv, []] : [argv.slice(0, index), argv.slice(index + 1)]
}

/**
 * Runs the CLI on `process.argv`-shaped arguments and returns the exit code.
 *
 * @since 0.1.0
 * @category running
 */
export const main = (argv: ReadonlyArray<string>): Effect.Effect<ExitCode.ExitCode, never, NodeContext.NodeContext> => {
  const [own, command] = splitServerCommand(argv)
  const help = own.slice(2).some((arg) => arg === "--help" || arg === "-h") || own.length <= 2
  return (help ? Help.fitted(cli(own)) : cli(own)).pipe(
    Effect.provideService(ServerCommand, command),
    Effect.as(ExitCode.ExitCode.Ok),
    Effect.catchAllCause(ExitCode.fromCause)
  )
}

/**
 * Library warnings (a garbage line from a server, a failing handler) go to
 * stderr; stdout stays for results.
 *
 * @since 0.1.0
 * @category layers
 */
export const loggerLayer: Layer.Layer<never> = Layer.merge(
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message }) => {
      const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
      process.stderr.write(`effect-mcp: ${logLevel.label.toLowerCase()}: ${text}\n`)
    })
  ),
  Logger.minimumLogLevel(LogLevel.Warning)
)

/**
 * What the CLI needs from Node; servers are reached with the Node transports
 * (stdio on `node:child_process`, Streamable HTTP on `node:http`). With
 * `OTEL_EXPORTER_OTLP_ENDPOINT` set, the commands' traces and metrics are
 * exported there (service `effect-mcp-cli` unless `OTEL_SERVICE_NAME` says).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  NodeContext.NodeContext | StdioTransport.Launcher | HttpTransport.Connector
> = Layer.mergeAll(
  NodeContext.layer,
  NodeStdioTransport.layer,
  NodeHttpTransport.layer,
  loggerLayer,
  McpTelemetry.layerFromEnv({ serviceName: "effect-mcp-cli" })
)
