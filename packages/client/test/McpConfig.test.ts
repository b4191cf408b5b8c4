import { McpClient, McpConfig, McpError } from "@effect-mcp/client"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"

describe("McpConfig", () => {
  it("reads both shapes, with the keys hosts add of their own ignored", () => {
    const claude = McpConfig.parse(JSON.stringify({
      mcpServers: {
        files: { command: "npx", args: ["-y", "server-filesystem", "."], env: { A: "1" }, disabled: false },
        remote: { url: "https://example.com/mcp", headers: { "X-Tenant": "blue" }, autoApprove: [] }
      },
      globalShortcut: "Ctrl+Space"
    }))
    assert.isTrue(Either.isRight(claude))
    const servers = McpConfig.servers(Either.getOrThrow(claude))
    assert.deepStrictEqual(Object.keys(servers), ["files", "remote"])
    assert.isTrue(McpConfig.isStdio(servers.files!))
    assert.deepStrictEqual(McpConfig.stdioOptions(servers.files as McpConfig.StdioServer), {
      command: "npx",
      args: ["-y", "server-filesystem", "."],
      env: { A: "1" }
    })
    const vscode = McpConfig.parse(
      JSON.stringify({ servers: { old: { type: "sse", url: "http://127.0.0.1:1/events" } } })
    )
    assert.deepStrictEqual(Object.keys(McpConfig.servers(Either.getOrThrow(vscode))), ["old"])
  })

  it("the HTTP transport: as declared, else /sse means SSE, else Streamable HTTP", () => {
    const http = (server: Partial<McpConfig.HttpServer>) =>
      McpConfig.httpTransport({ url: "https://example.com/mcp", ...server })
    assert.strictEqual(http({}), "streamable-http")
    assert.strictEqual(http({ url: "https://example.com/sse/" }), "sse")
    assert.strictEqual(http({ type: "sse" }), "sse")
    assert.strictEqual(http({ type: "http", url: "https://example.com/sse" }), "streamable-http")
    assert.strictEqual(http({ transport: "sse" }), "sse")
  })

  it("a broken file says what is wrong and where", () => {
    const problem = (text: string) =>
      Either.getLeft(McpConfig.parse(text)).pipe((o) => o._tag === "Some" ? o.value : "")
    assert.include(problem("{ not json"), "not JSON")
    assert.include(problem(JSON.stringify({ servers: 3 })), "servers")
    assert.include(problem(JSON.stringify({ tools: {} })), `no "mcpServers" (or "servers") object`)
    assert.include(problem(JSON.stringify({ mcpServers: { a: { command: "" } } })), "mcpServers.a")
    assert.include(problem(JSON.stringify({ mcpServers: { a: { url: "ftp://x" } } })), "an http(s) URL")
    assert.include(problem(JSON.stringify({ mcpServers: { a: { command: "x", args: "not a list" } } })), "args")
  })

  it.effect("a config given to the client with a broken entry fails to connect with a message that names it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.scoped(McpClient.make({ mcpServers: { broken: { command: "" } } })).pipe(
          Effect.provide(NodeContext.layer)
        )
      )
      assert.instanceOf(error, McpError.TransportError)
      assert.include(error.message, `the config entry "broken" is not a server`)
    }))
})
