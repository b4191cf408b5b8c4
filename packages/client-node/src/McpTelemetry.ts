/**
 * The client's traces, metrics and logs, exported over OTLP (HTTP, JSON)
 * with `@effect/opentelemetry`: give the layer to the program and the
 * client, seeing a tracer of its own, traces in full (see the `tracing`
 * option). `layerFromEnv` does it only when `OTEL_EXPORTER_OTLP_ENDPOINT` is
 * set, as OpenTelemetry's SDKs do.
 *
 * `@effect/opentelemetry` (`^0.64`, the Effect 3 line) is an optional peer
 * dependency: install it to use this module, which is therefore not in the
 * package's index (import `@effect-mcp/client-node/McpTelemetry`).
 *
 * @example
 * ```ts
 * import { NodeMcpClient } from "@effect-mcp/client-node"
 * import * as McpTelemetry from "@effect-mcp/client-node/McpTelemetry"
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect } from "effect"
 *
 * const program = McpClient.callTool("echo", { message: "traced" })
 *
 * const main = program.pipe(
 *   Effect.provide(NodeMcpClient.layer("http://127.0.0.1:3000/mcp")),
 *   Effect.provide(McpTelemetry.layerFromEnv())
 * )
 *
 * // OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_SERVICE_NAME=my-agent node main.js
 * // with, in main.js: NodeRuntime.runMain(main)
 * ```
 *
 * @since 0.3.0
 */
import * as Otlp from "@effect/opentelemetry/Otlp"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Config from "effect/Config"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/**
 * Where and how `layerOtlp` exports.
 *
 * @since 0.3.0
 * @category models
 */
export interface OtlpOptions {
  /** The collector's base URL (`/v1/traces`, `/v1/metrics`, `/v1/logs` are added). */
  readonly baseUrl: string
  /** Sent with every export (an API key, say). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Default `"effect-mcp"`. */
  readonly serviceName?: string | undefined
  readonly serviceVersion?: string | undefined
  /** How often spans, metrics and logs are sent (default: `@effect/opentelemetry`'s). */
  readonly exportInterval?: Duration.DurationInput | undefined
}

/**
 * Exports to the collector at `baseUrl`; what is left is sent when the layer
 * is released.
 *
 * @example
 * ```ts
 * import { NodeMcpClient } from "@effect-mcp/client-node"
 * import * as McpTelemetry from "@effect-mcp/client-node/McpTelemetry"
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect } from "effect"
 *
 * const Telemetry = McpTelemetry.layerOtlp({
 *   baseUrl: "http://127.0.0.1:4318",
 *   headers: { "x-api-key": "..." },
 *   serviceName: "my-agent",
 *   exportInterval: "5 seconds"
 * })
 *
 * const main = McpClient.ping.pipe(
 *   Effect.provide(NodeMcpClient.layer("http://127.0.0.1:3000/mcp")),
 *   Effect.provide(Telemetry)
 * )
 * ```
 *
 * @since 0.3.0
 * @category layers
 */
export const layerOtlp = (options: OtlpOptions): Layer.Layer<never> =>
  Otlp.layerJson({
    baseUrl: options.baseUrl,
    resource: {
      serviceName: options.serviceName ?? "effect-mcp",
      ...(options.serviceVersion === undefined ? {} : { serviceVersion: options.serviceVersion })
    },
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...(options.exportInterval === undefined ? {} : {
      tracerExportInterval: options.exportInterval,
      metricsExportInterval: options.exportInterval,
      loggerExportInterval: options.exportInterval
    })
  }).pipe(Layer.provide(NodeHttpClient.layerUndici))

/**
 * `layerOtlp` configured from the environment, when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set (else nothing is exported and the
 * client does not trace): `OTEL_EXPORTER_OTLP_HEADERS` (`key=value,...`,
 * values URL-encoded), `OTEL_SERVICE_NAME` (else `serviceName`, else
 * `"effect-mcp"`). A malformed header is left out, with a warning that does
 * not show its value.
 *
 * @example
 * ```ts
 * import { NodeMcpClient } from "@effect-mcp/client-node"
 * import * as McpTelemetry from "@effect-mcp/client-node/McpTelemetry"
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect, Layer } from "effect"
 *
 * // exports only when OTEL_EXPORTER_OTLP_ENDPOINT is set; the service name defaults to "my-agent" here
 * const Telemetry = McpTelemetry.layerFromEnv({ serviceName: "my-agent", serviceVersion: "1.4.0" })
 *
 * const AppLive = NodeMcpClient.layer("http://127.0.0.1:3000/mcp").pipe(Layer.provideMerge(Telemetry))
 * const main = McpClient.listTools.pipe(Effect.provide(AppLive))
 * ```
 *
 * @since 0.3.0
 * @category layers
 */
export const layerFromEnv = (
  defaults?: Omit<OtlpOptions, "baseUrl" | "headers"> | undefined
): Layer.Layer<never> =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      // set but empty is unset, as for OpenTelemetry's SDKs
      const setting = (name: string) =>
        Effect.map(Config.option(Config.string(name)), Option.filter((value) => value.trim() !== ""))
      const endpoint = yield* setting("OTEL_EXPORTER_OTLP_ENDPOINT")
      if (Option.isNone(endpoint)) return Layer.empty
      const serviceName = yield* setting("OTEL_SERVICE_NAME")
      const rawHeaders = yield* Config.option(Config.string("OTEL_EXPORTER_OTLP_HEADERS"))
      const headers: Record<string, string> = {}
      if (Option.isSome(rawHeaders)) {
        for (const pair of rawHeaders.value.split(",")) {
          if (pair.trim() === "") continue
          const at = pair.indexOf("=")
          const key = at > 0 ? pair.slice(0, at).trim() : ""
          let value: string | undefined
          try {
            value = at > 0 ? decodeURIComponent(pair.slice(at + 1).trim()) : undefined
          } catch {
            value = undefined
          }
          if (key === "" || value === undefined) {
            yield* Effect.logWarning(
              `OTEL_EXPORTER_OTLP_HEADERS: an entry is not key=value${key === "" ? "" : ` (key "${key}")`}; left out`
            )
          } else headers[key] = value
        }
      }
      return layerOtlp({
        ...defaults,
        baseUrl: endpoint.value.trim().replace(/\/+$/, ""),
        headers,
        serviceName: Option.getOrElse(serviceName, () => defaults?.serviceName ?? "effect-mcp").trim()
      })
    }).pipe(Effect.orDie)
  )
