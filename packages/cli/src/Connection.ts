/**
 * How a command names its server and connects to it. The server is one of:
 *
 * - `--server <url>` (or `MCP_SERVER`): Streamable HTTP; a path ending in
 *   `/sse` (or `--transport sse`) is legacy SSE;
 * - `--server <script>`: a `.js`/`.mjs`/`.ts`/`.py` file run over stdio;
 * - `--server <name> --config <mcp.json>` (or `MCP_CONFIG`): a server of an
 *   `mcp.json` style file (`mcpServers` or `servers`);
 * - `-- <command> <args...>` at the end of the line: any stdio server.
 *
 * HTTP headers come from `--header "Name: value"` (repeatable) and
 * `MCP_HEADERS` (a JSON object, or `Name: value` lines); a bearer token from
 * `--bearer` or `MCP_BEARER_TOKEN`. The token stays `Redacted` until it is
 * put in the `Authorization` header, and is never printed.
 *
 * @since 0.1.0
 */
import * as McpClient from "@effect-mcp/client/McpClient"
import * as McpConfig from "@effect-mcp/client/McpConfig"
import * as McpError from "@effect-mcp/client/McpError"
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import type * as StdioTransport from "@effect-mcp/client/StdioTransport"
import * as Options from "@effect/cli/Options"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as Terminal from "@effect/platform/Terminal"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as NodePath from "node:path"
import * as NodeUrl from "node:url"
import * as ExitCode from "./ExitCode.js"
import { UsageError } from "./ExitCode.js"
import * as Interactive from "./Interactive.js"
import * as Trace from "./Trace.js"

/**
 * The words after `--` on the command line: a stdio server's command and arguments.
 *
 * @since 0.1.0
 * @category tags
 */
export class ServerCommand extends Context.Reference<ServerCommand>()("@effect-mcp/cli/ServerCommand", {
  defaultValue: (): ReadonlyArray<string> => []
}) {}

const protocolChoices: ReadonlyArray<McpSchema.ProtocolChoice> = [
  "auto",
  "legacy",
  "2026-07-28",
  "2025-11-25",
  "2025-06-18",
  "2025-03-26",
  "2024-11-05"
]

/**
 * The options every server command takes.
 *
 * @since 0.1.0
 * @category options
 */
export const options = {
  server: Options.text("server").pipe(
    Options.withAlias("s"),
    Options.withDescription(
      "The server: a URL (Streamable HTTP; a path ending in /sse is legacy SSE), a script (.js, .mjs, .ts, .py), " +
        "or a server name from the --config file. Default: $MCP_SERVER. Or give a stdio command after --."
    ),
    Options.optional
  ),
  config: Options.text("config").pipe(
    Options.withAlias("c"),
    Options.withDescription(
      "An mcp.json style file naming servers (default: $MCP_CONFIG); without --server, servers, tools list " +
        "and tools call work on all of its servers"
    ),
    Options.optional
  ),
  header: Options.text("header").pipe(
    Options.withAlias("H"),
    Options.withDescription("An HTTP header, \"Name: value\" (repeatable; also $MCP_HEADERS)"),
    Options.repeated
  ),
  bearer: Options.redacted("bearer").pipe(
    Options.withDescription("A bearer token for HTTP servers (default: $MCP_BEARER_TOKEN); never printed"),
    Options.optional
  ),
  transport: Options.choice("transport", ["streamable-http", "sse"]).pipe(
    Options.withDescription("Force the HTTP transport instead of inferring it from the URL"),
    Options.optional
  ),
  timeout: Options.float("timeout").pipe(
    Options.withDescription(
      "Seconds to connect (start the server and initialize; default 30), and seconds a request may go " +
        "without an answer or progress (default 60)"
    ),
    Options.optional
  ),
  logs: Options.choice("logs", [...Interactive.logLevels, "off"]).pipe(
    Options.withDescription("Show the server's log messages at this level and above, on stderr"),
    Options.withDefault("info" as Interactive.LogThreshold)
  ),
  json: Options.boolean("json").pipe(Options.withDescription("Print machine-readable JSON on stdout")),
  protocol: Options.choice("protocol", protocolChoices).pipe(
    Options.withDescription(
      "The protocol revision: auto (ask the server with server/discover, else the initialize handshake), " +
        "legacy (the handshake only), or a revision to pin"
    ),
    Options.withDefault("auto" as McpSchema.ProtocolChoice)
  ),
  trace: Trace.option,
  root: Options.text("root").pipe(
    Options.withDescription("A directory to offer the server as a root (repeatable); the server may ask for them"),
    Options.repeated
  )
}

/**
 * The parsed connection options.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConnectionOptions {
  readonly server: Option.Option<string>
  readonly config: Option.Option<string>
  readonly header: ReadonlyArray<string>
  readonly bearer: Option.Option<Redacted.Redacted>
  readonly transport: Option.Option<"streamable-http" | "sse">
  readonly timeout: Option.Option<number>
  readonly logs: Interactive.LogThreshold
  readonly json: boolean
  readonly protocol: McpSchema.ProtocolChoice
  readonly trace: boolean
  readonly root: ReadonlyArray<string>
}

/**
 * The `--root` directories as roots: `file://` URIs of their absolute paths,
 * named after the directory. One that is not a directory is a usage error.
 *
 * @since 0.3.0
 * @category options
 */
export const rootsOf = (
  paths: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<McpSchema.Root>, UsageError, FileSystem.FileSystem> =>
  Effect.forEach(paths, (path) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const absolute = NodePath.resolve(path)
      const info = yield* Effect.option(fs.stat(absolute))
      if (Option.isNone(info) || info.value.type !== "Directory") {
        return yield* new UsageError({ message: `--root ${path}: not a directory` })
      }
      return { uri: NodeUrl.pathToFileURL(absolute).href, name: NodePath.basename(absolute) || absolute }
    }))

/**
 * A source the CLI can hand to the library.
 *
 * @since 0.1.0
 * @category models
 */
export type Source = string | StdioTransport.StdioOptions | McpClient.HttpSource

/**
 * A server started from the command line (after `--`, or a script) runs as
 * if the user had started it from their shell: with their environment
 * (`inheritEnv`), except the variables that carry the CLI's own HTTP
 * credentials, emptied. Servers from an mcp.json file get the library's safe
 * environment and the file's `env`, as MCP hosts give them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const childEnvironment = (): Record<string, string> =>
  Object.fromEntries(
    ["MCP_BEARER_TOKEN", "MCP_HEADERS"].flatMap((key) => (process.env[key] === undefined ? [] : [[key, ""]]))
  )

const isUrl = (value: string) => /^https?:\/\//i.test(value)
const isScript = (value: string) => /\.(m?js|cjs|m?ts|py)$/i.test(value)

const parseHeader = (text: string): Option.Option<readonly [string, string]> => {
  const match = /^\s*([^:=\s]+)\s*[:=]\s*(.*)$/.exec(text)
  return match === null ? Option.none() : Option.some([match[1]!, match[2]!.trim()] as const)
}

const asRecordOfStrings = (value: unknown): Record<string, string> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item)]))
    : undefined

const headersFromEnv = (value: string): Either.Either<Record<string, string>, UsageError> => {
  if (value.trim().startsWith("{")) {
    try {
      const parsed = JSON.parse(value) as unknown
      const headers = asRecordOfStrings(parsed)
      if (headers !== undefined) return Either.right(headers)
    } catch {
      // reported below
    }
    return Either.left(new UsageError({ message: "MCP_HEADERS is not a JSON object of header names to values" }))
  }
  const headers: Record<string, string> = {}
  for (const text of value.split(/\r?\n/).filter((text) => text.trim() !== "")) {
    const header = parseHeader(text)
    if (Option.isNone(header)) {
      return Either.left(new UsageError({ message: `MCP_HEADERS has a line that is not "Name: value": ${text}` }))
    }
    headers[header.value[0]] = header.value[1]
  }
  return Either.right(headers)
}

/** Headers from the environment, then the options, then the bearer token. */
const headers = (connection: ConnectionOptions): Effect.Effect<Record<string, string>, UsageError> =>
  Effect.gen(function*() {
    const result: Record<string, string> = {}
    const env = yield* Config.option(Config.string("MCP_HEADERS")).pipe(Effect.orElseSucceed(() => Option.none()))
    if (Option.isSome(env)) Object.assign(result, yield* headersFromEnv(env.value))
    for (const text of connection.header) {
      const header = parseHeader(text)
      if (Option.isNone(header)) {
        return yield* new UsageError({ message: `--header "${text}" is not "Name: value"` })
      }
      result[header.value[0]] = header.value[1]
    }
    const token = Option.isSome(connection.bearer)
      ? connection.bearer
      : yield* Config.option(Config.redacted("MCP_BEARER_TOKEN")).pipe(Effect.orElseSucceed(() => Option.none()))
    if (Option.isSome(token)) result.Authorization = `Bearer ${Redacted.value(token.value)}`
    return result
  })

const envString = (name: string) =>
  Config.option(Config.nonEmptyString(name)).pipe(Effect.orElseSucceed(() => Option.none<string>()))

/**
 * One entry of an mcp.json file as a library source; `extraHeaders` (from
 * the command line) go to an HTTP server.
 *
 * @since 0.3.0
 * @category constructors
 */
export const fromConfigEntry = (
  server: McpConfig.Server,
  extraHeaders: Record<string, string>,
  transport: Option.Option<"streamable-http" | "sse">
): Source =>
  McpConfig.isStdio(server)
    ? { ...McpConfig.stdioOptions(server), stderr: "ignore" }
    : {
      url: server.url,
      transport: Option.getOrElse(transport, () => McpConfig.httpTransport(server)),
      headers: { ...server.headers, ...extraHeaders }
    }

const fromConfigFile = (
  path: string,
  name: Option.Option<string>,
  extraHeaders: Record<string, string>,
  transport: Option.Option<"streamable-http" | "sse">
): Effect.Effect<Source, UsageError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path).pipe(
      Effect.mapError((error) => new UsageError({ message: `cannot read the config file ${path}: ${error.message}` }))
    )
    const config = McpConfig.parse(text)
    if (Either.isLeft(config)) {
      return yield* new UsageError({ message: `the config file ${path}: ${config.left}` })
    }
    const entries = McpConfig.servers(config.right)
    const names = Object.keys(entries)
    const chosen = Option.getOrUndefined(name) ?? (names.length === 1 ? names[0] : undefined)
    if (chosen === undefined) {
      return yield* new UsageError({
        message: names.length === 0
          ? `the config file ${path} names no servers`
          : `the config file ${path} names ${names.length} servers; pick one with --server (${names.join(", ")})`
      })
    }
    const entry = entries[chosen]
    if (entry === undefined) {
      return yield* new UsageError({
        message: `the config file ${path} has no server named "${chosen}" (it has: ${names.join(", ") || "none"})`
      })
    }
    return fromConfigEntry(entry, extraHeaders, transport)
  })

/**
 * Works out the connection source from the options, the environment and the
 * words after `--`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolveSource = (
  connection: ConnectionOptions
): Effect.Effect<Source, UsageError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const command = yield* ServerCommand
    const server = Option.isSome(connection.server) ? connection.server : yield* envString("MCP_SERVER")
    const config = Option.isSome(connection.config) ? connection.config : yield* envString("MCP_CONFIG")
    const httpHeaders = yield* headers(connection)
    if (command.length > 0) {
      if (Option.isSome(connection.server)) {
        return yield* new UsageError({
          message: "name the server either with --server or as a command after --, not both"
        })
      }
      return {
        command: command[0]!,
        args: command.slice(1),
        env: childEnvironment(),
        inheritEnv: true,
        stderr: "ignore" as const
      }
    }
    if (Option.isNone(server) && Option.isSome(config)) {
      return yield* fromConfigFile(config.value, Option.none(), httpHeaders, connection.transport)
    }
    if (Option.isNone(server)) {
      return yield* new UsageError({
        message: "no server given: use --server <url | script | name> (or $MCP_SERVER), " +
          "or put a stdio server's command after --, e.g. effect-mcp tools list -- npx -y some-mcp-server"
      })
    }
    const target = server.value
    if (isUrl(target)) {
      return {
        url: target,
        ...(Option.isSome(connection.transport) ? { transport: connection.transport.value } : {}),
        headers: httpHeaders
      }
    }
    if (Option.isSome(config)) {
      return yield* fromConfigFile(config.value, Option.some(target), httpHeaders, connection.transport)
    }
    if (isScript(target)) {
      const fs = yield* FileSystem.FileSystem
      const exists = yield* fs.exists(target).pipe(Effect.orElseSucceed(() => false))
      if (!exists) return yield* new UsageError({ message: `the server script ${target} does not exist` })
      const script = McpClient.stdioForScript(target)
      return script === undefined ? target : { ...script, env: childEnvironment(), inheritEnv: true }
    }
    return yield* new UsageError({
      message: `cannot tell what server "${target}" is: give an http(s) URL, a script (.js, .mjs, .ts, .py), ` +
        "a server name with --config <mcp.json>, or a stdio command after --"
    })
  })

/**
 * A source in words: `stdio: node server.js`, `Streamable HTTP: <url>`, `legacy SSE: <url>`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const describeSource = (source: Source): string => {
  if (typeof source === "string") return `stdio: ${source}`
  if ("command" in source) return `stdio: ${[source.command, ...(source.args ?? [])].join(" ")}`
  const url = new URL(source.url)
  const sse = source.transport === "sse" ||
    (source.transport === undefined && url.pathname.replace(/\/+$/, "").endsWith("/sse"))
  const names = Object.keys(source.headers ?? {})
  return `${sse ? "legacy SSE" : "Streamable HTTP"}: ${url.href}${
    names.length === 0 ? "" : ` (headers: ${names.join(", ")})`
  }`
}

/**
 * A connected client with the terminal's handlers, for one command.
 *
 * @since 0.1.0
 * @category models
 */
export interface Session {
  readonly client: McpClient.Service
  /** How the server was reached, in words (no header values). */
  readonly transport: string
  readonly ui: Interactive.Ui
  readonly json: boolean
  /** Per-request options from `--timeout`. */
  readonly requestOptions: McpClient.RequestOptions
}

/**
 * Connects to the server the options name, for the current scope. Server log
 * messages at the chosen level are printed on stderr (unless `printLogs` is
 * false) and the server is asked to send no less severe ones; sampling and
 * elicitation are answered on the terminal.
 *
 * @since 0.1.0
 * @category constructors
 */
export const connect = (
  connection: ConnectionOptions,
  settings: { readonly printLogs?: boolean } = {}
): Effect.Effect<
  Session,
  McpError.McpError | UsageError,
  Scope.Scope | FileSystem.FileSystem | Terminal.Terminal | CommandExecutor.CommandExecutor
> =>
  Effect.gen(function*() {
    const source = yield* resolveSource(connection)
    const roots = yield* rootsOf(connection.root)
    const ui = Interactive.makeUi()
    const timeout = Option.map(connection.timeout, (seconds) => Duration.millis(Math.max(1, seconds * 1000)))
    // the handlers prompt on the CLI's own Terminal, from the context this runs in
    const connecting = McpClient.make(source, {
      clientInfo: { name: "effect-mcp-cli", version: "0.1.0" },
      protocol: connection.protocol,
      ...(Option.isSome(timeout) ? { requestTimeout: timeout.value, initTimeout: timeout.value } : {}),
      sampling: Interactive.sampling(ui),
      elicitation: Interactive.elicitation(ui),
      ...(roots.length === 0 ? {} : { roots }),
      onLog: (message) =>
        settings.printLogs === false || !Interactive.shows(connection.logs, message.level)
          ? Effect.void
          : ui.note(Interactive.formatLog(message))
    })
    // initTimeout starts with the initialize request; --timeout also bounds
    // what comes before it (starting the server, a POST that is never answered)
    const client = yield* Option.isNone(timeout) ? connecting : connecting.pipe(
      Effect.timeoutFail({
        duration: timeout.value,
        onTimeout: () => new McpError.TimeoutError({ method: "initialize", timeout: timeout.value, kind: "total" })
      })
    )
    const capabilities = yield* client.serverCapabilities
    if (capabilities.logging !== undefined && connection.logs !== "off") {
      // a server that advertises logging but rejects the level still serves everything else
      yield* client.setLoggingLevel(connection.logs).pipe(Effect.catchTag("McpRpcError", () => Effect.void))
    }
    return {
      client,
      transport: describeSource(source),
      ui,
      json: connection.json,
      requestOptions: Option.isSome(timeout) ? { timeout: timeout.value } : {}
    }
  })

/**
 * Runs a command's work with a session that ends when the work does; a
 * failure is reported (stderr, and JSON with `--json`) with its exit code.
 * With `--trace`, the span tree follows on stderr.
 *
 * @since 0.1.0
 * @category constructors
 */
export const use = <A, R>(
  connection: ConnectionOptions,
  f: (session: Session) => Effect.Effect<A, ExitCode.CommandError, R>,
  settings: { readonly printLogs?: boolean } = {}
): Effect.Effect<
  A,
  ExitCode.Reported,
  Exclude<R, Scope.Scope> | FileSystem.FileSystem | Terminal.Terminal | CommandExecutor.CommandExecutor
> =>
  Effect.scoped(Effect.flatMap(connect(connection, settings), f)).pipe(
    ExitCode.report(connection.json),
    Trace.traced(connection.trace)
  )
