import { McpClient, McpError } from "@effect-mcp/client"
import { McpTestServer } from "@effect-mcp/testing"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { CreateMessageResultSchema } from "@modelcontextprotocol/sdk/types.js"
import type { MetricState } from "effect"
import { Effect, Fiber, Layer, Metric, Option, Stream, Tracer } from "effect"
import * as Path from "node:path"
import { z } from "zod"
import { everythingPath } from "./utils/servers.js"

/** Every span the program starts, kept (Effect's own spans, recorded). */
const recordingTracer = () => {
  const spans: Array<Tracer.Span> = []
  const native = Effect.runSync(Effect.tracer)
  const tracer = Tracer.make({
    span: (...args) => {
      const span = native.span(...args)
      spans.push(span)
      return span
    },
    context: native.context
  })
  return { spans, layer: Layer.setTracer(tracer) }
}

const foreignParent = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" }

/** A server whose `ask` tool asks the client for a sampling, and which keeps the `_meta` of every call. */
const tracedServer = () => {
  const metas: Array<Record<string, unknown> | undefined> = []
  const server = new McpServer({ name: "traced", version: "1.0.0" })
  server.registerTool("ask", { inputSchema: { question: z.string() } }, async ({ question }, extra) => {
    metas.push(extra._meta as Record<string, unknown> | undefined)
    const sampled = await extra.sendRequest({
      method: "sampling/createMessage",
      params: { messages: [{ role: "user", content: { type: "text", text: question } }], maxTokens: 10 }
    }, CreateMessageResultSchema)
    return { content: [{ type: "text", text: (sampled.content as { text: string }).text }] }
  })
  server.registerTool("ask-foreign", {}, async (extra) => {
    const sampled = await extra.sendRequest({
      method: "sampling/createMessage",
      params: {
        messages: [{ role: "user", content: { type: "text", text: "from elsewhere" } }],
        maxTokens: 10,
        _meta: { traceparent: `00-${foreignParent.traceId}-${foreignParent.spanId}-01` }
      }
    }, CreateMessageResultSchema)
    return { content: [{ type: "text", text: (sampled.content as { text: string }).text }] }
  })
  server.registerTool("plain", {}, (extra) => {
    metas.push(extra._meta as Record<string, unknown> | undefined)
    return { content: [{ type: "text", text: "plain" }] }
  })
  server.registerTool("broken", {}, () => ({ content: [{ type: "text", text: "it broke" }], isError: true }))
  server.registerTool("slow", {}, () => new Promise((resolve) => setTimeout(() => resolve({ content: [] }), 5_000)))
  server.registerPrompt("hello", {}, () => ({ messages: [{ role: "user", content: { type: "text", text: "hi" } }] }))
  return { server, metas }
}

const sampling = (): McpClient.SamplingHandler => (request) =>
  Effect.succeed({
    role: "assistant",
    model: "test",
    content: { type: "text", text: `sampled: ${JSON.stringify(request.messages[0]?.content)}` }
  })

const named = (spans: ReadonlyArray<Tracer.Span>, name: string) => spans.filter((span) => span.name === name)
const one = (spans: ReadonlyArray<Tracer.Span>, name: string) => {
  const found = named(spans, name)
  assert.strictEqual(found.length, 1, `one span named ${name}; spans: ${spans.map((span) => span.name).join(", ")}`)
  return found[0]
}
const parentOf = (span: Tracer.Span) => Option.getOrUndefined(span.parent)
const failed = (span: Tracer.Span) => span.status._tag === "Ended" && span.status.exit._tag === "Failure"

describe("tracing", () => {
  it.scoped("one callTool: a client span with the semantic conventions, its trace context at the server, the sampling it caused as its child", () => {
    const recorder = recordingTracer()
    return Effect.gen(function*() {
      const { metas, server } = tracedServer()
      const client = yield* McpClient.make(server, { sampling: sampling() })
      const connect = one(recorder.spans, "McpClient.connect")
      const open = one(recorder.spans, "McpClient.openTransport")
      assert.strictEqual(parentOf(open), connect)
      // the era probe and the handshake, inside connect
      const discover = one(recorder.spans, "server/discover")
      assert.strictEqual(parentOf(discover), connect)
      // the SDK v1 server refuses it: the expected way to the handshake, not a failure
      assert.isFalse(failed(discover))
      assert.include(discover.attributes.get("mcp.discover.fallback"), "-32601")
      const initialize = one(recorder.spans, "initialize")
      assert.strictEqual(parentOf(initialize), connect)
      assert.strictEqual(initialize.kind, "client")

      yield* client.callTool("ask", { question: "why" })
      const call = one(recorder.spans, "tools/call ask")
      assert.strictEqual(call.kind, "client")
      assert.strictEqual(call.attributes.get("mcp.method.name"), "tools/call")
      assert.strictEqual(call.attributes.get("gen_ai.tool.name"), "ask")
      assert.strictEqual(call.attributes.get("gen_ai.operation.name"), "execute_tool")
      assert.strictEqual(call.attributes.get("mcp.protocol.version"), "2025-11-25")
      assert.isNumber(call.attributes.get("jsonrpc.request.id"))
      assert.isFalse(failed(call))
      // the server got the call's span as the parent of its work
      assert.strictEqual(metas[0]?.traceparent, `00-${call.traceId}-${call.spanId}-01`)
      // the sampling request the tool made is handled in a span under the call
      const handled = one(recorder.spans, "sampling/createMessage")
      assert.strictEqual(handled.kind, "server")
      assert.strictEqual(parentOf(handled), call)
      assert.strictEqual(handled.traceId, call.traceId)
    }).pipe(Effect.provide(recorder.layer))
  })

  it.scoped("a failed call's span has error.type: a tool's isError, an error answer", () => {
    const recorder = recordingTracer()
    return Effect.gen(function*() {
      const client = yield* McpClient.make(tracedServer().server)
      assert.instanceOf(yield* Effect.flip(client.callTool("broken")), McpError.ToolError)
      const raw = yield* client.callToolRaw("broken")
      assert.isTrue(raw.isError)
      const spans = named(recorder.spans, "tools/call broken")
      assert.strictEqual(spans.length, 2)
      for (const span of spans) {
        assert.strictEqual(span.attributes.get("error.type"), "tool_error")
        assert.isTrue(failed(span))
      }
      const missing = yield* Effect.flip(client.getPrompt("nothing"))
      assert.strictEqual(missing._tag, "McpRpcError")
      const prompt = one(recorder.spans, "prompts/get nothing")
      assert.strictEqual(prompt.attributes.get("gen_ai.prompt.name"), "nothing")
      assert.strictEqual(prompt.attributes.get("error.type"), String((missing as McpError.McpRpcError).code))
      assert.isTrue(failed(prompt))
    }).pipe(Effect.provide(recorder.layer))
  })

  it.scopedLive("a call its caller gave up on is a failed span, error.type cancelled", () => {
    const recorder = recordingTracer()
    return Effect.gen(function*() {
      const client = yield* McpClient.make(tracedServer().server)
      yield* client.callTool("slow").pipe(Effect.timeout("50 millis"), Effect.ignore)
      const span = one(recorder.spans, "tools/call slow")
      assert.isTrue(failed(span))
      assert.strictEqual(span.attributes.get("error.type"), "cancelled")
    }).pipe(Effect.provide(recorder.layer))
  })

  it.scoped("a server request that names its trace joins that trace", () => {
    const recorder = recordingTracer()
    return Effect.gen(function*() {
      const client = yield* McpClient.make(tracedServer().server, { sampling: sampling() })
      yield* client.callTool("ask-foreign")
      const handled = one(recorder.spans, "sampling/createMessage")
      assert.strictEqual(handled.traceId, foreignParent.traceId)
      const parent = parentOf(handled)
      assert.strictEqual(parent?._tag, "ExternalSpan")
      assert.strictEqual(parent?.spanId, foreignParent.spanId)
    }).pipe(Effect.provide(recorder.layer))
  })

  it.scoped("propagation only: no spans of the client's, the caller's span reaches the server", () => {
    const recorder = recordingTracer()
    return Effect.gen(function*() {
      const { metas, server } = tracedServer()
      const client = yield* McpClient.make(server, { tracing: "propagation" })
      yield* Effect.withSpan(client.callTool("plain"), "caller")
      const caller = one(recorder.spans, "caller")
      assert.deepStrictEqual(recorder.spans.map((span) => span.name), ["caller"])
      assert.strictEqual(metas[0]?.traceparent, `00-${caller.traceId}-${caller.spanId}-01`)
    }).pipe(Effect.provide(recorder.layer))
  })

  it.scoped("off, even with a tracer: no spans, no trace context", () => {
    const recorder = recordingTracer()
    return Effect.gen(function*() {
      const { metas, server } = tracedServer()
      const client = yield* McpClient.make(server, { tracing: "off" })
      yield* Effect.withSpan(client.callTool("plain"), "caller")
      assert.deepStrictEqual(recorder.spans.map((span) => span.name), ["caller"])
      assert.isUndefined(metas[0]?.traceparent)
    }).pipe(Effect.provide(recorder.layer))
  })

  it.scoped("by default, with Effect's built-in tracer only: nothing is traced and nothing is sent", () =>
    Effect.gen(function*() {
      const { metas, server } = tracedServer()
      const client = yield* McpClient.make(server)
      yield* Effect.withSpan(client.callTool("plain"), "caller")
      assert.isUndefined(metas[0]?.traceparent)
    }))
})

describe("tracing a stdio server's life", () => {
  const recoveryServer = {
    command: process.execPath,
    args: [Path.join(import.meta.dirname, "fixtures", "recovery-server.mjs")]
  }

  it.scopedLive("spawn inside connect; a killed server's replacement in a recover span with its reconnect try", () => {
    const recorder = recordingTracer()
    return Effect.gen(function*() {
      const client = yield* McpClient.make(recoveryServer)
      const connect = one(recorder.spans, "McpClient.connect")
      const spawn = one(recorder.spans, "McpClient.spawn")
      assert.strictEqual(parentOf(spawn), connect)
      assert.strictEqual(spawn.attributes.get("network.transport"), "pipe")
      const pid = Number(
        (yield* client.callTool("pid")).content[0].type === "text"
          ? ((yield* client.callTool("pid")).content[0] as { text: string }).text
          : NaN
      )
      const noticed = yield* Effect.fork(
        client.connectionStates.pipe(Stream.filter((state) => state._tag === "Disconnected"), Stream.runHead)
      )
      yield* Effect.yieldNow()
      process.kill(pid, "SIGKILL")
      yield* Fiber.join(noticed)
      yield* Effect.withSpan(client.callTool("pid"), "caller")
      const recover = one(recorder.spans, "McpClient.recover")
      // inside the call that found the session gone
      const call = named(recorder.spans, "tools/call pid").find((span) =>
        parentOf(span) === one(recorder.spans, "caller")
      )
      assert.strictEqual(parentOf(recover), call)
      assert.strictEqual(recover.attributes.get("error.type"), "Closed")
      const reconnect = one(recorder.spans, "McpClient.reconnect")
      assert.strictEqual(parentOf(reconnect), recover)
      assert.strictEqual(reconnect.attributes.get("mcp.reconnect.attempt"), 1)
      // the new session's spawn, inside the try
      assert.strictEqual(parentOf(named(recorder.spans, "McpClient.spawn")[1]), reconnect)
    }).pipe(Effect.provide(Layer.merge(recorder.layer, NodeContext.layer)))
  }, { timeout: 30_000 })
})

describe("metrics", () => {
  const histograms = (tags: Record<string, string>) =>
    Effect.map(
      Metric.snapshot,
      (pairs) =>
        pairs.filter((pair) =>
          pair.metricKey.name === "mcp.client.operation.duration" &&
          Object.entries(tags).every(([key, value]) =>
            pair.metricKey.tags.some((tag) => tag.key === key && tag.value === value)
          ) &&
          // exactly these tags
          pair.metricKey.tags.length === Object.keys(tags).length
        ).map((pair) => pair.metricState as MetricState.MetricState.Histogram)
    )
  // the registry is the process's: what this test added
  const durationOf = (tags: Record<string, string>, before: ReadonlyArray<MetricState.MetricState.Histogram>) =>
    Effect.map(histograms(tags), ([after]) => ({
      count: after.count - (before[0]?.count ?? 0),
      max: after.max,
      last: after.buckets[after.buckets.length - 1][1] - (before[0]?.buckets[before[0].buckets.length - 1][1] ?? 0)
    }))

  it.scoped("operation durations by method, tool and outcome; sessions opened; nothing in flight after", () =>
    Effect.gen(function*() {
      const plainTags = { "mcp.method.name": "tools/call", "gen_ai.tool.name": "plain" }
      const brokenTags = { "mcp.method.name": "tools/call", "gen_ai.tool.name": "broken", "error.type": "tool_error" }
      const listTags = { "mcp.method.name": "tools/list" }
      const before = yield* Effect.all([histograms(plainTags), histograms(brokenTags), histograms(listTags)])
      const client = yield* McpClient.make(tracedServer().server, { metrics: true, sampling: sampling() })
      yield* Effect.forEach(Array.from({ length: 5 }), () => client.callTool("plain"), { discard: true })
      yield* Effect.forEach(Array.from({ length: 3 }), () => Effect.flip(client.callTool("broken")), { discard: true })
      yield* client.listTools

      const plain = yield* durationOf(plainTags, before[0])
      assert.strictEqual(plain.count, 5)
      // the buckets are cumulative: the last holds every call, in seconds well under its bound
      assert.strictEqual(plain.last, 5)
      assert.isBelow(plain.max, 5)
      assert.strictEqual((yield* durationOf(brokenTags, before[1])).count, 3)
      assert.strictEqual((yield* durationOf(listTags, before[2])).count, 1)

      const pairs = yield* Metric.snapshot
      const opened = pairs.find((pair) =>
        pair.metricKey.name === "mcp.client.sessions" &&
        pair.metricKey.tags.some((tag) => tag.key === "mcp.session.how" && tag.value === "opened")
      )
      assert.isAtLeast((opened?.metricState as MetricState.MetricState.Counter<number>).count, 1)
      const inFlight = pairs.find((pair) => pair.metricKey.name === "mcp.client.requests.in_flight")
      assert.strictEqual((inFlight?.metricState as MetricState.MetricState.Counter<number>).count, 0)
    }))

  it.scoped("a server's own error codes are one error.type, and 5,000 tool names stay bounded series", () =>
    Effect.gen(function*() {
      const server = yield* McpTestServer.make({
        tools: [{
          name: "odd",
          handler: (args) => Effect.fail(McpTestServer.rpcError("tools/call", Number(args.code), "odd failure"))
        }]
      })
      const client = yield* McpClient.make(server.connect, { metrics: true })
      const series = Effect.map(
        Metric.snapshot,
        (pairs) => pairs.filter((pair) => pair.metricKey.name === "mcp.client.operation.duration").length
      )
      for (const code of [12345, 777, -32602]) yield* Effect.flip(client.callToolRaw("odd", { code }))
      const tags = (yield* Metric.snapshot).flatMap((pair) =>
        pair.metricKey.name === "mcp.client.operation.duration" &&
          pair.metricKey.tags.some((tag) => tag.key === "gen_ai.tool.name" && tag.value === "odd")
          ? pair.metricKey.tags.filter((tag) => tag.key === "error.type").map((tag) => tag.value)
          : []
      )
      assert.sameMembers(tags, ["McpRpcError", "-32602"])
      // tool names are the caller's (a model's, say): past 4,096 series the rest share one
      yield* Effect.forEach(
        Array.from({ length: 5_000 }, (_, i) => `missing-${i}`),
        (name) => Effect.ignore(client.callToolRaw(name)),
        { discard: true }
      )
      assert.isAtMost(yield* series, 4_097)
    }))

  it.scopedLive("bytes in and out, by transport and direction", () =>
    Effect.gen(function*() {
      const bytes = (direction: string) =>
        Effect.map(Metric.snapshot, (pairs) => {
          const pair = pairs.find((pair) =>
            pair.metricKey.name === "mcp.client.transport.bytes" &&
            pair.metricKey.tags.some((tag) => tag.key === "network.io.direction" && tag.value === direction) &&
            pair.metricKey.tags.some((tag) => tag.key === "network.transport" && tag.value === "pipe")
          )
          return pair === undefined ? 0 : (pair.metricState as MetricState.MetricState.Counter<number>).count
        })
      const [sentBefore, receivedBefore] = yield* Effect.all([bytes("transmit"), bytes("receive")])
      const client = yield* McpClient.make(
        { command: process.execPath, args: [everythingPath, "stdio"] },
        { metrics: true }
      )
      const text = "x".repeat(10_000)
      yield* client.callTool("echo", { message: text })
      const sent = (yield* bytes("transmit")) - sentBefore
      const received = (yield* bytes("receive")) - receivedBefore
      // the handshake and the call went out and came back, the 10,000 characters each way
      assert.isAbove(sent, 10_000)
      assert.isBelow(sent, 20_000)
      assert.isAbove(received, 10_000)
    }).pipe(Effect.provide(NodeContext.layer)), { timeout: 30_000 })
})
