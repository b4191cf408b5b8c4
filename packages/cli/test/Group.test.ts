import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { cliEnv, everythingPath, filesystemPath, runCli, runJson } from "./utils/cli.js"

/**
 * A config of two real stdio servers, one whose command does not exist and
 * one entry that does not decode, in a temporary directory the filesystem
 * server serves. Every CLI run starts the servers and stops them when it ends.
 */
const withConfig = <A, E>(use: (config: string, dir: string) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const dir = Fs.realpathSync(Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-group-")))
      Fs.writeFileSync(Path.join(dir, "note.txt"), "a note from the group test\n")
      const config = Path.join(dir, "mcp.json")
      Fs.writeFileSync(
        config,
        JSON.stringify({
          mcpServers: {
            everything: { command: process.execPath, args: [everythingPath, "stdio"] },
            files: { command: process.execPath, args: [filesystemPath, dir] },
            ghost: { command: Path.join(dir, "no-such-mcp-server") },
            broken: { args: ["--no-command"] }
          }
        })
      )
      return { config, dir }
    }),
    ({ config, dir }) => use(config, dir),
    ({ dir }) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
  )

// one file at a time: each run starts two Node servers, and the machine has two cores
describe("effect-mcp across the servers of a config file", () => {
  it.live(
    "servers: each server's state, protocol and counts; the failed ones say why",
    () =>
      withConfig((config) =>
        Effect.gen(function*() {
          const run = yield* runJson(["servers", "--config", config], { timeoutMillis: 45_000 })
          assert.strictEqual(run.code, 0, run.stderr)
          const byName = Object.fromEntries(run.json.servers.map((server: any) => [server.name, server]))
          assert.deepStrictEqual(Object.keys(byName), ["everything", "files", "ghost", "broken"])
          assert.strictEqual(byName.everything.state, "ready")
          assert.strictEqual(byName.everything.serverInfo.name, "mcp-servers/everything")
          assert.isString(byName.everything.protocolVersion)
          assert.isAbove(byName.everything.counts.tools, 10)
          assert.isAbove(byName.everything.counts.prompts, 2)
          assert.strictEqual(byName.files.state, "ready")
          assert.isAbove(byName.files.counts.tools, 5)
          assert.strictEqual(byName.ghost.state, "failed")
          assert.strictEqual(byName.ghost.error.type, "TransportError")
          assert.include(byName.ghost.error.message, "no-such-mcp-server")
          assert.isNull(byName.ghost.counts)
          assert.strictEqual(byName.broken.state, "failed")
          assert.include(byName.broken.error.message, "misconfigured: needs a \"command\"")

          const text = yield* runCli(["servers", "--config", config], {
            timeoutMillis: 45_000,
            env: cliEnv({ COLUMNS: "200" })
          })
          assert.strictEqual(text.code, 0, text.stderr)
          assert.match(text.stdout, /^server\s+state\s+protocol\s+tools\s+resources\s+templates\s+prompts\s+details/)
          assert.match(text.stdout, /everything\s+ready\s+\S+\s+\d+\s+\d+\s+\d+\s+\d+\s+mcp-servers\/everything/)
          assert.match(text.stdout, /ghost\s+failed\s+Could not start the MCP server/)
        })
      ),
    90_000
  )

  it.live(
    "tools list: every server's tools under catalogue names, with the states",
    () =>
      withConfig((config) =>
        Effect.gen(function*() {
          const run = yield* runJson(["tools", "list", "--config", config], { timeoutMillis: 45_000 })
          assert.strictEqual(run.code, 0, run.stderr)
          const names = run.json.tools.map((tool: any) => tool.name)
          assert.include(names, "everything_echo")
          assert.include(names, "files_read_text_file")
          const echo = run.json.tools.find((tool: any) => tool.name === "everything_echo")
          assert.deepStrictEqual([echo.server, echo.original, echo.available], ["everything", "echo", true])
          assert.deepStrictEqual(
            run.json.servers.map((server: any) => [server.name, server.state]),
            [["everything", "ready"], ["files", "ready"], ["ghost", "failed"], ["broken", "failed"]]
          )

          const text = yield* runCli(["tools", "list", "--config", config], {
            timeoutMillis: 45_000,
            env: cliEnv({ COLUMNS: "200" })
          })
          assert.strictEqual(text.code, 0, text.stderr)
          assert.match(text.stdout, /files\s+ready\s+\S+\s+\d+\s+secure-filesystem-server/)
          assert.match(text.stdout, /ghost\s+failed/)
          assert.match(text.stdout, /everything_echo\s+everything\s+message: string/)
          assert.match(text.stdout, /files_read_text_file\s+files\s+path: string/)
        })
      ),
    90_000
  )

  it.live(
    "tools call: a catalogue name reaches its server; a bare name is refused with advice",
    () =>
      withConfig((config, dir) =>
        Effect.gen(function*() {
          const read = yield* runCli(
            ["tools", "call", "files_read_text_file", `path=${Path.join(dir, "note.txt")}`, "--config", config],
            { timeoutMillis: 45_000 }
          )
          assert.strictEqual(read.code, 0, read.stderr)
          assert.include(read.stdout, "a note from the group test")

          const echo = yield* runJson([
            "tools",
            "call",
            "everything_echo",
            "message=across servers",
            "--config",
            config
          ], {
            timeoutMillis: 45_000
          })
          assert.strictEqual(echo.code, 0, echo.stderr)
          assert.strictEqual(echo.json.content[0].text, "Echo: across servers")

          const bare = yield* runJson(["tools", "call", "echo", "message=x", "--config", config], {
            timeoutMillis: 45_000
          })
          assert.strictEqual(bare.code, 2)
          assert.include(bare.json.error.message, "did you mean everything_echo?")
        })
      ),
    90_000
  )

  it.live("no server that works: the states, and exit code 3; headers are for one server", () =>
    Effect.gen(function*() {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-group-"))
      const config = Path.join(dir, "mcp.json")
      Fs.writeFileSync(
        config,
        JSON.stringify({
          mcpServers: { ghost: { command: Path.join(dir, "no-such-mcp-server") }, broken: { url: "not a url" } }
        })
      )
      try {
        const run = yield* runJson(["servers", "--config", config])
        assert.strictEqual(run.code, 3)
        assert.deepStrictEqual(run.json.servers.map((server: any) => server.state), ["failed", "failed"])
        assert.include(run.stderr, "no server of")
        const headers = yield* runJson(["tools", "list", "--config", config, "-H", "X-Key: secret"])
        assert.strictEqual(headers.code, 2)
        assert.include(headers.json.error.message, "--header and --bearer are for one server")
        const notGroup = yield* runJson(["servers", "--", process.execPath, everythingPath])
        assert.strictEqual(notGroup.code, 2)
      } finally {
        Fs.rmSync(dir, { recursive: true, force: true })
      }
    }))
})
