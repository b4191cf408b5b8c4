import { McpClient, McpError, StdioTransport } from "@effect-mcp/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { launchers } from "./utils/launchers.js"
import { childPids, everythingPath, filesystemPath, freePort, isAlive } from "./utils/servers.js"

const everything = { command: process.execPath, args: [everythingPath] }

for (const launcher of launchers) {
  describe(`stdio sessions (${launcher.name})`, () => {
    it.scopedLive("the server process is gone after the last release", () =>
      Effect.gen(function*() {
        const before = new Set(childPids())
        const client = yield* McpClient.make(everything, { autoConnect: false })
        const spawned = yield* Effect.scoped(Effect.gen(function*() {
          yield* client.connect
          yield* client.ping
          return childPids().filter((pid) => !before.has(pid))
        }))
        assert.strictEqual(spawned.length, 1)
        for (const pid of spawned) assert.isFalse(isAlive(pid), `pid ${pid} still alive after release`)
        assert.isFalse(yield* client.isConnected)
      }).pipe(Effect.provide(launcher.layer)))

    it.scopedLive("beginClose ends the server's input at once: it exits while the transport's scope is still open", () =>
      Effect.gen(function*() {
        // a server that reads until its input ends, then has nothing left to do
        const before = new Set(childPids())
        const transport = yield* StdioTransport.make({
          command: process.execPath,
          args: ["-e", "process.stdin.resume()"]
        })
        const reading = yield* Effect.fork(transport.run(() => {}))
        assert.strictEqual(childPids().filter((pid) => !before.has(pid)).length, 1)
        assert.isTrue(Effect.isEffect(transport.beginClose))
        yield* transport.beginClose!
        // the end the client asked for is no failure: the reader just ends, once the server has exited
        yield* Fiber.join(reading)
        assert.deepStrictEqual(childPids().filter((pid) => !before.has(pid)), [])
        // nothing more is sent once closing has begun
        const refused = yield* Effect.flip(transport.send({ jsonrpc: "2.0", method: "ping", id: 1 }))
        assert.strictEqual(refused.reason, "Closed")
      }).pipe(Effect.provide(launcher.layer)))

    it.scopedLive("closing ends a server that ignores stdin closing and SIGTERM", () =>
      Effect.gen(function*() {
        const before = new Set(childPids())
        const started = Date.now()
        const pids = yield* Effect.scoped(Effect.gen(function*() {
          const client = yield* McpClient.make({
            command: process.execPath,
            args: [Path.join(Path.dirname(fileURLToPath(import.meta.url)), "fixtures", "stubborn-server.mjs")],
            closeTimeout: "300 millis"
          })
          yield* client.ping
          return childPids().filter((pid) => !before.has(pid))
        }))
        assert.strictEqual(pids.length, 1)
        for (const pid of pids) assert.isFalse(isAlive(pid))
        assert.isBelow(Date.now() - started, 5000)
      }).pipe(Effect.provide(launcher.layer)))

    it.scopedLive("a server killed mid-call fails the pending call at once", () =>
      Effect.gen(function*() {
        const before = new Set(childPids())
        const client = yield* McpClient.make(everything)
        const [pid] = childPids().filter((p) => !before.has(p))
        const started = Date.now()
        const call = yield* Effect.fork(client.callTool("trigger-long-running-operation", { duration: 30, steps: 3 }))
        yield* Effect.sleep("200 millis")
        process.kill(pid!, "SIGKILL")
        const error = yield* Effect.flip(Fiber.join(call))
        assert.instanceOf(error, McpError.TransportError)
        assert.strictEqual(error.reason, "Closed")
        assert.include(error.message, "SIGKILL")
        assert.isBelow(Date.now() - started, 5000)
        assert.isFalse(yield* client.isConnected)
        // the next call starts the server again; the call that was in flight is not sent again
        yield* client.ping
        const [restarted] = childPids().filter((p) => !before.has(p))
        assert.isDefined(restarted)
        assert.notStrictEqual(restarted, pid)
        assert.isTrue(yield* client.isConnected)
      }).pipe(Effect.provide(launcher.layer)))

    it.scopedLive("env reaches the server", () =>
      Effect.gen(function*() {
        const client = yield* McpClient.make({
          command: process.execPath,
          args: [everythingPath],
          env: { EFFECT_MCP_MARKER: "marker-value-42" }
        })
        const result = yield* client.callTool("get-env")
        assert.include(JSON.stringify(result.content), "marker-value-42")
      }).pipe(Effect.provide(launcher.layer)))

    it.scopedLive("by default the server gets only the safe variables and env; inheritEnv: true passes all", () =>
      Effect.gen(function*() {
        process.env.EFFECT_MCP_PARENT_ONLY = "from-the-parent"
        const getEnv = (inheritEnv: boolean | undefined) =>
          Effect.scoped(Effect.gen(function*() {
            const client = yield* McpClient.make({
              command: process.execPath,
              args: [everythingPath],
              env: { EFFECT_MCP_MARKER: "only-this" },
              inheritEnv
            })
            return JSON.stringify((yield* client.callTool("get-env")).content)
          }))
        const safe = yield* getEnv(undefined)
        assert.include(safe, "only-this")
        assert.include(safe, "PATH")
        assert.notInclude(safe, "from-the-parent")
        const all = yield* getEnv(true)
        assert.include(all, "only-this")
        assert.include(all, "from-the-parent")
      }).pipe(Effect.provide(launcher.layer)))

    it.scopedLive("cwd is where the server runs", () =>
      Effect.gen(function*() {
        const dir = Fs.realpathSync(Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-cwd-")))
        yield* Effect.addFinalizer(() => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true })))
        const client = yield* McpClient.make({ command: process.execPath, args: [filesystemPath, "."], cwd: dir })
        const allowed = yield* client.callTool("list_allowed_directories")
        assert.include(JSON.stringify(allowed.content), dir)
      }).pipe(Effect.provide(launcher.layer)))

    it.scopedLive("server-filesystem on a temporary directory: list, call, read", () =>
      Effect.gen(function*() {
        const dir = Fs.realpathSync(Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-fs-")))
        yield* Effect.addFinalizer(() => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true })))
        Fs.writeFileSync(Path.join(dir, "notes.txt"), "first line\nsecond line\n")
        const client = yield* McpClient.make({ command: process.execPath, args: [filesystemPath, dir] })
        const tools = (yield* client.listTools).map((tool) => tool.name)
        assert.includeMembers(tools, ["read_text_file", "list_directory", "write_file"])
        const listing = yield* client.callTool("list_directory", { path: dir })
        assert.include(JSON.stringify(listing.content), "notes.txt")
        const read = yield* client.callTool("read_text_file", { path: Path.join(dir, "notes.txt") })
        assert.include(JSON.stringify(read.content), "second line")
        const outside = yield* Effect.flip(client.callTool("read_text_file", { path: "/etc/hostname" }))
        assert.instanceOf(outside, McpError.ToolError)
        assert.include(outside.text, "denied")
      }).pipe(Effect.provide(launcher.layer)))

    it.scopedLive("text arrives intact: large lines, ASCII or not, across pipe chunks", () =>
      Effect.gen(function*() {
        const dir = Fs.realpathSync(Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-text-")))
        yield* Effect.addFinalizer(() => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true })))
        const texts = {
          "ascii.txt": "plain ASCII text, line after line\n".repeat(20_000),
          "mixed.txt": "h\u00e9llo \u2713 \u{1F600} caf\u00e9 \u65e5\u672c\n".repeat(20_000),
          "short.txt": "\u00fcber"
        }
        for (const [name, text] of Object.entries(texts)) Fs.writeFileSync(Path.join(dir, name), text)
        const client = yield* McpClient.make({ command: process.execPath, args: [filesystemPath, dir] })
        for (const [name, text] of Object.entries(texts)) {
          const read = yield* client.callTool("read_text_file", { path: Path.join(dir, name) })
          const block = read.content[0]
          assert.strictEqual(block?.type, "text")
          assert.isTrue(block?.type === "text" && block.text === text, `${name} came back changed`)
        }
      }).pipe(Effect.provide(launcher.layer)))
  })
}

describe("unreachable servers", () => {
  it.scopedLive("a refused port fails with a Connect error", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const http = yield* Effect.flip(McpClient.make(`http://127.0.0.1:${port}/mcp`))
      assert.instanceOf(http, McpError.TransportError)
      assert.strictEqual(http.reason, "Connect")
      assert.include(http.message, "Is the server running")
      const sse = yield* Effect.flip(McpClient.make(`http://127.0.0.1:${port}/sse`))
      assert.instanceOf(sse, McpError.TransportError)
      assert.strictEqual(sse.reason, "Connect")
    }))
})

describe.concurrent("no leaks", () => {
  it.each(["command", "node"])(
    "a process that opens and closes 20 stdio sessions (%s) ends with no child and no open handle",
    async (mode) => {
      const script = Path.join(Path.dirname(fileURLToPath(import.meta.url)), "fixtures", "leak-check.mjs")
      // the process must end by itself: a leaked handle would keep it alive until the timeout kills it
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        ChildProcess.execFile(
          process.execPath,
          [script, everythingPath, "20", mode],
          { encoding: "utf8", timeout: 100_000 },
          (error, stdout, stderr) =>
            resolve({ code: error === null ? 0 : (error.code as number | null) ?? 1, stdout, stderr })
        )
      })
      assert.strictEqual(run.code, 0, `leak check failed:\n${run.stdout}\n${run.stderr}`)
      const report = JSON.parse(run.stdout.trim().split("\n").pop()!)
      assert.strictEqual(report.sessions, 20)
      assert.deepStrictEqual(report.children, [])
      assert.deepStrictEqual(report.handles, [])
    },
    120_000
  )
})
