/**
 * The stdio transport: runs an MCP server as a child process and speaks
 * newline-delimited JSON-RPC over its stdin and stdout. Built on
 * `@effect/platform`'s `Command`, so the child's whole process group ends when
 * the scope closes. The last lines of its stderr are kept for error messages.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { TransportError } from "./McpError.js"
import { encodeLines, makeLineSplitter, parseLine } from "./Ndjson.js"
import * as Transport from "./Transport.js"

/**
 * How to start a stdio MCP server.
 *
 * @since 0.1.0
 * @category models
 */
export interface StdioOptions {
  readonly command: string
  readonly args?: ReadonlyArray<string> | undefined
  /** Added to the client's own environment (unless `inheritEnv` is false). */
  readonly env?: Readonly<Record<string, string>> | undefined
  readonly inheritEnv?: boolean | undefined
  readonly cwd?: string | undefined
  /**
   * What to do with each stderr line besides keeping the tail: `"log"` (the
   * default) logs it at debug level, `"ignore"` drops it, or a function.
   */
  readonly stderr?: "log" | "ignore" | ((line: string) => Effect.Effect<void>) | undefined
  /** How many stderr lines errors carry (default 20). */
  readonly stderrTail?: number | undefined
  /** Time the server gets to exit after its stdin closes, before it is signalled (default 2 seconds). */
  readonly closeTimeout?: Duration.DurationInput | undefined
}

const describeCommand = (options: StdioOptions) => [options.command, ...(options.args ?? [])].join(" ")

/**
 * Starts stdio servers. Provide one to replace how the client runs stdio
 * servers (`@effect-mcp/client-node` provides a faster Node one); without
 * it, `make` uses `@effect/platform`'s `Command`.
 *
 * @since 0.1.0
 * @category tags
 */
export class Launcher extends Context.Tag("@effect-mcp/client/StdioTransport/Launcher")<
  Launcher,
  (options: StdioOptions) => Effect.Effect<Transport.Transport, TransportError, Scope.Scope>
>() {}

/**
 * Starts the server and opens a transport to it, with the `Launcher` in the
 * context if there is one, else with `makeCommand`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: StdioOptions
): Effect.Effect<Transport.Transport, TransportError, CommandExecutor.CommandExecutor | Scope.Scope> =>
  Effect.flatMap(
    Effect.serviceOption(Launcher),
    (launcher) => Option.isSome(launcher) ? launcher.value(options) : makeCommand(options)
  )

/**
 * Starts the server with `@effect/platform`'s `Command` and opens a
 * transport to it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeCommand = (
  options: StdioOptions
): Effect.Effect<Transport.Transport, TransportError, CommandExecutor.CommandExecutor | Scope.Scope> =>
  Effect.gen(function*() {
    const outbox = yield* Queue.unbounded<string>()
    // messages queued together are written together: one encode, one write
    let command = Command.make(options.command, ...(options.args ?? [])).pipe(
      Command.stdin(Stream.fromQueue(outbox).pipe(Stream.mapChunks(encodeLines)))
    )
    if (options.env !== undefined || options.inheritEnv === false) {
      command = Command.env(command, options.env ?? {}, { extendEnv: options.inheritEnv !== false })
    }
    if (options.cwd !== undefined) command = Command.workingDirectory(command, options.cwd)

    const process = yield* Command.start(command).pipe(
      Effect.mapError((error) => {
        const notFound = error._tag === "SystemError" && error.reason === "NotFound"
        return new TransportError({
          reason: "Spawn",
          description: notFound
            ? `"${options.command}" was not found. Check the command name and PATH (full command: ${
              describeCommand(options)
            })`
            : `${describeCommand(options)}: ${error.message}`,
          cause: error
        })
      })
    )

    const tailSize = options.stderrTail ?? 20
    const tail: Array<string> = []
    const onStderr = options.stderr === "ignore"
      ? undefined
      : options.stderr === undefined || options.stderr === "log"
      ? (line: string) => Effect.logDebug(line).pipe(Effect.annotateLogs("mcp.stderr", options.command))
      : options.stderr
    const stderrSplitter = makeLineSplitter()
    const keep = (line: string) => {
      tail.push(line)
      if (tail.length > tailSize) tail.shift()
    }
    const stderrDone = yield* process.stderr.pipe(
      Stream.mapConcat((bytes) => stderrSplitter.push(bytes)),
      Stream.concat(Stream.suspend(() => {
        const rest = stderrSplitter.rest()
        return rest.length > 0 ? Stream.make(rest) : Stream.empty
      })),
      Stream.runForEach((line) => {
        keep(line)
        return onStderr === undefined ? Effect.void : onStderr(line)
      }),
      Effect.ignore,
      Effect.forkScoped
    )

    const closeTimeout = Duration.decode(options.closeTimeout ?? Duration.seconds(2))
    // Finalizers are uninterruptible, and a timeout there waits for its effect
    // unless that effect is marked interruptible.
    const within = <A, E>(effect: Effect.Effect<A, E>) =>
      effect.pipe(Effect.ignore, Effect.interruptible, Effect.timeoutOption(closeTimeout))
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        yield* Queue.shutdown(outbox)
        if (Option.isSome(yield* within(process.exitCode))) return
        if (Option.isSome(yield* within(process.kill("SIGTERM")))) return
        yield* process.kill("SIGKILL").pipe(Effect.ignore)
      })
    )

    const exitDescription = Effect.gen(function*() {
      const code = yield* process.exitCode.pipe(
        Effect.map((code) => `exited with code ${code}`),
        Effect.catchAll((error) => Effect.succeed(error.message)),
        Effect.timeoutOption(Duration.seconds(1))
      )
      yield* stderrDone.await.pipe(Effect.timeoutOption(Duration.millis(200)))
      return Option.getOrElse(code, () => "closed its stdout but is still running")
    })

    const stdoutSplitter = makeLineSplitter()
    const incoming: Stream.Stream<unknown, TransportError> = process.stdout.pipe(
      Stream.mapChunks((chunk) => {
        const frames: Array<unknown> = []
        for (const bytes of chunk) {
          for (const line of stdoutSplitter.push(bytes)) frames.push(parseLine(line))
        }
        return Chunk.unsafeFromArray(frames)
      }),
      Stream.mapError((error) =>
        new TransportError({ reason: "Read", description: error.message, stderr: tail.slice(), cause: error })
      ),
      Stream.concat(Stream.fromEffect(
        Effect.flatMap(exitDescription, (description) =>
          Effect.fail(
            new TransportError({
              reason: "Closed",
              description: `the server process (${describeCommand(options)}, pid ${process.pid}) ${description}`,
              stderr: tail.slice()
            })
          ))
      ))
    )

    const closedError = new TransportError({ reason: "Write", description: "the server's stdin is closed" })
    return Transport.fromStream({
      send: (message) =>
        Effect.suspend(() => outbox.unsafeOffer(JSON.stringify(message)) ? Effect.void : Effect.fail(closedError)),
      incoming
    })
  })
