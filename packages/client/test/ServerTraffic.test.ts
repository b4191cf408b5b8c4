import { type HttpTransport, McpClient, McpError, type McpSchema, type StdioTransport } from "@effect-mcp/client"
import { NodeMcpClient } from "@effect-mcp/client-node"
import type { CommandExecutor } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { CreateMessageResultSchema } from "@modelcontextprotocol/sdk/types.js"
import { Chunk, Context, Deferred, Effect, Fiber, Layer, Logger, LogLevel, Option, Stream } from "effect"
import { everythingPath, useEverythingHttp } from "./utils/servers.js"

const everything = { command: process.execPath, args: [everythingPath] }

const resultText = (result: McpSchema.CallToolResult) =>
  result.content.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("\n")

const answer = (text: string): McpSchema.CreateMessageResult => ({
  role: "assistant",
  content: { type: "text", text },
  model: "test-model"
})

/** Retries until the check passes (the server reacts to notifications in its own time). */
const eventually = <A, E, R>(effect: Effect.Effect<A, E, R>, check: (a: A) => boolean) =>
  Effect.gen(function*() {
    for (let attempt = 0; attempt < 50; attempt++) {
      const value = yield* effect
      if (check(value)) return value
      yield* Effect.sleep("50 millis")
    }
    return assert.fail("condition never held")
  })

const serverEverythingTraffic = (
  source: () => McpClient.ConnectionSource,
  layer:
    | Layer.Layer<CommandExecutor.CommandExecutor | StdioTransport.Launcher | HttpTransport.Connector>
    | Layer.Layer<
      CommandExecutor.CommandExecutor
    >
) => {
  it.scopedLive("its sampling tool is answered by the sampling handler", () =>
    Effect.gen(function*() {
      const requests: Array<McpSchema.CreateMessageRequestParams> = []
      const client = yield* McpClient.make(source(), {
        sampling: (request) => Effect.sync(() => (requests.push(request), answer("a sampled answer")))
      })
      const tools = yield* eventually(client.listTools, (tools) =>
        tools.some((t) => t.name === "trigger-sampling-request"))
      assert.isDefined(tools)
      const result = yield* client.callTool("trigger-sampling-request", { prompt: "write a haiku" })
      assert.include(resultText(result), "a sampled answer")
      assert.strictEqual(requests.length, 1)
      assert.include(JSON.stringify(requests[0]!.messages), "write a haiku")
    }).pipe(Effect.provide(layer)))

  it.scopedLive("its elicitation tool: accept (defaults filled in), decline, cancel", () =>
    Effect.gen(function*() {
      const client = yield* McpClient.make(source(), {
        elicitation: () => Effect.succeed({ action: "accept", content: { name: "Ada Lovelace", check: true } })
      })
      yield* eventually(client.listTools, (tools) => tools.some((t) => t.name === "trigger-elicitation-request"))
      const accepted = resultText(yield* client.callTool("trigger-elicitation-request"))
      assert.include(accepted, "Ada Lovelace")
      // the form's default for firstLine was filled in by the client
      assert.include(accepted, "It was a dark and stormy night.")

      yield* client.setElicitationHandler(() => Effect.succeed({ action: "decline" }))
      assert.include(resultText(yield* client.callTool("trigger-elicitation-request")), "declined")

      yield* client.setElicitationHandler(() => Effect.succeed({ action: "cancel" }))
      assert.include(resultText(yield* client.callTool("trigger-elicitation-request")), "cancel")
    }).pipe(Effect.provide(layer)))

  it.scopedLive("its roots tool sees the client's roots, and the change after setRoots", () =>
    Effect.gen(function*() {
      const client = yield* McpClient.make(source(), { roots: [{ uri: "file:///projects/alpha", name: "alpha" }] })
      const before = yield* eventually(
        Effect.map(client.callTool("get-roots-list"), resultText),
        (text) => text.includes("file:///projects/alpha")
      )
      assert.include(before, "alpha")
      yield* client.setRoots([{ uri: "file:///projects/beta", name: "beta" }])
      const after = yield* eventually(
        Effect.map(client.callTool("get-roots-list"), resultText),
        (text) => text.includes("file:///projects/beta")
      )
      assert.notInclude(after, "alpha")
    }).pipe(Effect.provide(layer)))

  it.scopedLive("after setLoggingLevel, log messages reach the Effect logger and the log stream", () => {
    const logged: Array<{ message: string; level: LogLevel.LogLevel; annotations: Record<string, unknown> }> = []
    const testLogger = Logger.make(({ annotations, logLevel, message }) => {
      logged.push({
        message: Array.isArray(message) ? message.join(" ") : String(message),
        level: logLevel,
        annotations: Object.fromEntries(annotations)
      })
    })
    return Effect.gen(function*() {
      const client = yield* McpClient.make(source())
      const stream = yield* Stream.runHead(
        Stream.filter(client.logMessages, (message) => String(message.data).includes("Subscribe Resource"))
      ).pipe(Effect.fork)
      yield* Effect.sleep("50 millis")
      yield* client.setLoggingLevel("info")
      yield* client.subscribe("demo://resource/static/document/features.md")
      const fromStream = yield* Fiber.join(stream)
      assert.isTrue(Option.isSome(fromStream))
      assert.strictEqual(Option.getOrThrow(fromStream).level, "info")
      const entry = yield* eventually(
        Effect.sync(() => logged.find((line) => line.message.includes("Received Subscribe Resource request"))),
        (line) => line !== undefined
      )
      assert.strictEqual(entry!.level, LogLevel.Info)
      assert.strictEqual(entry!.annotations["mcp.level"], "info")
    }).pipe(Effect.provide(layer), Effect.provide(Logger.replace(Logger.defaultLogger, testLogger)))
  })

  it.scopedLive(
    "resourceUpdates subscribes, delivers updates, and unsubscribes when it ends",
    () =>
      Effect.gen(function*() {
        const uri = "demo://resource/static/document/features.md"
        const client = yield* McpClient.make(source())
        yield* client.setLoggingLevel("info")
        const serverLog = yield* client.logMessages.pipe(
          Stream.map((message) => String(message.data)),
          Stream.filter((text) => /subscribe resource/i.test(text)),
          Stream.take(2),
          Stream.runCollect,
          Effect.fork
        )
        yield* Effect.sleep("50 millis")
        yield* client.callTool("toggle-subscriber-updates")
        // two streams on one URI share one subscription
        const [first, second] = yield* Effect.all([
          Stream.runHead(client.resourceUpdates(uri)),
          Stream.runHead(client.resourceUpdates(uri))
        ], { concurrency: "unbounded" })
        assert.deepStrictEqual(Option.getOrThrow(first), { uri })
        assert.deepStrictEqual(Option.getOrThrow(second), { uri })
        const log = Chunk.toReadonlyArray(yield* Fiber.join(serverLog))
        assert.include(log[0], "Received Subscribe Resource request")
        assert.include(log[1], "Received Unsubscribe Resource request")
      }).pipe(Effect.provide(layer)),
    30_000
  )
}

describe("server-initiated traffic with server-everything over stdio", () => {
  serverEverythingTraffic(() => everything, NodeContext.layer)
})

describe("server-initiated traffic with server-everything over Streamable HTTP on node:http", () => {
  const url = useEverythingHttp("streamableHttp")
  serverEverythingTraffic(() => url(), NodeMcpClient.layerNode)
})

class Model extends Context.Tag("test/Model")<Model, { readonly complete: (prompt: string) => string }>() {}

const inProcess = () => {
  const server = new McpServer({ name: "in-process", version: "1.0.0" }, { capabilities: { logging: {} } })
  server.registerTool("noop", {}, () => ({ content: [] }))
  return server
}

describe("server-initiated traffic with an SDK McpServer", () => {
  it.scoped("list-changed notifications reach the streams", () =>
    Effect.gen(function*() {
      const server = inProcess()
      server.registerPrompt("prompt-first", {}, () => ({ messages: [] }))
      const client = yield* McpClient.make(server)
      const changes = yield* client.listChanged.pipe(Stream.take(2), Stream.runCollect, Effect.fork)
      yield* Effect.yieldNow()
      server.registerTool("added-later", {}, () => ({ content: [] }))
      server.registerPrompt("prompt-later", {}, () => ({ messages: [] }))
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Fiber.join(changes)), ["tools", "prompts"])
      assert.include((yield* client.listTools).map((tool) => tool.name), "added-later")
    }))

  it.scoped("a handler's typed failure becomes the JSON-RPC error the server sees", () =>
    Effect.gen(function*() {
      const server = inProcess()
      yield* McpClient.make(server, {
        sampling: () => new McpError.HandlerError({ code: -1, description: "User rejected the sampling request" })
      })
      const error = yield* Effect.flip(
        Effect.tryPromise(() => server.server.createMessage({ messages: [], maxTokens: 10 }))
      )
      const cause = error.cause as { code: number; message: string }
      assert.strictEqual(cause.code, -1)
      assert.include(cause.message, "User rejected the sampling request")
    }))

  it.scoped("a handler error built as plain JavaScript would ({ code, message }, or nothing) still reaches the server well formed", () =>
    Effect.gen(function*() {
      const server = inProcess()
      let next: McpError.HandlerError = new McpError.HandlerError({ code: -1, message: "declined by the user" } as any)
      yield* McpClient.make(server, { sampling: () => Effect.fail(next) })
      const ask = Effect.flip(Effect.tryPromise(() => server.server.createMessage({ messages: [], maxTokens: 10 })))
      const declined = (yield* ask).cause as { code: number; message: string }
      assert.strictEqual(declined.code, -1)
      assert.include(declined.message, "declined by the user")
      next = new McpError.HandlerError({} as any)
      const empty = (yield* ask).cause as { code: number; message: string }
      assert.strictEqual(empty.code, -32603)
      assert.include(empty.message, "gave no reason")
    }))

  it.scoped("a handler that needs a service gets it from the layer", () =>
    Effect.gen(function*() {
      const server = inProcess()
      const ClientLive = McpClient.layer(server, {
        sampling: (request) => Effect.map(Model, (model) => answer(model.complete(JSON.stringify(request.messages))))
      }).pipe(Layer.provide(Layer.succeed(Model, { complete: (prompt) => `model saw ${prompt.length} chars` })))
      yield* Layer.build(ClientLive)
      const result = yield* Effect.promise(() =>
        server.server.createMessage({
          messages: [{ role: "user", content: { type: "text", text: "hi" } }],
          maxTokens: 5
        })
      )
      assert.match(JSON.stringify(result.content), /model saw \d+ chars/)
    }))

  it.scoped("a handler's defect answers -32603 and the session lives; a slow handler blocks nothing", () =>
    Effect.gen(function*() {
      const server = inProcess()
      const release = yield* Deferred.make<void>()
      let calls = 0
      const client = yield* McpClient.make(server, {
        sampling: () =>
          ++calls === 1
            ? Effect.die(new Error("the model exploded"))
            : Effect.as(Deferred.await(release), answer("late"))
      })
      const failed = yield* Effect.flip(
        Effect.tryPromise(() => server.server.createMessage({ messages: [], maxTokens: 1 }))
      )
      assert.strictEqual((failed.cause as { code: number }).code, -32603)
      assert.include((failed.cause as Error).message, "the model exploded")
      const slow = yield* Effect.fork(
        Effect.promise(() => server.server.createMessage({ messages: [], maxTokens: 1 }))
      )
      // while the handler waits, other traffic flows both ways
      yield* client.ping
      yield* client.listTools
      yield* Deferred.succeed(release, void 0)
      const late = yield* Fiber.join(slow)
      assert.include(JSON.stringify(late.content), "late")
    }))

  it.scoped("without a sampling handler, sampling is not advertised and a request gets a clear error", () =>
    Effect.gen(function*() {
      const server = inProcess()
      const client = yield* McpClient.make(server, { roots: [] })
      const capabilities = server.server.getClientCapabilities()
      assert.isUndefined(capabilities?.sampling)
      assert.isUndefined(capabilities?.elicitation)
      assert.isDefined(capabilities?.roots)
      // the SDK server refuses to send what was not advertised, so send the raw request
      const error = yield* Effect.flip(Effect.tryPromise(() =>
        server.server.request(
          { method: "sampling/createMessage", params: { messages: [], maxTokens: 1 } },
          CreateMessageResultSchema
        )
      ))
      assert.strictEqual((error.cause as { code: number }).code, -32601)
      assert.include((error.cause as Error).message, "no sampling handler")
      yield* client.ping
    }))

  it.scoped("an elicitation answer that does not fit the form is refused; defaults are filled in", () =>
    Effect.gen(function*() {
      const server = inProcess()
      let content: Record<string, string | number | boolean> = { age: "old" }
      yield* McpClient.make(server, {
        elicitation: () => Effect.sync(() => ({ action: "accept" as const, content }))
      })
      const form = {
        message: "Who are you?",
        requestedSchema: {
          type: "object" as const,
          properties: {
            age: { type: "integer" as const, minimum: 0 },
            color: { type: "string" as const, enum: ["red", "green"], default: "green" }
          },
          required: ["age"]
        }
      }
      const refused = yield* Effect.flip(Effect.tryPromise(() => server.server.elicitInput(form)))
      assert.strictEqual((refused.cause as { code: number }).code, -32602)
      assert.include((refused.cause as Error).message, "\"age\" must be a number")
      content = { age: 36 }
      const accepted = yield* Effect.promise(() => server.server.elicitInput(form))
      assert.deepStrictEqual(accepted, { action: "accept", content: { age: 36, color: "green" } })
    }))

  it.scopedLive(
    "every subscriber sees every notification after it subscribes; a slow one stalls nothing",
    () =>
      Effect.gen(function*() {
        const server = inProcess()
        const seen: Array<string> = []
        const client = yield* McpClient.make(server, {
          notificationBuffer: 16,
          onMessage: (notification) => Effect.sync(() => seen.push(notification.method)),
          onLog: () => Effect.void
        })
        const data = (stream: Stream.Stream<McpSchema.LoggingMessageNotificationParams>, n: number) =>
          stream.pipe(Stream.map((m) => m.data as number), Stream.take(n), Stream.runCollect, Effect.fork)
        const a = yield* data(client.logMessages, 100)
        const b = yield* data(client.logMessages, 100)
        // a subscriber that never reads
        const stuck = yield* Deferred.make<void>()
        yield* client.notifications.pipe(Stream.runForEach(() => Deferred.await(stuck)), Effect.fork)
        yield* Effect.sleep("10 millis")
        for (let i = 0; i < 100; i++) {
          yield* Effect.promise(() => server.sendLoggingMessage({ level: "info", data: i }))
        }
        const expected = Array.from({ length: 100 }, (_, i) => i)
        assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Fiber.join(a)), expected)
        assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Fiber.join(b)), expected)
        yield* client.ping
        assert.strictEqual(seen.filter((method) => method === "notifications/message").length, 100)
      }),
    30_000
  )
})
