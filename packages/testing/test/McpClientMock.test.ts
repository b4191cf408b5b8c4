import { McpClient, McpError } from "@effect-mcp/client"
import { McpClientMock } from "@effect-mcp/testing"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Schema, Stream } from "effect"

const layer = McpClientMock.layer({
  callTool: (name, args) =>
    Effect.succeed(
      name === "fail"
        ? { content: [{ type: "text", text: "nope" }], isError: true }
        : { content: [{ type: "text", text: `mocked ${name}` }], structuredContent: args }
    )
})

describe("McpClientMock", () => {
  it.effect("supplied operations run, with the real client's tool-result rules", () =>
    Effect.gen(function*() {
      const result = yield* McpClient.callTool("anything")
      assert.deepStrictEqual(result.content, [{ type: "text", text: "mocked anything" }])
      const typed = yield* McpClient.callTool("sum", { total: 3 }, {
        outputSchema: Schema.Struct({ total: Schema.Number })
      })
      assert.strictEqual(typed.total, 3)
      const error = yield* Effect.flip(McpClient.callTool("fail"))
      assert.instanceOf(error, McpError.ToolError)
    }).pipe(Effect.provide(layer)))

  it.effect("a missing operation dies with a defect that names it", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(McpClient.listTools)
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
      if (Exit.isFailure(exit)) assert.include(Cause.pretty(exit.cause), "McpClient.listTools is not implemented")
      const read = yield* Effect.exit(McpClient.readResource("memo://x"))
      if (Exit.isFailure(read)) assert.include(Cause.pretty(read.cause), "McpClient.readResource")
      else assert.fail("readResource should have died")
      const streamed = yield* Effect.exit(Stream.runDrain(McpClient.logMessages))
      if (Exit.isFailure(streamed)) assert.include(Cause.pretty(streamed.cause), "McpClient.logMessages")
      else assert.fail("logMessages should have died")
    }).pipe(Effect.provide(layer)))
})
