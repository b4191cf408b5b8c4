import { McpClient, McpError } from "@effect-mcp/client"
import { McpTestServer } from "@effect-mcp/testing"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Stream } from "effect"

const server = McpTestServer.make({
  serverInfo: { name: "scripted", version: "2.0.0" },
  instructions: "be kind",
  pageSize: 2,
  tools: [
    { name: "echo", handler: (args) => Effect.succeed(McpTestServer.text(String(args.message))) },
    {
      name: "work",
      handler: (_, context) =>
        Effect.gen(function*() {
          yield* context.progress(1, 2, "half")
          yield* context.log("info", "working")
          yield* context.progress(2, 2)
          return McpTestServer.text("done")
        })
    },
    {
      name: "ask",
      handler: (_, context) =>
        Effect.map(
          context.request("sampling/createMessage", { messages: [], maxTokens: 5 }),
          (answer) => McpTestServer.text(JSON.stringify(answer))
        )
    },
    {
      name: "broken",
      handler: () => Effect.fail(McpTestServer.rpcError("tools/call", -32000, "tool exploded"))
    }
  ],
  resources: [{ uri: "memo://a", name: "a", read: (uri) => Effect.succeed([{ uri, text: "A" }]) }],
  resourceTemplates: [{
    uriTemplate: "memo://items/{id}",
    name: "item",
    read: (uri) => Effect.succeed([{ uri, text: `item ${uri.split("/").pop()}` }])
  }],
  prompts: [{
    name: "greet",
    arguments: [{ name: "who", required: true }],
    get: (args) => Effect.succeed({ messages: [{ role: "user", content: { type: "text", text: `hi ${args.who}` } }] })
  }],
  complete: (_, argument) => Effect.succeed(["red", "green", "blue"].filter((c) => c.startsWith(argument.value)))
})

describe("McpTestServer", () => {
  it.scoped("serves tools, resources, templates, prompts and completions, and logs every call", () =>
    Effect.gen(function*() {
      const test = yield* server
      const client = yield* McpClient.make(test.connect)
      const init = yield* client.initializeResult
      assert.strictEqual(init.serverInfo.name, "scripted")
      assert.strictEqual(init.instructions, "be kind")
      // pageSize 2: four tools come in two pages, and the client walks both
      assert.deepStrictEqual((yield* client.listTools).map((t) => t.name), ["echo", "work", "ask", "broken"])
      assert.strictEqual((yield* test.received("tools/list")).length, 2)
      assert.deepStrictEqual((yield* client.callTool("echo", { message: "hey" })).content, [{
        type: "text",
        text: "hey"
      }])
      const broken = yield* Effect.flip(client.callTool("broken"))
      assert.instanceOf(broken, McpError.McpRpcError)
      assert.strictEqual(broken.code, -32000)
      assert.deepStrictEqual(yield* client.readResource("memo://items/7"), [{ uri: "memo://items/7", text: "item 7" }])
      assert.strictEqual((yield* client.listResourceTemplates).length, 1)
      assert.include(JSON.stringify(yield* client.getPrompt("greet", { who: "Ada" })), "hi Ada")
      assert.deepStrictEqual(
        (yield* client.complete({ type: "ref/prompt", name: "greet" }, { name: "c", value: "g" })).values,
        ["green"]
      )
      yield* client.setLoggingLevel("warning")
      assert.strictEqual(yield* test.loggingLevel, "warning")
      const calls = (yield* test.received("tools/call")).map((m) => (m.params as { name: string }).name)
      assert.deepStrictEqual(calls, ["echo", "broken"])
      // "auto": the probe (a handshake-era server refuses it), then the handshake
      assert.deepStrictEqual((yield* test.log).slice(0, 3).map((m) => m.method), [
        "server/discover",
        "initialize",
        "notifications/initialized"
      ])
    }))

  it.scoped("tool context: progress, logs and requests to the client", () =>
    Effect.gen(function*() {
      const test = yield* server
      const logs: Array<unknown> = []
      const client = yield* McpClient.make(test.connect, {
        onLog: (message) => Effect.sync(() => logs.push(message.data)),
        sampling: () => Effect.succeed({ role: "assistant", content: { type: "text", text: "sure" }, model: "m" })
      })
      const progress: Array<number> = []
      const done = yield* client.callTool("work", {}, {
        onProgress: (p) => Effect.sync(() => progress.push(p.progress))
      })
      assert.deepStrictEqual(done.content, [{ type: "text", text: "done" }])
      assert.deepStrictEqual(progress, [1, 2])
      const asked = yield* client.callTool("ask")
      assert.include(JSON.stringify(asked.content), "sure")
      yield* client.ping
      assert.deepStrictEqual(logs, ["working"])
    }))

  it.scoped("notify reaches the client's streams; request reads the client's answer", () =>
    Effect.gen(function*() {
      const test = yield* server
      const client = yield* McpClient.make(test.connect, { roots: [{ uri: "file:///w", name: "w" }] })
      const changed = yield* client.listChanged.pipe(Stream.take(1), Stream.runCollect, Effect.fork)
      yield* Effect.yieldNow()
      yield* test.notify("notifications/tools/list_changed")
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Fiber.join(changed)), ["tools"])
      assert.deepStrictEqual(yield* test.request("roots/list"), { roots: [{ uri: "file:///w", name: "w" }] })
      const refused = yield* Effect.flip(test.request("sampling/createMessage", { messages: [], maxTokens: 1 }))
      assert.strictEqual(refused.code, -32601)
    }))

  it.scoped("answers with the protocol version and capabilities it is told to", () =>
    Effect.gen(function*() {
      const old = yield* McpTestServer.make({ protocolVersion: "2025-03-26", capabilities: { tools: {} } })
      const client = yield* McpClient.make(old.connect)
      const init = yield* client.initializeResult
      assert.strictEqual(init.protocolVersion, "2025-03-26")
      assert.deepStrictEqual(init.capabilities, { tools: {} })
    }))

  it.scoped("the layer provides the server and a connected client", () =>
    Effect.gen(function*() {
      const result = yield* McpClient.callTool("echo", { message: "via layer" })
      assert.deepStrictEqual(result.content, [{ type: "text", text: "via layer" }])
      const test = yield* McpTestServer.McpTestServer
      assert.strictEqual(yield* test.openSessions, 1)
    }).pipe(
      Effect.provide(McpTestServer.layer({
        tools: [{ name: "echo", handler: (args) => Effect.succeed(McpTestServer.text(String(args.message))) }]
      }))
    ))
})
