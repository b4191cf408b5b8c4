import { McpError } from "@effect-mcp/client"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Either, Schema } from "effect"

describe("McpError", () => {
  it.effect("errors go through their schema and come back as the same class", () =>
    Effect.gen(function*() {
      const errors: ReadonlyArray<McpError.McpError> = [
        new McpError.NotConnected({ operation: "tools/call", hint: "connect first" }),
        new McpError.ToolError({ tool: "add", content: [{ type: "text", text: "bad input" }] }),
        new McpError.McpRpcError({ method: "tools/call", code: -32602, description: "unknown tool" }),
        new McpError.TimeoutError({ method: "ping", timeout: Duration.seconds(2), kind: "idle" }),
        new McpError.TransportError({ reason: "Closed", description: "the server exited", stderr: ["boom"] }),
        new McpError.ProtocolError({ reason: "CursorLoop", description: "cursor c1 twice" })
      ]
      for (const error of errors) {
        const encoded = yield* Schema.encode(McpError.McpError)(error)
        const decoded = yield* Schema.decodeUnknown(McpError.McpError)(JSON.parse(JSON.stringify(encoded)))
        assert.strictEqual(decoded.constructor, error.constructor)
        assert.strictEqual(decoded.message, error.message)
      }
    }))

  it.effect("decoding checks the fields", () =>
    Effect.gen(function*() {
      const result = yield* Effect.either(
        Schema.decodeUnknown(McpError.McpError)({ _tag: "TransportError", reason: "Lost", description: "?" })
      )
      assert.isTrue(Either.isLeft(result))
    }))

  it("a HandlerError without a code is an internal error", () => {
    const error = new McpError.HandlerError({ description: "declined" })
    assert.strictEqual(error.code, -32603)
    assert.strictEqual(error.message, "declined")
  })

  it("a HandlerError takes its text as description or as message, as plain JavaScript builds errors", () => {
    const given = new McpError.HandlerError({ code: -1, message: "declined by the user" })
    assert.strictEqual(given.description, "declined by the user")
    assert.strictEqual(given.message, "declined by the user")
    assert.strictEqual(given.code, -1)
    assert.isFalse(Object.prototype.hasOwnProperty.call(given, "message"))
    const both = new McpError.HandlerError({ description: "the description", message: "the message" } as any)
    assert.strictEqual(both.message, "the description")
  })

  it("every error has a guard on its type id and tag, which holds across copies of the package", () => {
    const errors = {
      NotConnected: [new McpError.NotConnected({ operation: "ping", hint: "connect" }), McpError.isNotConnected],
      ToolError: [new McpError.ToolError({ tool: "t", content: [] }), McpError.isToolError],
      McpRpcError: [new McpError.McpRpcError({ method: "m", code: 1, description: "d" }), McpError.isMcpRpcError],
      TimeoutError: [
        new McpError.TimeoutError({ method: "m", timeout: Duration.seconds(1), kind: "idle" }),
        McpError.isTimeoutError
      ],
      TransportError: [new McpError.TransportError({ reason: "Closed", description: "d" }), McpError.isTransportError],
      ProtocolError: [new McpError.ProtocolError({ reason: "Parse", description: "d" }), McpError.isProtocolError],
      HandlerError: [new McpError.HandlerError({ description: "d" }), McpError.isHandlerError],
      GroupError: [new McpError.GroupError({ reason: "UnknownEntry", description: "d" }), McpError.isGroupError]
    } as const
    for (const [tag, [error, guard]] of Object.entries(errors)) {
      for (const [other, [otherError]] of Object.entries(errors)) {
        assert.strictEqual((guard as (u: unknown) => boolean)(otherError), tag === other, `${tag} guard on ${other}`)
      }
      const copy = { [Symbol.for("@effect-mcp/client/McpError")]: Symbol.for("@effect-mcp/client/McpError"), _tag: tag }
      assert.isTrue((guard as (u: unknown) => boolean)(copy), `${tag} from another copy`)
      assert.strictEqual(McpError.isMcpError(error), tag !== "HandlerError" && tag !== "GroupError", tag)
    }
    assert.isFalse(McpError.isTransportError({ _tag: "TransportError" }))
  })

  it("resource not found is -32602 (2026-07-28) or -32002 (before), on resources/read only", () => {
    const answer = (method: string, code: number) => new McpError.McpRpcError({ method, code, description: "x" })
    assert.isTrue(McpError.isResourceNotFound(answer("resources/read", -32602)))
    assert.isTrue(McpError.isResourceNotFound(answer("resources/read", -32002)))
    assert.isFalse(McpError.isResourceNotFound(answer("tools/call", -32602)))
    assert.isFalse(McpError.isResourceNotFound(answer("resources/read", -32603)))
  })

  it("the errors of revision 2026-07-28 say what to do", () => {
    const missing = new McpError.McpRpcError({
      method: "tools/call",
      code: -32021,
      description: "missing capability",
      data: { requiredCapabilities: { elicitation: { form: {} } } }
    })
    assert.include(missing.message, `{"elicitation":{"form":{}}}`)
    assert.include(missing.message, "handler")
    const version = new McpError.McpRpcError({
      method: "server/discover",
      code: -32022,
      description: "unsupported",
      data: { supported: ["2026-07-28"], requested: "2099-01-01" }
    })
    assert.include(version.message, "The server speaks 2026-07-28")
  })
})
