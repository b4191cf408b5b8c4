import { McpToolkit } from "@effect-mcp/ai"
import { McpClient } from "@effect-mcp/client"
import { LanguageModel, Tool, Toolkit } from "@effect/ai"
import { assert, describe, it } from "@effect/vitest"
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js"
import { Effect, Layer, Schedule } from "effect"
import { z } from "zod"
import { call, mediaServer, Plan, PNG, rawServer, scriptedModel, Untyped, WAV, weatherServer } from "./utils.js"

describe("McpToolkit", () => {
  it.scoped("one model turn calls a tool on each of two servers and gets every kind of content", () =>
    Effect.gen(function*() {
      const weather = yield* McpClient.make(weatherServer())
      const media = yield* McpClient.make(mediaServer())
      const a = yield* McpToolkit.make(weather, { prefix: "weather" })
      const b = yield* McpToolkit.make(media, { prefix: "media" })
      // the usual @effect/ai composition: toolkits merged, their handler layers provided
      const toolkit = Toolkit.merge(a.toolkit, b.toolkit)
      const model = scriptedModel([() => [
        call("1", "weather_forecast", { city: "Paris", days: 2 }),
        call("2", "media_everything", {})
      ]])
      const response = yield* LanguageModel.generateText({ prompt: "Weather and media, please", toolkit }).pipe(
        Effect.provide(Layer.mergeAll(a.layer, b.layer, model.layer))
      )

      assert.deepStrictEqual(model.seen[0].tools.map((tool) => tool.name), [
        "weather_forecast",
        "weather_explode",
        "media_everything",
        "media_clip_cut"
      ])
      const [forecast, everything] = response.toolResults
      assert.strictEqual(forecast.name, "weather_forecast")
      assert.isFalse(forecast.isFailure)
      assert.deepStrictEqual(forecast.result, {
        text: "Sunny in Paris for 2 day(s)",
        content: [
          { type: "text", text: "Sunny in Paris for 2 day(s)" },
          { type: "image", data: PNG, mimeType: "image/png" }
        ]
      })
      // what a provider sends back to the model is the encoded result: the image is in it
      assert.deepStrictEqual((forecast.encodedResult as McpToolkit.ToolResult).content[1], {
        type: "image",
        data: PNG,
        mimeType: "image/png"
      })

      assert.strictEqual(everything.name, "media_everything")
      assert.isFalse(everything.isFailure)
      assert.deepStrictEqual(everything.encodedResult, {
        text: "here it all is\nan embedded memo",
        content: [
          { type: "text", text: "here it all is" },
          { type: "image", data: PNG, mimeType: "image/png" },
          { type: "audio", data: WAV, mimeType: "audio/wav" },
          { type: "resource", resource: { uri: "memo://one", mimeType: "text/plain", text: "an embedded memo" } },
          { type: "resource", resource: { uri: "blob://two", mimeType: "application/octet-stream", blob: "AAEC" } },
          { type: "resource_link", uri: "file:///tmp/report.pdf", name: "report", mimeType: "application/pdf" }
        ],
        structuredContent: { count: 6 }
      })
    }))

  it.scoped("the model sees each server's inputSchema, untouched", () =>
    Effect.gen(function*() {
      const weather = yield* McpClient.make(weatherServer())
      const raw = yield* McpClient.make(rawServer())
      const listed = yield* weather.listTools
      const model = scriptedModel([() => [{ type: "text", text: "nothing to do" }]])
      const toolkit = yield* McpToolkit.fromClient(raw)
      yield* LanguageModel.generateText({ prompt: "hi", toolkit: yield* McpToolkit.fromClient(weather) }).pipe(
        Effect.provide(model.layer)
      )
      yield* LanguageModel.generateText({ prompt: "hi", toolkit }).pipe(Effect.provide(model.layer))

      const [forecast, explode] = model.seen[0].tools
      assert.deepStrictEqual(forecast.parameters, listed[0].inputSchema)
      assert.deepStrictEqual(explode.parameters, listed[1].inputSchema)
      assert.strictEqual(forecast.description, "The forecast for a city")
      // the SDK's schema, with its `$schema`, ranges and descriptions
      assert.deepStrictEqual((forecast.parameters as any).properties.days, {
        type: "integer",
        minimum: 1,
        maximum: 7
      })
      // $defs and a recursive $ref, as the server wrote them
      const [plan, untyped] = model.seen[1].tools
      assert.deepStrictEqual(plan.parameters, Plan)
      // a schema without `type` (against the spec) gets `type: "object"` and nothing else
      assert.deepStrictEqual(untyped.parameters, { type: "object", ...Untyped })
      // the model's call reaches the server with the arguments as given
      const tool = toolkit.tools.plan
      assert.deepStrictEqual(Tool.getJsonSchema(tool), Plan as unknown)
      const result = yield* toolkit.handle("plan", { first: { title: "a", next: { title: "b" } } })
      assert.deepStrictEqual(JSON.parse((result.result as McpToolkit.ToolResult).text), {
        name: "plan",
        arguments: { first: { title: "a", next: { title: "b" } } }
      })
    }))

  it.scoped("isError is a failure the model sees; failureMode \"error\" fails the turn instead", () =>
    Effect.gen(function*() {
      const weather = yield* McpClient.make(weatherServer())
      const model = scriptedModel([() => [call("1", "explode", { why: "testing" })]])
      const response = yield* LanguageModel.generateText({
        prompt: "explode",
        toolkit: yield* McpToolkit.fromClient(weather)
      }).pipe(Effect.provide(model.layer))
      const [result] = response.toolResults
      assert.isTrue(result.isFailure)
      assert.deepStrictEqual(result.encodedResult, {
        _tag: "McpToolFailure",
        tool: "explode",
        reason: "ToolError",
        message: "the fuse blew",
        content: [{ type: "text", text: "the fuse blew" }],
        structuredContent: { code: 42 }
      })
      assert.instanceOf(result.result, McpToolkit.ToolFailure)

      const failing = yield* McpToolkit.fromClient(weather, { failureMode: "error" })
      const error = yield* Effect.flip(
        LanguageModel.generateText({ prompt: "explode", toolkit: failing }).pipe(Effect.provide(model.layer))
      )
      assert.instanceOf(error, McpToolkit.ToolFailure)
      assert.strictEqual(error._tag === "McpToolFailure" && error.reason, "ToolError")
    }))

  it.scoped("an error of the call (here a closed session) is a typed failure, not a defect", () =>
    Effect.gen(function*() {
      const weather = yield* McpClient.make(weatherServer(), { autoConnect: false })
      const toolkit = yield* Effect.scoped(Effect.zipRight(weather.connect, McpToolkit.fromClient(weather)))
      // the session was released with the scope: the call fails with NotConnected
      const model = scriptedModel([() => [call("1", "forecast", { city: "Oslo" })]])
      const response = yield* LanguageModel.generateText({ prompt: "forecast", toolkit }).pipe(
        Effect.provide(model.layer)
      )
      const [result] = response.toolResults
      assert.isTrue(result.isFailure)
      const failure = result.result as McpToolkit.ToolFailure
      assert.strictEqual(failure.reason, "NotConnected")
      assert.include(failure.message, "not connected")
      assert.deepStrictEqual(failure.content, [])
    }))

  it.scoped("a prefix and provider-safe names map back to the tool's own name", () =>
    Effect.gen(function*() {
      const media = yield* McpClient.make(mediaServer())
      const made = yield* McpToolkit.make(media, { prefix: "my media" })
      assert.deepStrictEqual(Object.keys(made.toolkit.tools), ["my_media_everything", "my_media_clip_cut"])
      assert.deepStrictEqual(made.origins.my_media_clip_cut, { name: "clip.cut" })
      const model = scriptedModel([() => [call("1", "my_media_clip_cut", { from: 1, to: 3 })]])
      const response = yield* LanguageModel.generateText({ prompt: "cut", toolkit: made.toolkit }).pipe(
        Effect.provide(Layer.merge(made.layer, model.layer))
      )
      assert.deepStrictEqual(response.toolResults[0].result, {
        text: "cut 1-3",
        content: [{ type: "text", text: "cut 1-3" }]
      })
      for (const name of Object.keys(made.toolkit.tools)) assert.match(name, /^[a-zA-Z0-9_-]{1,64}$/)
      // a name too long is cut with a hash of the whole: still distinct, still reaching its tool
      const long = yield* McpToolkit.make(media, { prefix: "p".repeat(70) })
      const names = Object.keys(long.toolkit.tools)
      assert.deepStrictEqual(names.map((name) => name.length), [64, 64])
      assert.notStrictEqual(names[0], names[1])
      for (const name of names) assert.match(name, /^[a-zA-Z0-9_-]{1,64}$/)
      assert.deepStrictEqual(long.origins[names[1]], { name: "clip.cut" })
    }))

  it.scoped("clashing names after normalisation are numbered, each reaching its own tool", () =>
    Effect.gen(function*() {
      const server = mediaServer()
      server.registerTool("clip_cut", { inputSchema: { from: z.number() } }, () => ({
        content: [{ type: "text", text: "the other one" }]
      }))
      const media = yield* McpClient.make(server)
      const toolkit = yield* McpToolkit.fromClient(media)
      assert.deepStrictEqual(Object.keys(toolkit.tools), ["everything", "clip_cut", "clip_cut_2"])
      const first = yield* toolkit.handle("clip_cut", { from: 1, to: 2 })
      const second = yield* toolkit.handle("clip_cut_2", { from: 1 })
      assert.strictEqual((first.result as McpToolkit.ToolResult).text, "cut 1-2")
      assert.strictEqual((second.result as McpToolkit.ToolResult).text, "the other one")
    }))

  it.live("live: a tool added on the server after the toolkit was made is there at the next turn", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = weatherServer()
      const client = yield* McpClient.make(server)
      const toolkit = yield* McpToolkit.live(client, { prefix: "w" })
      const first = yield* toolkit
      assert.deepStrictEqual(Object.keys(first.tools), ["w_forecast", "w_explode"])
      // nothing changed: the same toolkit, no rebuild
      assert.strictEqual(yield* toolkit, first)

      server.registerTool("humidity", { description: "Humidity", inputSchema: { city: z.string() } }, ({ city }) => ({
        content: [{ type: "text", text: `80% in ${city}` }]
      }))
      // registerTool after connect sends notifications/tools/list_changed
      const second = yield* toolkit.pipe(
        Effect.filterOrFail((current) => "w_humidity" in current.tools, () => "not yet"),
        Effect.retry(Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(200))))
      )
      assert.notStrictEqual(second, first)

      // a model turn given the live toolkit sees the new tool and can call it
      const model = scriptedModel([() => [call("1", "w_humidity", { city: "Lima" })]])
      const response = yield* LanguageModel.generateText({ prompt: "humidity", toolkit }).pipe(
        Effect.provide(model.layer)
      )
      assert.deepStrictEqual(model.seen[0].tools.map((tool) => tool.name), ["w_forecast", "w_explode", "w_humidity"])
      assert.strictEqual((response.toolResults[0].result as McpToolkit.ToolResult).text, "80% in Lima")
    })))

  it.scoped("live: a server that never says its list changed is asked again at each use", () =>
    Effect.gen(function*() {
      const tools = [{ name: "one", inputSchema: { type: "object" as const } }]
      const server = new Server({ name: "quiet", version: "1.0.0" }, { capabilities: { tools: {} } })
      server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }))
      server.setRequestHandler(CallToolRequestSchema, (request) => ({
        content: [{ type: "text", text: request.params.name }]
      }))
      const client = yield* McpClient.make(server)
      const toolkit = yield* McpToolkit.live(client)
      const first = yield* toolkit
      assert.deepStrictEqual(Object.keys(first.tools), ["one"])
      // the same list: the same toolkit
      assert.strictEqual(yield* toolkit, first)
      tools.push({ name: "two", inputSchema: { type: "object" } })
      const second = yield* toolkit
      assert.deepStrictEqual(Object.keys(second.tools), ["one", "two"])
      assert.strictEqual(((yield* second.handle("two", {})).result as McpToolkit.ToolResult).text, "two")
    }))
})
