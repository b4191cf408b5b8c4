import type { Transport } from "@effect-mcp/client"
import { McpClient, McpError } from "@effect-mcp/client"
import { assert, describe, it } from "@effect/vitest"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { Deferred, Effect, Exit, Ref } from "effect"

/** An in-process server that counts the sessions it sees. */
const countingServer = () => {
  const counts = { connects: 0, initialized: 0, closes: 0 }
  const server = new McpServer({ name: "counting", version: "1.0.0" })
  server.registerTool("noop", {}, () => ({ content: [] }))
  server.server.oninitialized = () => {
    counts.initialized++
  }
  const source: McpClient.SdkServerLike = {
    connect: (transport) => {
      counts.connects++
      return server.connect(transport)
    },
    close: () => {
      counts.closes++
      return server.close()
    }
  }
  return { counts, source }
}

describe("the shared session", () => {
  it.scoped("50 concurrent first users cause exactly one initialize", () =>
    Effect.gen(function*() {
      const { counts, source } = countingServer()
      const client = yield* McpClient.make(source, { autoConnect: false })
      const holding = yield* Ref.make(0)
      const everyoneIn = yield* Deferred.make<void>()
      const users = 50
      const results = yield* Effect.forEach(
        Array.from({ length: users }, (_, i) => i),
        () =>
          Effect.scoped(Effect.gen(function*() {
            yield* client.connect
            const n = yield* Ref.updateAndGet(holding, (n) => n + 1)
            if (n === users) yield* Deferred.succeed(everyoneIn, void 0)
            yield* Deferred.await(everyoneIn)
            yield* client.ping
            return (yield* client.initializeResult).serverInfo.name
          })),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.length, users)
      assert.strictEqual(counts.connects, 1)
      assert.strictEqual(counts.initialized, 1)
      assert.isFalse(yield* client.isConnected)
      assert.strictEqual(counts.closes, 1)
    }))

  it.scoped("nested scopes share the session; the last release closes it", () =>
    Effect.gen(function*() {
      const { counts, source } = countingServer()
      const client = yield* McpClient.make(source, { autoConnect: false })
      assert.strictEqual((yield* Effect.flip(client.ping))._tag, "NotConnected")
      yield* Effect.scoped(Effect.gen(function*() {
        yield* client.connect
        const outer = yield* client.initializeResult
        yield* Effect.scoped(Effect.gen(function*() {
          yield* client.connect
          assert.strictEqual(yield* client.initializeResult, outer)
        }))
        assert.isTrue(yield* client.isConnected)
        yield* client.ping
      }))
      assert.isFalse(yield* client.isConnected)
      assert.strictEqual(counts.connects, 1)
      assert.strictEqual(counts.closes, 1)
      const error = yield* Effect.flip(client.listTools)
      assert.instanceOf(error, McpError.NotConnected)
      assert.include(error.message, "McpClient.connect")
    }))

  it.scopedLive("a failed connect fails every waiter with the same error; the next user tries afresh", () =>
    Effect.gen(function*() {
      const { counts, source } = countingServer()
      let reachable = false
      let attempts = 0
      const connect: Transport.Connect = Effect.suspend(() => {
        attempts++
        return reachable
          ? McpClient.transportFor(source)
          : Effect.sleep("10 millis").pipe(
            Effect.zipRight(Effect.fail(new McpError.TransportError({ reason: "Connect", description: "refused" })))
          )
      })
      const client = yield* McpClient.make(connect, { autoConnect: false })
      const exits = yield* Effect.forEach(
        Array.from({ length: 10 }),
        () => Effect.exit(Effect.scoped(client.connect)),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(attempts, 1)
      const errors = exits.map((exit) => Exit.isFailure(exit) ? exit.cause : undefined)
      for (const exit of exits) assert.isTrue(Exit.isFailure(exit))
      const first = yield* Effect.flip(Effect.failCause(errors[0]!))
      for (const cause of errors) assert.strictEqual(yield* Effect.flip(Effect.failCause(cause!)), first)

      reachable = true
      yield* Effect.scoped(Effect.zipRight(client.connect, client.ping))
      assert.strictEqual(attempts, 2)
      assert.strictEqual(counts.initialized, 1)
    }))

  it.scoped("fresh makes an independent client with its own session", () =>
    Effect.gen(function*() {
      let servers = 0
      const connect = Effect.suspend(() => {
        servers++
        return McpClient.transportFor(countingServer().source)
      })
      const client = yield* McpClient.make(connect)
      const copy = yield* Effect.scoped(Effect.gen(function*() {
        const copy = yield* client.fresh
        yield* copy.ping
        assert.isTrue(yield* copy.isConnected)
        return copy
      }))
      assert.strictEqual(servers, 2)
      assert.isFalse(yield* copy.isConnected)
      assert.isTrue(yield* client.isConnected)
      yield* client.ping
    }))

  it.scoped("idleTimeToLive keeps the session for a while after its last user", () =>
    Effect.gen(function*() {
      const { counts, source } = countingServer()
      const client = yield* McpClient.make(source, { autoConnect: false, idleTimeToLive: "1 minute" })
      yield* Effect.scoped(client.connect)
      yield* Effect.scoped(client.connect)
      assert.strictEqual(counts.connects, 1)
    }))
})
