import { McpClient } from "@effect-mcp/client"
import { NodeMcpClient } from "@effect-mcp/client-node"
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
})
