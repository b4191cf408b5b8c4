import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, TestClock } from "effect"
import * as Http from "node:http"
import { listenOnLoopback } from "../../client/test/utils/servers.js"
import * as Trace from "../src/Trace.js"
import { demoServer, runCli, withOption } from "./utils/cli.js"

/** Runs `body` under a recording tracer; the spans' times come from the test clock. */
const recorded = <A, E>(body: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const recorder = Trace.recorder(yield* Effect.tracer)
    const exit = yield* Effect.exit(Effect.withTracer(body, recorder.tracer))
    return { exit, spans: recorder.spans }
  })

describe("Trace.render", () => {
  it.effect("a tree in start order, durations in a column, failures marked with error.type", () =>
    Effect.gen(function*() {
      const step = (name: string, millis: number) => Effect.withSpan(Effect.sleep(millis), name)
      const program = Effect.gen(function*() {
        yield* Effect.gen(function*() {
          yield* step("McpClient.spawn", 4)
          yield* step("initialize", 12)
        }).pipe(Effect.withSpan("McpClient.connect"))
        yield* Effect.sleep(1).pipe(
          Effect.zipRight(Effect.fail({ _tag: "ToolError" })),
          Effect.withSpan("tools/call broken", { attributes: { "error.type": "tool_error" } }),
          Effect.ignore
        )
        yield* Effect.sleep(2).pipe(
          Effect.zipRight(Effect.fail({ _tag: "TimeoutError" })),
          Effect.withSpan("ping"),
          Effect.ignore
        )
        // a handler's error answer: a JSON-RPC code and no tag
        yield* Effect.fail({ code: -32603, message: "declined" }).pipe(Effect.withSpan("sampling/createMessage"))
      })
      const fiber = yield* Effect.fork(recorded(program))
      yield* TestClock.adjust(1000)
      const { exit, spans } = yield* fiber.await.pipe(Effect.flatten)
      assert.isTrue(exit._tag === "Failure")
      const now = yield* Clock.currentTimeNanos
      assert.strictEqual(
        Trace.render(spans, { now, stream: { isTTY: false } }),
        [
          "McpClient.connect       16.0 ms",
          "├─ McpClient.spawn       4.0 ms",
          "└─ initialize           12.0 ms",
          "tools/call broken        1.0 ms  ✗ tool_error",
          "ping                     2.0 ms  ✗ TimeoutError",
          "sampling/createMessage   0.0 ms  ✗ -32603"
        ].join("\n")
      )
    }))

  it.effect("a span that has not ended is shown as running, for as long as it has run", () =>
    Effect.gen(function*() {
      const recorder = Trace.recorder(yield* Effect.tracer)
      yield* Effect.fork(Effect.withTracer(Effect.withSpan(Effect.never, "McpClient.reconnect"), recorder.tracer))
      yield* TestClock.adjust(2500)
      const now = yield* Clock.currentTimeNanos
      assert.strictEqual(
        Trace.render(recorder.spans, { now, stream: { isTTY: false } }),
        "McpClient.reconnect  2500.0 ms  … still running"
      )
    }))

  it("a long trace is cut at maxLines, with a count of the rest", () => {
    const spans = Effect.runSync(
      recorded(
        Effect.forEach(
          Array.from({ length: 5 }, (_, index) => index),
          (index) => Effect.withSpan(Effect.void, `tools/call t${index}`)
        )
      )
    ).spans
    const lines = Trace.render(spans, { now: 0n, maxLines: 3, stream: { isTTY: false } }).split("\n")
    assert.strictEqual(lines.length, 4)
    assert.match(lines[0]!, /^tools\/call t0\s+\d+\.\d ms$/)
    assert.strictEqual(lines[3], "… 2 more spans")
  })

  it("durations: ms with one decimal, seconds past 10 s, minutes past two", () => {
    assert.strictEqual(Trace.formatDuration(12_345_678n), "12.3 ms")
    assert.strictEqual(Trace.formatDuration(12_345_678_000n), "12.35 s")
    assert.strictEqual(Trace.formatDuration(125_000_000_000n), "2 m 5 s")
  })
})

/** A span's line in the tree: its name after the tree glyphs, then a duration. */
const spanLine = (name: string, mark = "") =>
  new RegExp(`^(?:[│├└─ ]*)${name.replace(/[/.]/g, "\\$&")}\\s+\\d+(?:\\.\\d+)? (?:ms|s)${mark}$`, "m")

// Each run starts the CLI and the demo server (about 1.5 s of CPU on two cores): one at a time.
describe("effect-mcp --trace", { timeout: 90_000 }, () => {
  it.live("tools call: the span tree on stderr (spawn, handshake, the call), stdout as without --trace", () =>
    Effect.gen(function*() {
      const args = ["tools", "call", "add", "a=2", "b=3", ...demoServer()]
      const plain = yield* runCli(args, { timeoutMillis: 30_000 })
      const traced = yield* runCli(withOption(args, "--trace"), { timeoutMillis: 30_000 })
      assert.strictEqual(traced.code, 0, traced.stderr)
      assert.strictEqual(traced.stdout, plain.stdout)
      assert.match(traced.stderr, /^trace: \d+ spans in \d+\.\d ms$/m)
      assert.match(traced.stderr, spanLine("McpClient.connect"))
      assert.match(traced.stderr, spanLine("├─ McpClient.spawn"))
      assert.match(traced.stderr, spanLine("└─ initialize"))
      assert.match(traced.stderr, spanLine("tools/call add"))
      // connecting comes before the call, and the spans under it are indented
      const lines = traced.stderr.split("\n")
      const connect = lines.findIndex((line) => line.startsWith("McpClient.connect"))
      assert.isAbove(lines.findIndex((line) => line.startsWith("tools/call add")), connect)
      assert.notInclude(traced.stderr, "\u001b[")
    }))

  it.live("--json --trace: stdout is the same JSON, the tree is on stderr", () =>
    Effect.gen(function*() {
      const run = yield* runCli(["tools", "call", "add", "a=2", "b=3", "--json", "--trace", ...demoServer()], {
        timeoutMillis: 30_000
      })
      assert.strictEqual(run.code, 0, run.stderr)
      assert.deepStrictEqual(JSON.parse(run.stdout).structuredContent, { sum: 5 })
      assert.match(run.stderr, spanLine("tools/call add"))
    }))

  it.live("a failed call is marked with its error type, after the error", () =>
    Effect.gen(function*() {
      const run = yield* runCli(["tools", "call", "fail", "--trace", ...demoServer()], { timeoutMillis: 30_000 })
      assert.strictEqual(run.code, 1)
      assert.match(run.stderr, spanLine("tools/call fail", "  ✗ tool_error"))
      assert.isBelow(run.stderr.indexOf("effect-mcp: tool error:"), run.stderr.indexOf("trace: "))
    }))

  it.live("a server that cannot be started: connect and spawn failed, with the transport's error", () =>
    Effect.gen(function*() {
      const run = yield* runCli(["tools", "list", "--trace", "--", "effect-mcp-no-such-command"])
      assert.strictEqual(run.code, 3)
      assert.strictEqual(run.stdout, "")
      assert.match(run.stderr, spanLine("McpClient.connect", "  ✗ TransportError"))
      assert.match(run.stderr, spanLine("└─ McpClient.spawn", "  ✗ TransportError"))
    }))
})

describe("effect-mcp with OTEL_EXPORTER_OTLP_ENDPOINT", { timeout: 90_000 }, () => {
  it.scopedLive("exports the command's spans to the collector, as effect-mcp-cli", () =>
    Effect.gen(function*() {
      const exports: Array<{ readonly path: string; readonly body: any }> = []
      const collector = Http.createServer((req, res) => {
        let body = ""
        req.setEncoding("utf8")
        req.on("data", (chunk) => (body += chunk))
        req.on("end", () => {
          exports.push({ path: req.url ?? "", body: JSON.parse(body) })
          res.writeHead(200, { "content-type": "application/json" })
          res.end("{}")
        })
      })
      const url = yield* listenOnLoopback(collector)
      const run = yield* runCli(["tools", "call", "add", "a=2", "b=3", ...demoServer()], {
        timeoutMillis: 30_000,
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: url }
      })
      assert.strictEqual(run.code, 0, run.stderr)
      const resourceSpans = exports.filter((e) => e.path === "/v1/traces").flatMap((e) => e.body.resourceSpans)
      const names = resourceSpans.flatMap((rs: any) =>
        rs.scopeSpans.flatMap((ss: any) => ss.spans.map((s: any) => s.name))
      )
      assert.includeMembers(names, ["McpClient.connect", "McpClient.spawn", "tools/call add"])
      const service = resourceSpans[0].resource.attributes.find((a: any) => a.key === "service.name")
      assert.deepStrictEqual(service.value, { stringValue: "effect-mcp-cli" })
    }))
})
