import { McpToolkit } from "@effect-mcp/ai"
import { McpGroup } from "@effect-mcp/client"
import { LanguageModel } from "@effect/ai"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Schedule } from "effect"
import { z } from "zod"
import { call, mediaServer, PNG, scriptedModel, weatherServer } from "./utils.js"

const eventually = Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(300)))

describe("McpToolkit from a group", () => {
  it.scoped("one model turn calls a tool on each of two servers of a group", () =>
    Effect.gen(function*() {
      const group = yield* McpGroup.make({ weather: weatherServer(), media: mediaServer() })
      const toolkit = yield* McpToolkit.fromGroup(group)
      const catalogue = yield* group.catalogue
      const model = scriptedModel([() => [
        call("1", "weather_forecast", { city: "Rome" }),
        call("2", "media_clip_cut", { from: 0, to: 5 })
      ]])
      const response = yield* LanguageModel.generateText({ prompt: "both", toolkit }).pipe(
        Effect.provide(model.layer)
      )
      // one tool per catalogue entry, under its catalogue name, with the server's inputSchema
      assert.deepStrictEqual(
        model.seen[0].tools.map((tool) => tool.name),
        catalogue.tools.map((entry) => entry.name)
      )
      for (const [i, entry] of catalogue.tools.entries()) {
        assert.deepStrictEqual(model.seen[0].tools[i].parameters, entry.value.inputSchema)
      }
      const [forecast, cut] = response.toolResults
      assert.isFalse(forecast.isFailure)
      assert.deepStrictEqual((forecast.result as McpToolkit.ToolResult).content, [
        { type: "text", text: "Sunny in Rome for 1 day(s)" },
        { type: "image", data: PNG, mimeType: "image/png" }
      ])
      assert.isFalse(cut.isFailure)
      assert.strictEqual((cut.result as McpToolkit.ToolResult).text, "cut 0-5")
      // make: the same tools as a Toolkit and a handler layer, each mapped back to its server
      const made = yield* McpToolkit.make(group)
      assert.deepStrictEqual(made.origins.media_clip_cut, { name: "clip.cut", server: "media" })
      const again = yield* LanguageModel.generateText({ prompt: "both", toolkit: made.toolkit }).pipe(
        Effect.provide(Layer.merge(made.layer, model.layer))
      )
      assert.deepStrictEqual(
        again.toolResults.map((result) => result.result),
        response.toolResults.map((r) => r.result)
      )
    }))

  it.live("live: a tool added on one server is in the next turn's toolkit; a vanished one is a GroupError failure", () =>
    Effect.scoped(Effect.gen(function*() {
      const weather = weatherServer()
      const group = yield* McpGroup.make({ weather, media: mediaServer() })
      const toolkit = yield* McpToolkit.live(group)
      const first = yield* toolkit
      assert.strictEqual(yield* toolkit, first)
      assert.notProperty(first.tools, "weather_humidity")

      const humidity = weather.registerTool("humidity", { inputSchema: { city: z.string() } }, ({ city }) => ({
        content: [{ type: "text", text: `80% in ${city}` }]
      }))
      const second = yield* toolkit.pipe(
        Effect.filterOrFail((current) => "weather_humidity" in current.tools, () => "not yet"),
        Effect.retry(eventually)
      )
      const model = scriptedModel([() => [call("1", "weather_humidity", { city: "Quito" })]])
      const response = yield* LanguageModel.generateText({ prompt: "humidity", toolkit }).pipe(
        Effect.provide(model.layer)
      )
      assert.include(model.seen[0].tools.map((tool) => tool.name), "weather_humidity")
      assert.strictEqual((response.toolResults[0].result as McpToolkit.ToolResult).text, "80% in Quito")

      // the tool goes away; a toolkit made before still offers it, and calling it is a failure the model sees
      humidity.remove()
      yield* toolkit.pipe(
        Effect.filterOrFail((current) => !("weather_humidity" in current.tools), () => "not yet"),
        Effect.retry(eventually)
      )
      const stale = yield* second.handle("weather_humidity", { city: "Quito" })
      assert.isTrue(stale.isFailure)
      const failure = stale.result as McpToolkit.ToolFailure
      assert.strictEqual(failure.reason, "GroupError")
      assert.include(failure.message, "weather_humidity")
    })))
})
