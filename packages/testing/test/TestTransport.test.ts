import { McpClient } from "@effect-mcp/client"
import { McpTestServer, TestTransport } from "@effect-mcp/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"

const echo: McpTestServer.TestTool = {
  name: "echo",
  handler: (args) => Effect.succeed(McpTestServer.text(String(args.message)))
}

describe("TestTransport", () => {
  it.scoped("delay holds every server message for the given time, on the TestClock, in order", () =>
    Effect.gen(function*() {
      const server = yield* McpTestServer.make({ tools: [echo] })
      const { connect, faults } = yield* TestTransport.make(server.connect)
      const client = yield* McpClient.make(connect)
      yield* faults.delay("3 seconds")
      const calls = yield* Effect.fork(
        Effect.all([client.callTool("echo", { message: "1" }), client.callTool("echo", { message: "2" })], {
          concurrency: "unbounded"
        })
      )
      yield* server.awaitMessage("tools/call")
      yield* server.awaitMessage("tools/call")
      yield* TestClock.adjust("2 seconds")
      assert.isNull(calls.unsafePoll())
      yield* TestClock.adjust("4 seconds")
      const [one, two] = yield* Fiber.join(calls)
      assert.deepStrictEqual([one.content, two.content], [[{ type: "text", text: "1" }], [{ type: "text", text: "2" }]])
    }))

  it.scoped("dropNext swallows that many server messages; sent records what the client sent; reset heals", () =>
    Effect.gen(function*() {
      const server = yield* McpTestServer.make({ tools: [echo] })
      const { connect, faults } = yield* TestTransport.make(server.connect)
      const client = yield* McpClient.make(connect, { requestTimeout: "1 second", protocol: "legacy" })
      yield* faults.dropNext(1)
      const lost = yield* Effect.fork(client.ping)
      yield* server.awaitMessage("ping")
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Effect.flip(Fiber.join(lost)))._tag, "TimeoutError")
      yield* client.ping
      yield* faults.reset
      yield* client.ping
      const methods = (yield* faults.sent).flatMap((m) => ("method" in m ? [m.method] : []))
      assert.deepStrictEqual(methods, [
        "initialize",
        "notifications/initialized",
        "ping",
        "notifications/cancelled",
        "ping",
        "ping"
      ])
    }))

  it.scoped("expireSession fails the open connection until reset", () =>
    Effect.gen(function*() {
      const server = yield* McpTestServer.make({ tools: [echo] })
      const { connect, faults } = yield* TestTransport.make(server.connect)
      const transport = yield* connect
      yield* faults.expireSession
      const expired = yield* Effect.flip(transport.send({ jsonrpc: "2.0", method: "notifications/initialized" }))
      assert.strictEqual(expired.reason, "SessionExpired")
      yield* faults.reset
      yield* transport.send({ jsonrpc: "2.0", method: "notifications/initialized" })
      const delivered = yield* server.awaitMessage("notifications/initialized")
      assert.strictEqual(delivered.method, "notifications/initialized")
    }))
})
