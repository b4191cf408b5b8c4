import * as ResponseCache from "@effect-mcp/client/ResponseCache"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option } from "effect"
import * as TestClock from "effect/TestClock"

const minute = 60_000
const day = 24 * 60 * minute

/** A fake server method: counts its calls, answers `answer(call number, params)`. */
const fake = <P = undefined>(answer: (call: number, params: P) => unknown) => {
  let calls = 0
  return {
    calls: () => calls,
    fetch: (params?: P) => Effect.sync(() => answer(++calls, params as P))
  }
}

const setup = (options?: ResponseCache.MemoryOptions) =>
  Effect.gen(function*() {
    const store = yield* ResponseCache.makeMemory(options)
    const cache = yield* ResponseCache.make(store, { server: "https://example.test/mcp", partition: "alice" })
    return { cache, store }
  })

const tools = (call: number, extra: Record<string, unknown> = {}) => ({
  tools: [{ name: `t${call}`, inputSchema: { type: "object" } }],
  ...extra
})

describe("ResponseCache", () => {
  describe("ttlMs", () => {
    it.effect("a result is fresh for ttlMs, then fetched again", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const server = fake((call) => tools(call, { ttlMs: minute }))
        const list = cache.through("tools/list", undefined, "use", server.fetch())
        assert.deepStrictEqual(yield* list, tools(1, { ttlMs: minute }))
        yield* TestClock.adjust(minute - 1)
        assert.deepStrictEqual(yield* list, tools(1, { ttlMs: minute }))
        assert.strictEqual(server.calls(), 1)
        // fresh while now < received + ttlMs
        yield* TestClock.adjust(1)
        assert.deepStrictEqual(yield* list, tools(2, { ttlMs: minute }))
        assert.strictEqual(server.calls(), 2)
        assert.deepStrictEqual(yield* list, tools(2, { ttlMs: minute }))
        assert.strictEqual(server.calls(), 2)
      }))

    it.effect("each page has its own ttl, counted from when it arrived", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const server = fake<{ cursor?: string }>((call, params) => ({
          tools: [],
          page: params?.cursor ?? "first",
          call,
          ttlMs: params?.cursor === undefined ? 10 * minute : minute
        }))
        const first = cache.through("tools/list", undefined, "use", server.fetch())
        const second = cache.through("tools/list", { cursor: "2" }, "use", server.fetch({ cursor: "2" }))
        yield* first
        yield* TestClock.adjust(minute)
        yield* second
        yield* TestClock.adjust(minute - 1)
        yield* first
        yield* second
        assert.strictEqual(server.calls(), 2)
        yield* TestClock.adjust(1)
        yield* first
        yield* second
        assert.strictEqual(server.calls(), 3)
      }))

    it.effect("absent, zero, negative or non-numeric ttlMs is never cached", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        for (const hint of [{}, { ttlMs: 0 }, { ttlMs: -5 }, { ttlMs: "60000" }, { ttlMs: Number.NaN }]) {
          const server = fake((call) => tools(call, hint))
          const list = cache.through("tools/list", undefined, "use", server.fetch())
          assert.deepStrictEqual(yield* list, tools(1, hint))
          assert.deepStrictEqual(yield* list, tools(2, hint))
          assert.strictEqual(server.calls(), 2, JSON.stringify(hint))
        }
      }))

    it.effect("ttlMs is capped at 24 hours", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const server = fake((call) => tools(call, { ttlMs: 7 * day }))
        const list = cache.through("prompts/list", undefined, "use", server.fetch())
        yield* list
        yield* TestClock.adjust(day - 1)
        yield* list
        assert.strictEqual(server.calls(), 1)
        yield* TestClock.adjust(1)
        yield* list
        assert.strictEqual(server.calls(), 2)
      }))
  })

  describe("what is cacheable", () => {
    it.effect("an input_required result is never cached; complete is", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const asking = fake(() => ({ resultType: "input_required", inputRequests: {}, ttlMs: minute }))
        const read = cache.through("resources/read", { uri: "file:///a" }, "use", asking.fetch())
        yield* read
        yield* read
        assert.strictEqual(asking.calls(), 2)

        const odd = fake(() => ({ resultType: "something_else", contents: [], ttlMs: minute }))
        const readOdd = cache.through("resources/read", { uri: "file:///b" }, "use", odd.fetch())
        yield* readOdd
        yield* readOdd
        assert.strictEqual(odd.calls(), 2)

        const complete = fake(() => ({ resultType: "complete", contents: [], ttlMs: minute }))
        const readComplete = cache.through("resources/read", { uri: "file:///c" }, "use", complete.fetch())
        yield* readComplete
        yield* readComplete
        assert.strictEqual(complete.calls(), 1)
      }))

    it.effect("an input_required answer supersedes a cached result in refresh mode", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const server = fake((call) =>
          call === 2 ? { resultType: "input_required", inputRequests: {} } : { contents: [], call, ttlMs: minute }
        )
        const params = { uri: "file:///a" }
        yield* cache.through("resources/read", params, "use", server.fetch())
        yield* cache.through("resources/read", params, "refresh", server.fetch())
        assert.deepStrictEqual(yield* cache.through("resources/read", params, "use", server.fetch()), {
          contents: [],
          call: 3,
          ttlMs: minute
        })
      }))

    it.effect("requests carrying inputResponses or requestState are neither answered nor stored", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const server = fake((call) => ({ contents: [], call, ttlMs: minute }))
        const base = { uri: "file:///a" }
        yield* cache.through("resources/read", base, "use", server.fetch())
        for (
          const retry of [
            { ...base, inputResponses: { k: { action: "accept" } } },
            { ...base, requestState: "opaque" },
            { ...base, inputResponses: {}, requestState: "opaque" }
          ]
        ) {
          yield* cache.through("resources/read", retry, "use", server.fetch())
        }
        assert.strictEqual(server.calls(), 4)
        // the retries stored nothing: the original entry still answers
        assert.deepStrictEqual(yield* cache.through("resources/read", base, "use", server.fetch()), {
          contents: [],
          call: 1,
          ttlMs: minute
        })
      }))

    it.effect("other methods pass straight through", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const server = fake((call) => ({ content: [], call, ttlMs: minute }))
        const call = cache.through("tools/call", { name: "x" }, "use", server.fetch())
        yield* call
        yield* call
        assert.strictEqual(server.calls(), 2)
      }))

    it.effect("a failed fetch is not cached and fails the call", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        let calls = 0
        const failing = Effect.suspend(
          () => (++calls === 1 ? Effect.fail("boom" as const) : Effect.succeed({ ttlMs: 1 }))
        )
        const error = yield* Effect.flip(cache.through("tools/list", undefined, "use", failing))
        assert.strictEqual(error, "boom")
        yield* cache.through("tools/list", undefined, "use", failing)
        assert.strictEqual(calls, 2)
      }))
  })

  describe("the key", () => {
    it.effect("the order of params does not matter; their values do", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const server = fake((call) => ({ contents: [], call, ttlMs: minute }))
        yield* cache.through(
          "resources/read",
          { uri: "file:///a", extra: { b: 1, a: [1, { y: 2, x: 1 }] } },
          "use",
          server.fetch()
        )
        yield* cache.through(
          "resources/read",
          { extra: { a: [1, { x: 1, y: 2 }], b: 1 }, uri: "file:///a" },
          "use",
          server.fetch()
        )
        assert.strictEqual(server.calls(), 1)
        yield* cache.through(
          "resources/read",
          { uri: "file:///a", extra: { a: [{ x: 1, y: 2 }, 1], b: 1 } },
          "use",
          server.fetch()
        )
        yield* cache.through(
          "resources/read",
          { uri: "file:///b", extra: { a: [1, { x: 1, y: 2 }], b: 1 } },
          "use",
          server.fetch()
        )
        assert.strictEqual(server.calls(), 3)
        // an own "__proto__" param is a param like any other
        yield* cache.through(
          "resources/read",
          JSON.parse(`{"uri":"file:///b","__proto__":{"a":1}}`),
          "use",
          server.fetch()
        )
        assert.strictEqual(server.calls(), 4)
        // the same params under another method are another request
        yield* cache.through("resources/templates/list", { uri: "file:///a" }, "use", server.fetch())
        assert.strictEqual(server.calls(), 5)
      }))

    it.effect("_meta is ignored, and no params is the same as empty params", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const server = fake((call) => tools(call, { ttlMs: minute }))
        yield* cache.through("tools/list", undefined, "use", server.fetch())
        yield* cache.through("tools/list", {}, "use", server.fetch())
        yield* cache.through("tools/list", { cursor: undefined }, "use", server.fetch())
        yield* cache.through(
          "tools/list",
          { _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", progressToken: 7 } },
          "use",
          server.fetch()
        )
        assert.strictEqual(server.calls(), 1)
        yield* cache.through("tools/list", { cursor: "2", _meta: { progressToken: 1 } }, "use", server.fetch())
        yield* cache.through("tools/list", { _meta: { progressToken: 2 }, cursor: "2" }, "use", server.fetch())
        assert.strictEqual(server.calls(), 2)
      }))

    it.effect("params that are not JSON are never cached", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const server = fake((call) => ({ contents: [], call, ttlMs: minute }))
        const params = { uri: "file:///a", when: new Date(0) }
        yield* cache.through("resources/read", params, "use", server.fetch())
        yield* cache.through("resources/read", params, "use", server.fetch())
        assert.strictEqual(server.calls(), 2)
      }))
  })

  describe("cacheScope", () => {
    const twoClients = Effect.gen(function*() {
      const store = yield* ResponseCache.makeMemory()
      const alice = yield* ResponseCache.make(store, { server: "s", partition: "alice" })
      const bob = yield* ResponseCache.make(store, { server: "s", partition: "bob" })
      return { alice, bob, store }
    })

    it.effect("public entries answer every partition; private ones only their own", () =>
      Effect.gen(function*() {
        const { alice, bob } = yield* twoClients
        const server = fake<{ scope?: string }>((call, params) => ({
          tools: [],
          call,
          ttlMs: minute,
          ...(params?.scope === undefined ? {} : { cacheScope: params.scope })
        }))
        for (const scope of ["public", "private", undefined, "shared-ish"]) {
          const params = scope === undefined ? {} : { scope }
          const before = server.calls()
          yield* alice.through("tools/list", params, "use", server.fetch(scope === undefined ? {} : { scope }))
          yield* alice.through("tools/list", params, "use", server.fetch(scope === undefined ? {} : { scope }))
          yield* bob.through("tools/list", params, "use", server.fetch(scope === undefined ? {} : { scope }))
          yield* bob.through("tools/list", params, "use", server.fetch(scope === undefined ? {} : { scope }))
          assert.strictEqual(server.calls() - before, scope === "public" ? 1 : 2, String(scope))
        }
      }))

    it.effect("the layer gives one store that clients share", () =>
      Effect.gen(function*() {
        const store = yield* ResponseCache.ResponseCache
        const a = yield* ResponseCache.make(store, { server: "s", partition: "a" })
        const b = yield* ResponseCache.make(store, { server: "s", partition: "b" })
        const server = fake(() => ({ tools: [], ttlMs: minute, cacheScope: "public" }))
        yield* a.through("tools/list", undefined, "use", server.fetch())
        yield* b.through("tools/list", undefined, "use", server.fetch())
        assert.strictEqual(server.calls(), 1)
      }).pipe(Effect.provide(ResponseCache.layerMemory({ capacity: 10 }))))

    it.effect("even public entries never answer a client of another server", () =>
      Effect.gen(function*() {
        const store = yield* ResponseCache.makeMemory()
        const one = yield* ResponseCache.make(store, { server: "one", partition: "" })
        const two = yield* ResponseCache.make(store, { server: "two", partition: "" })
        const server = fake(() => ({ tools: [], ttlMs: minute, cacheScope: "public" }))
        yield* one.through("tools/list", undefined, "use", server.fetch())
        yield* two.through("tools/list", undefined, "use", server.fetch())
        assert.strictEqual(server.calls(), 2)
      }))

    it.effect("a result that turns private stops answering other partitions", () =>
      Effect.gen(function*() {
        const { alice, bob } = yield* twoClients
        const server = fake((call) => ({
          tools: [],
          call,
          ttlMs: minute,
          cacheScope: call === 1 ? "public" : "private"
        }))
        yield* alice.through("tools/list", undefined, "use", server.fetch())
        yield* alice.through("tools/list", undefined, "refresh", server.fetch())
        const answer = yield* bob.through("tools/list", undefined, "use", server.fetch())
        assert.strictEqual((answer as { call: number }).call, 3)
        const again = yield* alice.through("tools/list", undefined, "use", server.fetch())
        assert.strictEqual((again as { call: number }).call, 2)
      }))
  })

  describe("invalidation", () => {
    const pages = ["tools/list", "prompts/list", "resources/list", "resources/templates/list"] as const

    // fills alice's and bob's pages (private and public) of every list, and two resources
    const filled = Effect.gen(function*() {
      const store = yield* ResponseCache.makeMemory()
      const alice = yield* ResponseCache.make(store, { server: "s", partition: "alice" })
      const bob = yield* ResponseCache.make(store, { server: "s", partition: "bob" })
      const server = fake<{ method: string; scope: string }>((call, params) => ({
        call,
        ttlMs: minute,
        cacheScope: params.scope
      }))
      const requests: Array<readonly [ResponseCache.ClientCache, string, Record<string, unknown> | undefined, string]> =
        []
      for (const client of [alice, bob]) {
        for (const method of pages) {
          requests.push([client, method, undefined, "private"])
          requests.push([client, method, { cursor: "2" }, "private"])
          requests.push([client, method, { cursor: "p" }, "public"])
        }
        requests.push([client, "resources/read", { uri: "file:///a" }, "private"])
        requests.push([client, "resources/read", { uri: "file:///b" }, "public"])
      }
      const run = Effect.forEach(
        requests,
        ([client, method, params, scope]) => client.through(method, params, "use", server.fetch({ method, scope }))
      )
      yield* run
      // which requests fetched again
      const refetched = Effect.gen(function*() {
        const before = server.calls()
        const answers = yield* run
        const again = new Set<string>()
        answers.forEach((answer, i) => {
          if ((answer as { call: number }).call > before) {
            const [client, method, params] = requests[i]
            again.add(`${client === alice ? "alice" : "bob"} ${method} ${JSON.stringify(params ?? {})}`)
          }
        })
        return again
      })
      return { alice, bob, refetched }
    })

    const allPages = (method: string) =>
      ["alice", "bob"].flatMap((
        who
      ) => [`${who} ${method} {}`, `${who} ${method} {"cursor":"2"}`, `${who} ${method} {"cursor":"p"}`])

    it.effect("nothing is fetched again without an invalidation", () =>
      Effect.gen(function*() {
        const { refetched } = yield* filled
        assert.deepStrictEqual([...(yield* refetched)], [])
      }))

    it.effect("tools/list_changed drops every page of tools/list, for every partition", () =>
      Effect.gen(function*() {
        const { alice, refetched } = yield* filled
        yield* alice.onNotification({ method: "notifications/tools/list_changed" })
        assert.deepStrictEqual([...(yield* refetched)].sort(), allPages("tools/list").sort())
      }))

    it.effect("prompts/list_changed drops every page of prompts/list", () =>
      Effect.gen(function*() {
        const { bob, refetched } = yield* filled
        yield* bob.onNotification({ method: "notifications/prompts/list_changed", params: {} })
        assert.deepStrictEqual([...(yield* refetched)].sort(), allPages("prompts/list").sort())
      }))

    it.effect("resources/list_changed drops resources/list and resources/templates/list, not reads", () =>
      Effect.gen(function*() {
        const { alice, refetched } = yield* filled
        yield* alice.onNotification({ method: "notifications/resources/list_changed" })
        assert.deepStrictEqual(
          [...(yield* refetched)].sort(),
          [...allPages("resources/list"), ...allPages("resources/templates/list")].sort()
        )
      }))

    it.effect("resources/updated drops the reads of that uri only", () =>
      Effect.gen(function*() {
        const { alice, refetched } = yield* filled
        yield* alice.onNotification({ method: "notifications/resources/updated", params: { uri: "file:///b" } })
        assert.deepStrictEqual([...(yield* refetched)].sort(), [
          `alice resources/read {"uri":"file:///b"}`,
          `bob resources/read {"uri":"file:///b"}`
        ])
        yield* alice.onNotification({ method: "notifications/resources/updated", params: {} })
        yield* alice.onNotification({ method: "notifications/message", params: { uri: "file:///a" } })
        assert.deepStrictEqual([...(yield* refetched)], [])
      }))

    it.effect("an invalid cursor drops every page of that list", () =>
      Effect.gen(function*() {
        const { bob, refetched } = yield* filled
        yield* bob.onInvalidCursor("resources/templates/list")
        assert.deepStrictEqual([...(yield* refetched)].sort(), allPages("resources/templates/list").sort())
        yield* bob.onInvalidCursor("resources/read")
        assert.deepStrictEqual([...(yield* refetched)], [])
      }))

    it.effect("a result fetched across an invalidation is not stored", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const started = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        let calls = 0
        const slow = Effect.gen(function*() {
          const call = ++calls
          if (call === 1) {
            yield* Deferred.succeed(started, void 0)
            yield* Deferred.await(release)
          }
          return { tools: [], call, ttlMs: minute }
        })
        const fiber = yield* Effect.fork(cache.through("tools/list", undefined, "use", slow))
        yield* Deferred.await(started)
        yield* cache.onNotification({ method: "notifications/tools/list_changed" })
        yield* Deferred.succeed(release, void 0)
        assert.strictEqual(((yield* Fiber.join(fiber)) as { call: number }).call, 1)
        assert.strictEqual(((yield* cache.through("tools/list", undefined, "use", slow)) as { call: number }).call, 2)
        assert.strictEqual(((yield* cache.through("tools/list", undefined, "use", slow)) as { call: number }).call, 2)
      }))

    it.effect("after an invalidation, a call does not wait for an older fetch, which cannot overwrite it", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const started = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        let calls = 0
        const slow = Effect.gen(function*() {
          const call = ++calls
          if (call === 1) {
            yield* Deferred.succeed(started, void 0)
            yield* Deferred.await(release)
          }
          return { tools: [], call, ttlMs: minute }
        })
        const list = cache.through("tools/list", undefined, "use", slow)
        const old = yield* Effect.fork(list)
        yield* Deferred.await(started)
        yield* cache.onNotification({ method: "notifications/tools/list_changed" })
        assert.strictEqual(((yield* list) as { call: number }).call, 2)
        yield* Deferred.succeed(release, void 0)
        assert.strictEqual(((yield* Fiber.join(old)) as { call: number }).call, 1)
        assert.strictEqual(((yield* list) as { call: number }).call, 2)
        assert.strictEqual(calls, 2)
      }))
  })

  describe("modes", () => {
    it.effect("bypass neither reads nor writes", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const server = fake((call) => tools(call, { ttlMs: minute }))
        yield* cache.through("tools/list", undefined, "bypass", server.fetch())
        yield* cache.through("tools/list", undefined, "use", server.fetch())
        assert.strictEqual(server.calls(), 2)
        assert.deepStrictEqual(
          yield* cache.through("tools/list", undefined, "bypass", server.fetch()),
          tools(3, { ttlMs: minute })
        )
        assert.deepStrictEqual(
          yield* cache.through("tools/list", undefined, "use", server.fetch()),
          tools(2, { ttlMs: minute })
        )
      }))

    it.effect("refresh always fetches and stores what it fetched", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const server = fake((call) => tools(call, { ttlMs: minute }))
        yield* cache.through("tools/list", undefined, "use", server.fetch())
        assert.deepStrictEqual(
          yield* cache.through("tools/list", undefined, "refresh", server.fetch()),
          tools(2, { ttlMs: minute })
        )
        assert.deepStrictEqual(
          yield* cache.through("tools/list", undefined, "use", server.fetch()),
          tools(2, { ttlMs: minute })
        )
        assert.strictEqual(server.calls(), 2)
      }))

    it.effect("a refresh that may not be cached drops the old entry", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const server = fake((call) => tools(call, { ttlMs: call === 2 ? 0 : minute }))
        yield* cache.through("tools/list", undefined, "use", server.fetch())
        yield* cache.through("tools/list", undefined, "refresh", server.fetch())
        assert.deepStrictEqual(
          yield* cache.through("tools/list", undefined, "use", server.fetch()),
          tools(3, { ttlMs: minute })
        )
      }))
  })

  describe("the memory store", () => {
    const entry = (expiresAt: number, tags: ReadonlyArray<string> = []): ResponseCache.Entry => ({
      value: { expiresAt },
      expiresAt,
      scope: "private",
      tags
    })

    it.effect("holds at most capacity entries, dropping the least recently used", () =>
      Effect.gen(function*() {
        const store = yield* ResponseCache.makeMemory({ capacity: 2 })
        yield* store.set("a", entry(minute))
        yield* store.set("b", entry(minute))
        assert.isTrue(Option.isSome(yield* store.get("a")))
        yield* store.set("c", entry(minute))
        assert.isTrue(Option.isSome(yield* store.get("a")))
        assert.isTrue(Option.isNone(yield* store.get("b")))
        assert.isTrue(Option.isSome(yield* store.get("c")))
      }))

    it.effect("expired entries make room first, and are gone when read", () =>
      Effect.gen(function*() {
        const store = yield* ResponseCache.makeMemory({ capacity: 2 })
        yield* store.set("old", entry(10 * minute))
        yield* store.set("short", entry(minute))
        yield* TestClock.adjust(minute)
        yield* store.set("new", entry(2 * minute))
        assert.isTrue(Option.isSome(yield* store.get("old")))
        assert.isTrue(Option.isNone(yield* store.get("short")))
        assert.isTrue(Option.isSome(yield* store.get("new")))
        yield* TestClock.adjust(minute)
        assert.isTrue(Option.isNone(yield* store.get("new")))
        // an entry already stale is not stored at all
        yield* store.set("stale", entry(0))
        assert.isTrue(Option.isNone(yield* store.get("stale")))
      }))

    it.effect("invalidate drops the entries with that tag; remove drops one", () =>
      Effect.gen(function*() {
        const store = yield* ResponseCache.makeMemory()
        yield* store.set("a", entry(minute, ["x", "y"]))
        yield* store.set("b", entry(minute, ["y"]))
        yield* store.set("c", entry(minute, ["z"]))
        yield* store.invalidate("y")
        assert.isTrue(Option.isNone(yield* store.get("a")))
        assert.isTrue(Option.isNone(yield* store.get("b")))
        assert.isTrue(Option.isSome(yield* store.get("c")))
        yield* store.remove("c")
        assert.isTrue(Option.isNone(yield* store.get("c")))
      }))

    it.effect("a capacity-bound client cache refetches what was evicted", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup({ capacity: 2 })
        const server = fake<string>((call, uri) => ({ contents: [{ uri, text: `${call}` }], ttlMs: minute }))
        const read = (uri: string) => cache.through("resources/read", { uri }, "use", server.fetch(uri))
        yield* read("a")
        yield* read("b")
        yield* read("a")
        yield* read("c")
        assert.strictEqual(server.calls(), 3)
        yield* read("a")
        assert.strictEqual(server.calls(), 3)
        yield* read("b")
        assert.strictEqual(server.calls(), 4)
      }))
  })

  describe("stored values", () => {
    it.effect("callers cannot corrupt the stored copy", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const original = { tools: [{ name: "a", inputSchema: { type: "object" } }], ttlMs: minute }
        const fetched = (yield* cache.through("tools/list", undefined, "use", Effect.succeed(original))) as any
        // the caller that fetched keeps its own object, which it may change
        assert.strictEqual(fetched, original)
        fetched.tools[0].name = "changed"
        fetched.tools.push({ name: "extra" })
        const hit = (yield* cache.through("tools/list", undefined, "use", Effect.die("no fetch"))) as any
        assert.deepStrictEqual(hit, { tools: [{ name: "a", inputSchema: { type: "object" } }], ttlMs: minute })
        // a hit hands out the stored value itself, frozen all the way down
        assert.isTrue(Object.isFrozen(hit))
        assert.isTrue(Object.isFrozen(hit.tools))
        assert.isTrue(Object.isFrozen(hit.tools[0].inputSchema))
        assert.throws(() => {
          hit.tools[0].name = "changed"
        }, TypeError)
        assert.throws(() => {
          hit.tools.push({})
        }, TypeError)
        const again = yield* cache.through("tools/list", undefined, "use", Effect.die("no fetch"))
        assert.strictEqual(again, hit)
      }))

    it.effect("an own __proto__ key stays a key", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const original = JSON.parse(`{"contents":[{"uri":"a","_meta":{"__proto__":{"polluted":true}}}],"ttlMs":60000}`)
        yield* cache.through("resources/read", { uri: "a" }, "use", Effect.succeed(original))
        const hit = (yield* cache.through("resources/read", { uri: "a" }, "use", Effect.die("no fetch"))) as any
        const meta = hit.contents[0]._meta
        assert.deepStrictEqual(Object.keys(meta), ["__proto__"])
        assert.strictEqual(Object.getPrototypeOf(meta), Object.prototype)
        assert.isUndefined(meta.polluted)
      }))
  })

  describe("concurrency", () => {
    it.effect("concurrent uses of one request fetch once", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const release = yield* Deferred.make<void>()
        let calls = 0
        const slow = Effect.zipRight(
          Effect.sync(() => ++calls),
          Effect.as(Deferred.await(release), tools(1, { ttlMs: minute }))
        )
        const fibers = yield* Effect.forEach(
          Array.from({ length: 5 }),
          () => Effect.fork(cache.through("tools/list", undefined, "use", slow))
        )
        yield* Effect.yieldNow()
        yield* Deferred.succeed(release, void 0)
        const answers = yield* Effect.forEach(fibers, Fiber.join)
        assert.strictEqual(calls, 1)
        for (const answer of answers) assert.deepStrictEqual(answer, tools(1, { ttlMs: minute }))
      }))

    it.effect("when the first fetch stores nothing, the others fetch on their own", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        const release = yield* Deferred.make<void>()
        let calls = 0
        const slow = Effect.gen(function*() {
          const call = ++calls
          if (call === 1) {
            yield* Deferred.await(release)
            return { contents: [], resultType: "input_required" }
          }
          return { contents: [], call, ttlMs: minute }
        })
        const first = yield* Effect.fork(cache.through("resources/read", { uri: "a" }, "use", slow))
        yield* Effect.yieldNow()
        const second = yield* Effect.fork(cache.through("resources/read", { uri: "a" }, "use", slow))
        yield* Effect.yieldNow()
        assert.strictEqual(calls, 1)
        yield* Deferred.succeed(release, void 0)
        assert.deepStrictEqual(yield* Fiber.join(first), { contents: [], resultType: "input_required" })
        assert.deepStrictEqual(yield* Fiber.join(second), { contents: [], call: 2, ttlMs: minute })
      }))

    it.effect("when the first caller is interrupted, a waiting one fetches", () =>
      Effect.gen(function*() {
        const { cache } = yield* setup()
        let calls = 0
        const slow = Effect.suspend(() =>
          ++calls === 1 ? Effect.never : Effect.succeed(tools(calls, { ttlMs: minute }))
        )
        const first = yield* Effect.fork(cache.through("tools/list", undefined, "use", slow))
        yield* Effect.yieldNow()
        const second = yield* Effect.fork(cache.through("tools/list", undefined, "use", slow))
        yield* Effect.yieldNow()
        yield* Fiber.interrupt(first)
        assert.deepStrictEqual(yield* Fiber.join(second), tools(2, { ttlMs: minute }))
        assert.deepStrictEqual(yield* cache.through("tools/list", undefined, "use", slow), tools(2, { ttlMs: minute }))
      }))
  })
})
