import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createRequire } from "node:module"
import * as Path from "node:path"
import { cliEnv, runCli, runJson } from "./utils/cli.js"

// the SDK v2 server the client's tests use: MODE=modern speaks only 2026-07-28, MODE=legacy only the handshake
const require = createRequire(import.meta.url)
const v2Server = Path.join(
  Path.dirname(require.resolve("@effect-mcp/client/package.json")),
  "test",
  "fixtures",
  "v2-server.mjs"
)
const server = (mode: string, ...extra: Array<string>) => ({
  args: ["--", process.execPath, v2Server, ...extra],
  env: cliEnv({ MODE: mode })
})

describe("effect-mcp --protocol", { timeout: 90_000 }, () => {
  it.live("inspect shows the revision and how it was chosen: auto finds 2026-07-28 on a modern server", () =>
    Effect.gen(function*() {
      const modern = server("modern")
      const { code, json } = yield* runJson(["inspect", ...modern.args], { env: modern.env })
      assert.strictEqual(code, 0, JSON.stringify(json))
      assert.strictEqual(json.protocolVersion, "2026-07-28")
      assert.isTrue(json.era.stateless)
      assert.include(json.era.chosenBy, "auto")
      assert.strictEqual(json.serverInfo.name, "effect-mcp-v2-fixture")

      const text = yield* runCli(["inspect", ...modern.args], { env: modern.env })
      assert.strictEqual(text.code, 0, text.stderr)
      assert.match(text.stdout, /protocol:\s+2026-07-28 \(auto: the server answered server\/discover\)/)
    }))

  it.live("auto falls back to the handshake on a legacy server; --protocol legacy goes straight to it", () =>
    Effect.gen(function*() {
      const legacy = server("legacy")
      const auto = yield* runJson(["inspect", ...legacy.args], { env: legacy.env })
      assert.strictEqual(auto.code, 0)
      assert.strictEqual(auto.json.protocolVersion, "2025-11-25")
      assert.include(auto.json.era.chosenBy, "server/discover failed")
      const pinned = yield* runJson(["inspect", "--protocol", "legacy", ...legacy.args], { env: legacy.env })
      assert.strictEqual(pinned.code, 0)
      assert.include(pinned.json.era.chosenBy, "legacy")
    }))

  it.live("--protocol 2026-07-28 against a legacy server fails with advice; a revision it does not know is refused", () =>
    Effect.gen(function*() {
      const legacy = server("legacy")
      const run = yield* runCli(["ping", "--protocol", "2026-07-28", ...legacy.args], { env: legacy.env })
      assert.notStrictEqual(run.code, 0)
      assert.include(run.stderr, `use protocol "auto" or "legacy"`)
      const wrong = yield* runCli(["ping", "--protocol", "2099-01-01", ...legacy.args], { env: legacy.env })
      assert.notStrictEqual(wrong.code, 0)
      assert.include(wrong.stderr, "2026-07-28")
    }))
})
