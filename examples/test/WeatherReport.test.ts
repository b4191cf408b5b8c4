import { McpClientMock, McpTestServer } from "@effect-mcp/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { WeatherReport, WeatherReportLive } from "../src/WeatherReport.js"

describe("WeatherReport with a mock client layer", () => {
  const MockClient = McpClientMock.layer({
    callTool: (_, args) =>
      Effect.succeed(
        args?.city === "Atlantis"
          ? { content: [{ type: "text", text: "no such city" }], isError: true }
          : { content: [], structuredContent: { temperature: 21, conditions: "sunny" } }
      )
  })
  const TestLayer = WeatherReportLive.pipe(Layer.provide(MockClient))

  it.effect("formats the forecast", () =>
    Effect.gen(function*() {
      const report = yield* WeatherReport
      assert.strictEqual(yield* report.forCity("Lisbon"), "Lisbon: 21°C, sunny")
    }).pipe(Effect.provide(TestLayer)))

  it.effect("turns a tool error into WeatherUnavailable", () =>
    Effect.gen(function*() {
      const report = yield* WeatherReport
      const error = yield* Effect.flip(report.forCity("Atlantis"))
      assert.strictEqual(error._tag, "WeatherUnavailable")
      assert.strictEqual(error.reason, "no such city")
    }).pipe(Effect.provide(TestLayer)))
})

describe("WeatherReport against a scripted server", () => {
  const server = McpTestServer.layer({
    tools: [{
      name: "get-weather",
      handler: (args) =>
        args.city === "Slowtown"
          ? Effect.never
          : Effect.succeed({ content: [], structuredContent: { temperature: 8, conditions: `rain in ${args.city}` } })
    }]
  })
  const TestLayer = WeatherReportLive.pipe(Layer.provideMerge(server))

  it.scoped("calls the tool with the city, and the server saw exactly that call", () =>
    Effect.gen(function*() {
      const report = yield* WeatherReport
      assert.strictEqual(yield* report.forCity("Oslo"), "Oslo: 8°C, rain in Oslo")
      const test = yield* McpTestServer.McpTestServer
      const calls = yield* test.received("tools/call")
      assert.deepStrictEqual(
        calls.map(({ params }) => {
          const { _meta, ...rest } = params as Record<string, unknown>
          return rest
        }),
        [{ name: "get-weather", arguments: { city: "Oslo" } }]
      )
    }).pipe(Effect.provide(TestLayer)))

  it.scoped("a server that never answers becomes WeatherUnavailable after 5 seconds", () =>
    Effect.gen(function*() {
      const report = yield* WeatherReport
      const test = yield* McpTestServer.McpTestServer
      const pending = yield* Effect.fork(Effect.flip(report.forCity("Slowtown")))
      yield* test.awaitMessage("tools/call")
      yield* TestClock.adjust("5 seconds")
      const error = yield* pending
      assert.include(error.reason, "no response")
    }).pipe(Effect.provide(TestLayer)))
})
