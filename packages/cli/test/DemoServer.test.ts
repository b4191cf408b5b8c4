import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { binPath, cliEnv, demoServer, demoServerPath, gone, runCli, runJson, startCli, waitUntil } from "./utils/cli.js"

// Every subcommand of the built binary against the embedded demo server over stdio.
// Each test starts several CLI processes and demo servers (about 1.5 s of CPU each). Run five at once,
// beside the other test files, they starved each other on two cores (a `tail` waited 30 s for output it
// gets in 3 s alone): one at a time, with room to spare; these tests are about behaviour, not speed.
describe("effect-mcp against the demo server (stdio)", { timeout: 90_000 }, () => {
  it.live("inspect reports the server, protocol, capabilities and counts", () =>
    Effect.gen(function*() {
      const { code, json } = yield* runJson(["inspect", ...demoServer()])
      assert.strictEqual(code, 0)
      assert.strictEqual(json.serverInfo.name, "effect-mcp-demo")
      assert.strictEqual(json.protocolVersion, "2025-11-25")
      assert.isDefined(json.capabilities.tools)
      assert.isTrue(json.capabilities.resources.subscribe)
      assert.isDefined(json.capabilities.logging)
      assert.isDefined(json.capabilities.completions)
      assert.deepStrictEqual(json.counts, { tools: 7, resources: 3, resourceTemplates: 1, prompts: 2 })
      assert.include(json.transport, "stdio:")

      const text = yield* runCli(["inspect", ...demoServer()])
      assert.strictEqual(text.code, 0)
      assert.match(text.stdout, /server:\s+effect-mcp-demo 0\.1\.0/)
      assert.match(text.stdout, /tools:\s+7/)
    }))

  it.live("tools list: a table, and every tool with its schema in JSON", () =>
    Effect.gen(function*() {
      const { code, json } = yield* runJson(["tools", "list", ...demoServer()])
      assert.strictEqual(code, 0)
      assert.deepStrictEqual(json.map((tool: any) => tool.name), [
        "add",
        "long-task",
        "fail",
        "sleep",
        "ask-name",
        "summarize",
        "log"
      ])
      assert.deepStrictEqual(json[0].inputSchema.required, ["a", "b"])
      const text = yield* runCli(["tools", "list", ...demoServer()])
      assert.match(text.stdout, /^tool\s+arguments\s+description/)
      assert.match(text.stdout, /add\s+a: number, b: number\s+Adds a and b/)
    }))

  it.live("tools call: key=value pairs typed by the schema, --args, structured output", () =>
    Effect.gen(function*() {
      // pairs override --args entries; key:=<json> is a JSON value
      const { code, json } = yield* runJson([
        "tools",
        "call",
        "add",
        "--args",
        "{\"a\":2,\"b\":1}",
        "b:=3.5",
        ...demoServer()
      ])
      assert.strictEqual(code, 0)
      assert.deepStrictEqual(json.structuredContent, { sum: 5.5 })
      assert.strictEqual(json.content[0].text, "2 + 3.5 = 5.5")

      const text = yield* runCli(["tools", "call", "add", "a=2", "b=3", ...demoServer()])
      assert.strictEqual(text.code, 0)
      assert.include(text.stdout, "2 + 3 = 5")
      assert.include(text.stdout, "structured content:")

      // no progress bar off a terminal, and no progress token: the server sends no progress
      const long = yield* runCli(["tools", "call", "long-task", "steps=2", "delayMs=10", ...demoServer()])
      assert.strictEqual(long.code, 0)
      assert.include(long.stdout, "Done: 2 steps of 10 ms")
      assert.notInclude(long.stderr, "%")
    }))

  it.live("resources list, templates and read", () =>
    Effect.gen(function*() {
      const list = yield* runJson(["resources", "list", ...demoServer()])
      assert.strictEqual(list.code, 0)
      assert.deepStrictEqual(list.json.map((resource: any) => resource.uri), [
        "demo://readme",
        "demo://config.json",
        "demo://clock"
      ])
      const templates = yield* runJson(["resources", "templates", ...demoServer()])
      assert.deepStrictEqual(templates.json.map((template: any) => template.uriTemplate), ["demo://greeting/{name}"])
      const read = yield* runJson(["resources", "read", "demo://greeting/Grace", ...demoServer()])
      assert.strictEqual(read.code, 0)
      assert.deepStrictEqual(read.json.contents, [
        { uri: "demo://greeting/Grace", mimeType: "text/plain", text: "Hello, Grace!" }
      ])
      const text = yield* runCli(["resources", "read", "demo://readme", ...demoServer()])
      assert.match(text.stdout, /^# effect-mcp demo server/)
    }))

  it.live("prompts list and get", () =>
    Effect.gen(function*() {
      const list = yield* runJson(["prompts", "list", ...demoServer()])
      assert.deepStrictEqual(list.json.map((prompt: any) => prompt.name), ["review-code", "explain"])
      const get = yield* runJson(["prompts", "get", "review-code", "language=go", "code=x := 1", ...demoServer()])
      assert.strictEqual(get.code, 0)
      assert.strictEqual(get.json.messages[0].role, "user")
      assert.include(get.json.messages[0].content.text, "Please review this go code:\n\nx := 1")
      const text = yield* runCli(["prompts", "get", "explain", "--args", "{\"topic\":\"layers\"}", ...demoServer()])
      assert.include(text.stdout, "user: Explain layers in Effect, briefly.")
      assert.include(text.stdout, "assistant: Here is a short explanation of layers:")
    }))

  it.live("complete a prompt argument and a template variable", () =>
    Effect.gen(function*() {
      const prompt = yield* runJson(["complete", "--prompt", "review-code", "language", "s", ...demoServer()])
      assert.strictEqual(prompt.code, 0)
      assert.deepStrictEqual(prompt.json.values, ["scala"])
      const resource = yield* runCli(["complete", "--resource", "demo://greeting/{name}", "name", "K", ...demoServer()])
      assert.strictEqual(resource.stdout, "Katherine\nKen\n")
    }))

  it.live("ping", () =>
    Effect.gen(function*() {
      const { code, json } = yield* runJson(["ping", ...demoServer()])
      assert.strictEqual(code, 0)
      assert.isTrue(json.ok)
      assert.isNumber(json.milliseconds)
    }))

  it.live("server log messages at the chosen level, on stderr", () =>
    Effect.gen(function*() {
      const warning = yield* runCli(["tools", "call", "log", "message=hi", "--logs", "warning", ...demoServer()])
      assert.strictEqual(warning.code, 0)
      assert.include(warning.stderr, "[server warning] log-tool: hi")
      assert.include(warning.stderr, "[server error] log-tool: hi")
      assert.notInclude(warning.stderr, "[server info]")
      assert.notInclude(warning.stdout, "[server")
      const off = yield* runCli(["tools", "call", "log", "message=hi", "--logs", "off", ...demoServer()])
      assert.notInclude(off.stderr, "[server")
    }))

  it.live("tail prints notifications as they arrive; SIGINT exits 0 and ends the server", () =>
    Effect.scoped(Effect.gen(function*() {
      const tail = yield* startCli(["tail", "--subscribe", "demo://clock", ...demoServer("--heartbeat", "100")])
      const pid = yield* waitUntil("two heartbeats", () => {
        const match = /heartbeat 2 \(pid (\d+)\)/.exec(tail.output().stdout)
        return match === null ? undefined : Number(match[1])
      })
      // the subscription may be answered after the first heartbeats
      yield* waitUntil(
        "an update of demo://clock",
        () => tail.output().stdout.includes("notifications/resources/updated {\"uri\":\"demo://clock\"}")
      )
      assert.include(tail.output().stderr, "Ctrl-C stops")
      yield* tail.signal("SIGINT")
      const run = yield* tail.exit
      assert.strictEqual(run.code, 0)
      assert.isTrue(yield* gone(pid), `the demo server (pid ${pid}) is still running`)
    })))

  it.live("tail --json prints one JSON object per notification", () =>
    Effect.scoped(Effect.gen(function*() {
      const tail = yield* startCli(["tail", "--json", ...demoServer("--heartbeat", "100")])
      yield* waitUntil("two lines", () => tail.output().stdout.split("\n").length > 2 || undefined)
      yield* tail.signal("SIGINT")
      const run = yield* tail.exit
      assert.strictEqual(run.code, 0)
      const lines = run.stdout.trim().split("\n").map((line) => JSON.parse(line))
      assert.strictEqual(lines[0].method, "notifications/message")
      assert.strictEqual(lines[0].params.logger, "heartbeat")
      assert.isString(lines[0].time)
    })))

  it.live("demo-server serves the demo over stdio, as a command of its own", () =>
    Effect.gen(function*() {
      const { code, json } = yield* runJson(["ping", "--", process.execPath, binPath, "demo-server"])
      assert.strictEqual(code, 0)
      assert.isTrue(json.ok)
    }))

  it.live("a server from an mcp.json file, by name, with --config or MCP_CONFIG", () =>
    Effect.gen(function*() {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-cli-"))
      const config = Path.join(dir, "mcp.json")
      Fs.writeFileSync(
        config,
        JSON.stringify({
          mcpServers: {
            demo: { command: process.execPath, args: [demoServerPath] },
            other: { url: "http://127.0.0.1:9/mcp", type: "http" }
          }
        })
      )
      try {
        const named = yield* runJson(["ping", "--config", config, "-s", "demo"])
        assert.strictEqual(named.code, 0)
        const fromEnv = yield* runJson(["tools", "call", "add", "a=1", "b=2", "-s", "demo"], {
          env: cliEnv({ MCP_CONFIG: config })
        })
        assert.deepStrictEqual(fromEnv.json.structuredContent, { sum: 3 })
        const ambiguous = yield* runJson(["ping", "--config", config])
        assert.strictEqual(ambiguous.code, 2)
        assert.include(ambiguous.json.error.message, "pick one with --server (demo, other)")
        const unknown = yield* runJson(["ping", "--config", config, "-s", "nope"])
        assert.strictEqual(unknown.code, 2)
        assert.include(unknown.json.error.message, "no server named \"nope\"")
      } finally {
        Fs.rmSync(dir, { recursive: true, force: true })
      }
    }))

  it.live("effect-mcp demo walks through every operation and exits 0", () =>
    Effect.gen(function*() {
      const run = yield* runCli(["demo"])
      assert.strictEqual(run.code, 0, run.stderr)
      for (
        const expected of [
          "1. Connect over stdio",
          "server:       effect-mcp-demo 0.1.0",
          "client.listTools",
          "→ {\"sum\":5}",
          "progress 5/5 step 5 of 5",
          "→ ToolError: Tool \"fail\" reported an error: The tool failed: a demo failure",
          "→ {\"retries\":3,\"verbose\":false}",
          "→ Katherine, Ken",
          "→ Hello, Katherine!",
          "→ typescript",
          "[server warning] log-tool: hello",
          "→ Hello, Ada, who likes green!",
          "→ The client's model (demo-model) said:",
          "Done."
        ]
      ) assert.include(run.stdout, expected)
      assert.strictEqual(run.stderr, "")
    }))
})
