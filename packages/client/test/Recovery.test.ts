import { McpClient, McpError } from "@effect-mcp/client"
import { NodeMcpClient } from "@effect-mcp/client-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Ref, Schedule, Stream } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { launchers } from "./utils/launchers.js"
import { childPids, isAlive, startHttpServer } from "./utils/servers.js"

const recoveryPath = Path.join(import.meta.dirname, "fixtures", "recovery-server.mjs")
const recovery = { command: process.execPath, args: [recoveryPath] }

const text = (result: { readonly content: ReadonlyArray<unknown> }) => (result.content[0] as { text: string }).text

const serverPid = (client: McpClient.Service) => Effect.map(client.callTool("pid"), (result) => Number(text(result)))

// the session noticed its end (so that the next call does not race the exit)
const disconnected = (client: McpClient.Service) =>
  client.connectionStates.pipe(
    Stream.filter((state) => state._tag === "Disconnected"),
    Stream.runHead,
    Effect.timeout("5 seconds")
  )

const killed = (client: McpClient.Service, pid: number) =>
  Effect.gen(function*() {
    const noticed = yield* Effect.fork(disconnected(client))
    yield* Effect.yieldNow()
    process.kill(pid, "SIGKILL")
    yield* Fiber.join(noticed)
  })

describe.each(launchers)("recovery over stdio ($name)", (launcher) => {
  const thousandCallsAndAKill = Effect.gen(function*() {
    const client = yield* McpClient.make(recovery)
    const pid = yield* serverPid(client)
    const calls = yield* Effect.fork(
      Effect.forEach(
        Array.from({ length: 1000 }, (_, i) => i),
        () => Effect.either(client.callTool("wait", { ms: 60_000 })),
        { concurrency: "unbounded" }
      )
    )
    yield* Effect.sleep("500 millis")
    const killedAt = Date.now()
    process.kill(pid, "SIGKILL")
    const results = yield* Fiber.join(calls)
    assert.isBelow(Date.now() - killedAt, 5000)
    for (const result of results) {
      assert.strictEqual(result._tag, "Left")
      if (result._tag === "Left") assert.strictEqual(result.left._tag, "TransportError")
    }
    const next = yield* serverPid(client)
    assert.notStrictEqual(next, pid)
    assert.isTrue(isAlive(next))
    return { pid, next }
  })

  it.live(
    "1,000 calls in flight when the server is killed all end within 5 s; the next call succeeds",
    () =>
      Effect.gen(function*() {
        const { next, pid } = yield* Effect.scoped(thousandCallsAndAKill)
        // nothing is left: the killed server, and the new one once the client is closed
        assert.isFalse(isAlive(pid))
        assert.isFalse(isAlive(next))
      }).pipe(Effect.provide(launcher.layer)),
    30_000
  )

  it.scopedLive(
    "a server killed 20 times under a layer with the default schedule: every call after a kill succeeds",
    () =>
      Effect.gen(function*() {
        const client = yield* McpClient.McpClient
        const pids = new Set<number>()
        for (let round = 0; round < 20; round++) {
          const pid = yield* serverPid(client)
          pids.add(pid)
          yield* killed(client, pid)
        }
        const last = yield* serverPid(client)
        assert.strictEqual(pids.size, 20)
        assert.isFalse(pids.has(last))
        for (const pid of pids) assert.isFalse(isAlive(pid))
      }).pipe(
        Effect.provide(McpClient.layer(recovery).pipe(Layer.provide(launcher.layer)))
      ),
    60_000
  )

  it.scopedLive(
    "a subscription and the logging level survive a restart; the state reads Ready, Disconnected, Reconnecting, Ready",
    () =>
      Effect.gen(function*() {
        const client = yield* McpClient.make(recovery)
        const states = yield* client.connectionStates.pipe(
          Stream.map((state) => state._tag),
          Stream.changes,
          Stream.take(4),
          Stream.runCollect,
          Effect.fork
        )
        yield* client.setLoggingLevel("error")
        const updates = yield* client.resourceUpdates("counter://x").pipe(
          Stream.take(2),
          Stream.runCollect,
          Effect.fork
        )
        // the stream subscribes when it starts: touch until the server says it told a subscriber
        yield* client.callTool("touch", { uri: "counter://x" }).pipe(
          Effect.map(text),
          Effect.repeat({ until: (told) => told === "told" })
        )
        yield* killed(client, yield* serverPid(client))
        assert.strictEqual(text(yield* client.callTool("touch", { uri: "counter://x" })), "told")
        assert.strictEqual(text(yield* client.callTool("level")), "error")
        assert.strictEqual((yield* Fiber.join(updates)).length, 2)
        assert.deepStrictEqual(Array.from(yield* Fiber.join(states)), [
          "Ready",
          "Disconnected",
          "Reconnecting",
          "Ready"
        ])
      }).pipe(Effect.provide(launcher.layer)),
    30_000
  )

  it.scopedLive(
    "a server that keeps dying is given up on: the error counts the failures and shows its last stderr; once fixed it is found again",
    () =>
      Effect.gen(function*() {
        const marker = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-")), "started")
        const client = yield* McpClient.make({ ...recovery, env: { DIE_AFTER_FIRST: marker } })
        yield* killed(client, yield* serverPid(client))
        const started = Date.now()
        const error = yield* Effect.flip(client.ping)
        assert.instanceOf(error, McpError.TransportError)
        assert.include(error.message, "6 times in a row")
        assert.include(error.message, "reconnect")
        assert.include(error.message, "fatal: the database is gone")
        // five retries of the default schedule: 0.1 + 0.2 + 0.4 + 0.8 + 1.6 s, jittered
        assert.isBelow(Date.now() - started, 10_000)
        // given up: later calls fail at once, with the same error
        const again = Date.now()
        assert.strictEqual((yield* Effect.flip(client.ping)).message, error.message)
        assert.isBelow(Date.now() - again, 100)
        const state = yield* client.connectionState
        assert.strictEqual(state._tag, "Closed")
        // once the server is fixed, a use after as long as the round of tries lasted finds it again
        Fs.rmSync(marker)
        const healing = Date.now()
        yield* client.ping.pipe(Effect.retry({ schedule: Schedule.spaced("250 millis"), times: 40 }))
        assert.isBelow(Date.now() - healing, 10_000)
        assert.strictEqual((yield* client.connectionState)._tag, "Ready")
      }).pipe(Effect.provide(launcher.layer)),
    30_000
  )
})

// Counts the updates of counter://x from a stream of the client's; the effect
// it gives waits (at most 10 s) for one more than were seen when it runs.
const countUpdates = (client: McpClient.Service) =>
  Effect.gen(function*() {
    const seen = yield* Ref.make(0)
    yield* client.resourceUpdates("counter://x").pipe(
      Stream.runForEach(() => Ref.update(seen, (n) => n + 1)),
      Effect.forkScoped
    )
    return Effect.flatMap(Ref.get(seen), (before) =>
      Effect.repeat(Ref.get(seen), {
        until: (n) => n > before,
        schedule: Schedule.spaced("20 millis")
      }).pipe(
        Effect.timeout("10 seconds")
      ))
  })

// waits (at most 10 s) for the connection state to satisfy `until`
const stateBecomes = (client: McpClient.Service, until: (state: McpClient.ConnectionState) => boolean) =>
  Effect.repeat(client.connectionState, { until, schedule: Schedule.spaced("20 millis") }).pipe(
    Effect.timeout("10 seconds")
  )

describe("recovery, what could go wrong", () => {
  const tempFile = () => Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-")), "started")

  it.scopedLive(
    "a client that only listens is reconnected: resourceUpdates keeps delivering after a kill",
    () =>
      Effect.gen(function*() {
        const client = yield* McpClient.make({ ...recovery, env: { TICK_MS: "50" } })
        const first = yield* serverPid(client)
        const anotherUpdate = yield* countUpdates(client)
        yield* anotherUpdate
        process.kill(first, "SIGKILL")
        // no call is made: the stream alone brings the session back
        yield* stateBecomes(client, (state) => state._tag === "Ready" && !isAlive(first))
        yield* anotherUpdate
      }).pipe(Effect.provide(NodeMcpClient.layerNode)),
    30_000
  )

  it.scopedLive(
    "a listening client finds its server again after the schedule gave up, once it is fixed",
    () =>
      Effect.gen(function*() {
        const marker = tempFile()
        const client = yield* McpClient.make({ ...recovery, env: { TICK_MS: "50", DIE_AFTER_FIRST: marker } })
        const first = yield* serverPid(client)
        const anotherUpdate = yield* countUpdates(client)
        yield* anotherUpdate
        process.kill(first, "SIGKILL")
        // every restart dies at once: the schedule gives up, with no call made
        yield* stateBecomes(client, (state) => state._tag === "Closed" && state.cause !== undefined)
        Fs.rmSync(marker)
        yield* anotherUpdate
        assert.strictEqual((yield* client.connectionState)._tag, "Ready")
      }).pipe(Effect.provide(NodeMcpClient.layerNode)),
    30_000
  )

  it.scopedLive(
    "what is asked again of a new session does not count as health: a server dying on every call is given up on",
    () =>
      Effect.gen(function*() {
        const client = yield* McpClient.make({ ...recovery, env: { DIE_ON_CALL: tempFile() } })
        yield* client.setLoggingLevel("error")
        yield* killed(client, yield* serverPid(client))
        const started = Date.now()
        let last: McpError.McpError | undefined
        for (let i = 0; i < 20 && last?.message.includes("times in a row") !== true; i++) {
          last = yield* Effect.flip(client.callTool("pid"))
        }
        assert.include(last?.message, "times in a row")
        assert.isBelow(Date.now() - started, 15_000)
      }).pipe(Effect.provide(NodeMcpClient.layerNode)),
    30_000
  )

  it.live(
    "a renewal ends with its holder: no server is started after the client is closed",
    () =>
      Effect.gen(function*() {
        const marker = tempFile()
        const call = yield* Effect.scoped(Effect.gen(function*() {
          const client = yield* McpClient.make({ ...recovery, env: { DIE_AFTER_FIRST: marker } }, {
            reconnect: Schedule.spaced("100 millis"),
            requestTimeout: "10 seconds"
          })
          yield* killed(client, yield* serverPid(client))
          const call = yield* Effect.fork(client.ping)
          yield* Effect.sleep("400 millis")
          return call
        }))
        const error = yield* Effect.flip(Fiber.join(call))
        assert.strictEqual(error._tag, "NotConnected")
        const before = childPids().length
        yield* Effect.sleep("500 millis")
        assert.strictEqual(childPids().length, before)
        assert.strictEqual(before, 0)
      }).pipe(Effect.provide(NodeMcpClient.layerNode)),
    30_000
  )

  it.live(
    "a caller waits for a new session no longer than its request timeout",
    () =>
      Effect.scoped(
        Effect.gen(function*() {
          const client = yield* McpClient.make({ ...recovery, env: { DIE_AFTER_FIRST: tempFile() } }, {
            reconnect: Schedule.spaced("200 millis"),
            requestTimeout: "1 second"
          })
          yield* killed(client, yield* serverPid(client))
          const started = Date.now()
          const error = yield* Effect.flip(client.ping)
          assert.strictEqual(error._tag, "TransportError")
          assert.include(error.message, "still trying to reconnect")
          assert.isBelow(Date.now() - started, 3000)
        }).pipe(Effect.provide(NodeMcpClient.layerNode))
      ),
    30_000
  )
})

describe("recovery over Streamable HTTP", () => {
  it.scopedLive("a subscription and the logging level survive a 404 renewal", () =>
    Effect.gen(function*() {
      const { port } = yield* startHttpServer(recoveryPath, ["http"])
      const client = yield* NodeMcpClient.make(`http://127.0.0.1:${port}/mcp`)
      yield* client.setLoggingLevel("warning")
      const updates = yield* client.resourceUpdates("counter://x").pipe(Stream.take(2), Stream.runCollect, Effect.fork)
      yield* client.callTool("touch", { uri: "counter://x" }).pipe(
        Effect.map(text),
        Effect.repeat({ until: (told) => told === "told" })
      )
      yield* client.callTool("forget")
      yield* Effect.sleep("100 millis")
      const expired = yield* Effect.flip(client.ping)
      assert.instanceOf(expired, McpError.TransportError)
      assert.strictEqual(expired.reason, "SessionExpired")
      assert.strictEqual(text(yield* client.callTool("touch", { uri: "counter://x" })), "told")
      assert.strictEqual(text(yield* client.callTool("level")), "warning")
      assert.strictEqual((yield* Fiber.join(updates)).length, 2)
    }), 30_000)
})
