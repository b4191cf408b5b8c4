import { McpClient, McpError, Transport } from "@effect-mcp/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { makeScriptedPeer } from "./utils/ScriptedPeer.js"

describe("protocol", () => {
  it.scoped("list operations walk every page; Raw returns one page", () =>
    Effect.gen(function*() {
      const pages: Record<string, { tools: Array<{ name: string; inputSchema: object }>; nextCursor?: string }> = {
        start: { tools: [{ name: "a", inputSchema: { type: "object" } }], nextCursor: "p2" },
        p2: { tools: [{ name: "b", inputSchema: { type: "object" } }], nextCursor: "p3" },
        p3: { tools: [{ name: "c", inputSchema: { type: "object" } }] }
      }
      const peer = yield* makeScriptedPeer({
        answer: (request) =>
          request.method === "tools/list"
            ? pages[(request.params as { cursor?: string })?.cursor ?? "start"]
            : undefined
      })
      const client = yield* McpClient.make(peer.connect)
      const all = yield* client.listTools
      assert.deepStrictEqual(all.map((tool) => tool.name), ["a", "b", "c"])
      const first = yield* client.listToolsRaw()
      assert.deepStrictEqual(first.tools.map((tool) => tool.name), ["a"])
      assert.strictEqual(first.nextCursor, "p2")
      const second = yield* client.listToolsRaw("p2")
      assert.deepStrictEqual(second.tools.map((tool) => tool.name), ["b"])
    }))

  it.scoped("a cursor that never advances is stopped with a typed error", () =>
    Effect.gen(function*() {
      let calls = 0
      const peer = yield* makeScriptedPeer({
        capabilities: { resources: {} },
        answer: (request) => {
          if (request.method !== "resources/list") return undefined
          calls++
          return { resources: [{ uri: `memo://${calls}`, name: `r${calls}` }], nextCursor: "same" }
        }
      })
      const client = yield* McpClient.make(peer.connect)
      const error = yield* Effect.flip(client.listResources)
      assert.instanceOf(error, McpError.ProtocolError)
      assert.strictEqual(error.reason, "CursorLoop")
      assert.include(error.message, "same")
      assert.strictEqual(calls, 2)
    }))

  it.scoped("a list that never ends stops at maxPages", () =>
    Effect.gen(function*() {
      let calls = 0
      const peer = yield* makeScriptedPeer({
        capabilities: { prompts: {} },
        answer: (request) => {
          if (request.method !== "prompts/list") return undefined
          calls++
          return { prompts: [], nextCursor: `page-${calls}` }
        }
      })
      const client = yield* McpClient.make(peer.connect, { maxPages: 5 })
      const error = yield* Effect.flip(client.listPrompts)
      assert.strictEqual(error._tag, "ProtocolError")
      assert.strictEqual(calls, 5)
    }))

  it.scoped("negotiates down to an older protocol revision", () =>
    Effect.gen(function*() {
      const peer = yield* makeScriptedPeer({ protocolVersion: "2024-11-05" })
      const client = yield* McpClient.make(peer.connect)
      assert.strictEqual((yield* client.initializeResult).protocolVersion, "2024-11-05")
    }))

  it.scoped("an unsupported protocol version is a ProtocolError, and the session is not kept", () =>
    Effect.gen(function*() {
      const peer = yield* makeScriptedPeer({ protocolVersion: "1999-01-01" })
      const error = yield* Effect.flip(McpClient.make(peer.connect))
      assert.instanceOf(error, McpError.ProtocolError)
      assert.strictEqual(error.reason, "VersionMismatch")
      assert.include(error.message, "1999-01-01")
      assert.include(error.message, "2025-11-25")
    }))

  it.scoped("a result of the wrong shape is a ProtocolError naming the method", () =>
    Effect.gen(function*() {
      const peer = yield* makeScriptedPeer({
        answer: (request) => (request.method === "tools/list" ? { tools: "not a list" } : undefined)
      })
      const client = yield* McpClient.make(peer.connect)
      const error = yield* Effect.flip(client.listTools)
      assert.instanceOf(error, McpError.ProtocolError)
      assert.strictEqual(error.reason, "InvalidResult")
      assert.include(error.message, "tools/list")
    }))

  it.scoped("a JSON-RPC error answer is an McpRpcError", () =>
    Effect.gen(function*() {
      const peer = yield* makeScriptedPeer()
      const client = yield* McpClient.make(peer.connect)
      const call = yield* Effect.fork(client.callTool("x"))
      const request = yield* peer.next("tools/call")
      yield* peer.send({ jsonrpc: "2.0", id: request.id!, error: { code: -32602, message: "bad params", data: 1 } })
      const error = yield* Effect.flip(call.await.pipe(Effect.flatten))
      assert.instanceOf(error, McpError.McpRpcError)
      assert.strictEqual(error.code, -32602)
      assert.strictEqual(error.data, 1)
      assert.include(error.message, "invalid params")
    }))

  it.scoped("answers the server's ping; an unknown server request gets -32601", () =>
    Effect.gen(function*() {
      const [clientSide, serverSide] = yield* Transport.makeInMemoryPair
      const answers: Array<any> = []
      yield* serverSide.incoming.pipe(
        Stream.runForEach((frame: any) => {
          if (frame.method === "initialize") {
            return serverSide.send({
              jsonrpc: "2.0",
              id: frame.id,
              result: { protocolVersion: "2025-11-25", capabilities: {}, serverInfo: { name: "s", version: "1" } }
            })
          }
          if (!("method" in frame)) answers.push(frame)
          return Effect.void
        }),
        Effect.forkScoped
      )
      yield* McpClient.make(Effect.succeed(clientSide))
      yield* serverSide.send({ jsonrpc: "2.0", id: "s-1", method: "ping" })
      yield* serverSide.send({ jsonrpc: "2.0", id: "s-2", method: "sampling/createMessage", params: {} })
      while (answers.length < 2) yield* Effect.yieldNow()
      assert.deepStrictEqual(answers.find((a) => a.id === "s-1"), { jsonrpc: "2.0", id: "s-1", result: {} })
      const unknown = answers.find((a) => a.id === "s-2")
      assert.strictEqual(unknown.error.code, -32601)
      assert.include(unknown.error.message, "sampling/createMessage")
    }))

  it.scoped("client notifications: roots changed, cancel, progress", () =>
    Effect.gen(function*() {
      const peer = yield* makeScriptedPeer()
      const client = yield* McpClient.make(peer.connect)
      yield* client.sendRootsListChanged
      yield* peer.next("notifications/roots/list_changed")
      yield* client.cancel(17, "user gave up")
      assert.deepStrictEqual((yield* peer.next("notifications/cancelled")).params, {
        requestId: 17,
        reason: "user gave up"
      })
      yield* client.sendProgress("tok", { progress: 2, total: 4, message: "half" })
      assert.deepStrictEqual((yield* peer.next("notifications/progress")).params, {
        progressToken: "tok",
        progress: 2,
        total: 4,
        message: "half"
      })
    }))

  it.scoped("closing the client fails pending requests with TransportError Closed", () =>
    Effect.gen(function*() {
      const peer = yield* makeScriptedPeer()
      const error = yield* Effect.scoped(Effect.gen(function*() {
        const client = yield* McpClient.make(peer.connect)
        const call = yield* Effect.forkDaemon(client.callTool("slow"))
        yield* peer.next("tools/call")
        return call
      })).pipe(Effect.flatMap((call) => Effect.flip(call.await.pipe(Effect.flatten))))
      assert.instanceOf(error, McpError.TransportError)
      assert.strictEqual(error.reason, "Closed")
    }))

  it.scoped("the request escape hatch sends any method", () =>
    Effect.gen(function*() {
      const peer = yield* makeScriptedPeer({
        answer: (request) => (request.method === "custom/echo" ? { echoed: request.params } : undefined)
      })
      const client = yield* McpClient.make(peer.connect)
      assert.deepStrictEqual(yield* client.request("custom/echo", { x: 1 }), { echoed: { x: 1 } })
    }))
})
