import { McpClient, McpError } from "@effect-mcp/client"
import { assert, describe, it } from "@effect/vitest"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { Effect, Exit, Fiber, Schema, Stream, Tracer } from "effect"
import { z } from "zod"

const makeServer = () => {
  const server = new McpServer({ name: "in-process", version: "1.0.0" }, { capabilities: { logging: {} } })
  server.registerTool("add", {
    description: "Adds two numbers",
    inputSchema: { a: z.number(), b: z.number() },
    outputSchema: { sum: z.number() }
  }, ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }], structuredContent: { sum: a + b } }))
  server.registerTool("fail", { description: "Always fails" }, () => ({
    content: [{ type: "text", text: "it broke" }],
    isError: true
  }))
  server.registerResource("greeting", "memo://greeting", { mimeType: "text/plain" }, (uri) => ({
    contents: [{ uri: uri.href, text: "hello" }]
  }))
  server.registerPrompt("hi", { argsSchema: { who: z.string() } }, ({ who }) => ({
    messages: [{ role: "user", content: { type: "text", text: `Say hi to ${who}` } }]
  }))
  return server
}

describe("McpClient over an in-process SDK McpServer", () => {
  it.scoped("lists, calls, reads and gets", () =>
    Effect.gen(function*() {
      const client = yield* McpClient.make(makeServer())
      const init = yield* client.initializeResult
      assert.strictEqual(init.serverInfo.name, "in-process")
      const tools = yield* client.listTools
      assert.deepStrictEqual(tools.map((t) => t.name).sort(), ["add", "fail"])
      const result = yield* client.callTool("add", { a: 2, b: 3 })
      assert.deepStrictEqual(result.structuredContent, { sum: 5 })
      const typed = yield* client.callTool("add", { a: 2, b: 5 }, {
        outputSchema: Schema.Struct({ sum: Schema.Number })
      })
      assert.strictEqual(typed.sum, 7)
      const failure = yield* Effect.flip(client.callTool("fail"))
      assert.strictEqual(failure._tag, "ToolError")
      assert.include(failure.message, "it broke")
      const raw = yield* client.callToolRaw("fail")
      assert.strictEqual(raw.isError, true)
      const contents = yield* client.readResource("memo://greeting")
      assert.deepStrictEqual(contents.map((c) => ("text" in c ? c.text : "")), ["hello"])
      const prompt = yield* client.getPrompt("hi", { who: "Ada" })
      assert.deepStrictEqual(prompt.messages[0].content, { type: "text", text: "Say hi to Ada" })
      yield* client.ping
      yield* client.setLoggingLevel("debug")
    }))

  it.scoped("an operation the server did not advertise fails fast", () =>
    Effect.gen(function*() {
      const server = new McpServer({ name: "tools-only", version: "1.0.0" })
      server.registerTool("noop", {}, () => ({ content: [] }))
      const client = yield* McpClient.make(server)
      const error = yield* Effect.flip(client.listPrompts)
      assert.instanceOf(error, McpError.ProtocolError)
      assert.strictEqual(error.reason, "Unsupported")
      assert.include(error.message, "prompts")
    }))

  it.effect("notification streams end when the client closes", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.scoped(Effect.gen(function*() {
        const client = yield* McpClient.make(makeServer())
        const fiber = yield* Effect.fork(Stream.runDrain(client.notifications))
        yield* Effect.yieldNow()
        return fiber
      }))
      // ends (rather than hangs) once the client is gone
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isSuccess(exit) || Exit.isInterrupted(exit))
    }))

  it.effect("with spans on, each operation is a span named after its method and tool", () =>
    Effect.gen(function*() {
      const spans: Array<string> = []
      const native = yield* Effect.tracer
      const tracer = Tracer.make({
        span: (name, ...rest) => {
          spans.push(name)
          return native.span(name, ...rest)
        },
        context: native.context
      })
      yield* Effect.scoped(Effect.gen(function*() {
        const client = yield* McpClient.make(makeServer(), { spans: true })
        yield* client.callTool("add", { a: 1, b: 2 })
        yield* client.listTools
      })).pipe(Effect.withTracer(tracer))
      assert.includeMembers(spans, ["tools/call add", "tools/list"])
    }))

  it.effect("NotConnected once the client's scope has closed", () =>
    Effect.gen(function*() {
      const client = yield* Effect.scoped(McpClient.make(makeServer()))
      const exit = yield* Effect.exit(client.listTools)
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(client.listTools)
      assert.strictEqual(error._tag, "NotConnected")
      assert.include(error.message, "not connected")
    }))
})
