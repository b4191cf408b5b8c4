import * as McpError from "@effect-mcp/client/McpError"
import { assert, describe, it } from "@effect/vitest"
import type { Scope } from "effect"
import { Duration, Effect } from "effect"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as ExitCode from "../src/ExitCode.js"
import { runCli, runJson } from "./utils/cli.js"

/**
 * An HTTP server that takes every request and never answers it; the port is
 * on loopback, and the server (with the requests it holds) goes with the scope.
 */
const silentServer: Effect.Effect<{ readonly port: number; readonly requests: () => number }, never, Scope.Scope> =
  Effect.acquireRelease(
    Effect.async<{ readonly server: Http.Server; readonly count: { value: number } }>((resume) => {
      const count = { value: 0 }
      const server = Http.createServer((request) => {
        count.value++
        request.resume()
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, count })))
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        server.closeAllConnections()
      })
  ).pipe(Effect.map(({ count, server }) => ({
    port: (server.address() as Net.AddressInfo).port,
    requests: () => count.value
  })))

const elapsed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.timed(effect), ([duration, value]) => ({ millis: Duration.toMillis(duration), value }))

// The default limit on connecting is 30 s: finishing well under it shows
// that --timeout applied. The slack covers starting Node on a busy machine.
const limitMillis = 10_000

describe.concurrent("--timeout covers connecting", () => {
  it.live(
    "an HTTP server that takes the initialize POST and never answers: exit 5, naming --timeout",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const server = yield* silentServer
        const url = `http://127.0.0.1:${server.port}/mcp`
        const { millis, value: run } = yield* elapsed(runCli(["ping", "--timeout", "2", "-s", url]))
        assert.strictEqual(run.code, 5, run.stderr)
        assert.isAtLeast(millis, 2000)
        assert.isBelow(millis, limitMillis)
        assert.isAtLeast(server.requests(), 1)
        assert.include(run.stderr, "--timeout")
        assert.include(run.stderr, "within 2s")
        assert.notMatch(run.stderr, /requestTimeout|initTimeout|option "timeout"/)
        const json = yield* runJson(["ping", "--timeout", "1", "-s", url])
        assert.strictEqual(json.code, 5)
        assert.strictEqual(json.json.error.type, "TimeoutError")
        assert.strictEqual(json.json.error.method, "initialize")
        assert.include(json.json.error.message, "--timeout")
      })),
    30_000
  )

  it.live("a stdio server that never answers initialize: exit 5", () =>
    Effect.gen(function*() {
      const silent = ["--", process.execPath, "-e", "process.stdin.resume()"]
      const { millis, value: run } = yield* elapsed(runCli(["ping", "--timeout", "1", ...silent]))
      assert.strictEqual(run.code, 5, run.stderr)
      assert.isBelow(millis, limitMillis)
      assert.include(run.stderr, "--timeout")
    }), 30_000)

  it("a request's timeout names --timeout too, not the library's option", () => {
    const message = ExitCode.messageOf(
      new McpError.TimeoutError({ method: "tools/call", timeout: Duration.millis(500), kind: "idle" })
    )
    assert.include(message, "\"tools/call\" got no response or progress within 500ms")
    assert.include(message, "--timeout")
    assert.notMatch(message, /requestTimeout|initTimeout|option "timeout"/)
  })
})
