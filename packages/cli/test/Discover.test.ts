import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as DiscoverCommand from "../src/DiscoverCommand.js"
import { cliEnv, runCli, runJson } from "./utils/cli.js"

// values that must never reach the output
const secrets = ["sk-env-secret", "header-secret", "url-password", "query-secret", "arg-secret", "number-secret"]

const write = (file: string, text: string) => {
  Fs.mkdirSync(Path.dirname(file), { recursive: true })
  Fs.writeFileSync(file, text)
}

/** A temporary home and project directory, removed afterwards. */
const withPlaces = <A, E>(use: (home: string, cwd: string) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-discover-"))),
    (dir) => {
      const home = Path.join(dir, "home")
      const cwd = Path.join(dir, "project")
      Fs.mkdirSync(home)
      Fs.mkdirSync(cwd)
      return use(home, cwd)
    },
    (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
  )

// the CLI in that home and directory, whatever this machine's own settings are
const options = (home: string, cwd: string) => ({
  cwd,
  env: cliEnv({ HOME: home, USERPROFILE: home, XDG_CONFIG_HOME: "", APPDATA: "" })
})

const writeHosts = (home: string, cwd: string) => {
  write(
    Path.join(home, ".config", "Claude", "claude_desktop_config.json"),
    JSON.stringify({
      mcpServers: {
        files: {
          command: "npx",
          args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
          env: { API_KEY: "sk-env-secret" }
        },
        // a number where a string belongs: its value is not quoted in the problem either
        numbered: { command: "node", env: { PIN: 7777 } },
        nothing: { args: ["x"] }
      }
    })
  )
  write(
    Path.join(home, ".claude.json"),
    JSON.stringify({
      numStartups: 4,
      mcpServers: {
        remote: {
          type: "http",
          url: "https://user:url-password@mcp.example.com/mcp?api_key=query-secret",
          headers: { Authorization: "Bearer header-secret" }
        }
      },
      projects: {
        "/work/app": { mcpServers: { db: { command: "db-mcp", args: ["--token", "arg-secret"] } } },
        "/work/empty": { mcpServers: {} }
      }
    })
  )
  write(Path.join(home, ".cursor", "mcp.json"), "{ \"mcpServers\": { \"half\": ")
  write(
    Path.join(home, ".codeium", "windsurf", "mcp_config.json"),
    JSON.stringify({ mcpServers: { wind: { serverUrl: "https://wind.example.com/sse" } } })
  )
  // VS Code's file is JSON with comments
  write(
    Path.join(cwd, ".vscode", "mcp.json"),
    "{\n  // the project's servers\n  \"servers\": { \"code\": { \"type\": \"stdio\", \"command\": \"node\", " +
      "\"args\": [\"server.js\",], }, },\n  \"inputs\": []\n}\n"
  )
  write(Path.join(cwd, "mcp.json"), JSON.stringify({ other: true }))
}

describe("effect-mcp discover", () => {
  it.live("shows every host's file and server, never a secret", () =>
    withPlaces((home, cwd) =>
      Effect.gen(function*() {
        writeHosts(home, cwd)
        const run = yield* runCli(["discover"], options(home, cwd))
        assert.strictEqual(run.code, 0, run.stderr)
        const out = run.stdout
        for (const secret of [...secrets, "7777"]) assert.notInclude(out + run.stderr, secret)
        assert.include(
          out,
          `Claude Desktop (user)  ${Path.join(home, ".config", "Claude", "claude_desktop_config.json")}`
        )
        assert.match(out, /files\s+stdio: npx -y @modelcontextprotocol\/server-filesystem \/tmp {2}env: API_KEY=…/)
        assert.match(out, /numbered\s+node {2}env: PIN=… {2}problem: env\.PIN: Expected string\n/)
        assert.match(out, /nothing\s+problem: needs a "command" \(stdio\) or a "url" \(HTTP\)/)
        assert.match(
          out,
          /remote\s+Streamable HTTP: https:\/\/mcp\.example\.com\/mcp\?api_key=redacted {2}headers: Authorization=…/
        )
        assert.match(out, /project \/work\/app:\n\s+db\s+stdio: db-mcp --token …/)
        assert.notInclude(out, "/work/empty")
        assert.include(out, `Cursor (user)  ${Path.join(home, ".cursor", "mcp.json")}\n  problem: not JSON`)
        assert.match(out, /wind\s+legacy SSE: https:\/\/wind\.example\.com\/sse/)
        assert.match(out, /VS Code \(project\) .*\n\s+code\s+stdio: node server\.js/)
        assert.include(out, `mcp.json (project)  ${Path.join(cwd, "mcp.json")}\n  problem: no "mcpServers"`)
        assert.include(out, "6 files, 7 servers")
      })
    ))

  it.live("--json has the same, as data", () =>
    withPlaces((home, cwd) =>
      Effect.gen(function*() {
        writeHosts(home, cwd)
        const run = yield* runJson(["discover"], options(home, cwd))
        assert.strictEqual(run.code, 0, run.stderr)
        for (const secret of [...secrets, "7777"]) assert.notInclude(run.stdout, secret)
        const files = run.json.files as Array<any>
        assert.deepStrictEqual(files.map((file) => [file.host, file.scope]), [
          ["Claude Desktop", "user"],
          ["Claude Code", "user"],
          ["Cursor", "user"],
          ["Windsurf", "user"],
          ["VS Code", "project"],
          ["mcp.json", "project"]
        ])
        assert.deepStrictEqual(files[0].servers[0], {
          name: "files",
          transport: "stdio",
          command: "npx",
          args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
          env: ["API_KEY"],
          headers: []
        })
        assert.deepStrictEqual(files[1].servers.map((server: any) => [server.name, server.project ?? null]), [
          ["remote", null],
          ["db", "/work/app"]
        ])
        assert.deepStrictEqual(files[1].servers[0].headers, ["Authorization"])
        assert.match(files[2].problem, /^not JSON/)
        assert.strictEqual(run.json.searched.length, 9)
      })
    ))

  it.live("nothing found: says so, and where it looked, with exit code 0", () =>
    withPlaces((home, cwd) =>
      Effect.gen(function*() {
        const run = yield* runCli(["discover"], options(home, cwd))
        assert.strictEqual(run.code, 0, run.stderr)
        assert.include(run.stdout, "No MCP configuration found. Looked in:")
        assert.include(run.stdout, Path.join(home, ".claude.json"))
        assert.include(run.stdout, Path.join(cwd, ".mcp.json"))
        const json = yield* runJson(["discover"], options(home, cwd))
        assert.deepStrictEqual(json.json.files, [])
      })
    ))
})

describe("discover's places and parsing", () => {
  it("each platform's application folders", () => {
    const paths = (platform: NodeJS.Platform, home: string, cwd: string, appData?: string) =>
      DiscoverCommand.locations({ home, cwd, platform, appData }).map((location) => location.path)
    const mac = paths("darwin", "/Users/me", "/Users/me/app")
    assert.include(mac, "/Users/me/Library/Application Support/Claude/claude_desktop_config.json")
    assert.include(mac, "/Users/me/Library/Application Support/Code/User/mcp.json")
    const windows = paths("win32", "C:\\Users\\me", "C:\\app", "C:\\Users\\me\\AppData\\Roaming")
    assert.include(windows, "C:\\Users\\me\\AppData\\Roaming\\Claude\\claude_desktop_config.json")
    assert.include(windows, "C:\\Users\\me\\.cursor\\mcp.json")
    assert.include(windows, "C:\\app\\.vscode\\mcp.json")
    const linux = DiscoverCommand.locations({ home: "/home/me", cwd: "/p", platform: "linux", configHome: "/xdg" })
    assert.include(linux.map((location) => location.path), "/xdg/Code/User/mcp.json")
  })

  it("JSON with comments and trailing commas, strings left alone", () => {
    const text = "{ \"a\": \"// not a comment, \\\"quoted\\\" /* */\", /* gone */ \"b\": [1, 2,], // gone\n }"
    assert.deepStrictEqual(JSON.parse(DiscoverCommand.stripJsonComments(text)), {
      a: "// not a comment, \"quoted\" /* */",
      b: [1, 2]
    })
  })

  it("credential-like arguments are hidden", () => {
    assert.deepStrictEqual(
      DiscoverCommand.hideCredentialArgs(["--api-key", "k1", "--password=p1", "--port", "80", "-y", "pkg"]),
      ["--api-key", "…", "--password=…", "--port", "80", "-y", "pkg"]
    )
  })
})
