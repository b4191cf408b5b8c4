/**
 * Spans, W3C trace context and metrics for MCP operations, after the
 * OpenTelemetry semantic conventions for MCP and GenAI. Nothing here runs
 * when tracing and metrics are off: the client then wraps nothing.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Tracer from "effect/Tracer"

/** How much of tracing a client does. */
export type Tracing = "full" | "propagation" | "off"

// The tracer of a program that installed none; a program with another one
// (OpenTelemetry, a test's recorder) wants its spans.
let builtInTracer: Tracer.Tracer | undefined
const isBuiltIn = (tracer: Tracer.Tracer) => {
  builtInTracer ??= Effect.runSync(Effect.tracer)
  return tracer === builtInTracer
}

/**
 * The tracing a client does: the one asked for; else `"full"` when the
 * context has a tracer of its own (someone collects spans), `"off"` when it
 * has only Effect's built-in one.
 */
export const resolve = (asked: Tracing | undefined, spans: boolean | undefined): Effect.Effect<Tracing> =>
  asked !== undefined
    ? Effect.succeed(asked)
    : spans === true
    ? Effect.succeed("full")
    : Effect.map(Effect.tracer, (tracer) => (isBuiltIn(tracer) ? "off" : "full"))

const hex32 = /^[0-9a-f]{32}$/
const hex16 = /^[0-9a-f]{16}$/
const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/** The W3C `traceparent` of a span, if its ids are W3C ids. */
export const traceparent = (span: Tracer.AnySpan): string | undefined =>
  hex32.test(span.traceId) && hex16.test(span.spanId) && !/^0+$/.test(span.traceId) && !/^0+$/.test(span.spanId)
    ? `00-${span.traceId}-${span.spanId}-${span.sampled ? "01" : "00"}`
    : undefined

/**
 * The parent a server's request names in its `_meta` (`traceparent`,
 * `tracestate`), as an external span; a malformed one is ignored.
 */
export const parentFromMeta = (params: unknown): Tracer.ExternalSpan | undefined => {
  const meta = Predicate.isRecord(params) ? params._meta : undefined
  if (!Predicate.isRecord(meta) || typeof meta.traceparent !== "string") return undefined
  const match = traceparentPattern.exec(meta.traceparent.trim().toLowerCase())
  if (match === null || match[1] === "ff" || /^0+$/.test(match[2]) || /^0+$/.test(match[3])) return undefined
  return Tracer.externalSpan({
    traceId: match[2],
    spanId: match[3],
    sampled: (parseInt(match[4], 16) & 1) === 1
  })
}

/** Params with the span's trace context in `_meta`, beside what is there. */
export const withTraceContext = (
  params: Record<string, unknown> | undefined,
  span: Tracer.AnySpan
): Record<string, unknown> | undefined => {
  const value = traceparent(span)
  if (value === undefined) return params
  const meta = params?._meta as Record<string, unknown> | undefined
  return { ...params, _meta: { ...meta, traceparent: value } }
}

/** The current span, if any (in propagation mode, the caller's). */
export const currentSpan: Effect.Effect<Option.Option<Tracer.AnySpan>> = Effect.option(Effect.currentParentSpan)

/** What an operation is about, for its span name and attributes. */
export interface Target {
  readonly tool?: string | undefined
  readonly prompt?: string | undefined
  readonly uri?: string | undefined
}

/** `tools/call get_weather`: the method, and the tool, prompt or resource where there is one. */
export const spanName = (method: string, target: Target | undefined): string => {
  const subject = target?.tool ?? target?.prompt ?? target?.uri
  return subject === undefined ? method : `${method} ${subject}`
}

/** The semantic conventions' attributes of an operation. */
export const attributes = (method: string, target: Target | undefined): Record<string, unknown> => {
  const attributes: Record<string, unknown> = { "mcp.method.name": method }
  if (target?.tool !== undefined) {
    attributes["gen_ai.tool.name"] = target.tool
    attributes["gen_ai.operation.name"] = "execute_tool"
  }
  if (target?.prompt !== undefined) attributes["gen_ai.prompt.name"] = target.prompt
  if (target?.uri !== undefined) attributes["mcp.resource.uri"] = target.uri
  return attributes
}

/** `server.address`, `server.port` and `network.transport` of a server, from what identifies it. */
export const serverAttributes = (verdictKey: string | object): Record<string, unknown> => {
  if (typeof verdictKey !== "string") return {}
  if (verdictKey.startsWith("stdio ")) return { "network.transport": "pipe" }
  if (!verdictKey.startsWith("http ")) return {}
  try {
    const url = new URL(verdictKey.slice(5))
    const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80
    return { "server.address": url.hostname, "server.port": port, "network.transport": "tcp" }
  } catch {
    return {}
  }
}

/** The `error.type` of a failure: its tag, or the JSON-RPC code of an error answer. */
export const errorType = (error: unknown): string => {
  // the reserved JSON-RPC codes are few; a server's own are any number it likes, and every error.type
  // is a metric series of its own for the life of the process
  if (
    Predicate.isTagged(error, "McpRpcError") && Predicate.hasProperty(error, "code") &&
    Number.isInteger(error.code) && (error.code as number) >= -32768 && (error.code as number) <= -32000
  ) return String(error.code)
  if (Predicate.hasProperty(error, "_tag") && typeof error._tag === "string") return error._tag
  return "_OTHER"
}

const causeType = (cause: Cause.Cause<unknown>): string =>
  Option.match(Cause.failureOption(cause), {
    onNone: () => (Cause.isInterruptedOnly(cause) ? "cancelled" : "_OTHER"),
    onSome: errorType
  })

// A result that is a failure to the span (a tool's isError) leaves the span as a failure and is
// given back as the result it is
class FailedResult<A> {
  constructor(readonly value: A) {}
}

/**
 * Runs an operation in a client span named after its method and target,
 * with the semantic conventions' attributes; a failure, or a result that
 * `failedResult` calls one, sets `error.type` and fails the span.
 */
export const traceOperation = <A, E, R>(
  method: string,
  target: Target | undefined,
  effect: Effect.Effect<A, E, R>,
  base: Record<string, unknown>,
  failedResult?: (a: A) => string | undefined
): Effect.Effect<A, E, R> => {
  const traced = Effect.useSpan(
    spanName(method, target),
    { kind: "client", captureStackTrace: false, attributes: { ...base, ...attributes(method, target) } },
    (span) =>
      Effect.withParentSpan(
        effect.pipe(
          // an interruption from outside (a timeout, Ctrl-C) is an outcome too
          Effect.onExit((exit) =>
            exit._tag === "Failure"
              ? Effect.sync(() => span.attribute("error.type", causeType(exit.cause)))
              : Effect.void
          ),
          Effect.flatMap((a): Effect.Effect<A, E | FailedResult<A>> => {
            const failed = failedResult?.(a)
            if (failed === undefined) return Effect.succeed(a)
            span.attribute("error.type", failed)
            return Effect.fail(new FailedResult(a))
          })
        ),
        span
      )
  )
  return Effect.catchIf(
    traced,
    (error): error is FailedResult<A> & E => error instanceof FailedResult,
    (failed) => Effect.succeed(failed.value)
  ) as Effect.Effect<A, E, R>
}

/**
 * A request from the server, handled in a server span: under `parent` (the
 * current span with `"current"`), or a root when there is none; its error
 * answer's code is its `error.type`.
 */
export const handlerSpan = <A, E extends { readonly code: number }, R>(
  method: string,
  effect: Effect.Effect<A, E, R>,
  parent: Tracer.AnySpan | "current" | undefined,
  attributes: Record<string, unknown>
): Effect.Effect<A, E, R> =>
  Effect.withSpan(
    Effect.tapError(effect, (error) => Effect.annotateCurrentSpan("error.type", String(error.code))),
    method,
    {
      kind: "server",
      captureStackTrace: false,
      attributes: { "mcp.method.name": method, ...attributes },
      ...(parent === undefined ? { root: true } : parent === "current" ? {} : { parent })
    }
  )

// -- metrics ----------------------------------------------------------------

/** The semantic conventions' buckets for MCP operation durations, in seconds. */
const durationBoundaries = MetricBoundaries.fromIterable([
  0.01,
  0.02,
  0.05,
  0.1,
  0.2,
  0.5,
  1,
  2,
  5,
  10,
  30,
  60,
  120,
  300
])

const operationDurationKey = MetricKey.histogram(
  "mcp.client.operation.duration",
  durationBoundaries,
  "Duration of MCP client operations, in seconds"
)

/** How long operations take, by method, tool or prompt, and outcome. */
export const operationDuration = Metric.fromMetricKey(operationDurationKey)

// A metric with its tags in its key finds its place in the registry once; one tagged at each
// update (`Metric.tagged`) builds and hashes a new key every time (measured: 15 µs a call).
const tagged = new Map<string, Metric.Metric.Histogram<number>>()
const maxSeries = 4096
const overflow = Metric.fromMetricKey(
  MetricKey.taggedWithLabels(operationDurationKey, [MetricLabel.make("mcp.method.name", "_OTHER")])
)
const durationOf = (method: string, target: Target | undefined, outcome: string | undefined) => {
  const id = `${method}\u0000${target?.tool ?? ""}\u0000${target?.prompt ?? ""}\u0000${outcome ?? ""}`
  let metric = tagged.get(id)
  if (metric === undefined) {
    // names come from callers and servers, and the registry keeps every series it is given: past the
    // bound, what is new goes to one series
    if (tagged.size >= maxSeries) return overflow
    const labels = [MetricLabel.make("mcp.method.name", method)]
    if (target?.tool !== undefined) labels.push(MetricLabel.make("gen_ai.tool.name", target.tool))
    if (target?.prompt !== undefined) labels.push(MetricLabel.make("gen_ai.prompt.name", target.prompt))
    if (outcome !== undefined) labels.push(MetricLabel.make("error.type", outcome))
    metric = Metric.fromMetricKey(MetricKey.taggedWithLabels(operationDurationKey, labels))
    tagged.set(id, metric)
  }
  return metric
}

/** A counter with these tags in its key (see `durationOf`). */
export const taggedCounter = (
  name: string,
  description: string,
  tags: Readonly<Record<string, string>>
): Metric.Metric.Counter<number> =>
  Metric.fromMetricKey(
    MetricKey.taggedWithLabels(
      MetricKey.counter(name, { description, incremental: true }),
      Object.entries(tags).map(([key, value]) => MetricLabel.make(key, value))
    )
  )

/** Requests sent and not yet answered. */
export const requestsInFlight = Metric.counter("mcp.client.requests.in_flight", {
  description: "MCP requests sent and not yet answered"
})

/** Sessions opened: the first, renewed (an HTTP server forgot it), recovered (its transport ended). */
export const sessions = Metric.counter("mcp.client.sessions", {
  description: "MCP sessions opened, by how (opened, renewed, recovered)",
  incremental: true
})

/** Attempts at opening a new session after one ended. */
export const reconnectAttempts = Metric.counter("mcp.client.reconnect.attempts", {
  description: "Attempts at opening a new MCP session after one ended",
  incremental: true
})

/** What `mcp.client.transport.bytes` counts. */
export const transportBytesDescription = "Bytes of MCP messages sent and received, by direction and transport"

/** Measures an operation into `operationDuration`, tagged with its method, target and outcome. */
export const measure = <A, E, R>(
  method: string,
  target: Target | undefined,
  effect: Effect.Effect<A, E, R>,
  failedResult?: (a: A) => string | undefined
): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.clockWith((clock) => clock.currentTimeNanos), (start) =>
    Effect.onExit(
      Effect.zipRight(Metric.increment(requestsInFlight), effect),
      (exit) =>
        Effect.flatMap(Effect.clockWith((clock) => clock.currentTimeNanos), (end) => {
          const outcome = exit._tag === "Failure" ? causeType(exit.cause) : failedResult?.(exit.value)
          return Effect.zipRight(
            Metric.update(durationOf(method, target, outcome), Number(end - start) / 1e9),
            Metric.incrementBy(requestsInFlight, -1)
          )
        })
    ))
