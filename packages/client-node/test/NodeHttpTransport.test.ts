import { McpClient, McpError } from "@effect-mcp/client"
import { NodeMcpClient } from "@effect-mcp/client-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Logger, Redacted, Scope, Stream } from "effect"
import { freePort } from "../../client/test/utils/servers.js"
import { startHttpServer } from "./utils/httpServer.js"

const text = (result: { readonly content: ReadonlyArray<{ readonly type: string }> }) =>
  result.content.map((part) => ("text" in part ? part.text : "")).join("")

/** Every log line, and the layer that collects them. */
const captureLogs = () => {
  const warnings: Array<string> = []
  const logger = Logger.make(({ message }) => {
    warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
  })
  return { warnings, layer: Logger.replace(Logger.defaultLogger, logger) }
}

describe("Streamable HTTP on node:http", () => {
  it.scopedLive("calls, a notification on the GET stream, and on close a DELETE with no socket left open", () =>
    Effect.gen(function*() {
      const server = yield* startHttpServer
      const scope = yield* Scope.make()
      const client = yield* NodeMcpClient.make(server.url).pipe(Scope.extend(scope))
      const changes = yield* Effect.fork(Stream.runHead(client.listChanged))
      assert.strictEqual(text(yield* client.callTool("echo")), "echo")
      const results = yield* Effect.forEach(
        Array.from({ length: 20 }, () => client.callTool("echo")),
        (call) => call,
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.length, 20)
      // outside any request: only the standalone GET stream can carry it
      server.toolListChanged()
      const change = yield* Fiber.join(changes).pipe(Effect.timeout("5 seconds"))
      assert.deepStrictEqual(change._tag === "Some" ? change.value : undefined, "tools")
      assert.strictEqual(server.sessions(), 1)
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual(server.counts.deletes, 1)
      assert.strictEqual(server.sessions(), 0)
      let open = yield* Effect.promise(server.connections)
      for (let wait = 0; open > 0 && wait < 50; wait++) {
        yield* Effect.sleep("20 millis")
        open = yield* Effect.promise(server.connections)
      }
      assert.strictEqual(open, 0)
    }))

  it.scopedLive("a request the server sends on hearing initialized arrives though the GET stream opens late", () =>
    Effect.gen(function*() {
      const server = yield* startHttpServer
      server.holdStandaloneStream(300)
      yield* NodeMcpClient.make(server.url, { roots: [{ uri: "file:///work", name: "work" }] })
      yield* Effect.sleep("20 millis").pipe(
        Effect.repeat({ until: () => server.counts.roots.length > 0 }),
        Effect.timeout("5 seconds")
      )
      assert.deepStrictEqual(server.counts.roots, [[{ uri: "file:///work", name: "work" }]])
    }))

  it.scopedLive("an event that is not JSON is reported; the call still gets its answer", () => {
    const { layer, warnings } = captureLogs()
    return Effect.gen(function*() {
      const server = yield* startHttpServer
      const client = yield* NodeMcpClient.make(server.url)
      assert.strictEqual(text(yield* client.callTool("garbage")), "after the garbage")
      assert.isTrue(warnings.some((line) => line.includes("{this is not json")), warnings.join("\n"))
      yield* client.ping
    }).pipe(Effect.provide(layer))
  })

  it.scopedLive("an empty JSON answer to a notification is not a problem", () => {
    const { layer, warnings } = captureLogs()
    return Effect.gen(function*() {
      const server = yield* startHttpServer
      server.answerNotificationsWithEmptyJson()
      const client = yield* NodeMcpClient.make(server.url, { roots: [{ uri: "file:///tmp", name: "tmp" }] })
      yield* client.setRoots([{ uri: "file:///var", name: "var" }])
      assert.strictEqual(text(yield* client.callTool("echo")), "echo")
      assert.deepStrictEqual(warnings, [])
    }).pipe(Effect.provide(layer))
  })

  it.scopedLive("a connection cut before the answer fails the call with a TransportError at once", () =>
    Effect.gen(function*() {
      const server = yield* startHttpServer
      const client = yield* NodeMcpClient.make(server.url, { requestTimeout: "60 seconds" })
      const error = yield* Effect.flip(client.callTool("hangup")).pipe(Effect.timeout("5 seconds"))
      assert.instanceOf(error, McpError.TransportError)
      assert.include(error.message, server.url)
    }))

  it.scopedLive("a connection cut in the middle of an event stream fails that call at once; the session lives on", () =>
    Effect.gen(function*() {
      const server = yield* startHttpServer
      const client = yield* NodeMcpClient.make(server.url, { requestTimeout: "60 seconds" })
      const error = yield* Effect.flip(client.callTool("break")).pipe(Effect.timeout("5 seconds"))
      assert.instanceOf(error, McpError.TransportError)
      assert.include(error.message, "broke off the event stream")
      assert.isTrue(yield* client.isConnected)
      assert.strictEqual(text(yield* client.callTool("echo")), "echo")
      assert.strictEqual(server.counts.initializes, 1)
    }))

  it.scopedLive("a server without a standalone stream (405) is served all the same, with no warning", () => {
    const { layer, warnings } = captureLogs()
    return Effect.gen(function*() {
      const server = yield* startHttpServer
      server.refuseStandaloneStream()
      const client = yield* NodeMcpClient.make(server.url)
      assert.strictEqual(text(yield* client.callTool("echo")), "echo")
      assert.deepStrictEqual(warnings, [])
    }).pipe(Effect.provide(layer))
  })

  it.scopedLive("a stream that ends before its answer is resumed after the last event id", () =>
    Effect.gen(function*() {
      const server = yield* startHttpServer
      const client = yield* NodeMcpClient.make(server.url)
      const result = yield* client.callTool("resume").pipe(Effect.timeout("5 seconds"))
      assert.strictEqual(text(result), "resumed")
      assert.strictEqual(server.counts.resumedFrom.length, 1)
      assert.match(server.counts.resumedFrom[0], /^prime-/)
      assert.strictEqual(text(yield* client.callTool("echo")), "echo")
    }))

  it.scopedLive("a session the server forgot: SessionExpired, then one new initialize", () =>
    Effect.gen(function*() {
      const server = yield* startHttpServer
      const client = yield* NodeMcpClient.make(server.url)
      yield* client.ping
      server.forgetSessions()
      const error = yield* Effect.flip(client.callTool("echo"))
      assert.instanceOf(error, McpError.TransportError)
      assert.strictEqual(error.reason, "SessionExpired")
      const again = yield* Effect.forEach([1, 2, 3], () => client.callTool("echo"), { concurrency: "unbounded" })
      assert.deepStrictEqual(again.map(text), ["echo", "echo", "echo"])
      assert.strictEqual(server.counts.initializes, 2)
    }))

  it.scopedLive("a refused bearer token is Unauthorized and appears in no error text", () =>
    Effect.gen(function*() {
      const server = yield* startHttpServer
      server.requireBearer("the-right-token")
      const ok = yield* NodeMcpClient.make({ url: server.url, bearer: Redacted.make("the-right-token") })
      yield* ok.ping
      const error = yield* Effect.flip(
        NodeMcpClient.make({ url: server.url, bearer: Redacted.make("a-secret-wrong-token") })
      )
      assert.instanceOf(error, McpError.TransportError)
      assert.strictEqual(error.reason, "Unauthorized")
      for (const shown of [error.message, String(error), JSON.stringify(error)]) {
        assert.notInclude(shown, "a-secret-wrong-token")
      }
    }))

  it.scopedLive("a refused port fails with a Connect error that says what to check", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const error = yield* Effect.flip(NodeMcpClient.make(`http://127.0.0.1:${port}/mcp`))
      assert.instanceOf(error, McpError.TransportError)
      assert.strictEqual(error.reason, "Connect")
      assert.include(error.message, "Is the server running")
    }))

  it.scopedLive("McpClient.make with the Node layer uses it too", () =>
    Effect.gen(function*() {
      const server = yield* startHttpServer
      const client = yield* McpClient.make(server.url).pipe(Effect.provide(NodeMcpClient.layerNode))
      // only this transport resumes a stream the way the test server wants
      assert.strictEqual(text(yield* client.callTool("resume").pipe(Effect.timeout("5 seconds"))), "resumed")
    }))
})
