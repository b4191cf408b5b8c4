/**
 * The CLI's exit codes, its own errors, and how every failure is reported:
 * a message on stderr and, with `--json`, an `{ "error": ... }` object on
 * stdout.
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | success (also: `tail` stopped with Ctrl-C) |
 * | 1 | the tool reported an error (`isError: true`) |
 * | 2 | usage: bad options or arguments, unknown tool, prompt or server name |
 * | 3 | connection: the server could not be started or reached, or went away (for a group: no server could) |
 * | 4 | server or protocol: a JSON-RPC error answer, a malformed or unsupported reply |
 * | 5 | timeout: the server did not answer in time |
 * | 70 | internal error in the CLI (a bug) |
 * | 130 | interrupted (Ctrl-C), except `tail`, for which Ctrl-C is the way to stop |
 *
 * @since 0.1.0
 */
import * as McpError from "@effect-mcp/client/McpError"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Output from "./Output.js"

/**
 * @since 0.1.0
 * @category exit codes
 */
export const ExitCode = {
  Ok: 0,
  ToolError: 1,
  Usage: 2,
  Connection: 3,
  Server: 4,
  Timeout: 5,
  Internal: 70,
  Interrupted: 130
} as const

/**
 * @since 0.1.0
 * @category exit codes
 */
export type ExitCode = typeof ExitCode[keyof typeof ExitCode]

/**
 * The user asked for something the CLI cannot do as asked. `details` follow
 * the message (for example the schema of a tool's arguments).
 *
 * @since 0.1.0
 * @category errors
 */
export class UsageError extends Data.TaggedError("UsageError")<{
  readonly message: string
  readonly details?: string | undefined
  readonly data?: unknown
}> {}

/**
 * A failure that has been reported already; the process exits with `code`.
 *
 * @since 0.1.0
 * @category errors
 */
export class Reported extends Data.TaggedError("Reported")<{ readonly code: ExitCode }> {}

/**
 * Any failure a command can report.
 *
 * @since 0.1.0
 * @category errors
 */
export type CommandError = McpError.McpError | McpError.GroupError | UsageError

/**
 * The exit code for a failure.
 *
 * @since 0.1.0
 * @category exit codes
 */
export const codeOf = (error: CommandError): ExitCode => {
  switch (error._tag) {
    case "ToolError":
      return ExitCode.ToolError
    case "UsageError":
      return ExitCode.Usage
    case "GroupError":
      // a server of the group that could not be connected is a connection failure; a wrong name is usage
      return error.reason === "Unavailable" ? ExitCode.Connection : ExitCode.Usage
    case "TransportError":
    case "NotConnected":
      return ExitCode.Connection
    case "McpRpcError":
    case "ProtocolError":
      return ExitCode.Server
    case "TimeoutError":
      return ExitCode.Timeout
  }
}

// The library's message names its own options; the CLI's user has `--timeout`.
const timeoutMessage = (error: McpError.TimeoutError): string => {
  const limit = Duration.format(error.timeout)
  const what = error.method === "initialize"
    ? `the server did not finish connecting (starting and answering "initialize") within ${limit}`
    : error.kind === "idle"
    ? `"${error.method}" got no response or progress within ${limit}; the request was cancelled`
    : `"${error.method}" did not finish within ${limit}; the request was cancelled`
  return `${what}. Raise the limit with --timeout <seconds> if the server needs longer.`
}

/**
 * A failure's message, in the CLI's words.
 *
 * @since 0.1.0
 * @category reporting
 */
export const messageOf = (error: CommandError): string =>
  error._tag === "TimeoutError" ? timeoutMessage(error) : error.message

const errorJson = (error: CommandError): Record<string, unknown> => {
  const base = { type: error._tag, exitCode: codeOf(error), message: messageOf(error) }
  switch (error._tag) {
    case "ToolError":
      return { ...base, tool: error.tool, content: error.content, structuredContent: error.structuredContent }
    case "UsageError":
      return { ...base, ...(error.data === undefined ? {} : { details: error.data }) }
    case "TransportError":
      return { ...base, reason: error.reason, ...(error.stderr === undefined ? {} : { stderr: error.stderr }) }
    case "ProtocolError":
      return { ...base, reason: error.reason }
    case "McpRpcError":
      return {
        ...base,
        method: error.method,
        code: error.code,
        ...(error.data === undefined ? {} : { data: error.data })
      }
    case "TimeoutError":
      return { ...base, method: error.method, kind: error.kind }
    case "GroupError":
      return { ...base, reason: error.reason, ...(error.server === undefined ? {} : { server: error.server }) }
    case "NotConnected":
      return base
  }
}

/**
 * Prints a failure (stderr; plus JSON on stdout with `json`) and turns it
 * into `Reported` with its exit code.
 *
 * @since 0.1.0
 * @category reporting
 */
export const report = (json: boolean) =>
<A, R>(
  effect: Effect.Effect<A, CommandError, R>
): Effect.Effect<A, Reported, R> =>
  Effect.catchAll(effect, (error) =>
    Effect.gen(function*() {
      const label = error._tag === "ToolError" ? "tool error" : error._tag === "UsageError" ? "usage" : "error"
      const details = error._tag === "UsageError" && error.details !== undefined ? `\n${error.details}` : ""
      if (json) yield* Output.json({ error: errorJson(error) })
      yield* Output.note(`${Output.red(`effect-mcp: ${label}:`, process.stderr)} ${messageOf(error)}${details}`)
      return yield* new Reported({ code: codeOf(error) })
    }))

/**
 * The exit code when the run is interrupted (Ctrl-C): 130, unless the
 * command set `process.exitCode` to say that interruption is its normal end.
 *
 * @since 0.1.0
 * @category exit codes
 */
export const interruptedCode = (): ExitCode => process.exitCode === ExitCode.Ok ? ExitCode.Ok : ExitCode.Interrupted

/**
 * Marks interruption (Ctrl-C) as this command's normal end: exit code 0.
 *
 * @since 0.1.0
 * @category exit codes
 */
export const interruptionIsSuccess: Effect.Effect<void> = Effect.sync(() => {
  process.exitCode = ExitCode.Ok
})

/**
 * The exit code for however the main program ended; reports what nobody
 * reported yet.
 *
 * @since 0.1.0
 * @category reporting
 */
export const fromCause = (cause: Cause.Cause<unknown>): Effect.Effect<ExitCode> => {
  if (Cause.isInterruptedOnly(cause)) return Effect.sync(() => interruptedCode())
  const failure = Cause.failureOption(cause)
  if (failure._tag === "Some") {
    const error = failure.value
    if (error instanceof Reported) return Effect.succeed(error.code)
    // @effect/cli printed the problem and the usage already
    if (ValidationError.isValidationError(error)) return Effect.succeed(ExitCode.Usage)
    if (McpError.isMcpError(error) || McpError.isGroupError(error) || error instanceof UsageError) {
      return report(false)(Effect.fail(error)).pipe(Effect.catchAll((reported) => Effect.succeed(reported.code)))
    }
  }
  return Effect.as(
    Output.note(`effect-mcp: internal error (please report it):\n${Cause.pretty(cause)}`),
    ExitCode.Internal
  )
}
