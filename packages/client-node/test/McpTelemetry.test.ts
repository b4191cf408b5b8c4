import { McpClient } from "@effect-mcp/client"
import * as McpTelemetry from "@effect-mcp/client-node/McpTelemetry"
import { assert, describe, it } from "@effect/vitest"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { ConfigProvider, Effect, Layer } from "effect"
import * as Http from "node:http"
import { z } from "zod"
import { listenOnLoopback } from "../../client/test/utils/servers.js"

interface Export {
  readonly path: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: any
}

/** An OTLP/HTTP collector on loopback that keeps what it is sent. */
const collector = Effect.gen(function*() {
  const received: Array<Export> = []
  const server = Http.createServer((req, res) => {
    let body = ""
    req.setEncoding("utf8")
    req.on("data", (chunk) => (body += chunk))
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body: JSON.parse(body) })
      res.writeHead(200, { "content-type": "application/json" })
      res.end("{}")
    })
  })
  const url = yield* listenOnLoopback(server)
  return { url, received }
})

const echoServer = () => {
  const metas: Array<unknown> = []
  const server = new McpServer({ name: "echo", version: "1.0.0" })
  server.registerTool("echo", { inputSchema: { message: z.string() } }, ({ message }, extra) => {
    metas.push(extra._meta)
    return { content: [{ type: "text", text: message }] }
  })
  return { server, metas }
}

const spansIn = (received: ReadonlyArray<Export>) =>
  received.filter((e) => e.path === "/v1/traces").flatMap((e) =>
    e.body.resourceSpans.flatMap((rs: any) =>
      rs.scopeSpans.flatMap((ss: any) => ss.spans.map((span: any) => ({ ...span, resource: rs.resource })))
    )
  )

const metricNames = (received: ReadonlyArray<Export>) =>
  received.filter((e) => e.path === "/v1/metrics").flatMap((e) =>
    e.body.resourceMetrics.flatMap((rm: any) =>
      rm.scopeMetrics.flatMap((sm: any) => sm.metrics.map((m: any) => m.name))
    )
  )

const attribute = (span: any, key: string) => span.attributes.find((a: any) => a.key === key)?.value

const callOnce = (server: McpServer) =>
  Effect.scoped(Effect.gen(function*() {
    const client = yield* McpClient.make(server)
    yield* client.callTool("echo", { message: "exported" })
  }))

describe("McpTelemetry", () => {
  it.scopedLive("layerOtlp: the client traces in full, and spans and metrics reach the collector", () =>
    Effect.gen(function*() {
      const { received, url } = yield* collector
      const { metas, server } = echoServer()
      yield* callOnce(server).pipe(
        Effect.provide(
          McpTelemetry.layerOtlp({ baseUrl: url, serviceName: "telemetry-test", exportInterval: "1 second" })
        )
      )
      // released: what was left has been sent
      const spans = spansIn(received)
      const call = spans.find((span: any) => span.name === "tools/call echo")
      assert.isDefined(call, `spans: ${spans.map((span: any) => span.name).join(", ")}`)
      assert.deepStrictEqual(attribute(call, "gen_ai.tool.name"), { stringValue: "echo" })
      assert.isDefined(spans.find((span: any) => span.name === "McpClient.connect"))
      const service = call.resource.attributes.find((a: any) => a.key === "service.name")
      assert.deepStrictEqual(service.value, { stringValue: "telemetry-test" })
      // the server got the exported span as the parent of its work
      assert.strictEqual((metas[0] as any).traceparent, `00-${call.traceId}-${call.spanId}-01`)
      assert.include(metricNames(received), "mcp.client.operation.duration")
    }))

  it.scopedLive("layerFromEnv: exports where OTEL_EXPORTER_OTLP_ENDPOINT says, with its headers and service name", () =>
    Effect.gen(function*() {
      const { received, url } = yield* collector
      const env = ConfigProvider.fromMap(
        new Map([
          ["OTEL_EXPORTER_OTLP_ENDPOINT", `${url}/`],
          ["OTEL_SERVICE_NAME", "from-env"],
          ["OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=s%20ecret, broken"]
        ])
      )
      yield* callOnce(echoServer().server).pipe(
        Effect.provide(McpTelemetry.layerFromEnv().pipe(Layer.provide(Layer.setConfigProvider(env))))
      )
      const traces = received.filter((e) => e.path === "/v1/traces")
      assert.isAbove(traces.length, 0)
      assert.strictEqual(traces[0].headers["x-api-key"], "s ecret")
      const span = spansIn(received)[0]
      assert.deepStrictEqual(
        span.resource.attributes.find((a: any) => a.key === "service.name").value,
        { stringValue: "from-env" }
      )
    }))

  it.scopedLive("layerFromEnv without the endpoint: nothing exported, nothing traced", () =>
    Effect.gen(function*() {
      const { metas, server } = echoServer()
      yield* callOnce(server).pipe(
        Effect.provide(
          McpTelemetry.layerFromEnv().pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map()))))
        )
      )
      assert.isUndefined((metas[0] as any)?.traceparent)
    }))
})
