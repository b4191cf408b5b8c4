/**
 * A stdio transport on `node:child_process`, for when speed matters: the
 * same behaviour as `StdioTransport` (process group ended on close, stderr
 * tail kept, graceful close then kill), with a leaner byte path: stdout
 * chunks are split on bytes as they arrive and queued messages are written
 * in one write.
 *
 * @since 0.1.0
 */
import { TransportError } from "@effect-mcp/client/McpError"
import { makeLineSplitter, parseLine } from "@effect-mcp/client/Ndjson"
import * as StdioTransport from "@effect-mcp/client/StdioTransport"
import * as Transport from "@effect-mcp/client/Transport"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { Buffer, isAscii } from "node:buffer"
import * as ChildProcess from "node:child_process"

const describeCommand = (options: StdioTransport.StdioOptions) => [options.command, ...(options.args ?? [])].join(" ")

const isRunning = (child: ChildProcess.ChildProcess) => child.exitCode === null && child.signalCode === null

const signalGroup = (child: ChildProcess.ChildProcess, signal: NodeJS.Signals) => {
  try {
    if (process.platform === "win32") child.kill(signal)
    else process.kill(-child.pid!, signal)
  } catch {
    child.kill(signal)
  }
}

const utf8 = new TextDecoder()

// Most MCP traffic is ASCII, and copying bytes is cheaper than decoding
// UTF-8: on Node 20, a 1 MiB line takes 0.07 ms instead of 0.56.
const decodeLine = (bytes: Uint8Array): string =>
  isAscii(bytes)
    ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1")
    : utf8.decode(bytes)

/**
 * Starts the server and opens a transport to it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: StdioTransport.StdioOptions
): Effect.Effect<Transport.Transport, TransportError, Scope.Scope> =>
  Effect.gen(function*() {
    const ended = yield* Deferred.make<void, TransportError>()
    const inbox = new Transport.Inbox(ended)
    const exited = yield* Deferred.make<string>()
    const tail: Array<string> = []
    const tailSize = options.stderrTail ?? 20
    const onStderr = options.stderr === "ignore"
      ? undefined
      : options.stderr === undefined || options.stderr === "log"
      ? (line: string) => Effect.logDebug(line).pipe(Effect.annotateLogs("mcp.stderr", options.command))
      : options.stderr
    const runFork = Effect.runFork

    const child = yield* Effect.acquireRelease(
      Effect.async<ChildProcess.ChildProcess, TransportError>((resume) => {
        const child = ChildProcess.spawn(options.command, options.args ?? [], {
          cwd: options.cwd,
          env: options.inheritEnv === false ? { ...options.env } : { ...process.env, ...options.env },
          stdio: ["pipe", "pipe", "pipe"],
          detached: process.platform !== "win32"
        })
        const onError = (error: NodeJS.ErrnoException) => {
          resume(Effect.fail(
            new TransportError({
              reason: "Spawn",
              description: error.code === "ENOENT"
                ? `"${options.command}" was not found. Check the command name and PATH (full command: ${
                  describeCommand(options)
                })`
                : `${describeCommand(options)}: ${error.message}`,
              cause: error
            })
          ))
        }
        child.once("error", onError)
        child.once("spawn", () => {
          child.off("error", onError)
          resume(Effect.succeed(child))
        })
      }),
      (child) => close(child)
    )

    const closeTimeout = Duration.toMillis(Duration.decode(options.closeTimeout ?? Duration.seconds(2)))
    const waitExit = (millis: number) =>
      Deferred.await(exited).pipe(Effect.interruptible, Effect.timeoutOption(Duration.millis(millis)))
    const close = (child: ChildProcess.ChildProcess) =>
      Effect.gen(function*() {
        child.stdin?.end()
        if (isRunning(child) && Option.isNone(yield* waitExit(closeTimeout))) {
          signalGroup(child, "SIGTERM")
          if (Option.isNone(yield* waitExit(closeTimeout))) {
            signalGroup(child, "SIGKILL")
            yield* waitExit(closeTimeout)
          }
        }
        // the server may have left children of its own in the group
        if (process.platform !== "win32") signalGroup(child, "SIGTERM")
      })

    const stderrSplitter = makeLineSplitter()
    child.stderr!.on("data", (bytes: Uint8Array) => {
      for (const line of stderrSplitter.push(bytes)) {
        tail.push(line)
        if (tail.length > tailSize) tail.shift()
        if (onStderr !== undefined) runFork(onStderr(line))
      }
    })

    const stdoutSplitter = makeLineSplitter({ decode: decodeLine })
    child.stdout!.on("data", (bytes: Uint8Array) => {
      const lines = stdoutSplitter.push(bytes)
      for (const line of lines) inbox.push(parseLine(line))
    })
    child.on("exit", (code, signal) => {
      Deferred.unsafeDone(exited, Exit.succeed(code !== null ? `exited with code ${code}` : `was killed by ${signal}`))
    })
    child.on("close", (code: number | null, signal: NodeJS.Signals | null) => {
      const rest = stderrSplitter.rest()
      if (rest.length > 0) tail.push(rest)
      Deferred.unsafeDone(
        ended,
        Exit.fail(
          new TransportError({
            reason: "Closed",
            description: `the server process (${describeCommand(options)}, pid ${child.pid}) ${
              code !== null ? `exited with code ${code}` : `was killed by ${signal}`
            }`,
            stderr: tail.slice()
          })
        )
      )
    })
    child.stdin!.on("error", () => {
      // EPIPE after the server died: the close event reports it
    })

    // Writes made in one tick go out as one write.
    let pending: Array<string> = []
    const flush = () => {
      const text = pending.join("")
      pending = []
      child.stdin!.write(text)
    }
    const closedError = new TransportError({ reason: "Write", description: "the server's stdin is closed" })
    return Transport.make({
      send: (message) =>
        Effect.suspend(() => {
          if (!child.stdin!.writable) return Effect.fail(closedError)
          if (pending.length === 0) queueMicrotask(flush)
          pending.push(JSON.stringify(message) + "\n")
          return Effect.void
        }),
      run: (onFrame) => inbox.run(onFrame)
    })
  })

/**
 * Makes the client run stdio servers with this transport.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<StdioTransport.Launcher> = Layer.succeed(StdioTransport.Launcher, make)
