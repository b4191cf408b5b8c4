import { McpClient, ResponseCache, Transport } from "@effect-mcp/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream, TestClock } from "effect"

// A stateless (2026-07-28) server over an in-memory pair that marks its
// lists and reads cacheable, counts what it is asked, and sends the
// notifications the test pushes (on the listen stream the client opens).
const statelessServer = (
  options: { readonly ttlMs?: number; readonly cacheScope?: string; readonly pages?: boolean } = {}
) =>
  Effect.gen(function*() {
    const [client, server] = yield* Transport.makeInMemoryPair
    const asked: Record<string, number> = {}
    let listenId: unknown
    let version = 0
    const push = (frame: unknown) => Effect.runFork(server.send(frame as any))
    const hints = { ttlMs: options.ttlMs ?? 1000, cacheScope: options.cacheScope ?? "private", resultType: "complete" }
    yield* server.run((message: any) => {
      if (message.id === undefined) return
      asked[message.method] = (asked[message.method] ?? 0) + 1
      const reply = (result: unknown) => push({ jsonrpc: "2.0", id: message.id, result })
      switch (message.method) {
        case "server/discover":
          return reply({
            supportedVersions: ["2026-07-28"],
            capabilities: { tools: { listChanged: true }, resources: { subscribe: true } },
            resultType: "complete"
          })
        case "tools/list":
          if (message.params?.cursor === "stale") {
            return push({ jsonrpc: "2.0", id: message.id, error: { code: -32602, message: "Invalid cursor" } })
          }
          return reply({
            tools: [{ name: `tool-${version}${message.params?.cursor ?? ""}`, inputSchema: { type: "object" } }],
            ...(options.pages === true && message.params?.cursor === undefined ? { nextCursor: "-page2" } : {}),
            ...hints
          })
        case "resources/read":
          return reply({ contents: [{ uri: message.params.uri, text: `v${version}` }], ...hints })
        case "subscriptions/listen": {
          listenId = message.id
          const honoured = message.params.notifications
          return push({
            jsonrpc: "2.0",
            method: "notifications/subscriptions/acknowledged",
            params: { notifications: honoured, _meta: { "io.modelcontextprotocol/subscriptionId": listenId } }
          })
        }
      }
    }).pipe(Effect.forkScoped)
    const notify = (method: string, params: Record<string, unknown> = {}) => {
      version++
      push({
        jsonrpc: "2.0",
        method,
        params: { ...params, _meta: { "io.modelcontextprotocol/subscriptionId": listenId } }
      })
    }
    return { connect: Effect.succeed(client), asked, notify }
  })

// lets the fibers of the client and the server run until `done` (or `rounds` turns)
const settle = (done: () => boolean, rounds = 200) =>
  Effect.gen(function*() {
    for (let i = 0; i < rounds && !done(); i++) yield* Effect.yieldNow()
  })

const toolNames = (client: McpClient.Service) => Effect.map(client.listTools, (tools) => tools.map((t) => t.name))

describe("response cache (revision 2026-07-28 caching hints)", () => {
  it.scoped("a list is answered from the cache while its ttlMs lasts, then asked again", () =>
    Effect.gen(function*() {
      const server = yield* statelessServer({ ttlMs: 1000 })
      const client = yield* McpClient.make(server.connect, { cache: true })
      yield* client.listTools
      yield* client.listTools
      assert.strictEqual(server.asked["tools/list"], 1)
      yield* TestClock.adjust("999 millis")
      yield* client.listTools
      assert.strictEqual(server.asked["tools/list"], 1)
      yield* TestClock.adjust("2 millis")
      yield* client.listTools
      assert.strictEqual(server.asked["tools/list"], 2)
    }))

  it.scoped("without the option, or with ttlMs 0, nothing is kept", () =>
    Effect.gen(function*() {
      const plain = yield* statelessServer({ ttlMs: 1000 })
      const uncached = yield* McpClient.make(plain.connect)
      yield* uncached.listTools
      yield* uncached.listTools
      assert.strictEqual(plain.asked["tools/list"], 2)
      const zero = yield* statelessServer({ ttlMs: 0 })
      const cached = yield* McpClient.make(zero.connect, { cache: true })
      yield* cached.listTools
      yield* cached.listTools
      assert.strictEqual(zero.asked["tools/list"], 2)
    }))

  it.scoped("refresh asks and keeps the answer; bypass asks and keeps nothing", () =>
    Effect.gen(function*() {
      const server = yield* statelessServer({ ttlMs: 60_000 })
      const client = yield* McpClient.make(server.connect, { cache: true })
      yield* client.readResource("test://a")
      yield* McpClient.withCache(client.readResource("test://a"), "refresh")
      assert.strictEqual(server.asked["resources/read"], 2)
      yield* client.readResource("test://a")
      assert.strictEqual(server.asked["resources/read"], 2)
      yield* client.readResource("test://a").pipe(McpClient.withCache("bypass"))
      assert.strictEqual(server.asked["resources/read"], 3)
    }))

  it.scoped("list_changed drops the list: a listener that lists again gets the new one", () =>
    Effect.gen(function*() {
      const server = yield* statelessServer({ ttlMs: 60_000 })
      const client = yield* McpClient.make(server.connect, { cache: true })
      assert.deepStrictEqual(yield* toolNames(client), ["tool-0"])
      // reading the stream opens the listen request the notification comes on
      yield* Effect.forkScoped(Stream.runDrain(client.listChanged))
      yield* settle(() => server.asked["subscriptions/listen"] === 1)
      server.notify("notifications/tools/list_changed")
      yield* settle(() => false, 20)
      assert.deepStrictEqual(yield* toolNames(client), ["tool-1"])
      assert.strictEqual(server.asked["tools/list"], 2)
    }))

  it.scoped("a cursor the server no longer knows (-32602) drops every page of that list", () =>
    Effect.gen(function*() {
      const server = yield* statelessServer({ ttlMs: 60_000, pages: true })
      const client = yield* McpClient.make(server.connect, { cache: true })
      assert.deepStrictEqual(yield* toolNames(client), ["tool-0", "tool-0-page2"])
      assert.deepStrictEqual(yield* toolNames(client), ["tool-0", "tool-0-page2"])
      assert.strictEqual(server.asked["tools/list"], 2)
      const refused = yield* Effect.flip(client.listToolsRaw("stale"))
      assert.strictEqual(refused._tag, "McpRpcError")
      yield* toolNames(client)
      assert.strictEqual(server.asked["tools/list"], 5)
    }))

  it.scoped("resources/updated drops the reads of that uri only", () =>
    Effect.gen(function*() {
      const server = yield* statelessServer({ ttlMs: 60_000 })
      const client = yield* McpClient.make(server.connect, { cache: true })
      yield* client.readResource("test://a")
      yield* client.readResource("test://b")
      yield* client.subscribe("test://a")
      server.notify("notifications/resources/updated", { uri: "test://a" })
      yield* settle(() => false, 20)
      const [a] = yield* client.readResource("test://a")
      const [b] = yield* client.readResource("test://b")
      assert.strictEqual((a as { text: string }).text, "v1")
      assert.strictEqual((b as { text: string }).text, "v0")
      assert.strictEqual(server.asked["resources/read"], 3)
    }))

  it.scoped("a shared store answers other clients with public entries, private ones only in their partition", () =>
    Effect.gen(function*() {
      const store = yield* ResponseCache.makeMemory()
      const clientOf = (connect: Transport.Connect, partition: string) =>
        McpClient.make(connect, { cache: true, cachePartition: partition }).pipe(
          Effect.provideService(ResponseCache.ResponseCache, store)
        )
      const open = yield* statelessServer({ ttlMs: 60_000, cacheScope: "public" })
      yield* (yield* clientOf(open.connect, "alice")).readResource("test://public")
      yield* (yield* clientOf(open.connect, "bob")).readResource("test://public")
      assert.strictEqual(open.asked["resources/read"], 1)
      const personal = yield* statelessServer({ ttlMs: 60_000, cacheScope: "private" })
      yield* (yield* clientOf(personal.connect, "alice")).readResource("test://mine")
      yield* (yield* clientOf(personal.connect, "bob")).readResource("test://mine")
      assert.strictEqual(personal.asked["resources/read"], 2)
      yield* (yield* clientOf(personal.connect, "alice")).readResource("test://mine")
      assert.strictEqual(personal.asked["resources/read"], 2)
    }))
})
