import { McpClient, McpError } from "@effect-mcp/client"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { everythingPath } from "./utils/servers.js"

const garbageServer = Path.join(Path.dirname(fileURLToPath(import.meta.url)), "fixtures", "garbage-server.mjs")

describe("connection sources", () => {
  it.scopedLive("a script path runs with the matching interpreter", () =>
    Effect.gen(function*() {
      const client = yield* McpClient.make(garbageServer)
      assert.strictEqual((yield* client.initializeResult).serverInfo.name, "garbage")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("an mcp.json config (mcpServers or servers) with one server uses it; with several, the named one", () =>
    Effect.gen(function*() {
      const single = yield* McpClient.make({
        mcpServers: { everything: { command: process.execPath, args: [everythingPath] } }
      })
      assert.strictEqual((yield* single.initializeResult).serverInfo.name, "mcp-servers/everything")
      const several = {
        mcpServers: {
          everything: { command: process.execPath, args: [everythingPath] },
          garbage: { command: process.execPath, args: [garbageServer] }
        }
      }
      const named = yield* McpClient.make({ ...several, server: "garbage" })
      assert.strictEqual((yield* named.initializeResult).serverInfo.name, "garbage")
      const ambiguous = yield* Effect.flip(McpClient.make(several))
      assert.instanceOf(ambiguous, McpError.TransportError)
      assert.include(ambiguous.message, "everything, garbage")
      const vscode = yield* McpClient.make({ servers: several.mcpServers, server: "garbage" })
      assert.strictEqual((yield* vscode.initializeResult).serverInfo.name, "garbage")
      const missing = yield* Effect.flip(McpClient.make({ ...several, server: "nope" }))
      assert.include(missing.message, "no server named \"nope\"")
    }).pipe(Effect.provide(NodeContext.layer)))
})
