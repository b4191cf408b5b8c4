import type { McpSchema } from "@effect-mcp/client"
import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import * as Arguments from "../src/Arguments.js"

const tool: McpSchema.Tool = {
  name: "t",
  inputSchema: {
    type: "object",
    properties: {
      count: { type: "integer", minimum: 1 },
      ratio: { type: "number" },
      name: { type: "string" },
      flag: { type: "boolean" },
      tags: { type: "array", items: { type: "string" } },
      mode: { type: "string", enum: ["fast", "slow"] },
      options: { type: "object" },
      maybe: { type: ["number", "null"] }
    },
    required: ["count"],
    additionalProperties: false
  }
}

describe("Arguments.forTool", () => {
  it("types key=value pairs by the input schema", () => {
    const args = Arguments.forTool(tool, [
      "count=3",
      "ratio=0.5",
      "name=42",
      "flag=true",
      "tags=a,b",
      "mode=fast",
      "options:={\"x\":1}",
      "maybe=null"
    ], undefined)
    assert.deepStrictEqual(Either.getOrThrow(args), {
      count: 3,
      ratio: 0.5,
      name: "42",
      flag: true,
      tags: ["a", "b"],
      mode: "fast",
      options: { x: 1 },
      maybe: null
    })
  })

  it("merges pairs over --args and builds arrays from repeated keys", () => {
    const args = Arguments.forTool(tool, ["tags=a", "tags=b", "count=2"], "{\"count\":1,\"name\":\"n\"}")
    assert.deepStrictEqual(Either.getOrThrow(args), { count: 2, name: "n", tags: ["a", "b"] })
  })

  it("reports every problem, with the schema in the details", () => {
    const args = Arguments.forTool(tool, ["count=x", "mode=medium", "extra=1", "nonsense"], undefined)
    assert.isTrue(Either.isLeft(args))
    const error = Either.getLeft(args).pipe((option) => option._tag === "Some" ? option.value : undefined)!
    assert.include(error.message, "\"count\": \"x\" is not of type integer")
    assert.notInclude(error.message, "\"count\" is required")
    assert.include(error.message, "\"mode\" must be one of \"fast\", \"slow\"")
    assert.include(error.message, "\"extra\" is not an argument")
    assert.include(error.message, "\"nonsense\" is not key=value")
    assert.include(error.details, "Input schema:")
  })

  it("checks --args as well", () => {
    assert.isTrue(Either.isLeft(Arguments.forTool(tool, [], "[1]")))
    assert.isTrue(Either.isLeft(Arguments.forTool(tool, [], "{\"count\":0}")))
    assert.isTrue(Either.isLeft(Arguments.forTool(tool, [], "not json")))
  })
})

describe("Arguments.forPrompt", () => {
  const prompt: McpSchema.Prompt = { name: "p", arguments: [{ name: "topic", required: true }, { name: "style" }] }

  it("takes strings and checks required and unknown arguments", () => {
    assert.deepStrictEqual(Either.getOrThrow(Arguments.forPrompt(prompt, ["topic=a=b"], undefined)), { topic: "a=b" })
    const missing = Arguments.forPrompt(prompt, ["colour=red"], undefined)
    assert.isTrue(Either.isLeft(missing))
  })
})
