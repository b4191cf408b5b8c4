import { assert, describe, it } from "@effect/vitest"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { cliEnv, packageRoot } from "./utils/cli.js"

const repositoryRoot = Path.resolve(packageRoot, "..", "..")

describe("the effect-mcp command npm links", () => {
  it("is linked at the repository's root by npm install, and runs the built CLI", () => {
    const linked = Path.join(repositoryRoot, "node_modules", ".bin", "effect-mcp")
    assert.isTrue(Fs.existsSync(linked), `${linked}: npm install links it (packages/cli's bin)`)
    const run = ChildProcess.spawnSync(linked, ["--version"], {
      cwd: repositoryRoot,
      env: cliEnv(),
      encoding: "utf8",
      timeout: 30_000
    })
    assert.strictEqual(run.status, 0, run.stderr)
    assert.match(run.stdout, /\d+\.\d+\.\d+/)
  }, 40_000)

  it("says how to build it when it is not built", () => {
    const copy = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-launcher-"))
    try {
      Fs.mkdirSync(Path.join(copy, "bin"))
      Fs.copyFileSync(Path.join(packageRoot, "bin", "effect-mcp.js"), Path.join(copy, "bin", "effect-mcp.js"))
      const run = ChildProcess.spawnSync(process.execPath, [Path.join(copy, "bin", "effect-mcp.js")], {
        encoding: "utf8",
        timeout: 30_000
      })
      assert.strictEqual(run.status, 70)
      assert.include(run.stderr, "npm run build")
    } finally {
      Fs.rmSync(copy, { recursive: true, force: true })
    }
  })
})
