import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Path from "node:path"
import * as Help from "../src/Help.js"
import { cliEnv, fixturesPath, runCli } from "./utils/cli.js"

const polish = ["--", process.execPath, Path.join(fixturesPath, "polish-server.mjs")]
const escape = "\u001b"

describe("help and tables fitted to where they go", { timeout: 60_000 }, () => {
  it("fit: colour codes dropped, a subcommand's usage dropped, long lines wrapped under their indent", () => {
    const text = [
      "\u001b[0;1mCOMMANDS\u001b[0m",
      "",
      `  - call [(-s, --server text)] ${
        "[--flag value] ".repeat(20)
      }<tool>  Call a tool: effect-mcp tools call add a=1 b=2 -s <server>; with --config and no --server, by catalogue name`,
      "short line"
    ].join("\n")
    assert.strictEqual(
      Help.fit(text, { width: 80, colour: false }),
      [
        "COMMANDS",
        "",
        "  - call: Call a tool: effect-mcp tools call add a=1 b=2 -s <server>; with",
        "    --config and no --server, by catalogue name",
        "short line"
      ].join("\n")
    )
    // on a terminal, the colours of a line that fits stay
    assert.strictEqual(Help.fit("\u001b[1mUSAGE\u001b[0m", { width: 80, colour: true }), "\u001b[1mUSAGE\u001b[0m")
  })

  it("fit: a word longer than the width stays whole", () => {
    const url = `https://example.com/${"a".repeat(100)}`
    assert.strictEqual(Help.fit(`see ${url} now`, { width: 80, colour: false }), `see\n${url}\nnow`)
  })

  it.live("piped, --help is plain text of at most 80 columns, every subcommand listed", () =>
    Effect.gen(function*() {
      for (const args of [["--help"], ["tools", "--help"], ["resources", "--help"]]) {
        const run = yield* runCli(args)
        assert.strictEqual(run.code, 0, run.stderr)
        assert.notInclude(run.stdout, escape)
        for (const line of run.stdout.split("\n")) assert.isAtMost(line.length, 80, line)
      }
      const tools = yield* runCli(["tools", "--help"])
      assert.include(tools.stdout, "  - list: List the server's tools and their arguments;")
      assert.include(tools.stdout, "  - call: Call a tool: effect-mcp tools call add a=1 b=2 -s <server>;")
    }))

  it.live("piped, a table fits 80 columns, its flexible column clipped", () =>
    Effect.gen(function*() {
      const run = yield* runCli(["tools", "list", ...polish])
      assert.strictEqual(run.code, 0, run.stderr)
      assert.notInclude(run.stdout, escape)
      const lines = run.stdout.trimEnd().split("\n")
      const described = lines.find((line) => line.startsWith("described"))
      assert.isDefined(described)
      assert.isTrue(described!.endsWith("…"), described)
      for (const line of lines) assert.isAtMost(line.length, 80, line)
      // $COLUMNS widens it, for whoever pipes it somewhere wider
      const wide = yield* runCli(["tools", "list", ...polish], { env: cliEnv({ COLUMNS: "400" }) })
      assert.isTrue(wide.stdout.includes("to the end."), wide.stdout)
    }))
})
