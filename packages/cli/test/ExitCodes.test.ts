import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import {
  cliEnv,
  demoServer,
  fixturesPath,
  freePort,
  gone,
  runCli,
  runJson,
  startCli,
  useHttpServer,
  waitUntil
} from "./utils/cli.js"

// 0 ok, 1 tool error, 2 usage, 3 connection, 4 server or protocol, 5 timeout
describe.concurrent("exit codes", () => {
  it.live("1: the tool reported an error", () =>
    Effect.gen(function*() {
      const run = yield* runJson(["tools", "call", "fail", "reason=on purpose", ...demoServer()])
      assert.strictEqual(run.code, 1)
      assert.strictEqual(run.json.error.type, "ToolError")
      assert.strictEqual(run.json.error.exitCode, 1)
      assert.deepStrictEqual(run.json.error.content, [{ type: "text", text: "The tool failed: on purpose" }])
      const text = yield* runCli(["tools", "call", "fail", ...demoServer()])
      assert.strictEqual(text.code, 1)
      assert.include(text.stderr, "effect-mcp: tool error: Tool \"fail\" reported an error: The tool failed")
    }))

  it.live("2: a broken mcp.json says what is wrong and where; hosts' own keys are ignored", () =>
    Effect.gen(function*() {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-config-"))
      const broken = Path.join(dir, "broken.json")
      Fs.writeFileSync(broken, JSON.stringify({ mcpServers: { files: { command: "npx", args: "-y server" } } }))
      const run = yield* runJson(["tools", "list", "--config", broken])
      assert.strictEqual(run.code, 2)
      assert.strictEqual(run.json.error.type, "UsageError")
      assert.include(run.json.error.message, "mcpServers.files: args: Expected ReadonlyArray<string>")
      const good = Path.join(dir, "mcp.json")
      const [command, ...args] = demoServer().slice(1)
      Fs.writeFileSync(good, JSON.stringify({ servers: { demo: { command, args, disabled: false, autoApprove: [] } } }))
      const listed = yield* runJson(["tools", "list", "--config", good])
      assert.strictEqual(listed.code, 0, JSON.stringify(listed.json))
      assert.include(listed.json.map((tool: { name: string }) => tool.name), "add")
      Fs.rmSync(dir, { recursive: true, force: true })
    }))

  it.live("2: bad tool arguments, with the schema in the message", () =>
    Effect.gen(function*() {
      const run = yield* runJson(["tools", "call", "add", "a=one", "c=3", ...demoServer()])
      assert.strictEqual(run.code, 2)
      assert.strictEqual(run.json.error.type, "UsageError")
      assert.deepStrictEqual(run.json.error.details.problems, [
        "\"a\": \"one\" is not of type number",
        "\"b\" is required"
      ])
      assert.deepStrictEqual(run.json.error.details.schema.required, ["a", "b"])
      const text = yield* runCli(["tools", "call", "add", "a=one", ...demoServer()])
      assert.strictEqual(text.code, 2)
      assert.include(text.stderr, "bad arguments for tool \"add\"")
      assert.match(text.stderr, /a\s+number\s+yes\s+the first addend/)
      assert.include(text.stderr, "Input schema: {")
    }))

  it.live("2: unknown tool, missing prompt argument", () =>
    Effect.gen(function*() {
      const tool = yield* runJson(["tools", "call", "nope", ...demoServer()])
      assert.strictEqual(tool.code, 2)
      assert.include(tool.json.error.message, "no tool named \"nope\"")
      const argument = yield* runCli(["prompts", "get", "explain", ...demoServer()])
      assert.strictEqual(argument.code, 2)
      assert.include(argument.stderr, "\"topic\" is required")
      assert.match(argument.stderr, /topic\s+yes\s+the topic/)
    }))

  it.live("2: usage errors found before connecting", () =>
    Effect.gen(function*() {
      const noServer = yield* runCli(["ping"])
      assert.strictEqual(noServer.code, 2)
      assert.include(noServer.stderr, "no server given")
      const unknownSubcommand = yield* runCli(["frobnicate"])
      assert.strictEqual(unknownSubcommand.code, 2)
      const unknownOption = yield* runCli(["ping", "--frobnicate", ...demoServer()])
      assert.strictEqual(unknownOption.code, 2)
      const both = yield* runCli(["ping", "-s", "http://127.0.0.1:9/mcp", ...demoServer()])
      assert.strictEqual(both.code, 2)
      const what = yield* runCli(["ping", "-s", "not-a-server"])
      assert.strictEqual(what.code, 2)
      assert.include(what.stderr, "cannot tell what server \"not-a-server\" is")
      const complete = yield* runCli(["complete", "topic", ...demoServer()])
      assert.strictEqual(complete.code, 2)
      assert.include(complete.stderr, "exactly one of --prompt <name> or --resource <uri template>")
      // six launches of the CLI: on two busy cores they take longer than the default limit
    }), 90_000)

  it.live("3: the server cannot be started, reached, or goes away", () =>
    Effect.gen(function*() {
      const missing = yield* runJson(["ping", "--", "no-such-mcp-server-command"])
      assert.strictEqual(missing.code, 3)
      assert.strictEqual(missing.json.error.type, "TransportError")
      assert.strictEqual(missing.json.error.reason, "Spawn")
      const port = yield* freePort
      const refused = yield* runJson(["ping", "-s", `http://127.0.0.1:${port}/mcp`])
      assert.strictEqual(refused.code, 3)
      const exits = yield* runCli(["ping", "--", process.execPath, "-e", "console.error('bye'); process.exit(7)"])
      assert.strictEqual(exits.code, 3)
      assert.include(exits.stderr, "exited with code 7")
      assert.include(exits.stderr, "bye")
    }))

  it.live("3: tail ends when its server goes away", () =>
    Effect.scoped(Effect.gen(function*() {
      const tail = yield* startCli(["tail", ...demoServer("--heartbeat", "100")])
      const pid = yield* waitUntil("a heartbeat", () => {
        const match = /heartbeat \d+ \(pid (\d+)\)/.exec(tail.output().stdout)
        return match === null ? undefined : Number(match[1])
      })
      process.kill(pid, "SIGKILL")
      const run = yield* tail.exit
      assert.strictEqual(run.code, 3)
      assert.include(run.stderr, "The connection to the MCP server closed")
      assert.isTrue(yield* gone(pid))
    })))

  it.live("4: the server answered with an error, or broke the protocol", () =>
    Effect.gen(function*() {
      const notFound = yield* runJson(["resources", "read", "demo://nothing-here", ...demoServer()])
      assert.strictEqual(notFound.code, 4)
      assert.strictEqual(notFound.json.error.type, "McpRpcError")
      assert.strictEqual(notFound.json.error.code, -32602)
      const old = yield* runJson(["ping", "--", process.execPath, Path.join(fixturesPath, "old-protocol-server.mjs")])
      assert.strictEqual(old.code, 4)
      assert.strictEqual(old.json.error.type, "ProtocolError")
      assert.strictEqual(old.json.error.reason, "VersionMismatch")
    }))

  it.live("5: the server did not answer in time", () =>
    Effect.gen(function*() {
      // --timeout bounds starting the server too: long enough for Node to start on a busy machine
      const run = yield* runJson(["tools", "call", "sleep", "ms=60000", "--timeout", "5", ...demoServer()])
      assert.strictEqual(run.code, 5)
      assert.strictEqual(run.json.error.type, "TimeoutError")
      assert.strictEqual(run.json.error.method, "tools/call")
    }))

  it.live("130: Ctrl-C in the middle of a call; the server is ended", () =>
    Effect.scoped(Effect.gen(function*() {
      const call = yield* startCli([
        "tools",
        "call",
        "long-task",
        "steps=100",
        "delayMs=100",
        ...demoServer("--heartbeat", "50")
      ])
      // the heartbeat's log line names the server's pid
      const pid = yield* waitUntil("a heartbeat", () => {
        const match = /heartbeat \d+ \(pid (\d+)\)/.exec(call.output().stderr)
        return match === null ? undefined : Number(match[1])
      })
      yield* call.signal("SIGINT")
      const run = yield* call.exit
      assert.strictEqual(run.code, 130)
      assert.isTrue(yield* gone(pid))
    })))

  it.live("elicitation and sampling are declined, with a message, when stdin is not a terminal", () =>
    Effect.gen(function*() {
      const elicit = yield* runCli(["tools", "call", "ask-name", ...demoServer()])
      assert.strictEqual(elicit.code, 0)
      assert.include(elicit.stdout, "No answer: the user chose to decline.")
      assert.include(
        elicit.stderr,
        "declined the server's elicitation request (\"Who are you?\"): stdin is not a terminal"
      )
      const sample = yield* runCli(["tools", "call", "summarize", ...demoServer()])
      assert.strictEqual(sample.code, 1)
      assert.include(sample.stderr, "declined the server's sampling request: stdin is not a terminal")
    }))
})

describe.concurrent("headers and bearer tokens", () => {
  const token = "s3cr3t-t0ken-value"
  const port = useHttpServer(Path.join(fixturesPath, "auth-server.mjs"), [], { TOKEN: token })
  const server = () => ["-s", `http://127.0.0.1:${port()}/mcp`]

  it.live("without the token the server refuses: a connection error", () =>
    Effect.gen(function*() {
      const run = yield* runJson(["ping", ...server()])
      assert.strictEqual(run.code, 3)
      assert.include(run.json.error.message, "unauthorized")
    }))

  it.live("the token from --bearer or MCP_BEARER_TOKEN, headers from -H or MCP_HEADERS; the token is never printed", () =>
    Effect.gen(function*() {
      const fromOption = yield* runJson([
        "tools",
        "call",
        "headers",
        "--bearer",
        token,
        "-H",
        "X-Tenant: blue",
        ...server()
      ])
      assert.strictEqual(fromOption.code, 0, fromOption.stderr)
      assert.deepStrictEqual(fromOption.json.structuredContent, { "x-tenant": "blue" })
      const env = cliEnv({ MCP_BEARER_TOKEN: token, MCP_HEADERS: "{\"X-Tenant\":\"green\",\"X-Other\":\"1\"}" })
      const fromEnv = yield* runJson(["tools", "call", "headers", "-H", "X-Other: 2", ...server()], { env })
      assert.deepStrictEqual(fromEnv.json.structuredContent, { "x-tenant": "green", "x-other": "2" })
      const inspect = yield* runCli(["inspect", ...server()], { env })
      assert.strictEqual(inspect.code, 0)
      assert.include(inspect.stdout, "headers: X-Tenant, X-Other, Authorization")
      for (const run of [fromOption, fromEnv, inspect]) {
        assert.notInclude(run.stdout + run.stderr, token)
      }
    }))
})
