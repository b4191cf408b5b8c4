// A short walk through the client against an in-process SDK server, using the built packages.
// `npm start` runs it until the effect-mcp CLI lands.
import { McpClient } from "@effect-mcp/client"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { Console, Effect } from "effect"
import { z } from "zod"

const server = new McpServer({ name: "demo", version: "1.0.0" })
server.registerTool("add", {
  description: "Adds two numbers",
  inputSchema: { a: z.number(), b: z.number() },
  outputSchema: { sum: z.number() }
}, ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }], structuredContent: { sum: a + b } }))

const program = Effect.gen(function*() {
  const init = yield* McpClient.initializeResult
  yield* Console.log(
    `connected to ${init.serverInfo.name} ${init.serverInfo.version} (protocol ${init.protocolVersion})`
  )
  const tools = yield* McpClient.listTools
  yield* Console.log(`tools: ${tools.map((tool) => tool.name).join(", ")}`)
  const result = yield* McpClient.callTool("add", { a: 2, b: 3 })
  yield* Console.log(`add(2, 3) = ${JSON.stringify(result.structuredContent)}`)
})

await Effect.runPromise(program.pipe(Effect.provide(McpClient.layer(server))))
