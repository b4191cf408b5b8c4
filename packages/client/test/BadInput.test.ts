import { McpClient, McpError } from "@effect-mcp/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { launchers } from "./utils/launchers.js"

const fixture = (name: string) => Path.join(Path.dirname(fileURLToPath(import.meta.url)), "fixtures", name)

const captureWarnings = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ message }) => {
    lines.push(Array.isArray(message) ? message.join(" ") : String(message))
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

for (const launcher of launchers) {
  describe(`bad input from a server (${launcher.name})`, () => {
    it.scopedLive("garbage lines are skipped and reported; the session lives", () => {
      const warnings = captureWarnings()
      return Effect.gen(function*() {
        const client = yield* McpClient.make(fixture("garbage-server.mjs"))
        const result = yield* client.callTool("noisy")
        assert.deepStrictEqual(result.content, [{ type: "text", text: "still here" }])
        yield* client.ping
        assert.isTrue(warnings.lines.some((line) => line.includes("this line is not json")), warnings.lines.join("\n"))
        assert.isTrue(warnings.lines.some((line) => line.includes("garbage between answers")))
        assert.isTrue(warnings.lines.some((line) => line.includes("not a JSON-RPC 2.0 message")))
      }).pipe(Effect.provide(launcher.layer), Effect.provide(warnings.layer))
    })

    it.scopedLive("a server that exits at start fails with a TransportError carrying its stderr", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(McpClient.make(fixture("exit-at-start.mjs")))
        assert.instanceOf(error, McpError.TransportError)
        assert.strictEqual(error.reason, "Closed")
        assert.include(error.description, "exited with code 3")
        assert.deepStrictEqual(error.stderr, ["starting up", "fatal: EVERYTHING_API_KEY is not set"])
        assert.include(error.message, "fatal: EVERYTHING_API_KEY is not set")
      }).pipe(Effect.provide(launcher.layer)))

    it.scopedLive("a command that does not exist fails with a Spawn error that names it", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(McpClient.make({ command: "no-such-mcp-server-here", args: ["--stdio"] }))
        assert.instanceOf(error, McpError.TransportError)
        assert.strictEqual(error.reason, "Spawn")
        assert.include(error.message, "no-such-mcp-server-here")
        assert.include(error.message, "not found")
      }).pipe(Effect.provide(launcher.layer)))

    it.scopedLive("a script of unknown kind is a typed error, not a crash", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(McpClient.make("server.rb"))
        assert.instanceOf(error, McpError.TransportError)
        assert.include(error.message, "server.rb")
      }).pipe(Effect.provide(launcher.layer)))
  })
}
