import { McpClient, McpError, type McpSchema, Transport } from "@effect-mcp/client"
import { NodeMcpClient } from "@effect-mcp/client-node"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Logger, Option, Schema, Scope, Stream, TestClock } from "effect"
import { randomUUID } from "node:crypto"
import { useForBlock } from "./utils/servers.js"
import { startV2Http, statsOf, v2Stdio } from "./utils/v2Server.js"

// Both protocol eras, the handshake one (2024-11-05 .. 2025-11-25) and the
// stateless revision 2026-07-28, against a server built on the official SDK
// v2 (fixtures/v2-server.mjs) over stdio and Streamable HTTP, then what the
// client makes of a stateless server that misbehaves (scripted in memory).

const STATELESS = "2026-07-28"
const HANDSHAKE = "2025-11-25"

const text = (result: { readonly content: ReadonlyArray<unknown> }) =>
  result.content.flatMap((part: any) => (part?.type === "text" ? [part.text as string] : [])).join("\n")

// the verdict "auto" keeps is keyed by the command line: each stdio server of this file gets its own
const tag = (name: string) => `${name}-${randomUUID()}`

/** Calls `poke` (with its attempt number) until `fiber` is done; gives its value. */
const pokeUntilDone = <A, E>(
  fiber: Fiber.Fiber<A, E>,
  poke: (attempt: number) => Effect.Effect<unknown, McpError.McpError>
) =>
  Effect.gen(function*() {
    for (let attempt = 0; attempt < 40; attempt++) {
      yield* poke(attempt)
      const done = yield* Fiber.join(fiber).pipe(Effect.timeoutOption("150 millis"))
      if (Option.isSome(done)) return done.value
    }
    return yield* Effect.dieMessage("nothing arrived after 40 tries")
  })

// what a handshake-only client meets at a modern-only server: its own fault, and the way out
const assertUnsupportedByModern = (error: McpError.McpError) => {
  assert.instanceOf(error, McpError.McpRpcError)
  assert.strictEqual(error.method, "initialize")
  assert.strictEqual(error.code, -32022)
  assert.deepStrictEqual((error.data as { readonly supported?: unknown }).supported, [STATELESS])
  assert.include(error.message, `The server speaks ${STATELESS}; choose one with the client's "protocol" option`)
}

// -----------------------------------------------------------------------------
// 1. every operation and handler, in both eras, over stdio and Streamable HTTP
// -----------------------------------------------------------------------------

interface Recorder {
  elicitations: Array<McpSchema.ElicitRequestParams>
  samplings: Array<McpSchema.CreateMessageRequestParams>
  rootsAsked: number
  logs: Array<McpSchema.LoggingMessageNotificationParams>
}

const makeRecorder = (): Recorder => ({ elicitations: [], samplings: [], rootsAsked: 0, logs: [] })

const handlers = (recorder: Recorder): McpClient.Options => ({
  elicitation: (params) =>
    Effect.sync(() => {
      recorder.elicitations.push(params)
      return { action: "accept", content: { name: "Ada" } }
    }),
  sampling: (params) =>
    Effect.sync(() => {
      recorder.samplings.push(params)
      return { role: "assistant", content: { type: "text", text: "sampled" }, model: "m" }
    }),
  roots: Effect.sync(() => {
    recorder.rootsAsked++
    return [{ uri: "file:///a", name: "a" }]
  }),
  onLog: (message) =>
    Effect.sync(() => {
      recorder.logs.push(message)
    })
})

const combos = [
  { mode: "modern", wire: "stdio", http: undefined },
  { mode: "modern", wire: "http", http: "node:http" },
  { mode: "legacy", wire: "stdio", http: undefined },
  { mode: "legacy", wire: "http", http: "node:http" },
  // the default transport, the SDK's (fetch); see below for what it does with a modern server
  { mode: "legacy", wire: "http", http: "fetch" }
] as const
const recorders = combos.map(makeRecorder)

// stdio: the client spawns the server (through @effect/platform's Command);
// HTTP: a server of its own, reached through client-node's node:http transport or the default one
const suiteClient = (combo: typeof combos[number], recorder: Recorder) =>
  combo.wire === "stdio"
    ? McpClient.make(v2Stdio(combo.mode, tag(`suite-${combo.mode}`)), handlers(recorder)).pipe(
      Effect.provide(NodeContext.layer)
    )
    : Effect.flatMap(startV2Http(combo.mode), (server) => McpClient.make(server.url, handlers(recorder))).pipe(
      (make) =>
        combo.http === "fetch" ? Effect.provide(make, NodeContext.layer) : Effect.provide(make, NodeMcpClient.layerNode)
    )

// Everything long-lived starts at once, for the whole file, and stops after it: a client (and its
// server) for each combination of the suite, and three HTTP servers for the era tests, of their own
// because the verdict of "auto" is kept per origin and path. (Not @effect/vitest's `layer`: it
// rebinds the `it.effect` / `it.scoped` of the whole file to its own runtime, without TestClock.)
const started = useForBlock(
  Effect.all({
    clients: Effect.all(combos.map((combo, i) => suiteClient(combo, recorders[i]!)), { concurrency: "unbounded" }),
    modern: startV2Http("modern"),
    legacy: startV2Http("legacy"),
    both: startV2Http("both")
  }, { concurrency: "unbounded" })
)

const toolNames = [
  "echo",
  "add",
  "fail",
  "ask_name",
  "sample",
  "list_roots",
  "multi_input",
  "two_rounds",
  "log",
  "slow",
  "touch",
  "add_tool",
  "header_tool",
  "stats",
  "events"
]

for (const [index, combo] of combos.entries()) {
  describe(`a ${combo.mode} server over ${combo.wire}${combo.http === undefined ? "" : ` (${combo.http})`}`, () => {
    const modern = combo.mode === "modern"
    const recorder = recorders[index]!
    const shared = () => started().clients[index]!
    it.live("the session's facts: era, protocolVersion, serverInfo, serverCapabilities, instructions", () =>
      Effect.gen(function*() {
        const client = shared()
        const era = yield* client.era
        const version = yield* client.protocolVersion
        const info = Option.getOrThrow(yield* client.serverInfo)
        const instructions = yield* client.instructions
        const caps = yield* client.serverCapabilities

        assert.strictEqual(info.name, "effect-mcp-v2-fixture")
        assert.strictEqual(info.version, "1.0.0")
        assert.deepStrictEqual(
          instructions,
          Option.some(`effect-mcp v2 fixture (MODE=${combo.mode}, TRANSPORT=${combo.wire}, era=${combo.mode})`)
        )
        assert.isTrue(caps.tools?.listChanged)
        assert.isTrue(caps.prompts?.listChanged)
        assert.deepStrictEqual(caps.resources, { subscribe: true, listChanged: true })
        assert.isDefined(caps.logging)
        assert.isDefined(caps.completions)

        if (modern) {
          assert.deepStrictEqual(era, {
            protocolVersion: STATELESS,
            stateless: true,
            chosenBy: "auto: the server answered server/discover"
          })
          assert.strictEqual(version, STATELESS)
          const error = yield* Effect.flip(client.initializeResult)
          assert.instanceOf(error, McpError.ProtocolError)
          assert.strictEqual(error.reason, "Unsupported")
          assert.include(error.message, "no initialize handshake")
        } else {
          assert.strictEqual(era.protocolVersion, HANDSHAKE)
          assert.isFalse(era.stateless)
          assert.match(era.chosenBy, /^auto: server\/discover failed \(.+\), so the handshake$/)
          assert.strictEqual(version, HANDSHAKE)
          const init = yield* client.initializeResult
          assert.strictEqual(init.protocolVersion, HANDSHAKE)
          assert.strictEqual(init.serverInfo.name, info.name)
          assert.deepStrictEqual(init.capabilities, caps)
          assert.deepStrictEqual(Option.fromNullable(init.instructions), instructions)
        }
      }))

    it.live("tools: list, call (text, structured, progress), a failing tool is a ToolError, x-mcp-header", () =>
      Effect.gen(function*() {
        const client = shared()
        const tools = yield* client.listTools
        assert.includeMembers(tools.map((tool) => tool.name), toolNames)
        assert.isDefined(tools.find((tool) => tool.name === "add")?.outputSchema)

        assert.strictEqual(text(yield* client.callTool("echo", { text: "hello there" })), "hello there")
        const sum = yield* client.callTool("add", { a: 2, b: 3 }, {
          outputSchema: Schema.Struct({ result: Schema.Number })
        })
        assert.deepStrictEqual(sum, { result: 5 })
        const raw = yield* client.callToolRaw("add", { a: 20, b: 22 })
        assert.deepStrictEqual(raw.structuredContent, { result: 42 })
        assert.strictEqual(text(raw), "42")

        const failed = yield* Effect.flip(client.callTool("fail"))
        assert.instanceOf(failed, McpError.ToolError)
        assert.strictEqual(failed.tool, "fail")
        assert.strictEqual(failed.text, "this tool always fails")
        assert.isTrue((yield* client.callToolRaw("fail")).isError)

        // progress, on the request's own stream in 2026-07-28
        const progress: Array<number> = []
        const slept = yield* client.callTool("slow", { ms: 50 }, {
          onProgress: (p) => Effect.sync(() => progress.push(p.progress))
        })
        assert.strictEqual(text(slept), "slept 50")
        assert.deepStrictEqual(progress, [1, 2, 3, 4, 5])

        // the argument annotated x-mcp-header travels as Mcp-Param-Region over stateless HTTP only
        const seen = (yield* client.callTool("header_tool", { region: "eu-west" })).structuredContent
        assert.deepStrictEqual(
          seen,
          combo.wire === "stdio"
            ? {
              region: "eu-west",
              "mcp-param-region": null,
              "mcp-method": null,
              "mcp-name": null,
              "mcp-protocol-version": null
            }
            : modern
            ? {
              region: "eu-west",
              "mcp-param-region": "eu-west",
              "mcp-method": "tools/call",
              "mcp-name": "header_tool",
              "mcp-protocol-version": STATELESS
            }
            : {
              region: "eu-west",
              "mcp-param-region": null,
              "mcp-method": null,
              "mcp-name": null,
              "mcp-protocol-version": HANDSHAKE
            }
        )
      }))

    it.live("resources, templates, read, prompts, completion, ping", () =>
      Effect.gen(function*() {
        const client = shared()
        const resources = yield* client.listResources
        assert.includeMembers(resources.map((r) => r.uri), [
          "test://static/hello",
          "test://dynamic/counter",
          "test://items/1",
          "test://items/3"
        ])
        const templates = yield* client.listResourceTemplates
        assert.deepStrictEqual(templates.map((t) => t.uriTemplate), ["test://items/{id}"])

        assert.deepStrictEqual(yield* client.readResource("test://static/hello"), [
          { uri: "test://static/hello", mimeType: "text/plain", text: "hello world" }
        ])
        assert.deepStrictEqual(yield* client.readResource("test://items/7"), [
          { uri: "test://items/7", mimeType: "text/plain", text: "item 7" }
        ])
        const missing = yield* Effect.flip(client.readResource("test://nowhere"))
        assert.instanceOf(missing, McpError.McpRpcError)

        const prompts = yield* client.listPrompts
        assert.deepStrictEqual(prompts.map((p) => p.name), ["greet"])
        assert.deepStrictEqual(prompts[0]!.arguments?.map((a) => a.name), ["name"])
        const prompt = yield* client.getPrompt("greet", { name: "Ada" })
        assert.deepStrictEqual(prompt.messages, [{ role: "user", content: { type: "text", text: "Hello, Ada!" } }])

        const names = yield* client.complete({ type: "ref/prompt", name: "greet" }, { name: "name", value: "Al" })
        assert.deepStrictEqual(names.values, ["Alice", "Albert"])
        const ids = yield* client.complete(
          { type: "ref/resource", uri: "test://items/{id}" },
          { name: "id", value: "1" }
        )
        assert.deepStrictEqual(ids.values, ["1", "10", "11"])

        yield* client.ping
      }))

    it.live("elicitation, sampling and roots answer the server, as input rounds (modern) or requests (legacy)", () =>
      Effect.gen(function*() {
        const client = shared()
        recorder.elicitations.length = 0
        recorder.samplings.length = 0
        recorder.rootsAsked = 0
        const before = yield* statsOf(client)

        assert.strictEqual(text(yield* client.callTool("ask_name")), "Hello Ada")
        assert.strictEqual(text(yield* client.callTool("sample", { prompt: "Say hi" })), "sampled")
        assert.strictEqual(text(yield* client.callTool("list_roots")), "file:///a")
        assert.strictEqual(text(yield* client.callTool("multi_input")), "Hello Ada; roots: file:///a")
        const two = yield* client.callTool("two_rounds")
        assert.deepStrictEqual(two.structuredContent, { name: "Ada", sample: "sampled", rounds: 2, state: "ok" })
        assert.strictEqual(text(two), "Ada: sampled")

        const after = yield* statsOf(client)
        // ask_name, multi_input, two_rounds; sample, two_rounds; list_roots, multi_input
        assert.deepStrictEqual(recorder.elicitations.map((e) => e.message), Array(3).fill("What is your name?"))
        assert.deepStrictEqual(
          recorder.samplings.map((s) => (s.messages[0]?.content as { text: string }).text),
          ["Say hi", "Greet Ada"]
        )
        assert.strictEqual(recorder.rootsAsked, 2)
        // modern: every round is a tools/call of its own (2 + 2 + 2 + 2 + 3); legacy: one each. Plus `stats`.
        assert.strictEqual(after["tools/call"]! - before["tools/call"]!, modern ? 12 : 6)
      }))

    it.live("listChanged after add_tool and resourceUpdates after touch", () =>
      Effect.gen(function*() {
        const client = shared()
        const prefix = `dyn_${combo.mode}_${combo.wire}_`
        const changed = yield* client.listChanged.pipe(
          Stream.filter((kind) => kind === "tools"),
          Stream.runHead,
          Effect.fork
        )
        // in the stateless era the stream's listen opens in the background: add tools until one is announced
        const kind = yield* pokeUntilDone(changed, (i) => client.callTool("add_tool", { name: `${prefix}${i}` }))
        assert.deepStrictEqual(kind, Option.some("tools"))
        const tools = (yield* client.listTools).map((tool) => tool.name)
        assert.include(tools, `${prefix}0`)

        const updates = yield* client.resourceUpdates("test://dynamic/counter").pipe(
          Stream.take(1),
          Stream.runCollect,
          Effect.fork
        )
        const updated = yield* pokeUntilDone(updates, () => client.callTool("touch", { uri: "test://dynamic/counter" }))
        assert.deepStrictEqual(Array.from(updated), [{ uri: "test://dynamic/counter" }])

        const stats = yield* statsOf(client)
        if (modern) {
          // fed by subscriptions/listen: nothing of the handshake era is sent
          assert.isAtLeast(stats["subscriptions/listen"] ?? 0, 2)
          assert.isUndefined(stats["resources/subscribe"])
        } else {
          assert.isUndefined(stats["subscriptions/listen"])
          assert.isAtLeast(stats["resources/subscribe"] ?? 0, 1)
        }
      }))

    it.live("logging: after setLoggingLevel(\"warning\") an error log arrives and an info log does not", () =>
      Effect.gen(function*() {
        const client = shared()
        const id = randomUUID()
        const ours = (message: McpSchema.LoggingMessageNotificationParams) => String(message.data).endsWith(id)
        if (modern) {
          // the revision sends no log for a request that names no level
          yield* client.callTool("log", { level: "emergency", message: `unasked ${id}` })
        }
        yield* client.setLoggingLevel("warning")
        const streamed = yield* client.logMessages.pipe(Stream.filter(ours), Stream.runHead, Effect.fork)
        yield* Effect.sleep("50 millis") // the stream subscribes when its fiber starts
        yield* client.callTool("log", { level: "info", message: `quiet ${id}` })
        yield* client.callTool("log", { level: "error", message: `loud ${id}` })

        const first = yield* Fiber.join(streamed).pipe(Effect.timeout("5 seconds"))
        assert.strictEqual(Option.getOrThrow(first).data, `loud ${id}`)
        const handled = recorder.logs.filter(ours)
        assert.deepStrictEqual(handled.map((log) => [log.level, log.logger, log.data]), [
          ["error", "v2-fixture", `loud ${id}`]
        ])
        // modern: the level rides each request's _meta; legacy: logging/setLevel, once
        assert.strictEqual((yield* statsOf(client))["logging/setLevel"], modern ? undefined : 1)
      }))
  })
}

// -----------------------------------------------------------------------------
// 2, 3. "auto" probes once per server and remembers; pins fail typed
// -----------------------------------------------------------------------------

// each stdio test has servers (and command lines) of its own: they run side by side
describe.concurrent("choosing the era over stdio", () => {
  it.scopedLive("auto, legacy server: one server/discover then initialize; the next process only initialize", () =>
    Effect.gen(function*() {
      const source = v2Stdio("legacy", tag("auto-legacy"))
      const first = yield* Effect.scoped(
        Effect.flatMap(McpClient.make(source), (client) => Effect.all({ era: client.era, stats: statsOf(client) }))
      )
      assert.strictEqual(first.stats["server/discover"], 1)
      assert.strictEqual(first.stats["initialize"], 1)
      assert.deepStrictEqual(first.era, {
        protocolVersion: HANDSHAKE,
        stateless: false,
        chosenBy: "auto: server/discover failed (error -32601), so the handshake"
      })

      const second = yield* Effect.scoped(
        Effect.flatMap(McpClient.make(source), (client) => Effect.all({ era: client.era, stats: statsOf(client) }))
      )
      assert.isUndefined(second.stats["server/discover"])
      assert.strictEqual(second.stats["initialize"], 1)
      assert.deepStrictEqual(second.era, {
        protocolVersion: HANDSHAKE,
        stateless: false,
        chosenBy: "auto: this server needed the handshake before"
      })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("auto, modern server: stateless, no initialize", () =>
    Effect.gen(function*() {
      const client = yield* McpClient.make(v2Stdio("modern", tag("auto-modern")))
      const era = yield* client.era
      assert.isTrue(era.stateless)
      assert.strictEqual(era.protocolVersion, STATELESS)
      const stats = yield* statsOf(client)
      assert.strictEqual(stats["server/discover"], 1)
      assert.isUndefined(stats["initialize"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("legacy pinned against a modern-only server: McpRpcError -32022 saying what to do", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(McpClient.make(v2Stdio("modern", tag("pin-legacy")), { protocol: "legacy" }))
      assertUnsupportedByModern(error)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("2026-07-28 pinned against a legacy server: a VersionMismatch that names what to do", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(McpClient.make(v2Stdio("legacy", tag("pin-stateless")), { protocol: STATELESS }))
      assert.instanceOf(error, McpError.ProtocolError)
      assert.strictEqual(error.reason, "VersionMismatch")
      assert.include(error.message, "server/discover")
      assert.include(error.message, "-32601")
      assert.include(error.message, `use protocol "auto" or "legacy"`)
    }).pipe(Effect.provide(NodeContext.layer)))
})

// the HTTP servers are shared (and their counts reset by each test): one test at a time
describe("choosing the era over Streamable HTTP", () => {
  it.scopedLive("auto, legacy server: one server/discover then initialize; the next client only initialize", () =>
    Effect.gen(function*() {
      const server = started().legacy
      yield* server.resetStats
      const first = yield* Effect.scoped(Effect.flatMap(McpClient.make(server.url), (client) => client.era))
      assert.isFalse(first.stateless)
      assert.match(first.chosenBy, /^auto: server\/discover failed \(.+\), so the handshake$/)
      assert.deepStrictEqual(yield* server.stats, { "server/discover": 1, initialize: 1 })

      const second = yield* Effect.scoped(Effect.flatMap(McpClient.make(server.url), (client) => client.era))
      assert.strictEqual(second.chosenBy, "auto: this server needed the handshake before")
      assert.deepStrictEqual(yield* server.stats, { "server/discover": 1, initialize: 2 })
    }).pipe(Effect.provide(NodeMcpClient.layerNode)))

  it.scopedLive("auto, modern server (node:http): stateless, no initialize", () =>
    Effect.gen(function*() {
      const server = started().modern
      yield* server.resetStats
      const client = yield* McpClient.make(server.url)
      const era = yield* client.era
      assert.isTrue(era.stateless)
      assert.strictEqual(era.protocolVersion, STATELESS)
      yield* client.ping
      // the probe and the ping (the revision's ping is a discovery)
      assert.deepStrictEqual(yield* server.stats, { "server/discover": 2 })
    }).pipe(Effect.provide(NodeMcpClient.layerNode)))

  it.scopedLive("auto, dual-era server (node:http): stateless, no initialize", () =>
    Effect.gen(function*() {
      const server = started().both
      yield* server.resetStats
      const client = yield* McpClient.make(server.url)
      assert.isTrue((yield* client.era).stateless)
      assert.strictEqual(text(yield* client.callTool("echo", { text: "both" })), "both")
      assert.isUndefined((yield* server.stats)["initialize"])
    }).pipe(Effect.provide(NodeMcpClient.layerNode)))

  // The core's default HTTP transport is the SDK's StreamableHTTPClientTransport (v1): its POSTs carry
  // the per-message headers (through its fetch), it forgets the probe's protocol version before
  // `initialize`, and a JSON-RPC error in the body of a refusal is the request's answer. Without those,
  // "auto" could not reach a server that speaks both eras, nor one that speaks only 2026-07-28.
  it.scopedLive("auto, dual-era server with the default (fetch) transport: a session opens", () =>
    Effect.gen(function*() {
      const server = started().both
      yield* server.resetStats
      const legacy = yield* McpClient.make(server.url, { protocol: "legacy" })
      assert.strictEqual(text(yield* legacy.callTool("echo", { text: "legacy" })), "legacy")
      const auto = yield* Effect.either(McpClient.make(server.url))
      assert.strictEqual(auto._tag, "Right", auto._tag === "Left" ? auto.left.message : "")
      if (auto._tag === "Right") assert.strictEqual(text(yield* auto.right.callTool("echo", { text: "auto" })), "auto")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("auto, modern-only server with the default (fetch) transport: stateless, no initialize", () =>
    Effect.gen(function*() {
      const server = started().modern
      yield* server.resetStats
      const era = yield* Effect.either(
        Effect.scoped(Effect.flatMap(McpClient.make(server.url), (client) => client.era))
      )
      const stats = yield* server.stats
      assert.isUndefined(stats["initialize"], `sent ${JSON.stringify(stats)}; the client got ${JSON.stringify(era)}`)
      assert.isTrue(era._tag === "Right" && era.right.stateless, JSON.stringify(era))
    }).pipe(Effect.provide(NodeContext.layer)))

  // the JSON-RPC error in the body of an HTTP 400 is an McpRpcError (with its advice), as over node:http
  it.scopedLive("legacy pinned against a modern-only server with the default (fetch) transport: McpRpcError -32022", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(McpClient.make(started().modern.url, { protocol: "legacy" }))
      assertUnsupportedByModern(error)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("legacy pinned against a modern-only server: McpRpcError -32022 saying what to do", () =>
    Effect.gen(function*() {
      const server = started().modern
      yield* server.resetStats
      assertUnsupportedByModern(yield* Effect.flip(McpClient.make(server.url, { protocol: "legacy" })))
      assert.deepStrictEqual(yield* server.stats, { initialize: 1 })
    }).pipe(Effect.provide(NodeMcpClient.layerNode)))

  it.scopedLive("2026-07-28 pinned against a legacy server: a VersionMismatch, no initialize", () =>
    Effect.gen(function*() {
      const server = started().legacy
      yield* server.resetStats
      const error = yield* Effect.flip(McpClient.make(server.url, { protocol: STATELESS }))
      assert.instanceOf(error, McpError.ProtocolError)
      assert.strictEqual(error.reason, "VersionMismatch")
      assert.include(error.message, `use protocol "auto" or "legacy"`)
      assert.deepStrictEqual(yield* server.stats, { "server/discover": 1 })
    }).pipe(Effect.provide(NodeMcpClient.layerNode)))
})

// -----------------------------------------------------------------------------
// 4. a stateless server that misbehaves: typed errors, never a hang
// -----------------------------------------------------------------------------

type Push = (frame: unknown) => void

const discoverResult = {
  supportedVersions: [STATELESS],
  capabilities: { tools: {}, resources: { subscribe: true } },
  resultType: "complete"
}
// a server that sends tools/list_changed
const listingResult = { ...discoverResult, capabilities: { tools: { listChanged: true } } }

/**
 * A server scripted message by message over an in-memory pair. It answers
 * `server/discover` (unless `onMessage` does, by returning true) with a
 * discover result for 2026-07-28, so the session is stateless; `seen` has
 * every message the client sent, in order.
 */
const scripted = (onMessage: (message: any, push: Push) => boolean | void, discover: unknown = discoverResult) => {
  const seen: Array<any> = []
  const connect: Transport.Connect = Effect.gen(function*() {
    const [client, server] = yield* Transport.makeInMemoryPair
    const push: Push = (frame) => Effect.runFork(server.send(frame as any))
    yield* server.run((message: any) => {
      // a copy, as a wire would carry it
      seen.push(JSON.parse(JSON.stringify(message)))
      if (onMessage(message, push) === true) return
      if (message.method === "server/discover") push({ jsonrpc: "2.0", id: message.id, result: discover })
    }).pipe(Effect.forkScoped)
    return client
  })
  const requests = (method: string) => seen.filter((message) => message.method === method && "id" in message)
  return { connect, seen, requests }
}

// lets the in-memory messages already sent arrive
const settle = Effect.yieldNow().pipe(Effect.repeatN(20))

const result = (id: unknown, value: unknown) => ({ jsonrpc: "2.0", id, result: value })
const okText = (id: unknown, value: string) => result(id, { content: [{ type: "text", text: value }] })
const elicit = (message: string) => ({
  method: "elicitation/create",
  params: { message, requestedSchema: { type: "object", properties: { name: { type: "string" } } } }
})
const inputRequired = (id: unknown, inputRequests: unknown, requestState?: string) =>
  result(id, {
    resultType: "input_required",
    inputRequests,
    ...(requestState === undefined ? {} : { requestState })
  })

const answering = (name: string): McpClient.Options => ({
  elicitation: () => Effect.succeed({ action: "accept", content: { name } })
})

describe("a stateless server that misbehaves", () => {
  it.scoped("a result with an unknown resultType is a ProtocolError (InvalidResult); the session lives on", () =>
    Effect.gen(function*() {
      const server = scripted((message, push) => {
        if (message.method === "tools/call") {
          push(
            message.params.name === "fine"
              ? okText(message.id, "fine")
              : result(message.id, { resultType: "banana", content: [{ type: "text", text: "peeled" }] })
          )
        } else if (message.method === "tools/list" || message.method === "resources/read") {
          push(result(message.id, { resultType: "banana", tools: [], contents: [] }))
        } else if (message.method === "resources/templates/list") {
          // input may be asked for only by tools/call, prompts/get and resources/read
          push(inputRequired(message.id, { q: elicit("name?") }))
        }
      })
      const client = yield* McpClient.make(server.connect)
      assert.isTrue((yield* client.era).stateless)
      const failing: Array<Effect.Effect<unknown, McpError.McpError>> = [
        client.callTool("peel"),
        client.listTools,
        client.readResource("test://x")
      ]
      for (const call of failing) {
        const error = yield* Effect.flip(call)
        assert.instanceOf(error, McpError.ProtocolError)
        assert.strictEqual(error.reason, "InvalidResult")
        assert.include(error.message, "unknown resultType banana")
      }
      const misplaced = yield* Effect.flip(client.listResourceTemplates)
      assert.strictEqual(misplaced._tag === "ProtocolError" && misplaced.reason, "InvalidResult")
      assert.include(misplaced.message, "only tools/call, prompts/get and resources/read may do")
      assert.strictEqual(text(yield* client.callTool("fine")), "fine")
    }))

  it.scoped("input asked for without end: ProtocolError (InputRequired) after maxInputRounds, 3 rounds = 4 requests", () =>
    Effect.gen(function*() {
      const server = scripted((message, push) => {
        if (message.method === "tools/call") {
          push(inputRequired(message.id, { q: elicit("again?") }, `round ${server.requests("tools/call").length}`))
        }
      })
      let asked = 0
      const client = yield* McpClient.make(server.connect, {
        maxInputRounds: 3,
        elicitation: () => Effect.sync(() => (asked++, { action: "accept", content: { name: "x" } }))
      })
      const error = yield* Effect.flip(client.callTool("forever"))
      assert.instanceOf(error, McpError.ProtocolError)
      assert.strictEqual(error.reason, "InputRequired")
      assert.include(error.message, "still asked for input after 3 rounds")
      assert.include(error.message, "maxInputRounds")
      assert.strictEqual(server.requests("tools/call").length, 4)
      assert.strictEqual(asked, 3)

      // the default cap: 10 rounds
      const byDefault = scripted((message, push) => {
        if (message.method === "tools/call") push(inputRequired(message.id, { q: elicit("again?") }))
      })
      const other = yield* McpClient.make(byDefault.connect, answering("x"))
      const again = yield* Effect.flip(other.callTool("forever"))
      assert.strictEqual(again._tag === "ProtocolError" && again.reason, "InputRequired")
      assert.strictEqual(byDefault.requests("tools/call").length, 11)
    }))

  it.scoped("input the client has no handler for: ProtocolError (InputRequired) naming the capability, no retry", () =>
    Effect.gen(function*() {
      const kinds = [
        { capability: "elicitation", request: elicit("name?") },
        {
          capability: "sampling",
          request: { method: "sampling/createMessage", params: { messages: [], maxTokens: 1 } }
        },
        { capability: "roots", request: { method: "roots/list" } }
      ]
      for (const { capability, request } of kinds) {
        const server = scripted((message, push) => {
          if (message.method === "tools/call") push(inputRequired(message.id, { needed: request }, "s"))
        })
        // a client with every handler but the one asked for
        const options: McpClient.Options = {
          elicitation: () => Effect.succeed({ action: "decline" }),
          sampling: () => Effect.succeed({ role: "assistant", content: { type: "text", text: "" }, model: "m" }),
          roots: []
        }
        const client = yield* McpClient.make(server.connect, { ...options, [capability]: undefined })
        const error = yield* Effect.flip(client.callTool("needy"))
        assert.instanceOf(error, McpError.ProtocolError)
        assert.strictEqual(error.reason, "InputRequired")
        assert.include(error.message, `the server needs the "${capability}" capability`)
        assert.include(error.message, `give the client a ${capability} handler`)
        const calls = server.requests("tools/call")
        assert.strictEqual(calls.length, 1)
        const declared = calls[0].params._meta["io.modelcontextprotocol/clientCapabilities"]
        assert.notProperty(declared, capability)
      }
    }))

  it.scoped("requestState is echoed byte for byte, under a new id each round, and only when the server gave one", () =>
    Effect.gen(function*() {
      const state = ` {"not": "parsed"} \u2028 é 𝄞 \\n "quoted" \t ${"x".repeat(4096)} `
      const server = scripted((message, push) => {
        if (message.method !== "tools/call") return
        const round = server.requests("tools/call").length
        if (round === 1) push(inputRequired(message.id, { who: elicit("name?") }, state))
        else if (round === 2) {
          push(inputRequired(message.id, {
            llm: { method: "sampling/createMessage", params: { messages: [], maxTokens: 5 } }
          }))
        } else push(okText(message.id, "done"))
      })
      const client = yield* McpClient.make(server.connect, {
        ...answering("Ada"),
        sampling: () => Effect.succeed({ role: "assistant", content: { type: "text", text: "hi" }, model: "m" })
      })
      assert.strictEqual(text(yield* client.callTool("rounds", { keep: [1, "two"] })), "done")

      const [first, second, third] = server.requests("tools/call")
      assert.strictEqual(new Set([first.id, second.id, third.id]).size, 3)
      for (const round of [first, second, third]) {
        assert.strictEqual(round.params.name, "rounds")
        assert.deepStrictEqual(round.params.arguments, { keep: [1, "two"] })
        assert.strictEqual(round.params._meta["io.modelcontextprotocol/protocolVersion"], STATELESS)
      }
      assert.notProperty(first.params, "requestState")
      assert.notProperty(first.params, "inputResponses")
      assert.strictEqual(second.params.requestState, state)
      assert.deepStrictEqual(Object.keys(second.params.inputResponses), ["who"])
      assert.deepStrictEqual(second.params.inputResponses.who, { action: "accept", content: { name: "Ada" } })
      // the second round gave no state: none is sent, and the first round's is not reused
      assert.notProperty(third.params, "requestState")
      assert.deepStrictEqual(Object.keys(third.params.inputResponses), ["llm"])
      assert.strictEqual(third.params.inputResponses.llm.content.text, "hi")
    }))

  it.scoped("two calls in parallel never see each other's inputResponses or requestState", () =>
    Effect.gen(function*() {
      const held: Array<() => void> = []
      const server = scripted((message, push) => {
        if (message.method !== "tools/call") return
        const who = message.params.arguments.who as string
        if (message.params.requestState === undefined) {
          // answer the first rounds only once both are in, the later one first
          held.push(() => push(inputRequired(message.id, { name: elicit(`who is ${who}?`) }, `state of ${who}`)))
          if (held.length === 2) held.reverse().forEach((answer) => answer())
          return
        }
        const named = message.params.inputResponses?.name?.content?.name
        const mine = message.params.requestState === `state of ${who}` && named === who
        push(
          mine
            ? okText(message.id, `ok ${who}`)
            : result(message.id, { content: [{ type: "text", text: JSON.stringify(message.params) }], isError: true })
        )
      })
      const client = yield* McpClient.make(server.connect, {
        elicitation: (params) =>
          Effect.succeed({ action: "accept", content: { name: /who is (\w+)\?/.exec(params.message)![1]! } })
      })
      const results = yield* Effect.all(
        ["A", "B"].map((who) => client.callTool("par", { who })),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(results.map(text), ["ok A", "ok B"])
      const calls = server.requests("tools/call")
      assert.strictEqual(calls.length, 4)
      assert.strictEqual(new Set(calls.map((call) => call.id)).size, 4)
    }))

  it.scoped("a listen never acknowledged: subscribe fails with a ProtocolError after 10 s, and the listen is cancelled", () =>
    Effect.gen(function*() {
      const server = scripted(() => {})
      const client = yield* McpClient.make(server.connect)
      const subscribing = yield* Effect.fork(client.subscribe("test://never"))
      yield* TestClock.adjust("9900 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(subscribing)))
      yield* TestClock.adjust("100 millis")
      const error = yield* Effect.flip(Fiber.join(subscribing))
      assert.instanceOf(error, McpError.ProtocolError)
      assert.include(error.message, "subscriptions/listen was not acknowledged within 10s")

      const [listen] = server.requests("subscriptions/listen")
      assert.deepStrictEqual(listen.params.notifications, { resourceSubscriptions: ["test://never"] })
      yield* settle
      const cancelled = server.seen.filter((message) => message.method === "notifications/cancelled")
      assert.deepStrictEqual(cancelled.map((message) => message.params.requestId), [listen.id])
      // nothing listens again by itself
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(server.requests("subscriptions/listen").length, 1)
    }))

  it.scoped("-32020 (header mismatch) re-reads the tool list and tries the call once more; twice is an McpRpcError", () =>
    Effect.gen(function*() {
      let mismatches = 0
      const server = scripted((message, push) => {
        if (message.method === "tools/list") {
          push(result(message.id, { tools: [{ name: "moved", inputSchema: { type: "object" } }] }))
        } else if (message.method === "tools/call") {
          if (message.params.name === "moved" && mismatches++ === 0) {
            push({ jsonrpc: "2.0", id: message.id, error: { code: -32020, message: "Mcp-Param-Region is absent" } })
          } else if (message.params.name === "stubborn") {
            push({ jsonrpc: "2.0", id: message.id, error: { code: -32020, message: "still wrong" } })
          } else push(okText(message.id, "done"))
        }
      })
      const client = yield* McpClient.make(server.connect)
      const called = yield* client.callTool("moved", {})
      assert.strictEqual((called.content[0] as { text: string }).text, "done")
      assert.deepStrictEqual(server.seen.filter((m) => "id" in m).map((m) => m.method).slice(-3), [
        "tools/call",
        "tools/list",
        "tools/call"
      ])
      const error = yield* Effect.flip(client.callTool("stubborn", {}))
      assert.instanceOf(error, McpError.McpRpcError)
      assert.strictEqual(error.code, -32020)
      assert.include(error.message, "header mismatch")
      assert.strictEqual(server.requests("tools/call").filter((m) => m.params.name === "stubborn").length, 2)
    }))

  it.scoped("tools whose x-mcp-header annotations break the rules are left out of listTools, with a warning", () =>
    Effect.gen(function*() {
      const server = scripted((message, push) => {
        if (message.method === "tools/list") {
          push(result(message.id, {
            tools: [
              {
                name: "valid_tool",
                inputSchema: { type: "object", properties: { region: { type: "string", "x-mcp-header": "Region" } } }
              },
              {
                name: "invalid_number_header",
                inputSchema: { type: "object", properties: { score: { type: "number", "x-mcp-header": "Score" } } }
              }
            ]
          }))
        }
      })
      const warnings: Array<string> = []
      // the client reports problems on the runtime it was made in
      const client = yield* McpClient.make(server.connect).pipe(
        Effect.provide(Logger.replace(
          Logger.defaultLogger,
          Logger.make(({ message }) => {
            warnings.push(String(Array.isArray(message) ? message.join(" ") : message))
          })
        ))
      )
      const tools = yield* client.listTools
      assert.deepStrictEqual(tools.map((tool) => tool.name), ["valid_tool"])
      const raw = yield* client.listToolsRaw()
      assert.deepStrictEqual(raw.tools.map((tool) => tool.name), ["valid_tool"])
      yield* settle
      assert.isTrue(
        warnings.some((line) => line.includes("invalid_number_header")),
        `warnings: ${JSON.stringify(warnings)}`
      )
    }))

  it.scoped("a request lost on its way (the transport says it may be sent again) goes again under a new id, once", () =>
    Effect.gen(function*() {
      let losses = 0
      const server = scripted((message, push) => {
        if (message.method !== "tools/call") return
        const lose = message.params.name === "lost-twice" || losses === 0
        if (lose) {
          losses++
          const cut = new McpError.TransportError({ reason: "Read", description: "the answer stream broke" })
          push(new Transport.RequestFailure(message.id, cut, true))
        } else push(okText(message.id, "arrived"))
      })
      const client = yield* McpClient.make(server.connect)
      const called = yield* client.callTool("once-lost", {})
      assert.strictEqual((called.content[0] as { text: string }).text, "arrived")
      const sent = server.requests("tools/call")
      assert.strictEqual(sent.length, 2)
      assert.notStrictEqual(sent[0].id, sent[1].id)
      assert.deepStrictEqual(sent[0].params.arguments, sent[1].params.arguments)
      const error = yield* Effect.flip(client.callTool("lost-twice", {}))
      assert.instanceOf(error, McpError.TransportError)
      assert.strictEqual(server.requests("tools/call").filter((m) => m.params.name === "lost-twice").length, 2)
    }))

  it.scoped("after the connection is lost, the client listens again on the new one and updates flow again", () =>
    Effect.gen(function*() {
      // each connection is a pair of its own, in a scope the test can close: the server "dies"
      const connections: Array<{ readonly scope: Scope.CloseableScope; readonly push: Push }> = []
      const listens: Array<{ readonly connection: number; readonly id: unknown; readonly uris: unknown }> = []
      const connect: Transport.Connect = Effect.gen(function*() {
        const scope = yield* Scope.make()
        const [client, server] = yield* Scope.extend(Transport.makeInMemoryPair, scope)
        const push: Push = (frame) => Effect.runFork(server.send(frame as any))
        const connection = connections.length
        connections.push({ scope, push })
        yield* server.run((message: any) => {
          if (message.method === "server/discover") push(result(message.id, discoverResult))
          if (message.method === "subscriptions/listen") {
            listens.push({ connection, id: message.id, uris: message.params.notifications.resourceSubscriptions })
            push({
              jsonrpc: "2.0",
              method: "notifications/subscriptions/acknowledged",
              params: {
                notifications: message.params.notifications,
                _meta: { "io.modelcontextprotocol/subscriptionId": message.id }
              }
            })
          }
        }).pipe(Effect.forkIn(scope))
        return client
      })
      const updated = (listen: { readonly connection: number; readonly id: unknown }) =>
        connections[listen.connection].push({
          jsonrpc: "2.0",
          method: "notifications/resources/updated",
          params: { uri: "test://watched", _meta: { "io.modelcontextprotocol/subscriptionId": listen.id } }
        })
      const client = yield* McpClient.make(connect)
      const updates = yield* Effect.fork(Stream.runCollect(Stream.take(client.resourceUpdates("test://watched"), 2)))
      yield* settle
      assert.strictEqual(listens.length, 1)
      updated(listens[0])
      yield* settle
      yield* Scope.close(connections[0].scope, Exit.void)
      yield* settle
      // the listen fails with the connection, and is opened again (on a new connection) after its backoff
      yield* TestClock.adjust("1 second")
      yield* settle
      yield* TestClock.adjust("1 second")
      yield* settle
      assert.strictEqual(connections.length, 2)
      assert.strictEqual(listens.length, 2)
      assert.deepStrictEqual(listens[1], { connection: 1, id: listens[1].id, uris: ["test://watched"] })
      updated(listens[1])
      const got = yield* Fiber.join(updates)
      assert.strictEqual(Chunk.size(got), 2)
    }))

  it.scoped("an onMessage handler alone hears list changes: the client listens for its whole life", () =>
    Effect.gen(function*() {
      const server = scripted((message, push) => {
        if (message.method === "subscriptions/listen") {
          const meta = { "io.modelcontextprotocol/subscriptionId": message.id }
          push({
            jsonrpc: "2.0",
            method: "notifications/subscriptions/acknowledged",
            params: { notifications: message.params.notifications, _meta: meta }
          })
          push({ jsonrpc: "2.0", method: "notifications/tools/list_changed", params: { _meta: meta } })
        }
      }, listingResult)
      const heard: Array<string> = []
      yield* McpClient.make(server.connect, {
        onMessage: (notification) => Effect.sync(() => heard.push(notification.method))
      })
      yield* settle
      assert.deepStrictEqual(server.requests("subscriptions/listen")[0].params.notifications, {
        toolsListChanged: true
      })
      assert.include(heard, "notifications/tools/list_changed")
    }))

  it.scoped("a handler given after connecting is declared in the envelope of the requests that follow", () =>
    Effect.gen(function*() {
      const server = scripted((message, push) => {
        if (message.method === "tools/list") push(result(message.id, { tools: [] }))
      })
      const client = yield* McpClient.make(server.connect)
      const capabilitiesOfLast = () => {
        const [last] = server.requests("tools/list").slice(-1)
        return last.params._meta["io.modelcontextprotocol/clientCapabilities"]
      }
      yield* client.listTools
      assert.isUndefined(capabilitiesOfLast().elicitation)
      yield* client.setElicitationHandler(() => Effect.succeed({ action: "decline" as const }))
      yield* client.setRoots([{ uri: "file:///work" }])
      yield* client.listTools
      assert.isDefined(capabilitiesOfLast().elicitation)
      assert.isDefined(capabilitiesOfLast().roots)
    }))

  it.scoped("a pinned handshake revision is kept: a server that answers another is refused, with advice", () =>
    Effect.gen(function*() {
      const server = scripted((message, push) => {
        if (message.method !== "initialize") return
        const result2 = { protocolVersion: "2025-11-25", capabilities: {}, serverInfo: { name: "newer", version: "1" } }
        push(result(message.id, result2))
        return true
      })
      const error = yield* Effect.flip(McpClient.make(server.connect, { protocol: "2025-06-18" }))
      assert.instanceOf(error, McpError.ProtocolError)
      assert.strictEqual(error.reason, "VersionMismatch")
      assert.include(error.message, `pinned to 2025-06-18, and the server answered "2025-11-25"`)
      assert.strictEqual(server.requests("initialize")[0].params.protocolVersion, "2025-06-18")
      assert.strictEqual(server.requests("server/discover").length, 0)
      const legacy = yield* McpClient.make(server.connect, { protocol: "legacy" })
      assert.strictEqual(yield* legacy.protocolVersion, "2025-11-25")
    }))

  it.scoped("a round asking for more than 64 inputs is refused before any handler runs", () =>
    Effect.gen(function*() {
      const server = scripted((message, push) => {
        if (message.method !== "tools/call") return
        const flood = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`q${i}`, elicit(`question ${i}`)]))
        push(inputRequired(message.id, flood))
      })
      let asked = 0
      const client = yield* McpClient.make(server.connect, {
        elicitation: () => Effect.sync(() => asked++).pipe(Effect.as({ action: "decline" as const }))
      })
      const error = yield* Effect.flip(client.callTool("flood", {}))
      assert.instanceOf(error, McpError.ProtocolError)
      assert.strictEqual(error.reason, "InputRequired")
      assert.include(error.message, "asked for 10000 inputs in one round; the client answers at most 64")
      assert.strictEqual(asked, 0)
      assert.strictEqual(server.requests("tools/call").length, 1)
    }))

  it.scoped("list streams: a server that advertises no listChanged is not asked to listen", () =>
    Effect.gen(function*() {
      const server = scripted(() => {})
      const client = yield* McpClient.make(server.connect)
      const stream = yield* Effect.fork(Stream.runDrain(client.listChanged))
      yield* settle
      assert.strictEqual(server.requests("subscriptions/listen").length, 0)
      assert.isTrue(Option.isNone(yield* Fiber.poll(stream)))
      yield* Fiber.interrupt(stream)
    }))

  it.scoped("list streams: a server without subscriptions/listen (-32601) is asked once, warned of, and the stream runs", () =>
    Effect.gen(function*() {
      const server = scripted((message, push) => {
        if (message.method === "subscriptions/listen") {
          push({ jsonrpc: "2.0", id: message.id, error: { code: -32601, message: "Method not found" } })
        }
      }, listingResult)
      const client = yield* McpClient.make(server.connect)
      const stream = yield* Effect.fork(Stream.runDrain(client.listChanged))
      yield* settle
      yield* TestClock.adjust("10 minutes")
      yield* settle
      assert.strictEqual(server.requests("subscriptions/listen").length, 1)
      assert.deepStrictEqual(server.requests("subscriptions/listen")[0].params.notifications, {
        toolsListChanged: true
      })
      assert.isTrue(Option.isNone(yield* Fiber.poll(stream)))
      yield* Fiber.interrupt(stream)
    }))

  it.scoped("list streams: an unacknowledged listen lets the stream start after the wait, and is tried again", () =>
    Effect.gen(function*() {
      const server = scripted(() => {}, listingResult)
      const client = yield* McpClient.make(server.connect)
      const stream = yield* Effect.fork(Stream.runDrain(client.listChanged))
      yield* settle
      assert.strictEqual(server.requests("subscriptions/listen").length, 1)
      yield* TestClock.adjust("10 seconds")
      yield* settle
      yield* TestClock.adjust("1 second")
      yield* settle
      assert.isAbove(server.requests("subscriptions/listen").length, 1)
      assert.isTrue(Option.isNone(yield* Fiber.poll(stream)))
      yield* Fiber.interrupt(stream)
    }))

  it.scoped("with a requestTimeout under 10 s, the acknowledgement is awaited that long", () =>
    Effect.gen(function*() {
      const server = scripted(() => {})
      const client = yield* McpClient.make(server.connect, { requestTimeout: "2 seconds" })
      const subscribing = yield* Effect.fork(client.subscribe("test://never"))
      yield* TestClock.adjust("2 seconds")
      const error = yield* Effect.flip(Fiber.join(subscribing))
      assert.instanceOf(error, McpError.ProtocolError)
      assert.include(error.message, "not acknowledged within 2s")
    }))

  it.scoped("prompts/get and resources/read take input rounds as tools/call does", () =>
    Effect.gen(function*() {
      const server = scripted((message, push) => {
        if (message.method === "server/discover") {
          push(result(message.id, { ...discoverResult, capabilities: { prompts: {}, resources: {} } }))
          return true
        }
        if (message.params?.requestState === undefined) {
          return push(inputRequired(message.id, { who: elicit("name?") }, `${message.method} state`))
        }
        const name = message.params.inputResponses.who.content.name
        if (message.method === "prompts/get") {
          push(result(message.id, { messages: [{ role: "user", content: { type: "text", text: `Hi ${name}` } }] }))
        } else if (message.method === "resources/read") {
          push(result(message.id, { contents: [{ uri: message.params.uri, text: `for ${name}` }] }))
        }
      })
      const client = yield* McpClient.make(server.connect, answering("Ada"))
      const prompt = yield* client.getPrompt("greet", { tone: "warm" })
      assert.deepStrictEqual(prompt.messages, [{ role: "user", content: { type: "text", text: "Hi Ada" } }])
      assert.deepStrictEqual(yield* client.readResource("test://r"), [{ uri: "test://r", text: "for Ada" }])
      const [, promptAgain] = server.requests("prompts/get")
      assert.deepStrictEqual(promptAgain.params.arguments, { tone: "warm" })
      assert.strictEqual(promptAgain.params.requestState, "prompts/get state")
      const [, readAgain] = server.requests("resources/read")
      assert.strictEqual(readAgain.params.uri, "test://r")
      assert.strictEqual(readAgain.params.requestState, "resources/read state")
    }))

  it.scoped("a listen acknowledged without the resource: subscribe fails (Unsupported), the listen is cancelled", () =>
    Effect.gen(function*() {
      const server = scripted((message, push) => {
        if (message.method !== "subscriptions/listen") return
        push({
          jsonrpc: "2.0",
          method: "notifications/subscriptions/acknowledged",
          params: { notifications: { resourceSubscriptions: [] }, _meta: { subscriptionId: message.id } }
        })
      })
      const client = yield* McpClient.make(server.connect)
      const error = yield* Effect.flip(client.subscribe("test://refused"))
      assert.instanceOf(error, McpError.ProtocolError)
      assert.strictEqual(error.reason, "Unsupported")
      assert.include(error.message, "did not take the subscription to test://refused")
      yield* settle
      const [listen] = server.requests("subscriptions/listen")
      const cancelled = server.seen.filter((message) => message.method === "notifications/cancelled")
      assert.deepStrictEqual(cancelled.map((message) => message.params.requestId), [listen.id])
    }))

  it.scoped("a requestState the server refuses as tampered: McpRpcError or ToolError, no hang", () =>
    Effect.gen(function*() {
      for (const refusal of ["error", "isError"] as const) {
        const server = scripted((message, push) => {
          if (message.method !== "tools/call") return
          if (message.params.requestState === undefined) {
            push(inputRequired(message.id, { who: elicit("name?") }, "signed:0xabc"))
          } else if (refusal === "error") {
            push({
              jsonrpc: "2.0",
              id: message.id,
              error: { code: -32602, message: "requestState failed its integrity check" }
            })
          } else {
            push(result(message.id, { content: [{ type: "text", text: "requestState tampered" }], isError: true }))
          }
        })
        const client = yield* McpClient.make(server.connect, answering("Ada"))
        const error = yield* Effect.flip(client.callTool("signed"))
        if (refusal === "error") {
          assert.instanceOf(error, McpError.McpRpcError)
          assert.strictEqual(error.code, -32602)
          assert.include(error.message, "integrity check")
        } else {
          assert.instanceOf(error, McpError.ToolError)
          assert.strictEqual(error.text, "requestState tampered")
        }
        assert.strictEqual(server.requests("tools/call").length, 2)
      }
    }))

  it.scoped("-32022 naming 2026-07-28 to the first server/discover: tried once more, and the session opens", () =>
    Effect.gen(function*() {
      const unsupported = (id: unknown) => ({
        jsonrpc: "2.0",
        id,
        error: {
          code: -32022,
          message: "Unsupported protocol version",
          data: { supported: [STATELESS], requested: STATELESS }
        }
      })
      for (const protocol of ["auto", STATELESS] as const) {
        const server = scripted((message, push) => {
          if (message.method === "server/discover" && server.requests("server/discover").length === 1) {
            push(unsupported(message.id))
            return true
          }
        })
        const client = yield* McpClient.make(server.connect, { protocol })
        const era = yield* client.era
        assert.isTrue(era.stateless)
        assert.strictEqual(era.protocolVersion, STATELESS)
        assert.strictEqual(server.requests("server/discover").length, 2)
        assert.strictEqual(server.requests("initialize").length, 0)
      }

      // once only: a server that keeps answering -32022 fails the pinned client, typed
      const stubborn = scripted((message, push) => {
        if (message.method === "server/discover") {
          push(unsupported(message.id))
          return true
        }
      })
      const error = yield* Effect.flip(McpClient.make(stubborn.connect, { protocol: STATELESS }))
      assert.instanceOf(error, McpError.McpRpcError)
      assert.strictEqual(error.code, -32022)
      assert.include(error.message, "choose one with the client's \"protocol\" option")
      assert.strictEqual(stubborn.requests("server/discover").length, 2)
    }))

  it.scoped("a server of the handshake era (-32601 to server/discover) is fallen back to, and era.chosenBy says so", () =>
    Effect.gen(function*() {
      const server = scripted((message, push) => {
        if (message.method === "server/discover") {
          push({ jsonrpc: "2.0", id: message.id, error: { code: -32601, message: "Method not found" } })
          return true
        }
        if (message.method === "initialize") {
          push(result(message.id, {
            protocolVersion: HANDSHAKE,
            capabilities: { tools: {} },
            serverInfo: { name: "old", version: "1" }
          }))
        }
        if (message.method === "tools/call") push(okText(message.id, "old and fine"))
      })
      const client = yield* McpClient.make(server.connect)
      assert.deepStrictEqual(yield* client.era, {
        protocolVersion: HANDSHAKE,
        stateless: false,
        chosenBy: "auto: server/discover failed (error -32601), so the handshake"
      })
      assert.strictEqual((yield* client.initializeResult).serverInfo.name, "old")
      assert.strictEqual(text(yield* client.callTool("any")), "old and fine")
      const call = server.requests("tools/call")[0]
      assert.notProperty(call.params._meta, "io.modelcontextprotocol/protocolVersion", "no stateless envelope")

      // the same source again: no second probe
      const again = yield* McpClient.make(server.connect)
      assert.strictEqual((yield* again.era).chosenBy, "auto: this server needed the handshake before")
      assert.strictEqual(server.requests("server/discover").length, 1)
      assert.strictEqual(server.requests("initialize").length, 2)
    }))

  it.scoped("a remembered handshake that stops holding (the server now refuses initialize) is probed again", () =>
    Effect.gen(function*() {
      let modernNow = false
      const server = scripted((message, push) => {
        if (message.method === "server/discover" && !modernNow) {
          push({ jsonrpc: "2.0", id: message.id, error: { code: -32601, message: "Method not found" } })
          return true
        }
        if (message.method === "initialize") {
          push(
            modernNow
              ? {
                jsonrpc: "2.0",
                id: message.id,
                error: { code: -32022, message: "Unsupported", data: { supported: [STATELESS] } }
              }
              : result(message.id, {
                protocolVersion: HANDSHAKE,
                capabilities: {},
                serverInfo: { name: "s", version: "1" }
              })
          )
        }
      })
      assert.isFalse((yield* (yield* McpClient.make(server.connect)).era).stateless)
      modernNow = true
      const upgraded = yield* McpClient.make(server.connect)
      assert.deepStrictEqual(yield* upgraded.era, {
        protocolVersion: STATELESS,
        stateless: true,
        chosenBy: "auto: the server answered server/discover"
      })
      assert.deepStrictEqual(server.seen.filter((m) => "id" in m).map((m) => m.method), [
        "server/discover",
        "initialize",
        "initialize",
        "server/discover"
      ])
    }))

  it.scoped("a server that never answers server/discover is fallen back to after 10 s", () =>
    Effect.gen(function*() {
      const server = scripted((message, push) => {
        if (message.method === "server/discover") return true
        if (message.method === "initialize") {
          push(result(message.id, {
            protocolVersion: HANDSHAKE,
            capabilities: {},
            serverInfo: { name: "mute", version: "1" }
          }))
        }
      })
      const making = yield* Effect.fork(McpClient.make(server.connect))
      yield* TestClock.adjust("10 seconds")
      const client = yield* Fiber.join(making)
      assert.strictEqual((yield* client.era).chosenBy, "auto: server/discover failed (no answer), so the handshake")
    }))
})
