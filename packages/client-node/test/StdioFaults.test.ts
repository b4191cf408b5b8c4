// Hostile stdio servers, against both launchers: each test gets a typed error (or the right answer) within a
// stated time, with the host alive, its memory within a stated bound and no process of the server left.
import { McpClient, McpError, Ndjson, StdioTransport } from "@effect-mcp/client"
import { NodeMcpClient } from "@effect-mcp/client-node"
import type { CommandExecutor } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import type { Layer } from "effect"
import { Effect, Logger, LogLevel } from "effect"
import { EventEmitter } from "node:events"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { childPids } from "../../client/test/utils/servers.js"

const hostile = Path.join(Path.dirname(fileURLToPath(import.meta.url)), "fixtures", "hostile-server.mjs")

const server = (
  args: ReadonlyArray<string> = [],
  options: Omit<StdioTransport.StdioOptions, "command"> = {}
): StdioTransport.StdioOptions => ({
  command: process.execPath,
  args: [hostile, ...args],
  closeTimeout: "300 millis",
  stderr: "ignore",
  ...options
})

const launchers: ReadonlyArray<{
  readonly name: string
  readonly layer:
    | Layer.Layer<CommandExecutor.CommandExecutor | StdioTransport.Launcher>
    | Layer.Layer<CommandExecutor.CommandExecutor>
}> = [
  { name: "Command", layer: NodeContext.layer },
  { name: "node:child_process", layer: NodeMcpClient.layerNode }
]

const MiB = 1024 * 1024

/** Running: it exists and is not a zombie (this sandbox's init does not reap orphans). */
const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = Fs.readFileSync(`/proc/${pid}/stat`, "latin1")
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z"
  } catch {
    return false
  }
}

/**
 * Runs `effect` in a scope of its own, sampling the resident set size every
 * 10 ms; then checks that no child process is left. Gives the result, the
 * peak growth in MiB and the time taken.
 */
const measured = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const before = new Set(childPids())
    const base = process.memoryUsage().rss
    let peak = base
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 10)
    const started = Date.now()
    const result = yield* Effect.scoped(effect).pipe(Effect.ensuring(Effect.sync(() => clearInterval(timer))))
    const millis = Date.now() - started
    peak = Math.max(peak, process.memoryUsage().rss)
    const left = childPids().filter((pid) => !before.has(pid))
    assert.deepStrictEqual(left, [], "a server process is left after the scope closed")
    return { result, grewMiB: (peak - base) / MiB, millis }
  })

/** Nothing reachable from the error is a process, a stream, or a buffer of any size (item 7). */
const holdsNothing = (error: unknown) => {
  const seen = new Set<unknown>()
  const visit = (value: unknown, path: string, depth: number) => {
    if (typeof value !== "object" || value === null || seen.has(value) || depth > 8) return
    seen.add(value)
    assert.notInstanceOf(value, EventEmitter, `${path} is a process or a stream`)
    if (ArrayBuffer.isView(value)) assert.isBelow(value.byteLength, 1024, `${path} is a buffer`)
    for (const key of Reflect.ownKeys(value)) {
      visit((value as Record<PropertyKey, unknown>)[key], `${path}.${String(key)}`, depth + 1)
    }
  }
  visit(error, "error", 0)
}

const captureLogs = () => {
  const lines: Array<{ readonly level: string; readonly message: string; readonly problem: boolean }> = []
  const logger = Logger.make(({ annotations, logLevel, message }) => {
    lines.push({
      level: logLevel.label,
      message: Array.isArray(message) ? message.join(" ") : String(message),
      problem: Array.from(annotations).some(([key]) => key === "mcp.problem")
    })
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

describe("line splitting is bounded", () => {
  it("a 600 MB line is dropped at the limit: nothing past it is held, nothing decoded", () => {
    const splitter = Ndjson.makeLineSplitter({ maxLineBytes: 16 * MiB })
    const chunk = new Uint8Array(MiB).fill(120)
    const before = process.memoryUsage().rss
    const started = Date.now()
    for (let i = 0; i < 600; i++) assert.deepStrictEqual(splitter.push(chunk), [])
    assert.isTrue(splitter.overflowed())
    assert.strictEqual(splitter.rest(), "")
    assert.isBelow(Date.now() - started, 2000)
    assert.isBelow((process.memoryUsage().rss - before) / MiB, 64)
  })

  it("lines before the overflow are given; a limit past what V8 can hold is lowered", () => {
    const splitter = Ndjson.makeLineSplitter({ maxLineBytes: 2 ** 40 })
    const encoder = new TextEncoder()
    assert.deepStrictEqual(splitter.push(encoder.encode("{\"a\":1}\r\n{\"b\"")), ["{\"a\":1}"])
    assert.deepStrictEqual(splitter.push(encoder.encode(":2}\n")), ["{\"b\":2}"])
    const small = Ndjson.makeLineSplitter({ maxLineBytes: 4 })
    assert.deepStrictEqual(small.push(encoder.encode("1234\n12345\n1\n")), ["1234"])
    assert.isTrue(small.overflowed())
    assert.deepStrictEqual(small.push(encoder.encode("1\n")), [])
  })

  it("truncating keeps the head of a long line and marks the cut", () => {
    const splitter = Ndjson.makeLineSplitter({ maxLineBytes: 8, longLines: "truncate" })
    const encoder = new TextEncoder()
    assert.deepStrictEqual(splitter.push(encoder.encode("abc\n0123456789")), ["abc"])
    assert.deepStrictEqual(splitter.push(encoder.encode("x".repeat(100_000))), [])
    assert.deepStrictEqual(splitter.push(encoder.encode("y\nlast")), ["01234567…"])
    assert.strictEqual(splitter.rest(), "last")
  })
})

describe("the environment a server gets", () => {
  it("by default only the safe variables and env; inheritEnv: true passes the host's", () => {
    process.env.SECRET_API_KEY = "do-not-leak"
    try {
      const safe = StdioTransport.environment({ command: "x", env: { EXTRA: "1" } })
      assert.strictEqual(safe.SECRET_API_KEY, undefined)
      assert.strictEqual(safe.EXTRA, "1")
      assert.strictEqual(safe.PATH, process.env.PATH)
      for (const key of Object.keys(safe)) {
        assert.include(["HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "EXTRA"], key)
      }
      const all = StdioTransport.environment({ command: "x", env: { EXTRA: "1" }, inheritEnv: true })
      assert.strictEqual(all.SECRET_API_KEY, "do-not-leak")
      assert.strictEqual(all.EXTRA, "1")
    } finally {
      delete process.env.SECRET_API_KEY
    }
  })
})

for (const launcher of launchers) {
  describe(`hostile stdio servers (${launcher.name})`, () => {
    const provide = Effect.provide(launcher.layer)

    it.live("an answer nested 100,000 deep fails that call with ProtocolError; the session lives", () =>
      Effect.gen(function*() {
        const { grewMiB, millis, result } = yield* measured(Effect.gen(function*() {
          const client = yield* McpClient.make(server(), { requestTimeout: "10 seconds" })
          const error = yield* Effect.flip(client.callTool("deep"))
          yield* client.ping
          return error
        }))
        assert.instanceOf(result, McpError.ProtocolError)
        assert.include(result.message, "nested deeper")
        assert.isBelow(millis, 5000)
        assert.isBelow(grewMiB, 100)
      }).pipe(provide))

    it.live("a 5 MB line over a 1 MiB maxMessageBytes ends the session with a typed error", () =>
      Effect.gen(function*() {
        const { grewMiB, millis, result } = yield* measured(Effect.gen(function*() {
          const client = yield* McpClient.make(server(), { requestTimeout: "10 seconds", maxMessageBytes: MiB })
          return yield* Effect.flip(client.callTool("long-line", { bytes: 5 * MiB }))
        }))
        assert.instanceOf(result, McpError.TransportError)
        assert.strictEqual(result.reason, "Read")
        assert.include(result.message, "larger than 1 MiB")
        assert.include(result.message, "maxMessageBytes")
        holdsNothing(result)
        assert.isBelow(millis, 5000)
        assert.isBelow(grewMiB, 64)
      }).pipe(provide))

    it.live("a 600 MB line under the default 16 MiB limit: the host reads 16 MiB of it and ends the session", () =>
      Effect.gen(function*() {
        const { grewMiB, millis, result } = yield* measured(Effect.gen(function*() {
          const client = yield* McpClient.make(server(), { requestTimeout: "20 seconds" })
          return yield* Effect.flip(client.callTool("long-line", { bytes: 600 * MiB }))
        }))
        assert.instanceOf(result, McpError.TransportError)
        assert.include(result.message, "larger than 16 MiB")
        assert.isBelow(millis, 5000)
        assert.isBelow(grewMiB, 150)
      }).pipe(provide))

    it.live("a server that stops reading stdin: 100 calls of 1 MB each time out, memory stays bounded", () =>
      Effect.gen(function*() {
        const data = "x".repeat(MiB)
        const { grewMiB, millis, result } = yield* measured(Effect.gen(function*() {
          const client = yield* McpClient.make(server(["stop-reading"]), { requestTimeout: "1 second" })
          return yield* Effect.all(
            Array.from({ length: 100 }, () => Effect.flip(client.callTool("echo", { data }))),
            { concurrency: "unbounded" }
          )
        }))
        assert.strictEqual(result.length, 100)
        for (const error of result) assert.instanceOf(error, McpError.TimeoutError)
        // 1 s of timeout, then the close: stdin, 300 ms, SIGTERM
        assert.isBelow(millis, 4000)
        assert.isBelow(grewMiB, 64)
      }).pipe(provide))

    it.live("a server that closes its stdout and runs on ends the session at once", () =>
      Effect.gen(function*() {
        let pid = 0
        const { millis, result } = yield* measured(Effect.gen(function*() {
          const before = new Set(childPids())
          const client = yield* McpClient.make(server(), { requestTimeout: "10 seconds" })
          pid = childPids().find((p) => !before.has(p))!
          const started = Date.now()
          const error = yield* Effect.flip(client.callTool("close-stdout"))
          const ended = Date.now() - started
          assert.isTrue(running(pid), "the server runs on")
          return { error, ended }
        }))
        assert.instanceOf(result.error, McpError.TransportError)
        assert.strictEqual(result.error.reason, "Closed")
        assert.include(result.error.message, "closed its stdout")
        holdsNothing(result.error)
        assert.isBelow(result.ended, 1000)
        assert.isBelow(millis, 5000)
        assert.isFalse(running(pid))
      }).pipe(provide))

    it.live("a server that exits while its child holds stdout: the session ends soon after the exit", () =>
      Effect.gen(function*() {
        let grandchild = 0
        const { result } = yield* measured(Effect.gen(function*() {
          const client = yield* McpClient.make(server(), { requestTimeout: "10 seconds" })
          const spawned = yield* client.callTool("spawn", { kind: "holds-stdout" })
          grandchild = Number(spawned.content[0]?.type === "text" ? spawned.content[0].text : 0)
          assert.isTrue(running(grandchild))
          const started = Date.now()
          const error = yield* Effect.flip(client.callTool("exit"))
          return { error, ended: Date.now() - started }
        }))
        assert.instanceOf(result.error, McpError.TransportError)
        assert.strictEqual(result.error.reason, "Closed")
        assert.include(result.error.message, "exited with code 0")
        // the exit, then at most 150 ms for the rest of the output
        assert.isBelow(result.ended, 1000)
        assert.isFalse(running(grandchild), `the grandchild ${grandchild} runs on`)
      }).pipe(provide))

    it.live("a child of the server that ignores SIGTERM is gone once the scope closes", () =>
      Effect.gen(function*() {
        let grandchild = 0
        const { millis } = yield* measured(Effect.gen(function*() {
          const client = yield* McpClient.make(server())
          const spawned = yield* client.callTool("spawn", { kind: "ignores-sigterm" })
          grandchild = Number(spawned.content[0]?.type === "text" ? spawned.content[0].text : 0)
          assert.isTrue(running(grandchild))
        }))
        assert.isFalse(running(grandchild), `the grandchild ${grandchild} survived the close`)
        // stdin ends, the server exits, SIGTERM, 300 ms, SIGKILL
        assert.isBelow(millis, 4000)
      }).pipe(provide))

    it.live("a 64 MB stderr line: the error carries a bounded tail", () =>
      Effect.gen(function*() {
        const { grewMiB, millis, result } = yield* measured(
          Effect.flip(McpClient.make(server(["stderr-flood", "64"])))
        )
        assert.instanceOf(result, McpError.TransportError)
        assert.strictEqual(result.reason, "Closed")
        assert.include(result.message, "exited with code 1")
        assert.deepStrictEqual(result.stderr?.at(-1), "fatal: the last words")
        const long = result.stderr?.at(-2) ?? ""
        assert.strictEqual(long, "x".repeat(1000) + "…")
        assert.isBelow(result.message.length, 25_000)
        holdsNothing(result)
        assert.isBelow(millis, 10_000)
        assert.isBelow(grewMiB, 100)
      }).pipe(provide))

    it.live("stderr is logged through the caller's logger, at its level", () => {
      const logs = captureLogs()
      const stderrLines = () => logs.lines.filter((line) => line.message.includes("stderr line"))
      const session = Effect.gen(function*() {
        const client = yield* McpClient.make(server(["stderr-lines"], { stderr: "log" }))
        yield* client.ping
        yield* Effect.sleep("100 millis")
      })
      return Effect.gen(function*() {
        yield* measured(session.pipe(Logger.withMinimumLogLevel(LogLevel.Debug)))
        assert.deepStrictEqual(stderrLines().map((line) => line.message), [
          "first stderr line",
          "second stderr line",
          "third stderr line"
        ])
        assert.isTrue(stderrLines().every((line) => line.level === "DEBUG"))
        logs.lines.length = 0
        // at the default level, Info, they are not
        yield* measured(session)
        assert.deepStrictEqual(stderrLines(), [])
      }).pipe(provide, Effect.provide(logs.layer))
    })

    it.live("100,000 junk lines on stdout: a few dozen warnings at most, and the session answers", () => {
      const logs = captureLogs()
      return Effect.gen(function*() {
        const { millis } = yield* measured(Effect.gen(function*() {
          const client = yield* McpClient.make(server(["junk", "100000"]))
          yield* client.ping
          const tools = yield* client.listTools
          assert.include(tools.map((tool) => tool.name), "echo")
        }))
        const warnings = logs.lines.filter((line) => line.problem)
        assert.isAtLeast(warnings.length, 1)
        assert.isAtMost(warnings.length, 40, warnings.map((line) => line.message).join("\n"))
        assert.isBelow(millis, 10_000)
      }).pipe(provide, Effect.provide(logs.layer))
    })

    it.live("the server sees SECRET_API_KEY only with inheritEnv: true; env entries always", () =>
      Effect.gen(function*() {
        process.env.SECRET_API_KEY = "do-not-leak"
        const seen = (options: Omit<StdioTransport.StdioOptions, "command">) =>
          Effect.scoped(Effect.gen(function*() {
            const client = yield* McpClient.make(server([], { env: { GIVEN: "given-value" }, ...options }))
            const result = yield* client.callTool("env")
            const block = result.content[0]
            return JSON.parse(block?.type === "text" ? block.text : "{}") as Record<string, string>
          }))
        const { result } = yield* measured(Effect.all([seen({}), seen({ inheritEnv: true })])).pipe(
          Effect.ensuring(Effect.sync(() => delete process.env.SECRET_API_KEY))
        )
        const [safe, inherited] = result
        assert.strictEqual(safe.SECRET_API_KEY, undefined)
        assert.strictEqual(safe.GIVEN, "given-value")
        assert.strictEqual(safe.PATH, process.env.PATH)
        assert.strictEqual(inherited.SECRET_API_KEY, "do-not-leak")
        assert.strictEqual(inherited.GIVEN, "given-value")
      }).pipe(provide))
  })
}
