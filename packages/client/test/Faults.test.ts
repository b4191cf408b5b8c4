import { McpClient, McpError } from "@effect-mcp/client"
import { McpTestServer, TestTransport } from "@effect-mcp/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Logger, TestClock } from "effect"

const tools: ReadonlyArray<McpTestServer.TestTool> = [
  { name: "echo", handler: (args) => Effect.succeed(McpTestServer.text(String(args.message))) },
  { name: "never", handler: () => Effect.never }
]

const setup = (options: McpTestServer.Options = { tools }) =>
  Effect.gen(function*() {
    const server = yield* McpTestServer.make(options)
    const { connect, faults } = yield* TestTransport.make(server.connect)
    return { server, connect, faults }
  })

describe("client behaviour under injected faults", () => {
  it.scoped("a dropped response times out and the client sends notifications/cancelled", () =>
    Effect.gen(function*() {
      const { connect, faults, server } = yield* setup()
      const client = yield* McpClient.make(connect, { requestTimeout: "10 seconds" })
      yield* faults.neverRespond("tools/call")
      const call = yield* Effect.fork(client.callTool("echo", { message: "lost" }))
      const request = yield* server.awaitMessage("tools/call")
      yield* TestClock.adjust("10 seconds")
      const error = yield* Effect.flip(Fiber.join(call))
      assert.instanceOf(error, McpError.TimeoutError)
      const cancelled = yield* server.awaitMessage("notifications/cancelled")
      assert.deepStrictEqual(cancelled.params, { requestId: request.id, reason: "timeout" })
      // the session is still usable
      yield* faults.reset
      assert.deepStrictEqual((yield* client.callTool("echo", { message: "back" })).content, [{
        type: "text",
        text: "back"
      }])
    }))

  it.scoped("a disconnect mid-call fails the call with TransportError at once; without reconnect, for good", () =>
    Effect.gen(function*() {
      const { connect, faults } = yield* setup()
      const client = yield* McpClient.make(connect, { reconnect: false })
      yield* faults.disconnectOn("tools/call")
      const error = yield* Effect.flip(client.callTool("never"))
      assert.instanceOf(error, McpError.TransportError)
      assert.strictEqual(error.reason, "Closed")
      assert.include(error.message, "tools/call")
      assert.isFalse(yield* client.isConnected)
      assert.strictEqual((yield* Effect.flip(client.ping))._tag, "TransportError")
    }))

  it.scoped("after a disconnect the next use opens a new session; the call in flight is not sent again", () =>
    Effect.gen(function*() {
      const { connect, faults, server } = yield* setup()
      const client = yield* McpClient.make(connect)
      yield* faults.disconnectOn("tools/call")
      const error = yield* Effect.flip(client.callTool("never"))
      assert.instanceOf(error, McpError.TransportError)
      assert.strictEqual((yield* client.connectionState)._tag, "Disconnected")
      yield* faults.reset
      // the ended session answered nothing: the first new try waits for the schedule's first delay
      const ping = yield* Effect.fork(client.ping)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(ping)
      assert.isTrue(yield* client.isConnected)
      assert.strictEqual((yield* client.connectionState)._tag, "Ready")
      assert.strictEqual((yield* server.received("initialize")).length, 2)
      assert.strictEqual((yield* server.received("tools/call")).length, 1)
    }))

  it.scoped("a disconnect fails every pending call, whatever it waits for", () =>
    Effect.gen(function*() {
      const { connect, faults, server } = yield* setup()
      const client = yield* McpClient.make(connect)
      const calls = yield* Effect.fork(
        Effect.all([client.callTool("never"), client.callTool("never"), client.ping], {
          concurrency: "unbounded",
          mode: "either"
        })
      )
      yield* server.awaitMessage("tools/call")
      yield* server.awaitMessage("tools/call")
      yield* faults.disconnect
      const results = yield* Fiber.join(calls)
      for (const result of results) {
        assert.strictEqual(result._tag, "Left")
        if (result._tag === "Left") assert.strictEqual(result.left._tag, "TransportError")
      }
    }))

  it.scoped("a corrupt message is reported as a ProtocolError and the session lives", () => {
    const warnings: Array<string> = []
    const logger = Logger.make(({ annotations, message }) => {
      if (
        annotations.pipe((a) => Array.from(a)).some(([key, value]) =>
          key === "mcp.problem" && value === "ProtocolError"
        )
      ) {
        warnings.push(String(message))
      }
    })
    return Effect.gen(function*() {
      const { connect, faults } = yield* setup()
      const client = yield* McpClient.make(connect, { requestTimeout: "5 seconds" })
      yield* faults.corruptNext
      // the answer to this ping is the corrupted message: it never arrives, so the ping times out
      const ping = yield* Effect.fork(client.ping)
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual((yield* Effect.flip(Fiber.join(ping)))._tag, "TimeoutError")
      assert.strictEqual(warnings.length, 1)
      assert.include(warnings[0], "not JSON")
      yield* client.ping
      assert.isTrue(yield* client.isConnected)
    }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
  })

  it.scoped("a cursor that never advances is stopped by the guard with a typed error", () =>
    Effect.gen(function*() {
      const { connect, faults } = yield* setup()
      const client = yield* McpClient.make(connect)
      yield* faults.stickCursor("tools/list")
      const error = yield* Effect.flip(client.listTools)
      assert.instanceOf(error, McpError.ProtocolError)
      assert.strictEqual(error.reason, "CursorLoop")
      // one page at a time still works
      assert.strictEqual((yield* client.listToolsRaw()).nextCursor, "stuck")
    }))

  it.scoped("a protocol-version mismatch fails the connect with ProtocolError", () =>
    Effect.gen(function*() {
      const { connect } = yield* setup({ tools, protocolVersion: "2023-01-01" })
      const error = yield* Effect.flip(McpClient.make(connect))
      assert.instanceOf(error, McpError.ProtocolError)
      assert.strictEqual(error.reason, "VersionMismatch")
    }))

  it.scoped("a server that advertises no tools capability: tool operations fail fast, without a request", () =>
    Effect.gen(function*() {
      const { connect, faults, server } = yield* setup({ tools, capabilities: { prompts: {} } })
      const client = yield* McpClient.make(connect)
      const listed = yield* Effect.flip(client.listTools)
      assert.instanceOf(listed, McpError.ProtocolError)
      assert.strictEqual(listed.reason, "Unsupported")
      assert.include(listed.message, "\"tools\" capability")
      const called = yield* Effect.flip(client.callTool("echo", { message: "x" }))
      assert.strictEqual(called._tag, "ProtocolError")
      assert.strictEqual((yield* server.received("tools/list")).length, 0)
      assert.isFalse((yield* faults.sent).some((message) => "method" in message && message.method.startsWith("tools/")))
    }))

  it.scoped("a request answered with an error, and a result of the wrong shape", () =>
    Effect.gen(function*() {
      const { connect, faults } = yield* setup()
      const client = yield* McpClient.make(connect)
      yield* faults.failNext("tools/call", { code: -32602, message: "no such argument" })
      const rejected = yield* Effect.flip(client.callTool("echo", { message: "x" }))
      assert.instanceOf(rejected, McpError.McpRpcError)
      assert.strictEqual(rejected.code, -32602)
      yield* faults.mapResult("tools/list", () => ({ tools: "not a list" }))
      const wrong = yield* Effect.flip(client.listTools)
      assert.instanceOf(wrong, McpError.ProtocolError)
      assert.strictEqual(wrong.reason, "InvalidResult")
      assert.include(wrong.message, "tools/list")
      yield* faults.mapResult("tools/call", () => ({ content: [{ type: "text", text: 42 }] }))
      const badCall = yield* Effect.flip(client.callTool("echo", { message: "x" }))
      assert.instanceOf(badCall, McpError.ProtocolError)
      assert.include(badCall.message, "tools/call")
    }))

  it.scoped("an expired HTTP session: the request fails with SessionExpired, the next one re-initializes", () =>
    Effect.gen(function*() {
      const { connect, faults, server } = yield* setup()
      const client = yield* McpClient.make(connect)
      yield* faults.expireSession
      const error = yield* Effect.flip(client.callTool("echo", { message: "lost" }))
      assert.instanceOf(error, McpError.TransportError)
      assert.strictEqual(error.reason, "SessionExpired")
      // concurrent users of the expired session cause one new initialize between them
      const results = yield* Effect.all(
        Array.from({ length: 5 }, (_, i) => client.callTool("echo", { message: `again ${i}` })),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(results[4]!.content, [{ type: "text", text: "again 4" }])
      assert.strictEqual((yield* server.received("initialize")).length, 2)
      assert.strictEqual(yield* server.openSessions, 1)
      assert.isTrue(yield* client.isConnected)
    }))
})
