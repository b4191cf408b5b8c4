/**
 * A small service of the kind users write: it depends on `McpClient`, not on
 * any particular server or transport, so it can be tested without one.
 */
import { McpClient } from "@effect-mcp/client"
import { Context, Data, Effect, Layer, Schema } from "effect"

/** What the server's `get-weather` tool returns as structured content. */
export const Forecast = Schema.Struct({
  temperature: Schema.Number,
  conditions: Schema.String
})

export class WeatherUnavailable extends Data.TaggedError("WeatherUnavailable")<{
  readonly city: string
  readonly reason: string
}> {}

export class WeatherReport extends Context.Tag("examples/WeatherReport")<WeatherReport, {
  /** One line for a city, e.g. "Lisbon: 21°C, sunny". */
  readonly forCity: (city: string) => Effect.Effect<string, WeatherUnavailable>
}>() {}

export const WeatherReportLive = Layer.effect(
  WeatherReport,
  Effect.gen(function*() {
    const client = yield* McpClient.McpClient
    return {
      forCity: (city) =>
        client.callTool("get-weather", { city }, { outputSchema: Forecast, timeout: "5 seconds" }).pipe(
          Effect.map((forecast) => `${city}: ${forecast.temperature}°C, ${forecast.conditions}`),
          Effect.mapError((error) =>
            new WeatherUnavailable({ city, reason: error._tag === "ToolError" ? error.text : error.message })
          )
        )
    }
  })
)
