/**
 * A group of servers: one client per server in an `RcMap`, every server's
 * lists in one `SubscriptionRef`, the catalogue built from it on demand.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Queue from "effect/Queue"
import * as RcMap from "effect/RcMap"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type * as McpClient from "../McpClient.js"
import type * as McpConfig from "../McpConfig.js"
import type * as McpGroup from "../McpGroup.js"
import type * as Transport from "../Transport.js"
import * as InternalClient from "./client.js"
import * as InternalConfig from "./config.js"
import { GroupError, isTransportError, type McpError } from "./errors.js"
import type * as McpSchema from "./schema.js"
import * as InternalSource from "./source.js"

const ServerState = {
  Idle: { _tag: "Idle" } as McpGroup.ServerState,
  Connecting: { _tag: "Connecting" } as McpGroup.ServerState
}

interface Lists {
  readonly tools: ReadonlyArray<McpSchema.Tool>
  readonly resources: ReadonlyArray<McpSchema.Resource>
  readonly resourceTemplates: ReadonlyArray<McpSchema.ResourceTemplate>
  readonly prompts: ReadonlyArray<McpSchema.Prompt>
}

const noLists: Lists = { tools: [], resources: [], resourceTemplates: [], prompts: [] }

interface Slot {
  readonly state: McpGroup.ServerState
  /** Undefined until the server's lists were read once. */
  readonly lists: Lists | undefined
}

type Slots = Readonly<Record<string, Slot>>

interface Built {
  readonly catalogue: McpGroup.Catalogue
  readonly tools: ReadonlyMap<string, McpGroup.Entry<McpSchema.Tool>>
  readonly resources: ReadonlyMap<string, McpGroup.Entry<McpSchema.Resource>>
  readonly prompts: ReadonlyMap<string, McpGroup.Entry<McpSchema.Prompt>>
  /** Whether each server's lists were ever read. */
  readonly loaded: Readonly<Record<string, boolean>>
}

const isConfig = (servers: McpGroup.Servers): servers is McpConfig.Config => {
  const keys = Object.keys(servers)
  if (keys.length !== 1 || (keys[0] !== "mcpServers" && keys[0] !== "servers")) return false
  const value = (servers as Record<string, unknown>)[keys[0]]
  return typeof value === "object" && value !== null && !Effect.isEffect(value) && !(value instanceof URL) &&
    !Predicate.hasProperty(value, "command") && !Predicate.hasProperty(value, "url") &&
    !Predicate.hasProperty(value, "connect")
}

/** @internal */
export const safeName = (name: string): string => {
  const safe = name.replace(/[^a-zA-Z0-9_-]/g, "_")
  if (safe.length === 0) return "_"
  return safe.length <= 64 ? safe : `${safe.slice(0, 55)}_${hash(name)}`
}

// FNV-1a: names cut to fit keep a trace of what was cut
const hash = (text: string): string => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0).toString(16).padStart(8, "0")
}

const withSuffix = (name: string, n: number): string => {
  const suffix = `_${n}`
  return `${name.slice(0, 64 - suffix.length)}${suffix}`
}

const kindText: Record<McpGroup.EntryKind, string> = {
  tool: "tool",
  resource: "resource",
  resourceTemplate: "resource template",
  prompt: "prompt"
}

/** @internal */
export const make = <S extends McpGroup.Servers, R = never>(
  // McpClient.transportFor: the transports are public modules the engine does not import
  transportFor: (source: McpClient.ConnectionSource) => Transport.Connect<any>,
  servers: S,
  options: McpGroup.Options<R> = {}
): Effect.Effect<McpGroup.Service, never, Scope.Scope | McpGroup.ServersContext<S> | R> =>
  Effect.gen(function*() {
    const sources = new Map<string, Either.Either<McpClient.ConnectionSource, GroupError>>()
    if (isConfig(servers)) {
      for (const [name, entry] of Object.entries(InternalConfig.servers(servers))) {
        const checked = InternalConfig.decodeServer(entry)
        sources.set(
          name,
          Either.isRight(checked)
            ? Either.right(entry as McpClient.ConnectionSource)
            : Either.left(
              new GroupError({
                reason: "Unavailable",
                server: name,
                description: `server "${name}" is misconfigured: ${checked.left}`
              })
            )
        )
      }
    } else {
      for (const [name, source] of Object.entries(servers)) sources.set(name, Either.right(source))
    }
    const names = [...sources.keys()]
    const separator = options.separator ?? "_"
    const slots = yield* SubscriptionRef.make<Slots>(
      Object.fromEntries(names.map((name) => {
        const source = sources.get(name)!
        const state: McpGroup.ServerState = Either.isLeft(source)
          ? { _tag: "Failed", cause: source.left }
          : ServerState.Idle
        return [name, { state, lists: undefined }]
      }))
    )
    const updateSlot = (name: string, f: (slot: Slot) => Slot) =>
      SubscriptionRef.update(slots, (all) => ({ ...all, [name]: f(all[name]) }))
    const setState = (name: string, state: McpGroup.ServerState) => updateSlot(name, (slot) => ({ ...slot, state }))

    const readLists = (name: string, client: McpClient.Service, kinds: ReadonlyArray<McpClient.ListKind>) =>
      Effect.gen(function*() {
        const capabilities = yield* client.serverCapabilities
        const read = <K extends keyof Lists>(
          key: K,
          advertised: unknown,
          list: Effect.Effect<Lists[K], McpError>
        ): Effect.Effect<Partial<Lists>> =>
          advertised === undefined
            ? Effect.succeed({ [key]: [] })
            : observe(name, client, list).pipe(
              Effect.map((items): Partial<Lists> => ({ [key]: items })),
              // the previous list stays: one failed read is no reason to empty it
              Effect.catchAll((error) =>
                Effect.as(
                  Effect.logWarning(`MCP server "${name}": could not list its ${key}: ${error.message}`),
                  {}
                )
              )
            )
        const parts = yield* Effect.all(
          [
            kinds.includes("tools") ? read("tools", capabilities.tools, client.listTools) : Effect.succeed({}),
            kinds.includes("resources")
              ? read("resources", capabilities.resources, client.listResources)
              : Effect.succeed({}),
            kinds.includes("resources")
              ? read("resourceTemplates", capabilities.resources, client.listResourceTemplates)
              : Effect.succeed({}),
            kinds.includes("prompts") ? read("prompts", capabilities.prompts, client.listPrompts) : Effect.succeed({})
          ],
          { concurrency: "unbounded" }
        )
        yield* updateSlot(name, (slot) => ({
          ...slot,
          lists: Object.assign({}, slot.lists ?? noLists, ...parts)
        }))
      }).pipe(Effect.catchAll(() => Effect.void))

    const markReady = (name: string, client: McpClient.Service) =>
      Effect.gen(function*() {
        const protocolVersion = yield* Effect.orElseSucceed(client.protocolVersion, () => "")
        const serverInfo = yield* Effect.orElseSucceed(client.serverInfo, () => Option.none())
        yield* setState(name, { _tag: "Ready", protocolVersion, serverInfo: Option.getOrUndefined(serverInfo) })
      })

    const followState = (name: string, client: McpClient.Service) =>
      client.connectionStates.pipe(
        Stream.runForEach((state): Effect.Effect<void> => {
          switch (state._tag) {
            case "Connecting":
              return setState(name, ServerState.Connecting)
            case "Ready":
              return markReady(name, client)
            case "Disconnected":
              // the server went away: asking for its lists opens a new session (under the client's
              // reconnect schedule) and reads what the new one offers; on a fiber of its own, so that
              // the states of the reconnection are followed meanwhile
              return setState(name, { _tag: "Reconnecting", attempt: 0, cause: state.cause }).pipe(
                Effect.zipRight(Effect.fork(readLists(name, client, allKinds))),
                Effect.asVoid
              )
            case "Reconnecting":
              return setState(name, { _tag: "Reconnecting", attempt: state.attempt, cause: state.cause })
            case "Closed":
              return setState(
                name,
                state.cause === undefined ? ServerState.Idle : { _tag: "Failed", cause: state.cause }
              )
          }
        })
      )

    const clients = yield* RcMap.make({
      lookup: (name: string) =>
        Effect.gen(function*() {
          const source = sources.get(name)!
          if (Either.isLeft(source)) return yield* source.left
          yield* setState(name, ServerState.Connecting)
          // as McpClient.make does
          const client = yield* InternalClient.make(transportFor(source.right), {
            ...options.client,
            ...options.clients?.[name],
            autoConnect: true
          } as McpClient.Options<R>, InternalSource.verdictKey(source.right)).pipe(
            Effect.mapError((cause) =>
              new GroupError({ reason: "Unavailable", server: name, description: `server "${name}"`, cause })
            ),
            Effect.tapError((error) => setState(name, { _tag: "Failed", cause: error.cause as McpError }))
          )
          yield* Effect.addFinalizer(() =>
            updateSlot(name, (slot) => slot.state._tag === "Failed" ? slot : { ...slot, state: ServerState.Idle })
          )
          yield* Effect.forkScoped(followState(name, client))
          // listening before the first read: a change in between is read again, not missed
          const stale = new Set<McpClient.ListKind>()
          const wake = yield* Queue.sliding<void>(1)
          yield* client.listChanged.pipe(
            Stream.runForEach((kind) => Effect.suspend(() => (stale.add(kind), Queue.offer(wake, undefined)))),
            Effect.forkScoped
          )
          yield* Effect.yieldNow()
          yield* readLists(name, client, allKinds)
          // a server that floods list_changed costs at most one read in progress and one to follow
          yield* Queue.take(wake).pipe(
            Effect.zipRight(Effect.suspend(() => {
              const kinds = [...stale]
              stale.clear()
              return readLists(name, client, kinds)
            })),
            Effect.forever,
            Effect.forkScoped
          )
          return client
        }),
      idleTimeToLive: options.idleTimeToLive ?? Duration.minutes(5)
    }) as Effect.Effect<RcMap.RcMap<string, McpClient.Service, GroupError>>

    // An HTTP server that went away is often only found out by the next request (the
    // connection is not held open): what the calls routed to a server meet is its state too.
    const observe = <A, E>(name: string, client: McpClient.Service, effect: Effect.Effect<A, E>) =>
      effect.pipe(
        Effect.tapErrorCause((cause) => {
          const error = Cause.failureOption(cause)
          if (Option.isNone(error) || !isTransportError(error.value)) return Effect.void
          const failed: McpGroup.ServerState = { _tag: "Failed", cause: error.value }
          return updateSlot(name, (slot) => slot.state._tag === "Ready" ? { ...slot, state: failed } : slot)
        }),
        Effect.tap(() =>
          Effect.flatMap(
            SubscriptionRef.get(slots),
            (all) => all[name].state._tag === "Failed" ? markReady(name, client) : Effect.void
          )
        )
      )

    const acquire = (name: string): Effect.Effect<McpClient.Service, GroupError, Scope.Scope> =>
      sources.has(name)
        ? RcMap.get(clients, name).pipe(
          // a failed lookup would otherwise be remembered for the idle time
          Effect.tapError(() => RcMap.invalidate(clients, name))
        )
        : Effect.fail(
          new GroupError({
            reason: "UnknownServer",
            server: name,
            description: `no server named "${name}" (the group has: ${names.join(", ") || "none"})`
          })
        )

    const states = Effect.map(
      SubscriptionRef.get(slots),
      (all) => Object.fromEntries(names.map((name) => [name, all[name].state]))
    )

    const connectAll = Effect.forEach(
      names,
      (name) => Effect.scoped(Effect.ignore(acquire(name))),
      { concurrency: "unbounded", discard: true }
    ).pipe(Effect.zipRight(states))

    const naming = options.naming ?? ((server, name) => `${server}${separator}${name}`)
    const collisions = options.collisions ?? "fail"

    const build = (all: Slots): Either.Either<Built, GroupError> => {
      const servers = Object.fromEntries(names.map((name) => [name, all[name].state]))
      const index = <A>(
        kind: McpGroup.EntryKind,
        items: (lists: Lists) => ReadonlyArray<A>,
        nameOf: (item: A) => string,
        originalOf: (item: A) => string
      ): Either.Either<Map<string, McpGroup.Entry<A>>, GroupError> => {
        const entries = new Map<string, McpGroup.Entry<A>>()
        const suffixes = new Map<string, number>()
        for (const server of names) {
          const slot = all[server]
          if (slot.lists === undefined) continue
          const available = isAvailable(slot.state)
          for (const item of items(slot.lists)) {
            const base = safeName(naming(server, nameOf(item), kind))
            let name = base
            const clash = entries.get(base)
            if (clash !== undefined) {
              // resources may share a name on one server (their URI tells them apart): not a clash to refuse
              if (collisions === "fail" && !(kind === "resource" && clash.server === server)) {
                return Either.left(
                  new GroupError({
                    reason: "Collision",
                    server,
                    description: `the ${kindText[kind]} "${nameOf(item)}" of server "${server}" and the ${
                      kindText[kind]
                    } "${
                      nameOf(clash.value)
                    }" of server "${clash.server}" are both named "${base}" (use collisions: "suffix", or naming)`
                  })
                )
              }
              // each base goes on from its last suffix: a server listing thousands of one name stays linear
              let n = suffixes.get(base) ?? 2
              while (entries.has(name = withSuffix(base, n))) n++
              suffixes.set(base, n + 1)
            }
            entries.set(name, { name, server, original: originalOf(item), available, value: item })
          }
        }
        return Either.right(entries)
      }
      return Either.gen(function*() {
        const tools = yield* index("tool", (lists) => lists.tools, (tool) => tool.name, (tool) => tool.name)
        const resources = yield* index(
          "resource",
          (lists) => lists.resources,
          (resource) => resource.name,
          (resource) => resource.uri
        )
        const resourceTemplates = yield* index(
          "resourceTemplate",
          (lists) => lists.resourceTemplates,
          (template) => template.name,
          (template) => template.uriTemplate
        )
        const prompts = yield* index(
          "prompt",
          (lists) => lists.prompts,
          (prompt) => prompt.name,
          (prompt) => prompt.name
        )
        return {
          catalogue: {
            tools: [...tools.values()],
            resources: [...resources.values()],
            resourceTemplates: [...resourceTemplates.values()],
            prompts: [...prompts.values()],
            servers
          },
          tools,
          resources,
          prompts,
          loaded: Object.fromEntries(names.map((name) => [name, all[name].lists !== undefined]))
        }
      })
    }

    // one build per version of the slots, however many readers
    let last: { readonly slots: Slots; readonly built: Either.Either<Built, GroupError> } | undefined
    const buildCached = (all: Slots) => {
      if (last === undefined || last.slots !== all) last = { slots: all, built: build(all) }
      return last.built
    }

    const loadedOnce = yield* Effect.cached(connectAll)
    const current: Effect.Effect<Built, GroupError> = loadedOnce.pipe(
      Effect.zipRight(SubscriptionRef.get(slots)),
      Effect.flatMap(buildCached)
    )

    const route = <A, B, E>(
      entries: (built: Built) => ReadonlyMap<string, McpGroup.Entry<A>>,
      kind: McpGroup.EntryKind,
      name: string,
      use: (client: McpClient.Service, entry: McpGroup.Entry<A>) => Effect.Effect<B, E>
    ): Effect.Effect<B, E | GroupError> => {
      const attempt = (built: Built, retried: boolean): Effect.Effect<B, E | GroupError> => {
        const entry = entries(built).get(name)
        if (entry !== undefined) {
          return Effect.scoped(
            Effect.flatMap(acquire(entry.server), (client) => observe(entry.server, client, use(client, entry)))
          )
        }
        const error = missing(built, kind, name)
        // a server that could not be connected before may be back: try it once before refusing
        return error.reason === "Unavailable" && !retried
          ? Effect.scoped(
            Effect.flatMap(acquire(error.server!), (client) => readLists(error.server!, client, allKinds))
          ).pipe(
            Effect.zipRight(Effect.flatMap(current, (built) => attempt(built, true)))
          )
          : Effect.fail(error)
      }
      return Effect.flatMap(current, (built) => attempt(built, false))
    }

    const missing = (built: Built, kind: McpGroup.EntryKind, name: string): GroupError => {
      // a server whose lists were never read may well have it
      for (const server of names) {
        const state = built.catalogue.servers[server]
        if (
          state._tag === "Failed" && built.loaded[server] === false &&
          name.startsWith(safeName(naming(server, "", kind)))
        ) {
          return new GroupError({
            reason: "Unavailable",
            server,
            description: `the ${kindText[kind]} "${name}" may be on server "${server}", which could not be connected`,
            cause: state.cause
          })
        }
      }
      return new GroupError({
        reason: "UnknownEntry",
        description: `no ${kindText[kind]} named "${name}" in the catalogue of ${names.length} server${
          names.length === 1 ? "" : "s"
        } (${names.join(", ")})`
      })
    }

    const readResource = (nameOrUri: string, requestOptions?: McpClient.RequestOptions) =>
      Effect.flatMap(current, (built) => {
        const entry = built.resources.get(nameOrUri) ??
          built.catalogue.resources.find((resource) => resource.original === nameOrUri) ??
          built.catalogue.resourceTemplates.find((template) => matchesTemplate(template.original, nameOrUri))
        if (entry === undefined) return Effect.fail(missing(built, "resource", nameOrUri))
        const uri = entry.original === nameOrUri || built.resources.has(nameOrUri) ? entry.original : nameOrUri
        return Effect.scoped(
          Effect.flatMap(
            acquire(entry.server),
            (client) => observe(entry.server, client, client.readResourceRaw(uri, requestOptions))
          )
        )
      })

    const service: McpGroup.Service = {
      names,
      client: acquire,
      connectAll,
      states,
      stateChanges: Stream.map(
        slots.changes,
        (all) => Object.fromEntries(names.map((name) => [name, all[name].state]))
      ),
      catalogue: Effect.map(current, (built) => built.catalogue),
      catalogueChanges: Stream.unwrap(
        Effect.as(
          loadedOnce,
          slots.changes.pipe(
            Stream.mapEffect((all) => Effect.map(buildCached(all), (built) => built.catalogue)),
            Stream.changes
          )
        )
      ),
      refresh: (server) =>
        Effect.forEach(
          server === undefined ? names : [server],
          (name) =>
            Effect.scoped(
              Effect.flatMap(acquire(name), (client) => readLists(name, client, allKinds))
            ).pipe(server === undefined ? Effect.ignore : (self) => self),
          { concurrency: "unbounded", discard: true }
        ),
      callTool: (name, args, requestOptions) =>
        route(
          (built) => built.tools,
          "tool",
          name,
          (client, entry) => client.callTool(entry.original, args, requestOptions)
        ),
      callToolRaw: (name, args, requestOptions) =>
        route(
          (built) => built.tools,
          "tool",
          name,
          (client, entry) => client.callToolRaw(entry.original, args, requestOptions)
        ),
      readResource,
      getPrompt: (name, args, requestOptions) =>
        route(
          (built) => built.prompts,
          "prompt",
          name,
          (client, entry) => client.getPrompt(entry.original, args, requestOptions)
        )
    }
    return service
  }) as Effect.Effect<McpGroup.Service, never, Scope.Scope | McpGroup.ServersContext<S> | R>

const allKinds: ReadonlyArray<McpClient.ListKind> = ["tools", "resources", "prompts"]

/** @internal */
export const isAvailable = (state: McpGroup.ServerState): boolean =>
  state._tag !== "Failed" && state._tag !== "Reconnecting"

/**
 * Whether a URI is one a template (RFC 6570, level 1 expressions and the
 * simple operators) could have made: each `{...}` matches a run of
 * characters; `{+...}`, `{/...}` and `{#...}` may span `/`.
 *
 * The positions the URI can have reached are carried from one part of the
 * template to the next, O(URI length x parts): a template is the server's,
 * and as a regular expression `a{+x}a{+y}a{+z}b` took seconds to refuse a
 * URI of 3,000 `a`s (backtracking), with the host's event loop blocked.
 */
const matchesTemplate = (template: string, uri: string): boolean => {
  let reached = new Uint8Array(uri.length + 1)
  reached[0] = 1
  for (const part of template.split(/(\{[^}]*\})/)) {
    if (part === "") continue
    const next = new Uint8Array(uri.length + 1)
    let any = false
    if (part.startsWith("{")) {
      const spansSlash = part[1] === "+" || part[1] === "#" || part[1] === "/"
      // from each reached position, every position up to the next "/" (or the end)
      let open = false
      for (let i = 0; i <= uri.length; i++) {
        if (reached[i] === 1) open = true
        if (open) {
          next[i] = 1
          any = true
        }
        if (!spansSlash && uri[i] === "/") open = false
      }
    } else {
      for (let i = 0; i + part.length <= uri.length; i++) {
        if (reached[i] === 1 && uri.startsWith(part, i)) {
          next[i + part.length] = 1
          any = true
        }
      }
    }
    if (!any) return false
    reached = next
  }
  return reached[uri.length] === 1
}
