import { McpClient, McpError, Transport } from "@effect-mcp/client"
import { McpTestServer, TestTransport } from "@effect-mcp/testing"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Scope } from "effect"

const tool = (name: string): McpTestServer.TestTool => ({
  name,
  handler: () => Effect.succeed(McpTestServer.text(name))
})

describe("protocol", () => {
  // the server winds down (a stdio server sees its stdin end, an HTTP one its DELETE) while the
  // client runs its other finalizers, instead of after them
  it.scoped("closing a session tells the transport first, once, and then closes its scope", () =>
    Effect.gen(function*() {
      const server = yield* McpTestServer.make({ tools: [tool("a")] })
      const events: Array<string> = []
      const connect: Transport.Connect = Effect.gen(function*() {
        yield* Effect.addFinalizer(() => Effect.sync(() => events.push("transport scope closed")))
        const inner = yield* server.connect
        return Transport.make({ ...inner, beginClose: Effect.sync(() => events.push("beginClose")) })
      })
      const scope = yield* Scope.make()
      const client = yield* McpClient.make(connect).pipe(Scope.extend(scope))
      yield* client.callTool("a", {})
      assert.deepStrictEqual(events, [])
      yield* Scope.close(scope, Exit.void)
      assert.deepStrictEqual(events, ["beginClose", "transport scope closed"])
    }))

  // a transport of someone else's may fail in beginClose: the calls still waiting must end all the same
  it.scopedLive("a beginClose that dies still fails the calls in flight: none is left waiting", () =>
    Effect.gen(function*() {
      const started = yield* Deferred.make<void>()
      const server = yield* McpTestServer.make({
        tools: [{ name: "never", handler: () => Effect.zipRight(Deferred.succeed(started, void 0), Effect.never) }]
      })
      const connect: Transport.Connect = Effect.map(
        server.connect,
        (inner) => Transport.make({ ...inner, beginClose: Effect.dieMessage("beginClose broke") })
      )
      const scope = yield* Scope.make()
      const client = yield* McpClient.make(connect).pipe(Scope.extend(scope))
      const call = yield* Effect.fork(client.callTool("never", {}))
      yield* Deferred.await(started)
      const closed = yield* Scope.close(scope, Exit.void).pipe(Effect.exit)
      // the transport's defect is not hidden: closing says it
      assert.isTrue(Exit.isFailure(closed))
      const outcome = yield* Fiber.join(call).pipe(Effect.timeout("2 seconds"), Effect.flip)
      assert.isTrue(McpError.isMcpError(outcome), String(outcome))
    }))

  it.scoped("list operations walk every page; Raw returns one page", () =>
    Effect.gen(function*() {
      const server = yield* McpTestServer.make({ pageSize: 1, tools: [tool("a"), tool("b"), tool("c")] })
      const client = yield* McpClient.make(server.connect)
      assert.deepStrictEqual((yield* client.listTools).map((t) => t.name), ["a", "b", "c"])
      const first = yield* client.listToolsRaw()
      assert.deepStrictEqual(first.tools.map((t) => t.name), ["a"])
      const second = yield* client.listToolsRaw(first.nextCursor)
      assert.deepStrictEqual(second.tools.map((t) => t.name), ["b"])
    }))

  it.scoped("a list that never ends stops at maxPages", () =>
    Effect.gen(function*() {
      const server = yield* McpTestServer.make({
        prompts: [{ name: "p", get: () => Effect.succeed({ messages: [] }) }]
      })
      const { connect, faults } = yield* TestTransport.make(server.connect)
      let page = 0
      yield* faults.mapResult("prompts/list", (result) => ({ ...(result as object), nextCursor: `page-${++page}` }))
      const client = yield* McpClient.make(connect, { maxPages: 5 })
      const error = yield* Effect.flip(client.listPrompts)
      assert.instanceOf(error, McpError.ProtocolError)
      assert.strictEqual(error.reason, "CursorLoop")
      assert.include(error.message, "maxPages")
      assert.strictEqual((yield* server.received("prompts/list")).length, 5)
    }))

  it.scoped("negotiates down to an older protocol revision", () =>
    Effect.gen(function*() {
      const server = yield* McpTestServer.make({ protocolVersion: "2024-11-05" })
      const client = yield* McpClient.make(server.connect)
      assert.strictEqual((yield* client.initializeResult).protocolVersion, "2024-11-05")
      const [initialize] = yield* server.received("initialize")
      assert.strictEqual((initialize!.params as { protocolVersion: string }).protocolVersion, "2025-11-25")
    }))

  it.scoped("answers the server's ping; an unknown server request gets -32601", () =>
    Effect.gen(function*() {
      const server = yield* McpTestServer.make()
      yield* McpClient.make(server.connect)
      assert.deepStrictEqual(yield* server.request("ping"), {})
      const unknown = yield* Effect.flip(server.request("custom/thing"))
      assert.strictEqual(unknown.code, -32601)
      assert.include(unknown.description, "custom/thing")
    }))

  it.scoped("client notifications: initialized, roots changed, cancel, progress", () =>
    Effect.gen(function*() {
      const server = yield* McpTestServer.make()
      const client = yield* McpClient.make(server.connect)
      yield* server.awaitMessage("notifications/initialized")
      yield* client.sendRootsListChanged
      yield* server.awaitMessage("notifications/roots/list_changed")
      yield* client.cancel(17, "user gave up")
      assert.deepStrictEqual((yield* server.awaitMessage("notifications/cancelled")).params, {
        requestId: 17,
        reason: "user gave up"
      })
      yield* client.sendProgress("tok", { progress: 2, total: 4, message: "half" })
      assert.deepStrictEqual((yield* server.awaitMessage("notifications/progress")).params, {
        progressToken: "tok",
        progress: 2,
        total: 4,
        message: "half"
      })
    }))

  it.scoped("closing the client fails pending requests with TransportError Closed", () =>
    Effect.gen(function*() {
      const server = yield* McpTestServer.make({ tools: [{ name: "never", handler: () => Effect.never }] })
      const call = yield* Effect.scoped(Effect.gen(function*() {
        const client = yield* McpClient.make(server.connect)
        const call = yield* Effect.forkDaemon(client.callTool("never"))
        yield* server.awaitMessage("tools/call")
        return call
      }))
      const error = yield* Effect.flip(Fiber.join(call))
      assert.instanceOf(error, McpError.TransportError)
      assert.strictEqual(error.reason, "Closed")
      assert.include(error.message, "client closed")
    }))

  it.scoped("the request escape hatch sends any method", () =>
    Effect.gen(function*() {
      const server = yield* McpTestServer.make()
      const client = yield* McpClient.make(server.connect)
      const error = yield* Effect.flip(client.request("custom/echo", { x: 1 }))
      assert.instanceOf(error, McpError.McpRpcError)
      assert.strictEqual(error.method, "custom/echo")
      // with a progress token, as every request that may take long
      const params = (yield* server.received("custom/echo"))[0]!.params as Record<string, any>
      assert.strictEqual(params.x, 1)
      assert.isNumber(params._meta.progressToken)
    }))
})
