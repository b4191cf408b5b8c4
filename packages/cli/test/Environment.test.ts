import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { cliEnv, everythingPath, everythingStdio, runJson } from "./utils/cli.js"

// server-everything's get-env tool answers with the environment it was given
const serverEnv = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.map(runJson(["tools", "call", "get-env", ...args], { env: cliEnv(env) }), (run) => {
    assert.strictEqual(run.code, 0, run.stderr)
    return JSON.stringify(run.json.content)
  })

describe("the environment of the servers the CLI starts", () => {
  it.live(
    "a command after -- gets the user's environment, without the CLI's credentials",
    () =>
      Effect.gen(function*() {
        const env = yield* serverEnv(everythingStdio, {
          EFFECT_MCP_USER_VARIABLE: "from-the-shell",
          MCP_BEARER_TOKEN: "a-token-for-http-only"
        })
        assert.include(env, "from-the-shell")
        assert.notInclude(env, "a-token-for-http-only")
      }),
    60_000
  )

  it.live(
    "a server from an mcp.json file gets the safe environment and the file's env only",
    () =>
      Effect.gen(function*() {
        const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-cli-"))
        const config = Path.join(dir, "mcp.json")
        Fs.writeFileSync(
          config,
          JSON.stringify({
            mcpServers: {
              everything: { command: process.execPath, args: [everythingPath], env: { FROM_THE_FILE: "file-value" } }
            }
          })
        )
        try {
          const env = yield* serverEnv(["--config", config], { EFFECT_MCP_USER_VARIABLE: "from-the-shell" })
          assert.include(env, "file-value")
          assert.include(env, "PATH")
          assert.notInclude(env, "from-the-shell")
        } finally {
          Fs.rmSync(dir, { recursive: true, force: true })
        }
      }),
    60_000
  )
})
