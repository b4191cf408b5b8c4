import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { everythingPath, everythingStdio, runCli, runJson, useHttpServer } from "./utils/cli.js"

// The built binary against @modelcontextprotocol/server-everything, over stdio, Streamable HTTP and SSE.
describe.concurrent("effect-mcp against server-everything over stdio", () => {
  it.live("inspect and a tool call", () =>
    Effect.gen(function*() {
      const inspect = yield* runJson(["inspect", ...everythingStdio])
      assert.strictEqual(inspect.code, 0)
      assert.strictEqual(inspect.json.serverInfo.name, "mcp-servers/everything")
      assert.isAbove(inspect.json.counts.tools, 10)
      assert.isAbove(inspect.json.counts.resourceTemplates, 0)
      assert.isAbove(inspect.json.counts.prompts, 2)

      const long = yield* runCli([
        "tools",
        "call",
        "trigger-long-running-operation",
        "duration=0.2",
        "steps=2",
        ...everythingStdio
      ])
      assert.strictEqual(long.code, 0, long.stderr)
      assert.include(long.stdout, "Long running operation completed")
    }))

  it.live("prompts and completion", () =>
    Effect.gen(function*() {
      const prompt = yield* runJson(["prompts", "get", "args-prompt", "city=Lisbon", ...everythingStdio])
      assert.strictEqual(prompt.code, 0)
      assert.include(JSON.stringify(prompt.json.messages), "Lisbon")

      const complete = yield* runJson([
        "complete",
        "--prompt",
        "completable-prompt",
        "department",
        "E",
        ...everythingStdio
      ])
      assert.include(complete.json.values, "Engineering")
    }))
})

describe.concurrent("effect-mcp against server-everything over Streamable HTTP", () => {
  const port = useHttpServer(everythingPath, ["streamableHttp"])
  const server = () => ["-s", `http://127.0.0.1:${port()}/mcp`]

  it.live("inspect", () =>
    Effect.gen(function*() {
      const inspect = yield* runJson(["inspect", ...server()])
      assert.strictEqual(inspect.code, 0)
      assert.strictEqual(inspect.json.serverInfo.name, "mcp-servers/everything")
      assert.include(inspect.json.transport, "Streamable HTTP")
    }))

  it.live("a tool call with structured output", () =>
    Effect.gen(function*() {
      const weather = yield* runJson(["tools", "call", "get-structured-content", "location=Chicago", ...server()])
      assert.strictEqual(weather.code, 0)
      assert.isNumber(weather.json.structuredContent.temperature)
      assert.isString(weather.json.structuredContent.conditions)
    }))

  it.live("templates, prompts and completion", () =>
    Effect.gen(function*() {
      const templates = yield* runCli(["resources", "templates", ...server()])
      assert.include(templates.stdout, "demo://resource/dynamic/text/{resourceId}")
      const prompts = yield* runCli(["prompts", "list", ...server()])
      assert.match(prompts.stdout, /args-prompt\s+city, state\?/)
      const ids = yield* runJson([
        "complete",
        "--resource",
        "demo://resource/dynamic/text/{resourceId}",
        "resourceId",
        "1",
        ...server()
      ])
      assert.isAbove(ids.json.values.length, 0)
    }))
})

describe.concurrent("effect-mcp against server-everything over legacy SSE", () => {
  const port = useHttpServer(everythingPath, ["sse"])
  const server = () => ["-s", `http://127.0.0.1:${port()}/sse`]

  it.live("inspect and a tool call", () =>
    Effect.gen(function*() {
      const inspect = yield* runJson(["inspect", ...server()])
      assert.strictEqual(inspect.code, 0)
      assert.include(inspect.json.transport, "legacy SSE")
      const echo = yield* runJson(["tools", "call", "echo", "message=over sse", ...server()])
      assert.strictEqual(echo.json.content[0].text, "Echo: over sse")
    }))
})
