import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import { listenOnLoopback } from "../../client/test/utils/servers.js"
import { fixturesPath, runCli } from "./utils/cli.js"

const polish = ["--", process.execPath, Path.join(fixturesPath, "polish-server.mjs")]

const tempDir = Effect.acquireRelease(
  Effect.sync(() => Fs.realpathSync(Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-cli-")))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

// each run starts the CLI and a server: one at a time on two cores
describe("CLI output", { timeout: 60_000 }, () => {
  it.live("a result the server wrapped as { result } is shown once", () =>
    Effect.gen(function*() {
      const number = yield* runCli(["tools", "call", "wrapped", ...polish])
      assert.strictEqual(number.code, 0, number.stderr)
      assert.strictEqual(number.stdout, "5\n")
      const text = yield* runCli(["tools", "call", "wrapped-text", ...polish])
      assert.strictEqual(text.stdout, "hello\n")
    }))

  it.live("log data: the message first, then the fields that say something", () =>
    Effect.gen(function*() {
      const run = yield* runCli(["tools", "call", "chatty", ...polish])
      assert.strictEqual(run.code, 0, run.stderr)
      assert.include(run.stderr, `[server info] chatty info  user=ada tags=["a","b"]\n`)
      assert.notInclude(run.stderr, "extra")
    }))

  it.scopedLive("--root offers directories as roots; one that is not a directory is a usage error", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const run = yield* runCli(["tools", "call", "roots", "--root", dir, "--root", ".", ...polish])
      assert.strictEqual(run.code, 0, run.stderr)
      const roots = JSON.parse(run.stdout)
      assert.deepStrictEqual(roots[0], { uri: `file://${dir}`, name: Path.basename(dir) })
      assert.strictEqual(roots.length, 2)
      const wrong = yield* runCli(["tools", "call", "roots", "--root", Path.join(dir, "nothing"), ...polish])
      assert.strictEqual(wrong.code, 2)
      assert.include(wrong.stderr, "not a directory")
    }))

  it.scopedLive("resources read --out writes a blob's bytes and a text's UTF-8", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const blob = Path.join(dir, "blob.bin")
      const run = yield* runCli(["resources", "read", "bin://blob", "--out", blob, ...polish])
      assert.strictEqual(run.code, 0, run.stderr)
      assert.deepStrictEqual([...Fs.readFileSync(blob)], [0, 1, 2, 255])
      assert.include(run.stderr, `wrote 4 bytes of bin://blob (application/octet-stream) to ${blob}`)
      assert.strictEqual(run.stdout, "")
      const note = Path.join(dir, "note.txt")
      const json = yield* runCli(["resources", "read", "text://note", "-o", note, "--json", ...polish])
      assert.strictEqual(Fs.readFileSync(note, "utf8"), "a note ✓")
      assert.deepStrictEqual(JSON.parse(json.stdout), {
        uri: "text://note",
        mimeType: "text/plain",
        file: note,
        bytes: Buffer.byteLength("a note ✓")
      })
      const unwritable = yield* runCli([
        "resources",
        "read",
        "text://note",
        "-o",
        Path.join(dir, "no", "such"),
        ...polish
      ])
      assert.strictEqual(unwritable.code, 2)
      assert.include(unwritable.stderr, "cannot write")
    }))

  it.scopedLive("a 404 at a server's root hints at /mcp", () =>
    Effect.gen(function*() {
      const url = yield* listenOnLoopback(Http.createServer((_, res) => res.writeHead(404).end("Not Found")))
      const run = yield* runCli(["tools", "list", "-s", `${url}/`])
      assert.strictEqual(run.code, 3, run.stderr)
      assert.include(run.stderr, `try ${url}/mcp (Streamable HTTP) or ${url}/sse`)
    }))
})
