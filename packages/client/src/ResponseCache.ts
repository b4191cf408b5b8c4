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
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import * as internal from "./internal/responseCache.js"

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
export const ResponseCache: typeof internal.ResponseCache = internal.ResponseCache

/**
 * @since 0.3.0
 * @category tags
 */
export type ResponseCache = internal.ResponseCache

/**
 * The longest an entry is kept, whatever `ttlMs` says: 24 hours.
 *
 * @since 0.3.0
 * @category constants
 */
export const maxTtlMs: number = internal.maxTtlMs

/**
 * The methods whose results may be cached; every other method passes
 * straight through.
 *
 * @since 0.3.0
 * @category constants
 */
export const cacheableMethods: ReadonlyArray<string> = internal.cacheableMethods

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

/**
 * A bounded in-memory store. When it is full, expired entries go first, then
 * the least recently used (a hit or a write counts as a use). Expired
 * entries are also dropped when they are read.
 *
 * @since 0.3.0
 * @category constructors
 */
export const makeMemory: (options?: MemoryOptions) => Effect.Effect<Store> = internal.makeMemory

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

/**
 * A client's view of `store`. Keep one per client; several clients may share
 * the store.
 *
 * @since 0.3.0
 * @category constructors
 */
export const make: (store: Store, options: Options) => Effect.Effect<ClientCache> = internal.make
