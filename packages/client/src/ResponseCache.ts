/**
 * An opt-in cache for the results that revision 2026-07-28 marks cacheable
 * (SEP-2549): `tools/list`, `resources/list`, `resources/templates/list`,
 * `prompts/list` (each page on its own) and `resources/read`.
 *
 * The entries live in a `Store`, a service that several clients may share
 * (`layerMemory` gives a bounded in-memory one). Each client reads and writes
 * it through its own `ClientCache` (`make`), which honours the server's hints:
 * a result is kept for `ttlMs` (capped at 24 hours) when it is positive, and
 * only a `cacheScope: "public"` result is shared with clients holding other
 * credentials. Notifications and invalid cursors drop what they make stale.
 * Freshness is checked against the `Clock` when an entry is read: there are
 * no timers.
 *
 * @example
 * ```ts
 * import { McpClient, ResponseCache } from "@effect-mcp/client"
 * import { Effect, Layer } from "effect"
 *
 * // one store shared by every client given it; `private` results answer only their own partition
 * const Cache = ResponseCache.layerMemory({ capacity: 4096 })
 *
 * const ClientLive = McpClient.layer("http://127.0.0.1:3001/mcp", { cache: true, cachePartition: "user-42" })
 *   .pipe(Layer.provide(Cache))
 *
 * const program = Effect.gen(function*() {
 *   const tools = yield* McpClient.listTools // from the cache while the server's `ttlMs` lasts
 *   const fresh = yield* McpClient.listTools.pipe(McpClient.withCache("bypass"))
 *   return [tools, fresh]
 * }).pipe(Effect.provide(ClientLive))
 * ```
 *
 * @since 0.3.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"

/**
 * Per call: `"use"` answers from a fresh entry and stores what it fetches,
 * `"refresh"` always fetches and stores, `"bypass"` fetches and neither reads
 * nor writes the cache.
 *
 * @since 0.3.0
 * @category models
 */
export type Mode = "use" | "refresh" | "bypass"

/**
 * Who may be answered by an entry: `"public"` entries answer every client of
 * the same server sharing the store, `"private"` ones only the partition
 * (authorization context) that fetched them.
 *
 * @since 0.3.0
 * @category models
 */
export type CacheScope = "public" | "private"

/**
 * One stored result.
 *
 * @since 0.3.0
 * @category models
 */
export interface Entry {
  /** The result as the server sent it, deeply frozen: a store may hand it out as it is. */
  readonly value: unknown
  /** When it goes stale, in `Clock` milliseconds: it is fresh while `now < expiresAt`. */
  readonly expiresAt: number
  readonly scope: CacheScope
  /** The handles `Store.invalidate` drops it by (its method, and its uri for `resources/read`). */
  readonly tags: ReadonlyArray<string>
}

/**
 * Where the entries live. Keys and tags are opaque strings. A store never
 * fails: one that can (a remote store) should turn its failures into misses.
 *
 * @since 0.3.0
 * @category models
 */
export interface Store {
  /** The entry under `key`, if it is there and fresh. */
  readonly get: (key: string) => Effect.Effect<Option.Option<Entry>>
  readonly set: (key: string, entry: Entry) => Effect.Effect<void>
  readonly remove: (key: string) => Effect.Effect<void>
  /** Drops every entry carrying `tag`. */
  readonly invalidate: (tag: string) => Effect.Effect<void>
}

/**
 * The store, as a service: provide one `Layer` to every client that should
 * share it.
 *
 * @since 0.3.0
 * @category tags
 */
export class ResponseCache extends Context.Tag("@effect-mcp/client/ResponseCache")<ResponseCache, Store>() {}

/**
 * The longest an entry is kept, whatever `ttlMs` says: 24 hours.
 *
 * @since 0.3.0
 * @category constants
 */
export const maxTtlMs: number = 24 * 60 * 60 * 1000

/**
 * The methods whose results may be cached; every other method passes
 * straight through.
 *
 * @since 0.3.0
 * @category constants
 */
export const cacheableMethods: ReadonlyArray<string> = [
  "tools/list",
  "resources/list",
  "resources/templates/list",
  "prompts/list",
  "resources/read"
]

const cacheable: ReadonlySet<string> = new Set(cacheableMethods)
const listMethods: ReadonlySet<string> = new Set(cacheableMethods.filter((method) => method !== "resources/read"))

// -----------------------------------------------------------------------------
// the in-memory store
// -----------------------------------------------------------------------------

/**
 * How `makeMemory` and `layerMemory` size their store.
 *
 * @since 0.3.0
 * @category models
 */
export interface MemoryOptions {
  /** How many entries it holds at most (default 1024; at least 1). */
  readonly capacity?: number | undefined
}

const defaultCapacity = 1024

/**
 * A bounded in-memory store. When it is full, expired entries go first, then
 * the least recently used (a hit or a write counts as a use). Expired
 * entries are also dropped when they are read.
 *
 * @since 0.3.0
 * @category constructors
 */
export const makeMemory = (options?: MemoryOptions): Effect.Effect<Store> =>
  Effect.sync(() => {
    const requested = options?.capacity ?? defaultCapacity
    const capacity = Number.isNaN(requested) ? defaultCapacity : Math.max(1, Math.floor(requested))
    // insertion order is the recency order: the first key is the least recently used
    const entries = new Map<string, Entry>()
    const withNow = <A>(f: (now: number) => A): Effect.Effect<A> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => f(now)))
    const makeRoom = (now: number) => {
      if (entries.size <= capacity) return
      for (const [key, entry] of entries) {
        if (entry.expiresAt <= now) entries.delete(key)
      }
      for (const key of entries.keys()) {
        if (entries.size <= capacity) return
        entries.delete(key)
      }
    }
    return {
      get: (key) =>
        withNow((now) => {
          const entry = entries.get(key)
          if (entry === undefined) return Option.none()
          entries.delete(key)
          if (entry.expiresAt <= now) return Option.none()
          entries.set(key, entry)
          return Option.some(entry)
        }),
      set: (key, entry) =>
        withNow((now) => {
          entries.delete(key)
          if (entry.expiresAt <= now) return
          entries.set(key, entry)
          makeRoom(now)
        }),
      remove: (key) =>
        Effect.sync(() => {
          entries.delete(key)
        }),
      invalidate: (tag) =>
        Effect.sync(() => {
          for (const [key, entry] of entries) {
            if (entry.tags.includes(tag)) entries.delete(key)
          }
        })
    }
  })

/**
 * `makeMemory` as the `ResponseCache` service.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerMemory = (options?: MemoryOptions): Layer.Layer<ResponseCache> =>
  Layer.effect(ResponseCache, makeMemory(options))

// -----------------------------------------------------------------------------
// one client's view
// -----------------------------------------------------------------------------

/**
 * Which server a client's entries belong to, and whose (see `make`).
 *
 * @since 0.3.0
 * @category models
 */
export interface Options {
  /**
   * Which server (and protocol revision) the client talks to, e.g. its URL or
   * command line: entries, public ones included, only answer clients of the
   * same server.
   */
  readonly server: string
  /**
   * The client's authorization context, derived from its verified
   * credentials (or `""` when it has none): a private entry only answers the
   * partition that fetched it. It is kept in the store's keys as it is, so
   * pass a digest rather than a secret.
   */
  readonly partition: string
}

/**
 * One client's use of a store.
 *
 * @since 0.3.0
 * @category models
 */
export interface ClientCache {
  /**
   * Runs `fetch`, the request `method` with `params`, through the cache
   * according to `mode`. A method that is not cacheable, and a request that
   * carries `inputResponses` or `requestState`, always run `fetch` and store
   * nothing. A result is stored when its `ttlMs` is positive and its
   * `resultType` is absent or `"complete"`. A hit answers the stored (frozen)
   * value; a miss answers what `fetch` returned. Concurrent `"use"` calls
   * for the same request share one fetch when its result is stored.
   */
  readonly through: <E, R>(
    method: string,
    params: Record<string, unknown> | undefined,
    mode: Mode,
    fetch: Effect.Effect<unknown, E, R>
  ) => Effect.Effect<unknown, E, R>
  /**
   * Drops what a server notification makes stale: a `list_changed` drops
   * every page of the matching lists (for every partition),
   * `notifications/resources/updated` the `resources/read` entries of its uri.
   */
  readonly onNotification: (notification: {
    readonly method: string
    readonly params?: unknown
  }) => Effect.Effect<void>
  /** Drops every page of a list whose cursor the server rejected. */
  readonly onInvalidCursor: (method: string) => Effect.Effect<void>
}

interface Request {
  readonly id: string
  readonly privateKey: string
  readonly publicKey: string
  readonly tags: ReadonlyArray<string>
}

interface Hints {
  readonly ttlMs: number
  readonly scope: CacheScope
}

/**
 * A client's view of `store`. Keep one per client; several clients may share
 * the store.
 *
 * @since 0.3.0
 * @category constructors
 */
export const make = (store: Store, options: Options): Effect.Effect<ClientCache> =>
  Effect.sync(() => {
    const { partition, server } = options
    // bumped by every invalidation: a fetch that was in flight meanwhile stores nothing
    let generation = 0
    const inFlight = new Map<string, Deferred.Deferred<void>>()

    const methodTag = (method: string) => JSON.stringify([server, method])
    const uriTag = (uri: string) => JSON.stringify([server, "resources/read", uri])

    const requestOf = (method: string, params: Record<string, unknown> | undefined): Request | undefined => {
      if (params !== undefined && (params.inputResponses !== undefined || params.requestState !== undefined)) {
        return undefined
      }
      // no prototype: an own "__proto__" param stays a param
      const rest: Record<string, unknown> = Object.create(null)
      if (params !== undefined) {
        for (const key of Object.keys(params)) {
          if (key !== "_meta") rest[key] = params[key]
        }
      }
      const canonical = canonicalJson(rest, 0)
      if (canonical === undefined) return undefined
      const tags = method === "resources/read" && typeof rest.uri === "string"
        ? [methodTag(method), uriTag(rest.uri)]
        : [methodTag(method)]
      return {
        id: JSON.stringify([method, canonical]),
        privateKey: JSON.stringify([server, method, canonical, partition]),
        publicKey: JSON.stringify([server, method, canonical, null]),
        tags
      }
    }

    const lookup = (request: Request): Effect.Effect<Option.Option<unknown>> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const fresh = (scope: CacheScope) => (entry: Option.Option<Entry>) =>
          Option.filterMap(entry, (entry) =>
            now < entry.expiresAt && entry.scope === scope ? Option.some(entry.value) : Option.none())
        return Effect.flatMap(Effect.map(store.get(request.privateKey), fresh("private")), (hit) =>
          Option.isSome(hit) ? Effect.succeed(hit) : Effect.map(store.get(request.publicKey), fresh("public")))
      })

    const forget = (request: Request) =>
      Effect.zipRight(store.remove(request.privateKey), store.remove(request.publicKey))

    // stores `value` unless it is not cacheable or an invalidation came
    // since `since`; a result that may not be stored supersedes the old entry
    const save = (request: Request, value: unknown, since: number): Effect.Effect<void> =>
      Effect.suspend(() => {
        const hints = hintsOf(value)
        const frozen = hints === undefined ? notJson : frozenCopy(value, 0)
        if (hints === undefined || frozen === notJson) {
          return forget(request)
        }
        if (generation !== since) {
          return Effect.void
        }
        const [own, other] = hints.scope === "public"
          ? [request.publicKey, request.privateKey]
          : [request.privateKey, request.publicKey]
        return Effect.flatMap(Clock.currentTimeMillis, (now) =>
          store.remove(other).pipe(
            Effect.zipRight(store.set(own, {
              value: frozen,
              expiresAt: now + hints.ttlMs,
              scope: hints.scope,
              tags: request.tags
            })),
            // an invalidation may have come while an asynchronous store wrote
            Effect.zipRight(Effect.suspend(() =>
              generation === since ? Effect.void : store.remove(own)
            ))
          ))
      })

    const fetchAndSave = <E, R>(request: Request, fetch: Effect.Effect<unknown, E, R>): Effect.Effect<unknown, E, R> =>
      Effect.suspend(() => {
        const since = generation
        return Effect.tap(fetch, (value) =>
          save(request, value, since))
      })

    const answer = <E, R>(request: Request, fetch: Effect.Effect<unknown, E, R>): Effect.Effect<unknown, E, R> =>
      Effect.flatMap(
        lookup(request),
        Option.match({ onNone: () => fetchAndSave(request, fetch), onSome: Effect.succeed })
      )

    // the first caller fetches; the others wait for it to finish, however it
    // does, then read what it stored or fetch on their own
    const joinOrLead = <E, R>(request: Request, fetch: Effect.Effect<unknown, E, R>): Effect.Effect<unknown, E, R> =>
      Effect.flatMap(Deferred.make<void>(), (mine) =>
        Effect.suspend(() => {
          const leader = inFlight.get(request.id)
          if (leader !== undefined) return Effect.zipRight(Deferred.await(leader), answer(request, fetch))
          inFlight.set(request.id, mine)
          return Effect.ensuring(
            fetchAndSave(request, fetch),
            Effect.suspend(() => {
              if (inFlight.get(request.id) === mine) inFlight.delete(request.id)
              return Deferred.succeed(mine, void 0)
            })
          )
        }))

    const invalidate = (tags: ReadonlyArray<string>): Effect.Effect<void> =>
      Effect.suspend(() => {
        generation++
        inFlight.clear()
        return Effect.forEach(tags, (tag) => store.invalidate(tag), { discard: true })
      })

    return {
      through: <E, R>(
        method: string,
        params: Record<string, unknown> | undefined,
        mode: Mode,
        fetch: Effect.Effect<unknown, E, R>
      ): Effect.Effect<unknown, E, R> => {
        if (mode === "bypass" || !cacheable.has(method)) return fetch
        return Effect.suspend(() => {
          const request = requestOf(method, params)
          if (request === undefined) return fetch
          if (mode === "refresh") return fetchAndSave(request, fetch)
          return Effect.flatMap(
            lookup(request),
            Option.match({
              onNone: () => joinOrLead(request, fetch),
              onSome: Effect.succeed
            })
          )
        })
      },
      onNotification: (notification) => {
        switch (notification.method) {
          case "notifications/tools/list_changed":
            return invalidate([methodTag("tools/list")])
          case "notifications/prompts/list_changed":
            return invalidate([methodTag("prompts/list")])
          case "notifications/resources/list_changed":
            return invalidate([methodTag("resources/list"), methodTag("resources/templates/list")])
          case "notifications/resources/updated": {
            const params = notification.params
            return Predicate.isRecord(params) && typeof params.uri === "string"
              ? invalidate([uriTag(params.uri)])
              : Effect.void
          }
          default:
            return Effect.void
        }
      },
      onInvalidCursor: (method) => listMethods.has(method) ? invalidate([methodTag(method)]) : Effect.void
    }
  })

// -----------------------------------------------------------------------------
// values
// -----------------------------------------------------------------------------

const hintsOf = (value: unknown): Hints | undefined => {
  if (!Predicate.isRecord(value)) return undefined
  if (value.resultType !== undefined && value.resultType !== "complete") return undefined
  const ttlMs = value.ttlMs
  if (typeof ttlMs !== "number" || !(ttlMs > 0)) return undefined
  return { ttlMs: Math.min(ttlMs, maxTtlMs), scope: value.cacheScope === "public" ? "public" : "private" }
}

// deeper than any sensible request or result; also stops on a cycle
const maxDepth = 128

const isPlainObject = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== "object" || u === null) return false
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

// JSON with the object keys sorted (`undefined` properties left out, as
// `JSON.stringify` does), or `undefined` for anything that is not JSON
const canonicalJson = (u: unknown, depth: number): string | undefined => {
  if (u === null || typeof u === "string" || typeof u === "boolean") return JSON.stringify(u)
  if (typeof u === "number") return Number.isFinite(u) ? JSON.stringify(u) : undefined
  if (depth >= maxDepth) return undefined
  if (Array.isArray(u)) {
    const items: Array<string> = []
    for (const item of u) {
      const json = canonicalJson(item, depth + 1)
      if (json === undefined) return undefined
      items.push(json)
    }
    return `[${items.join(",")}]`
  }
  if (!isPlainObject(u)) return undefined
  const members: Array<string> = []
  for (const key of Object.keys(u).sort()) {
    if (u[key] === undefined) continue
    const json = canonicalJson(u[key], depth + 1)
    if (json === undefined) return undefined
    members.push(`${JSON.stringify(key)}:${json}`)
  }
  return `{${members.join(",")}}`
}

const notJson: unique symbol = Symbol("notJson")

// A frozen deep copy: the caller that fetched keeps its own object, and a hit
// hands out the stored one, which no caller can change (writing to it throws
// in strict code). One copy per write, none per hit.
const frozenCopy = (u: unknown, depth: number): unknown => {
  if (u === null || typeof u === "string" || typeof u === "boolean") return u
  if (typeof u === "number") return Number.isFinite(u) ? u : notJson
  if (depth >= maxDepth) return notJson
  if (Array.isArray(u)) {
    const items: Array<unknown> = []
    for (const item of u) {
      const copy = frozenCopy(item, depth + 1)
      if (copy === notJson) return notJson
      items.push(copy)
    }
    return Object.freeze(items)
  }
  if (!isPlainObject(u)) return notJson
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(u)) {
    if (u[key] === undefined) continue
    const member = frozenCopy(u[key], depth + 1)
    if (member === notJson) return notJson
    // an own "__proto__" key (JSON.parse makes them) must stay a key
    Object.defineProperty(copy, key, { value: member, enumerable: true, writable: true, configurable: true })
  }
  return Object.freeze(copy)
}
