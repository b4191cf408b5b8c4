/**
 * The stdio transport: runs an MCP server as a child process and speaks
 * newline-delimited JSON-RPC over its stdin and stdout. Built on
 * `@effect/platform`'s `Command`, so the child's whole process group ends when
 * the scope closes. The last lines of its stderr are kept for error messages.
 * The server gets a small safe environment unless told to inherit the
 * client's; writes wait while the server is not reading.
 *
 * @example
 * ```ts
 * import { McpClient, type StdioTransport } from "@effect-mcp/client"
 * import { NodeContext } from "@effect/platform-node"
 * import { Layer } from "effect"
 *
 * const weather: StdioTransport.StdioOptions = {
 *   command: "python3",
 *   args: ["server.py"],
 *   cwd: "/srv/weather",
 *   env: { WEATHER_API_KEY: "..." }, // with the safe variables (PATH, HOME, ...), not the whole environment
 *   stderr: "ignore", // default: each line logged at Debug
 *   closeTimeout: "5 seconds" // then SIGTERM to the process group, then SIGKILL
 * }
 *
 * const WeatherLive = McpClient.layerStdio(weather).pipe(Layer.provide(NodeContext.layer))
 * ```
 *
 * @since 0.1.0
 */
import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Host from "./internal/host.js"
import { TransportError } from "./McpError.js"
import * as Ndjson from "./Ndjson.js"
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
  /** Variables the server gets, on top of the safe ones (or of the client's whole environment, with `inheritEnv`). */
  readonly env?: Readonly<Record<string, string>> | undefined
  /**
   * `true`: the server gets the client's whole environment (API keys and
   * tokens included) plus `env`. By default it gets only `env` and the
   * variables a program needs to run: `HOME`, `LOGNAME`, `PATH`, `SHELL`,
   * `TERM`, `USER` (on Windows `APPDATA`, `HOMEDRIVE`, `HOMEPATH`,
   * `LOCALAPPDATA`, `PATH`, `PROCESSOR_ARCHITECTURE`, `SYSTEMDRIVE`,
   * `SYSTEMROOT`, `TEMP`, `USERNAME`, `USERPROFILE`, `PROGRAMFILES`).
   */
  readonly inheritEnv?: boolean | undefined
  readonly cwd?: string | undefined
  /**
   * What to do with each stderr line besides keeping the tail: `"log"` (the
   * default) logs it at debug level, `"ignore"` drops it, or a function.
   */
  readonly stderr?: "log" | "ignore" | ((line: string) => Effect.Effect<void>) | undefined
  /** How many stderr lines errors carry (default 20), each cut at 1,000 characters. */
  readonly stderrTail?: number | undefined
  /**
   * Time the server gets to exit after its stdin closes, and then its
   * process group after SIGTERM, before SIGKILL (default 2 seconds each).
   */
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

const safeVariables: ReadonlyArray<string> = ["HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER"]
const safeVariablesWindows: ReadonlyArray<string> = [
  "APPDATA",
  "HOMEDRIVE",
  "HOMEPATH",
  "LOCALAPPDATA",
  "PATH",
  "PROCESSOR_ARCHITECTURE",
  "SYSTEMDRIVE",
  "SYSTEMROOT",
  "TEMP",
  "USERNAME",
  "USERPROFILE",
  "PROGRAMFILES"
]

/**
 * The environment a stdio server gets (see `StdioOptions.inheritEnv`), for
 * launcher authors: the client's safe variables plus `env`, or with
 * `inheritEnv` the client's whole environment plus `env`.
 *
 * @example
 * ```ts
 * import { StdioTransport } from "@effect-mcp/client"
 *
 * const env = StdioTransport.environment({ command: "server", env: { API_KEY: "k" } })
 * assert.strictEqual(env.API_KEY, "k")
 * assert.ok(Object.keys(env).every((name) => ["API_KEY", "HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER"].includes(name)))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const environment = (options: StdioOptions): Record<string, string> => {
  const host = Host.hostProcess()
  const hostEnv: Record<string, string | undefined> = host?.env ?? {}
  if (options.inheritEnv === true) {
    const all: Record<string, string> = {}
    for (const [key, value] of Object.entries(hostEnv)) if (value !== undefined) all[key] = value
    return { ...all, ...options.env }
  }
  const env: Record<string, string> = {}
  for (const key of host?.platform === "win32" ? safeVariablesWindows : safeVariables) {
    const value = hostEnv[key]
    // a value starting with "()" is an exported shell function, which a shell would run
    if (value !== undefined && !value.startsWith("()")) env[key] = value
  }
  return { ...env, ...options.env }
}

const maxStderrLineChars = 1000

/**
 * A server's stderr as lines, for launcher authors. A line is cut at 1,000
 * characters ("…" marks the cut) and a longer one is never held whole; the
 * last `stderrTail` lines (default 20) are kept for error messages, and
 * `handle` is what the `stderr` option does with each line (log it at debug
 * level by default).
 *
 * @since 0.2.0
 * @category models
 */
export class StderrLines {
  /**
   * What the `stderr` option does with each line (`undefined` for `"ignore"`).
   *
   * @since 0.2.0
   */
  readonly handle: ((line: string) => Effect.Effect<void>) | undefined
  private readonly splitter = Ndjson.makeLineSplitter({ maxLineBytes: 4 * maxStderrLineChars, longLines: "truncate" })
  private readonly kept: Array<string> = []
  private readonly size: number
  constructor(options: StdioOptions) {
    this.size = options.stderrTail ?? 20
    this.handle = options.stderr === "ignore"
      ? undefined
      : options.stderr === undefined || options.stderr === "log"
      ? (line) => Effect.logDebug(line).pipe(Effect.annotateLogs("mcp.stderr", options.command))
      : options.stderr
  }
  /**
   * Feeds bytes; returns the lines they complete, each also kept.
   *
   * @since 0.2.0
   */
  push(bytes: Uint8Array): Array<string> {
    const lines = this.splitter.push(bytes)
    for (let i = 0; i < lines.length; i++) lines[i] = this.keep(lines[i]!)
    return lines
  }
  /**
   * The unfinished last line, once stderr has ended.
   *
   * @since 0.2.0
   */
  end(): Array<string> {
    const rest = this.splitter.rest()
    return rest.length > 0 ? [this.keep(rest)] : []
  }
  /**
   * A copy of the kept lines, oldest first.
   *
   * @since 0.2.0
   */
  tail(): Array<string> {
    return this.kept.slice()
  }
  /**
   * Runs `handle` over some lines, in order.
   *
   * @since 0.2.0
   */
  run(lines: ReadonlyArray<string>): Effect.Effect<void> {
    const handle = this.handle
    return handle === undefined || lines.length === 0 ? Effect.void : Effect.forEach(lines, handle, { discard: true })
  }
  /** @internal */
  private keep(line: string): string {
    const cut = line.length > maxStderrLineChars ? line.slice(0, maxStderrLineChars) + "…" : line
    this.kept.push(cut)
    if (this.kept.length > this.size) this.kept.shift()
    return cut
  }
}

/**
 * Resolves after `millis` of real time: the transport waits on the operating
 * system, whatever `Clock` the caller's tests use.
 */
const afterMillis = (millis: number): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), millis)
    return Effect.sync(() => clearTimeout(timer))
  })

/** `effect`'s value, or none once `millis` have passed; interruptible even inside a finalizer. */
const within = <A, E>(effect: Effect.Effect<A, E>, millis: number): Effect.Effect<Option.Option<A>> =>
  Effect.raceFirst(
    Effect.option(Effect.interruptible(effect)),
    Effect.as(Effect.interruptible(afterMillis(millis)), Option.none<A>())
  )

/** How long, after the server exits or closes its stdout, the rest of its output gets to arrive. */
const graceMillis = 150

const groupExists = (pid: number): boolean => {
  try {
    Host.hostProcess()!.kill!(-pid, 0)
    return true
  } catch (error) {
    return (error as { readonly code?: unknown }).code === "EPERM"
  }
}

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
    const maxMessageBytes = yield* Transport.MaxMessageBytes

    // The platform's stdin sink waits for "drain" between the items of a
    // chunk but not after the last one: a trailing empty item makes it wait
    // after every batch, so a server that stops reading holds up the outbox
    // instead of growing the pipe's buffer without bound.
    type Pull = Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<never>>
    let puller: ((pull: Pull) => void) | undefined
    const count = { sent: 0, received: 0 }
    const next = (): Pull | undefined => {
      const text = outbox.take()
      if (text !== undefined) {
        const bytes = encoder.encode(text)
        count.sent += bytes.byteLength
        return Effect.succeed(Chunk.make(bytes, nothing))
      }
      return outbox.done ? Effect.fail(Option.none()) : undefined
    }
    const wake = () => {
      if (puller === undefined) return
      const pull = next()
      if (pull === undefined) return
      const resume = puller
      puller = undefined
      resume(pull)
    }
    const outbox = new Ndjson.Outbox(wake)
    const stdin = Stream.repeatEffectChunkOption(Effect.async<Chunk.Chunk<Uint8Array>, Option.Option<never>>(
      (resume) => {
        const pull = next()
        if (pull !== undefined) return resume(pull)
        puller = resume
        return Effect.sync(() => {
          puller = undefined
        })
      }
    ))

    let command = Command.make(options.command, ...(options.args ?? [])).pipe(
      Command.stdin(stdin),
      Command.env(environment(options), { extendEnv: false })
    )
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
    const who = `the server process (${describeCommand(options)}, pid ${process.pid})`

    const stderr = new StderrLines(options)
    const stderrDone = yield* process.stderr.pipe(
      Stream.runForEach((bytes) => stderr.run(stderr.push(bytes))),
      Effect.ignore,
      Effect.zipRight(Effect.suspend(() => stderr.run(stderr.end()))),
      Effect.forkScoped
    )

    const exited = yield* Deferred.make<string>()
    const closedError = new TransportError({
      reason: "Closed",
      description: `${who} has ended; nothing more can be sent`
    })
    // the server reads to the end of its input and stops
    const endInput = () => {
      outbox.close(closedError)
      wake()
    }
    // the client ended the server's input: its exit is the expected end, not an error to describe
    let closing = false
    const beginClose = () => {
      closing = true
      endInput()
    }
    yield* process.exitCode.pipe(
      Effect.match({ onSuccess: (code) => `exited with code ${code}`, onFailure: (error) => error.message }),
      Effect.flatMap((description) => {
        endInput()
        return Deferred.succeed(exited, description)
      }),
      Effect.forkScoped
    )

    const closeMillis = Duration.toMillis(Duration.decode(options.closeTimeout ?? Duration.seconds(2)))
    // signals go to the whole process group, where the server's own children are
    const ended = () => Deferred.unsafeDone(exited, Exit.succeed("was closed"))
    const groupGone = (millis: number) =>
      Effect.gen(function*() {
        const deadline = Date.now() + millis
        while (groupExists(process.pid)) {
          if (Date.now() >= deadline) return false
          yield* afterMillis(25)
        }
        return true
      }).pipe(Effect.interruptible)
    const host = Host.hostProcess()
    const hasGroups = host?.platform !== "win32" && typeof host?.kill === "function"
    yield* Scope.addFinalizer(
      yield* Effect.scope,
      Effect.gen(function*() {
        beginClose()
        yield* within(Deferred.await(exited), closeMillis)
        if (!hasGroups) {
          if (Option.isSome(yield* within(process.kill("SIGTERM"), closeMillis))) return
          yield* within(process.kill("SIGKILL"), closeMillis)
          return
        }
        if (!groupExists(process.pid)) return
        yield* within(process.kill("SIGTERM"), closeMillis)
        if (yield* groupGone(closeMillis)) return
        yield* within(process.kill("SIGKILL"), closeMillis)
        yield* groupGone(closeMillis)
      }).pipe(Effect.ensuring(Effect.sync(ended)), Effect.uninterruptible)
    )

    const splitter = Ndjson.makeLineSplitter({ maxLineBytes: maxMessageBytes })
    const read = (onFrame: (frame: unknown) => void) =>
      Stream.runForEachChunk(process.stdout, (chunk) =>
        Effect.suspend(() => {
          for (const bytes of chunk) {
            count.received += bytes.byteLength
            Ndjson.parseLines(splitter.push(bytes), onFrame)
            if (splitter.overflowed()) return Effect.fail(Ndjson.lineTooLong(maxMessageBytes, stderr.tail()))
          }
          return Effect.void
        })).pipe(
          Effect.catchTag(
            "SystemError",
            "BadArgument",
            (error) =>
              Effect.fail(
                new TransportError({
                  reason: "Read",
                  description: `${who}: ${error.message}`,
                  stderr: stderr.tail()
                })
              )
          )
        )
    // the session ends when the server's stdout does, or shortly after it
    // exits: a child it left behind may hold its stdout open
    const ending = Effect.gen(function*() {
      const description = yield* within(Deferred.await(exited), graceMillis)
      yield* within(stderrDone.await, graceMillis)
      if (closing) return
      return yield* new TransportError({
        reason: "Closed",
        description: `${who} ${Option.getOrElse(description, () => "closed its stdout but is still running")}`,
        stderr: stderr.tail()
      })
    })

    return Transport.make({
      send: (message) => outbox.offer(message),
      run: (onFrame) =>
        Effect.raceFirst(read(onFrame), Effect.zipRight(Deferred.await(exited), afterMillis(graceMillis))).pipe(
          Effect.zipRight(ending)
        ),
      abandon: (id) => outbox.abandon(id),
      beginClose: Effect.sync(beginClose),
      bytes: () => count
    })
  })

const encoder = new TextEncoder()
const nothing = new Uint8Array(0)
