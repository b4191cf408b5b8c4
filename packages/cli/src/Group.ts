/**
 * Every server of an `mcp.json` file at once: `--config <file>` without
 * `--server` makes `tools list`, `tools call` and `servers` work on a group
 * of the file's servers (`McpGroup`), under catalogue names
 * (`<server>_<tool>`). A server that cannot be started, or whose entry does
 * not decode, is shown failed and never fails the others.
 *
 * @since 0.3.0
 */
import type * as McpClient from "@effect-mcp/client/McpClient"
import * as McpConfig from "@effect-mcp/client/McpConfig"
import { isGroupError } from "@effect-mcp/client/McpError"
import * as McpGroup from "@effect-mcp/client/McpGroup"
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as Terminal from "@effect/platform/Terminal"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Connection from "./Connection.js"
import * as ExitCode from "./ExitCode.js"
import { UsageError } from "./ExitCode.js"
import * as Interactive from "./Interactive.js"
import * as Output from "./Output.js"
import * as Trace from "./Trace.js"

/**
 * A config file read entry by entry: the servers that decode, and why the
 * others do not.
 *
 * @since 0.3.0
 * @category models
 */
export interface GroupConfig {
  readonly path: string
  /** Every server name, in the file's order. */
  readonly names: ReadonlyArray<string>
  readonly servers: Readonly<Record<string, McpConfig.Server>>
  readonly misconfigured: Readonly<Record<string, string>>
}

/**
 * Reads a config file entry by entry; `None` when it cannot be read as a
 * list of servers at all (the one-server path then reports why, as before).
 */
const readGroupConfig = (path: string): Effect.Effect<Option.Option<GroupConfig>, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path).pipe(Effect.option)
    if (Option.isNone(text)) return Option.none()
    const read = McpConfig.parseEntries(text.value)
    if (Either.isLeft(read)) return Option.none()
    const { misconfigured, names, servers } = read.right
    return Option.some({ path, names, servers, misconfigured })
  })

const envString = (name: string) =>
  Config.option(Config.nonEmptyString(name)).pipe(Effect.orElseSucceed(() => Option.none<string>()))

/**
 * The config file to work on as a group, if the options ask for one: a
 * config (`--config` or `$MCP_CONFIG`), no server (`--server`, `$MCP_SERVER`
 * or a command after `--`), and at least `minimum` servers in the file (a
 * file of one server keeps the one-server behaviour of every command).
 *
 * @since 0.3.0
 * @category constructors
 */
export const groupConfig = (
  connection: Connection.ConnectionOptions,
  minimum: number
): Effect.Effect<Option.Option<GroupConfig>, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const command = yield* Connection.ServerCommand
    const server = Option.isSome(connection.server) ? connection.server : yield* envString("MCP_SERVER")
    const config = Option.isSome(connection.config) ? connection.config : yield* envString("MCP_CONFIG")
    if (command.length > 0 || Option.isSome(server) || Option.isNone(config)) return Option.none()
    const read = yield* readGroupConfig(config.value)
    return Option.filter(read, (group) => group.names.length >= minimum)
  })

/**
 * The same, for a command that only works on a group (`servers`): anything
 * else is a usage error that says what to give.
 *
 * @since 0.3.0
 * @category constructors
 */
export const requireGroupConfig = (
  connection: Connection.ConnectionOptions
): Effect.Effect<GroupConfig, UsageError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const command = yield* Connection.ServerCommand
    const config = Option.isSome(connection.config) ? connection.config : yield* envString("MCP_CONFIG")
    if (command.length > 0 || Option.isSome(connection.server) || Option.isNone(config)) {
      return yield* new UsageError({
        message: "servers works on the servers of a config file: effect-mcp servers --config mcp.json " +
          "(for one server, use inspect)"
      })
    }
    const read = yield* readGroupConfig(config.value)
    if (Option.isSome(read)) return read.value
    // say what is wrong with the file, as the one-server path would
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(config.value).pipe(
      Effect.mapError((error) =>
        new UsageError({ message: `cannot read the config file ${config.value}: ${error.message}` })
      )
    )
    const parsed = McpConfig.parse(text)
    return yield* new UsageError({
      message: `the config file ${config.value}: ${Either.isLeft(parsed) ? parsed.left : "names no servers"}`
    })
  })

/**
 * A server of the group as the commands show it.
 *
 * @since 0.3.0
 * @category models
 */
export interface ServerReport {
  readonly name: string
  /** How it is reached, in words (no header values). */
  readonly transport: string | undefined
  readonly state: "idle" | "connecting" | "ready" | "reconnecting" | "failed"
  readonly protocolVersion?: string
  readonly serverInfo?: McpSchema.Implementation
  /** Why it is not ready: a failure with its type and exit code, as `--json` reports errors. */
  readonly error?: { readonly type: string; readonly message: string }
}

/**
 * A running group with the terminal's handlers, for one command.
 *
 * @since 0.3.0
 * @category models
 */
export interface GroupSession {
  readonly group: McpGroup.Service
  readonly config: GroupConfig
  readonly ui: Interactive.Ui
  readonly json: boolean
  readonly requestOptions: McpClient.RequestOptions
  /** Every server (the misconfigured ones too), in the file's order, with its state now. */
  readonly reports: Effect.Effect<ReadonlyArray<ServerReport>>
}

const failureOf = (cause: unknown): { readonly type: string; readonly message: string } => {
  if (isGroupError(cause)) return { type: cause._tag, message: cause.message }
  const error = cause as ExitCode.CommandError
  return typeof error === "object" && error !== null && "_tag" in error
    ? { type: error._tag, message: ExitCode.messageOf(error) }
    : { type: "Error", message: String(cause) }
}

const reportOf = (name: string, transport: string, state: McpGroup.ServerState): ServerReport => {
  switch (state._tag) {
    case "Ready":
      return {
        name,
        transport,
        state: "ready",
        protocolVersion: state.protocolVersion,
        ...(state.serverInfo === undefined ? {} : { serverInfo: state.serverInfo })
      }
    case "Failed":
      return { name, transport, state: "failed", error: failureOf(state.cause) }
    case "Reconnecting":
      return { name, transport, state: "reconnecting", error: failureOf(state.cause) }
    case "Idle":
      return { name, transport, state: "idle" }
    case "Connecting":
      return { name, transport, state: "connecting" }
  }
}

/**
 * Starts a group of the file's servers for the scope, with the terminal's
 * handlers; each server's log messages are printed with its name. Headers
 * and tokens of the command line are refused: they are meant for one server,
 * and a group would send them to every HTTP server of the file.
 *
 * @since 0.3.0
 * @category constructors
 */
export const connect = (
  connection: Connection.ConnectionOptions,
  config: GroupConfig
) =>
  Effect.gen(function*() {
    if (connection.header.length > 0 || Option.isSome(connection.bearer)) {
      return yield* new UsageError({
        message: "--header and --bearer are for one server: pick it with --server <name>, " +
          "or give the headers in the config file's entry"
      })
    }
    const ui = Interactive.makeUi()
    const timeout = Option.map(connection.timeout, (seconds) => Duration.millis(Math.max(1, seconds * 1000)))
    const sources = Object.fromEntries(
      Object.entries(config.servers).map((
        [name, server]
      ) => [name, Connection.fromConfigEntry(server, {}, connection.transport)])
    )
    const onLog = (server: string) => (message: McpSchema.LoggingMessageNotificationParams) =>
      !Interactive.shows(connection.logs, message.level)
        ? Effect.void
        : ui.note(`${Output.dim(`${server}:`, process.stderr)} ${Interactive.formatLog(message)}`)
    const roots = yield* Connection.rootsOf(connection.root)
    const group = yield* McpGroup.make(sources, {
      client: {
        clientInfo: { name: "effect-mcp-cli", version: "0.1.0" },
        protocol: connection.protocol,
        ...(Option.isSome(timeout) ? { requestTimeout: timeout.value, initTimeout: timeout.value } : {}),
        sampling: Interactive.sampling(ui),
        elicitation: Interactive.elicitation(ui),
        ...(roots.length === 0 ? {} : { roots })
      },
      clients: Object.fromEntries(Object.keys(sources).map((name) => [name, { onLog: onLog(name) }])),
      // a listing should never fail because two servers chose the same name
      collisions: "suffix"
    })
    const reports = Effect.map(group.states, (states) =>
      config.names.map((name): ServerReport => {
        const problem = config.misconfigured[name]
        if (problem !== undefined) {
          return {
            name,
            transport: undefined,
            state: "failed",
            error: { type: "UsageError", message: `the entry is misconfigured: ${problem}` }
          }
        }
        const source = sources[name]!
        return reportOf(name, Connection.describeSource(source), states[name] ?? McpGroup.ServerState.Idle())
      }))
    return {
      group,
      config,
      ui,
      json: connection.json,
      requestOptions: Option.isSome(timeout) ? { timeout: timeout.value } : {},
      reports
    } satisfies GroupSession
  })

/**
 * Runs a command's work on the group of the file's servers, closed (every
 * server stopped) when the work ends; a failure is reported with its exit
 * code. With `--trace`, the span tree follows on stderr.
 *
 * @since 0.3.0
 * @category constructors
 */
export const use = <A, R>(
  connection: Connection.ConnectionOptions,
  config: GroupConfig,
  f: (session: GroupSession) => Effect.Effect<A, ExitCode.CommandError, R>
): Effect.Effect<
  A,
  ExitCode.Reported,
  Exclude<R, Scope.Scope> | Terminal.Terminal | CommandExecutor.CommandExecutor | FileSystem.FileSystem
> =>
  Effect.scoped(Effect.flatMap(connect(connection, config), f)).pipe(
    ExitCode.report(connection.json),
    Trace.traced(connection.trace)
  )

/**
 * After the listing of a group: when no server could be connected, says so
 * on stderr and exits with 3, so that a script can tell an empty listing
 * from a dead one (stdout keeps the states, JSON too).
 *
 * @since 0.3.0
 * @category helpers
 */
export const failIfNoneReady = (
  config: GroupConfig,
  reports: ReadonlyArray<ServerReport>
): Effect.Effect<void, ExitCode.Reported> =>
  reports.some((report) => report.state === "ready")
    ? Effect.void
    : Effect.zipRight(
      Output.note(
        `${Output.red("effect-mcp: error:", process.stderr)} no server of ${config.path} could be connected`
      ),
      new ExitCode.Reported({ code: ExitCode.ExitCode.Connection })
    )

/**
 * A server's state in a line's worth: its name and version and protocol when
 * ready, else why not.
 *
 * @since 0.3.0
 * @category rendering
 */
export const details = (report: ServerReport): string =>
  report.state === "ready"
    ? report.serverInfo === undefined ? "" : `${report.serverInfo.name} ${report.serverInfo.version}`
    : report.error?.message ?? ""

/**
 * The servers' states as a table: server, state, protocol, then the given
 * columns, then the details.
 *
 * @since 0.3.0
 * @category rendering
 */
export const statesTable = <A extends ServerReport>(
  reports: ReadonlyArray<A>,
  columns: ReadonlyArray<Output.Column<A>> = []
): string =>
  Output.table<A>(reports, [
    { header: "server", get: (report) => report.name },
    { header: "state", get: (report) => report.state },
    { header: "protocol", get: (report) => report.protocolVersion ?? "" },
    ...columns,
    { header: "details", get: details, flexible: true }
  ])
