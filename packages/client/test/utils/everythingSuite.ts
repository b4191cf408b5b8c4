import { type HttpTransport, McpClient, McpError, type McpSchema, type StdioTransport } from "@effect-mcp/client"
import type { CommandExecutor } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import type { Layer, Scope } from "effect"

const Weather = Schema.Struct({ temperature: Schema.Number, conditions: Schema.String, humidity: Schema.Number })

const text = (content: ReadonlyArray<McpSchema.ContentBlock>) =>
  content.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("\n")

/**
 * Every operation against @modelcontextprotocol/server-everything, over
 * whatever transport `source` names.
 */
export const everythingSuite = (
  source: () => McpClient.ConnectionSource,
  layer:
    | Layer.Layer<CommandExecutor.CommandExecutor | StdioTransport.Launcher | HttpTransport.Connector>
    | Layer.Layer<
      CommandExecutor.CommandExecutor
    > = NodeContext.layer
) => {
  const withClient = <A, E>(
    f: (client: McpClient.Service) => Effect.Effect<A, E, Scope.Scope>
  ) =>
    Effect.gen(function*() {
      const client = yield* McpClient.make(source())
      return yield* f(client)
    }).pipe(Effect.provide(layer))

  it.scopedLive("initializes and reports the server's facts", () =>
    withClient((client) =>
      Effect.gen(function*() {
        const init = yield* client.initializeResult
        assert.strictEqual(init.serverInfo.name, "mcp-servers/everything")
        assert.strictEqual(init.protocolVersion, "2025-11-25")
        assert.isString(init.instructions)
        const caps = yield* client.serverCapabilities
        assert.isDefined(caps.tools)
        assert.isTrue(caps.resources?.subscribe)
        assert.isDefined(caps.completions)
        assert.isTrue(yield* client.isConnected)
        yield* client.ping
      })
    ))

  it.scopedLive("tools: list (every page), call, structured output, failures", () =>
    withClient((client) =>
      Effect.gen(function*() {
        const tools = yield* client.listTools
        const names = tools.map((tool) => tool.name)
        for (const name of ["echo", "get-sum", "get-structured-content", "trigger-long-running-operation"]) {
          assert.include(names, name)
        }
        const firstPage = yield* client.listToolsRaw()
        assert.isUndefined(firstPage.nextCursor)
        assert.strictEqual(firstPage.tools.length, tools.length)

        const echo = yield* client.callTool("echo", { message: "hello there" })
        assert.strictEqual(text(echo.content), "Echo: hello there")

        const weather = yield* client.callTool("get-structured-content", { location: "Chicago" }, {
          outputSchema: Weather
        })
        assert.isNumber(weather.temperature)
        assert.isString(weather.conditions)

        const wrongShape = yield* Effect.flip(
          client.callTool("get-structured-content", { location: "Chicago" }, {
            outputSchema: Schema.Struct({ celsius: Schema.Number })
          })
        )
        assert.instanceOf(wrongShape, McpError.ProtocolError)
        assert.strictEqual(wrongShape.reason, "InvalidResult")

        const unknown = yield* Effect.flip(client.callTool("no-such-tool", {}))
        assert.instanceOf(unknown, McpError.ToolError)
        assert.include(unknown.message, "no-such-tool")
        assert.include(unknown.message, "not found")

        const invalid = yield* Effect.flip(client.callTool("get-sum", { a: "one" }))
        assert.instanceOf(invalid, McpError.ToolError)
        assert.include(invalid.text, "Invalid arguments")

        const raw = yield* client.callToolRaw("get-sum", { a: "one" })
        assert.isTrue(raw.isError)
      })
    ))

  it.scopedLive("resources: list, templates, read text and blob, subscribe", () =>
    withClient((client) =>
      Effect.gen(function*() {
        const resources = yield* client.listResources
        assert.isAtLeast(resources.length, 7)
        assert.include(resources.map((r) => r.uri), "demo://resource/static/document/features.md")
        const templates = yield* client.listResourceTemplates
        assert.includeMembers(templates.map((t) => t.uriTemplate), [
          "demo://resource/dynamic/text/{resourceId}",
          "demo://resource/dynamic/blob/{resourceId}"
        ])
        const [doc] = yield* client.readResource("demo://resource/static/document/features.md")
        assert.isTrue(doc !== undefined && "text" in doc && doc.text.length > 0)
        const [textual] = yield* client.readResource("demo://resource/dynamic/text/7")
        assert.isTrue(textual !== undefined && "text" in textual && textual.text.includes("Resource 7"))
        const [blob] = yield* client.readResource("demo://resource/dynamic/blob/7")
        assert.isTrue(blob !== undefined && "blob" in blob && blob.blob.length > 0)
        yield* client.subscribe("demo://resource/static/document/features.md")
        yield* client.unsubscribe("demo://resource/static/document/features.md")
      })
    ))

  it.scopedLive("prompts and completion", () =>
    withClient((client) =>
      Effect.gen(function*() {
        const prompts = yield* client.listPrompts
        assert.includeMembers(prompts.map((p) => p.name), ["simple-prompt", "args-prompt", "completable-prompt"])
        const prompt = yield* client.getPrompt("args-prompt", { city: "Lisbon" })
        assert.include(JSON.stringify(prompt.messages), "Lisbon")
        const missing = yield* Effect.flip(client.getPrompt("args-prompt"))
        assert.instanceOf(missing, McpError.McpRpcError)

        const departments = yield* client.complete(
          { type: "ref/prompt", name: "completable-prompt" },
          { name: "department", value: "E" }
        )
        assert.include(departments.values, "Engineering")
        const ids = yield* client.complete(
          { type: "ref/resource", uri: "demo://resource/dynamic/text/{resourceId}" },
          { name: "resourceId", value: "1" }
        )
        assert.isAbove(ids.values.length, 0)
        yield* client.setLoggingLevel("debug")
      })
    ))

  it.scopedLive("progress of a long-running tool reaches the per-call handler in order, the last one included", () =>
    withClient((client) =>
      Effect.gen(function*() {
        const seen: Array<McpSchema.Progress> = []
        const result = yield* client.callTool("trigger-long-running-operation", { duration: 1, steps: 4 }, {
          onProgress: (progress) => Effect.sync(() => seen.push(progress))
        })
        assert.include(text(result.content), "completed")
        assert.deepStrictEqual(seen.map((p) => [p.progress, p.total]), [[1, 4], [2, 4], [3, 4], [4, 4]])
      })
    ))
}
