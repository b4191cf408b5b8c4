import { McpClient, StdioTransport } from "@effect-mcp/client"
import { NodeMcpClient } from "@effect-mcp/client-node"
import { Command } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createRequire } from "node:module"

const everythingPath = createRequire(import.meta.url).resolve("@modelcontextprotocol/server-everything/dist/index.js")

describe("NodeMcpClient", () => {
  it.live("a stdio layer needs nothing else; accessors run against it", () =>
    Effect.gen(function*() {
      const tools = yield* McpClient.listTools
      assert.include(tools.map((tool) => tool.name), "echo")
      const result = yield* McpClient.callTool("echo", { message: "from a layer" })
      assert.deepStrictEqual(result.content, [{ type: "text", text: "Echo: from a layer" }])
    }).pipe(Effect.provide(NodeMcpClient.layer({ command: process.execPath, args: [everythingPath] }))))

  // the executor is loaded with its first command: it must then work as Node's own
  it.scopedLive(
    "layerNode's command executor runs commands and the platform's stdio transport",
    () =>
      Effect.gen(function*() {
        const [first, second] = yield* Effect.all([
          Command.string(Command.make(process.execPath, "-e", "process.stdout.write('one')")),
          Command.string(Command.make(process.execPath, "-e", "process.stdout.write('two')"))
        ], { concurrency: 2 })
        assert.deepStrictEqual([first, second], ["one", "two"])
        const missing = yield* Effect.flip(Command.string(Command.make("effect-mcp-no-such-command")))
        assert.strictEqual(missing._tag, "SystemError")
        const client = yield* McpClient.make(
          StdioTransport.makeCommand({ command: process.execPath, args: [everythingPath], stderr: "ignore" })
        )
        assert.include((yield* client.listTools).map((tool) => tool.name), "echo")
      }).pipe(Effect.provide(NodeMcpClient.layerNode)),
    { timeout: 60_000 }
  )
})
