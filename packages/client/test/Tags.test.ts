import { McpClient, McpError } from "@effect-mcp/client"
import { McpClientMock } from "@effect-mcp/testing"
import { assert, describe, it } from "@effect/vitest"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { Effect, Layer, Schema } from "effect"
import { z } from "zod"

// two servers of one program, each a client service of its own
class Calculator extends McpClient.Tag("test/Calculator")<Calculator>() {}
class Notes extends McpClient.Tag("test/Notes")<Notes>() {}

const calculatorServer = () => {
  const server = new McpServer({ name: "calculator", version: "1.0.0" })
  server.registerTool(
    "add",
    { inputSchema: { a: z.number(), b: z.number() }, outputSchema: { sum: z.number() } },
    ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }], structuredContent: { sum: a + b } })
  )
  return server
}

const NotesMock = McpClientMock.layer({
  listResources: Effect.succeed([{ uri: "notes://today", name: "today" }]),
  callTool: (name) =>
    Effect.succeed({ content: [{ type: "text", text: `note tool ${name}` }], isError: name === "broken" })
}, Notes)

describe("McpClient.Tag: several clients in one context", () => {
  it.scoped("one real, one mocked: each accessor reaches its own server", () =>
    Effect.gen(function*() {
      const sum = yield* Calculator.callTool("add", { a: 2, b: 3 })
      assert.deepStrictEqual(sum.structuredContent, { sum: 5 })
      const typed = yield* Calculator.use((client) =>
        client.callTool("add", { a: 1, b: 1 }, { outputSchema: Schema.Struct({ sum: Schema.Number }) })
      )
      assert.strictEqual(typed.sum, 2)
      assert.deepStrictEqual((yield* Calculator.listTools).map((tool) => tool.name), ["add"])
      assert.deepStrictEqual((yield* Notes.listResources).map((resource) => resource.uri), ["notes://today"])
      const note = yield* Notes.callTool("summarise")
      assert.deepStrictEqual(note.content, [{ type: "text", text: "note tool summarise" }])
      // the mock keeps the real client's rules: isError is a ToolError
      assert.instanceOf(yield* Effect.flip(Notes.callTool("broken")), McpError.ToolError)
      // and the default McpClient is neither of them
      const serverInfo = yield* Calculator.serverInfo
      assert.strictEqual(serverInfo._tag === "Some" && serverInfo.value.name, "calculator")
    }).pipe(Effect.provide(Layer.merge(Calculator.layer(calculatorServer()), NotesMock))))

  it.scoped("a tag's client has the client's errors, and closes with its layer", () =>
    Effect.gen(function*() {
      const server = calculatorServer()
      const [client, error] = yield* Effect.scoped(
        Effect.gen(function*() {
          const client = yield* Calculator
          const error = yield* Effect.flip(Calculator.callTool("missing"))
          return [client, error] as const
        }).pipe(Effect.provide(Calculator.layer(server)))
      )
      assert.instanceOf(error, McpError.ToolError)
      assert.isFalse(yield* client.isConnected)
      assert.instanceOf(yield* Effect.flip(client.listTools), McpError.NotConnected)
    }))
})
