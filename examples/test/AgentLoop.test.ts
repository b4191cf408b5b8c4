import { McpGroup } from "@effect-mcp/client"
import { McpTestServer } from "@effect-mcp/testing"
import { LanguageModel, type Prompt, type Response } from "@effect/ai"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { AgentGaveUp, runAgent } from "../src/AgentLoop.js"

// a tiny PNG's bytes, as a server would send an image
const image = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

/** Two servers: the weather (text) and a camera (an image). */
const servers = Effect.gen(function*() {
  const weather = yield* McpTestServer.make({
    tools: [{
      name: "forecast",
      inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      handler: (args) => Effect.succeed(McpTestServer.text(`sunny in ${args.city}`))
    }]
  })
  const camera = yield* McpTestServer.make({
    tools: [{
      name: "snapshot",
      handler: () => Effect.succeed({ content: [{ type: "image", data: image, mimeType: "image/png" }] })
    }]
  })
  return { weather: weather.connect, camera: camera.connect }
})

/** The tool results the model was given back in a prompt. */
const toolResults = (prompt: Prompt.Prompt) =>
  prompt.content.flatMap((message) =>
    message.role === "tool" ? message.content.map((part) => ({ name: part.name, result: part.result })) : []
  )

/**
 * A model from a script: the first turn calls a tool on each server, the
 * second answers from what the tools gave.
 */
const scriptedModel = () => {
  const shown: Array<{ readonly tools: ReadonlyArray<string>; readonly results: ReturnType<typeof toolResults> }> = []
  const layer = Layer.effect(
    LanguageModel.LanguageModel,
    LanguageModel.make({
      generateText: (options) =>
        Effect.sync((): Array<Response.PartEncoded> => {
          const results = toolResults(options.prompt)
          shown.push({ tools: options.tools.map((tool) => tool.name), results })
          if (results.length === 0) {
            return [
              { type: "tool-call", id: "1", name: "weather_forecast", params: { city: "Lisbon" } },
              { type: "tool-call", id: "2", name: "camera_snapshot", params: {} }
            ]
          }
          const texts = results.map((result) => (result.result as { text: string }).text).filter((text) => text !== "")
          return [{ type: "text", text: `It is ${texts.join(", ")}; the camera sent a picture.` }]
        }),
      streamText: () => Stream.dieMessage("the scripted model does not stream")
    })
  )
  return { layer, shown }
}

describe("an agent loop over a group of servers", () => {
  it.scoped("the model calls a tool on each server, reads their results (the image included), and answers", () => {
    const model = scriptedModel()
    return Effect.gen(function*() {
      const group = McpGroup.layer(yield* servers)
      const run = yield* runAgent("What is the weather in Lisbon, and what does the camera see?").pipe(
        Effect.provide(Layer.merge(group, model.layer))
      )
      assert.deepStrictEqual(run.calls, [
        { tool: "weather_forecast", failed: false },
        { tool: "camera_snapshot", failed: false }
      ])
      assert.strictEqual(run.answer, "It is sunny in Lisbon; the camera sent a picture.")
      // the model saw every server's tools under catalogue names, on both turns
      assert.deepStrictEqual(model.shown.map((turn) => turn.tools), [
        ["weather_forecast", "camera_snapshot"],
        ["weather_forecast", "camera_snapshot"]
      ])
      // and on the second turn, the image the camera sent, as the server sent it
      const snapshot = model.shown[1].results.find((result) => result.name === "camera_snapshot")
      assert.deepStrictEqual((snapshot?.result as { content: unknown }).content, [
        { type: "image", data: image, mimeType: "image/png" }
      ])
    })
  })

  it.scoped("a model that never stops calling tools is stopped after maxTurns", () =>
    Effect.gen(function*() {
      const looping = Layer.effect(
        LanguageModel.LanguageModel,
        LanguageModel.make({
          generateText: () =>
            Effect.succeed([{ type: "tool-call", id: "1", name: "weather_forecast", params: { city: "Oslo" } }]),
          streamText: () => Stream.dieMessage("no streaming")
        })
      )
      const error = yield* Effect.flip(
        runAgent("forever", 3).pipe(Effect.provide(Layer.merge(McpGroup.layer(yield* servers), looping)))
      )
      assert.instanceOf(error, AgentGaveUp)
      assert.strictEqual((error as AgentGaveUp).turns, 3)
    }))
})
