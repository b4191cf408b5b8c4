/**
 * Many servers in one program: a group keeps one client per server (in an
 * `RcMap` keyed by the server's name: connected when first used, closed
 * after an idle time), and one catalogue of their tools, resources,
 * resource templates and prompts under prefixed, provider-safe names
 * (`^[a-zA-Z0-9_-]{1,64}$`). A call by catalogue name reaches the right
 * server with the original name. A server that is down or misconfigured
 * never fails the others: its state says why, and its entries are marked
 * unavailable. The catalogue follows the servers: a list-changed
 * notification reads that server's list again, every page.
 *
 * @example
 * ```ts
 * import { McpGroup } from "@effect-mcp/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const catalogue = yield* McpGroup.catalogue
 *   for (const entry of catalogue.tools) console.log(entry.name, entry.available)
 *   return yield* McpGroup.callTool("files_read_text_file", { path: "README.md" })
 * })
 *
 * const GroupLive = McpGroup.layer({
 *   mcpServers: {
 *     files: { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "."] },
 *     docs: { url: "https://example.com/mcp" }
 *   }
 * })
 * ```
 *
 * @since 0.3.0
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as internal from "./internal/group.js"
import * as McpClient from "./McpClient.js"
import type * as McpConfig from "./McpConfig.js"
import type { GroupError, McpError } from "./McpError.js"
import type * as McpSchema from "./McpSchema.js"

/**
 * The group service, as `McpGroup.layer` provides it.
 *
 * @since 0.3.0
 * @category tags
 */
export class McpGroup extends Context.Tag("@effect-mcp/client/McpGroup")<McpGroup, Service>() {}

/**
 * The servers of a group: an `mcp.json` object (`mcpServers` or `servers`),
 * or a record of connection sources by server name.
 *
 * @since 0.3.0
 * @category models
 */
export type Servers = McpConfig.Config | Readonly<Record<string, McpClient.ConnectionSource>>

/**
 * Where a server of the group is: `Idle` (no session: not used yet, or
 * closed after its idle time; using it connects), `Connecting`, `Ready`,
 * `Reconnecting` (its session ended; with the attempt and the failure) and
 * `Failed` (it could not be connected, or its client gave up; with the
 * failure). The entries of a server that is `Reconnecting` or `Failed` are
 * unavailable.
 *
 * @since 0.3.0
 * @category models
 */
export type ServerState = Data.TaggedEnum<{
  Idle: {}
  Connecting: {}
  Ready: { readonly protocolVersion: string; readonly serverInfo: McpSchema.Implementation | undefined }
  Reconnecting: { readonly attempt: number; readonly cause: McpError }
  Failed: { readonly cause: McpError | GroupError }
}>

/**
 * Constructors and matchers for `ServerState`.
 *
 * @example
 * ```ts
 * import { McpGroup } from "@effect-mcp/client"
 * import { Effect, Stream } from "effect"
 *
 * const describe = McpGroup.ServerState.$match({
 *   Idle: () => "idle",
 *   Connecting: () => "connecting",
 *   Ready: ({ protocolVersion }) => `ready (${protocolVersion})`,
 *   Reconnecting: ({ attempt }) => `reconnecting, try ${attempt}`,
 *   Failed: ({ cause }) => `failed: ${cause.message}`
 * })
 *
 * const watch = McpGroup.stateChanges.pipe(
 *   Stream.runForEach((states) =>
 *     Effect.log(Object.entries(states).map(([server, state]) => `${server}: ${describe(state)}`).join(", "))
 *   )
 * )
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export const ServerState = Data.taggedEnum<ServerState>()

/**
 * Whether the entries of a server in this state can be called.
 *
 * @since 0.3.0
 * @category guards
 */
export const isAvailable: (state: ServerState) => boolean = internal.isAvailable

/**
 * One entry of the catalogue: its catalogue `name`, the `server` it lives on,
 * its name there (`original`: a tool's or prompt's name, a resource's URI, a
 * template's URI template) and the server's own description of it.
 *
 * @since 0.3.0
 * @category models
 */
export interface Entry<A> {
  readonly name: string
  readonly server: string
  readonly original: string
  readonly available: boolean
  readonly value: A
}

/**
 * Every server's tools, resources, resource templates and prompts under
 * their catalogue names, and every server's state.
 *
 * @since 0.3.0
 * @category models
 */
export interface Catalogue {
  readonly tools: ReadonlyArray<Entry<McpSchema.Tool>>
  readonly resources: ReadonlyArray<Entry<McpSchema.Resource>>
  readonly resourceTemplates: ReadonlyArray<Entry<McpSchema.ResourceTemplate>>
  readonly prompts: ReadonlyArray<Entry<McpSchema.Prompt>>
  readonly servers: Readonly<Record<string, ServerState>>
}

/**
 * What a catalogue entry is.
 *
 * @since 0.3.0
 * @category models
 */
export type EntryKind = "tool" | "resource" | "resourceTemplate" | "prompt"

/**
 * How a group is built. `client` is given to every server's client (its
 * `autoConnect` is always on: a server's client connects when the group
 * first needs it).
 *
 * @since 0.3.0
 * @category models
 */
export interface Options<R = never> {
  readonly client?: McpClient.Options<R> | undefined
  /** Options for some servers only, by name, over `client`. */
  readonly clients?: Readonly<Record<string, McpClient.Options<R>>> | undefined
  /** How long a server nobody uses stays connected (default 5 minutes; `Duration.infinity` keeps it). */
  readonly idleTimeToLive?: Duration.DurationInput | undefined
  /** Between the server's name and the entry's in a catalogue name (default `"_"`). */
  readonly separator?: string | undefined
  /**
   * The catalogue name of an entry, instead of `server + separator + name`;
   * what it returns is still made provider-safe.
   */
  readonly naming?: ((server: string, name: string, kind: EntryKind) => string) | undefined
  /**
   * Two entries of one kind with the same catalogue name: `"fail"` (the
   * default) fails the catalogue with a `GroupError` (reason `Collision`)
   * that names both; `"suffix"` gives the later one (by server order, then
   * list order) `_2`, `_3`, ...
   */
  readonly collisions?: "fail" | "suffix" | undefined
}

/**
 * A group of servers.
 *
 * @since 0.3.0
 * @category models
 */
export interface Service {
  /** The server names, in the order they were given. */
  readonly names: ReadonlyArray<string>
  /** One server's client, connecting it if it is not (held for the scope). */
  readonly client: (server: string) => Effect.Effect<McpClient.Service, GroupError, Scope.Scope>
  /**
   * Connects every server at once and reads its lists; never fails: the
   * result is every server's state (a failed one says why).
   */
  readonly connectAll: Effect.Effect<Readonly<Record<string, ServerState>>>
  readonly states: Effect.Effect<Readonly<Record<string, ServerState>>>
  /** The states now, then after each change. */
  readonly stateChanges: Stream.Stream<Readonly<Record<string, ServerState>>>
  /**
   * The catalogue now; the first read connects every server (`connectAll`).
   * Fails only with a collision under the `"fail"` policy.
   */
  readonly catalogue: Effect.Effect<Catalogue, GroupError>
  /** The catalogue now (read as `catalogue`), then after each change. */
  readonly catalogueChanges: Stream.Stream<Catalogue, GroupError>
  /** Reads a server's lists again (every server's without a name). */
  readonly refresh: (server?: string) => Effect.Effect<void, GroupError>
  /** Calls a tool by catalogue name; `isError` fails with `ToolError`, as from one client. */
  readonly callTool: (
    name: string,
    args?: Record<string, unknown>,
    options?: McpClient.RequestOptions
  ) => Effect.Effect<McpSchema.CallToolResult, McpError | GroupError>
  /** The same, with an `isError` result returned as data. */
  readonly callToolRaw: (
    name: string,
    args?: Record<string, unknown>,
    options?: McpClient.RequestOptions
  ) => Effect.Effect<McpSchema.CallToolResult, McpError | GroupError>
  /**
   * Reads a resource by catalogue name, or by URI: a URI some server lists,
   * else one a server's template matches (the first, in server order).
   */
  readonly readResource: (
    nameOrUri: string,
    options?: McpClient.RequestOptions
  ) => Effect.Effect<McpSchema.ReadResourceResult, McpError | GroupError>
  /** Gets a prompt by catalogue name. */
  readonly getPrompt: (
    name: string,
    args?: Record<string, string>,
    options?: McpClient.RequestOptions
  ) => Effect.Effect<McpSchema.GetPromptResult, McpError | GroupError>
}

/**
 * What a group's stdio servers need (none for HTTP and in-process servers
 * only, but a config can always name a stdio server).
 *
 * @since 0.3.0
 * @category models
 */
export type ServersContext<S extends Servers> = S extends McpConfig.Config ? CommandExecutor.CommandExecutor
  : McpClient.SourceContext<S[keyof S]>

/**
 * A group, for the scope: closing the scope closes every server's client.
 *
 * @example
 * ```ts
 * import { McpGroup } from "@effect-mcp/client"
 * import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
 * import { Effect } from "effect"
 *
 * const server = (name: string) => {
 *   const mcp = new McpServer({ name, version: "1.0.0" })
 *   mcp.registerTool("hello", { description: `hello from ${name}` }, () => ({ content: [{ type: "text", text: name }] }))
 *   return mcp
 * }
 *
 * const program = Effect.gen(function*() {
 *   // any connection sources by name (here SDK servers in this process), or an mcp.json object
 *   const group = yield* McpGroup.make({ a: server("a"), b: server("b") })
 *   const catalogue = yield* group.catalogue // connects every server, at once
 *   assert.deepStrictEqual(catalogue.tools.map((tool) => [tool.name, tool.server, tool.original]), [
 *     ["a_hello", "a", "hello"],
 *     ["b_hello", "b", "hello"]
 *   ])
 *   const result = yield* group.callTool("b_hello") // reaches server b as `hello`
 *   assert.deepStrictEqual(result.content, [{ type: "text", text: "b" }])
 * })
 *
 * Effect.runPromise(Effect.scoped(program))
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const make = <S extends Servers, R = never>(
  servers: S,
  options?: Options<R>
): Effect.Effect<Service, never, Scope.Scope | ServersContext<S> | R> =>
  internal.make(McpClient.transportFor, servers, options)

/**
 * The group as a layer: closing it closes every server's client.
 *
 * @example
 * ```ts
 * import { McpGroup } from "@effect-mcp/client"
 * import { NodeContext } from "@effect/platform-node"
 * import { Layer } from "effect"
 *
 * const GroupLive = McpGroup.layer({
 *   mcpServers: {
 *     files: { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "."] },
 *     docs: { url: "http://127.0.0.1:3000/mcp" }
 *   }
 * }, {
 *   idleTimeToLive: "10 minutes", // a server unused this long is closed, and connected again when called
 *   collisions: "suffix", // two tools of one name: the later is `_2`
 *   client: { requestTimeout: "30 seconds" } // every server's client
 * }).pipe(Layer.provide(NodeContext.layer)) // stdio servers need a CommandExecutor
 * ```
 *
 * @since 0.3.0
 * @category layers
 */
export const layer = <S extends Servers, R = never>(
  servers: S,
  options?: Options<R>
): Layer.Layer<McpGroup, never, ServersContext<S> | R> => Layer.scoped(McpGroup, make(servers, options))

/**
 * Makes a name provider-safe: characters outside `[a-zA-Z0-9_-]` become
 * `_`, and a name longer than 64 is cut to 55 plus `_` and 8 hex digits of
 * its hash (two long names rarely end alike).
 *
 * @example
 * ```ts
 * import { McpGroup } from "@effect-mcp/client"
 *
 * assert.strictEqual(McpGroup.safeName("files.read text"), "files_read_text")
 * assert.strictEqual(McpGroup.safeName("x".repeat(80)).length, 64)
 * ```
 *
 * @since 0.3.0
 * @category utils
 */
export const safeName: (name: string) => string = internal.safeName

/**
 * The catalogue now; the first read connects every server.
 *
 * @since 0.3.0
 * @category accessors
 */
export const catalogue: Effect.Effect<Catalogue, GroupError, McpGroup> = Effect.flatMap(
  McpGroup,
  (group) => group.catalogue
)

/**
 * The catalogue now, then after each change.
 *
 * @since 0.3.0
 * @category accessors
 */
export const catalogueChanges: Stream.Stream<Catalogue, GroupError, McpGroup> = Stream.unwrap(
  Effect.map(McpGroup, (group) => group.catalogueChanges)
)

/**
 * Every server's state now.
 *
 * @since 0.3.0
 * @category accessors
 */
export const states: Effect.Effect<Readonly<Record<string, ServerState>>, never, McpGroup> = Effect.flatMap(
  McpGroup,
  (group) => group.states
)

/**
 * Every server's state now, then after each change.
 *
 * @since 0.3.0
 * @category accessors
 */
export const stateChanges: Stream.Stream<Readonly<Record<string, ServerState>>, never, McpGroup> = Stream.unwrap(
  Effect.map(McpGroup, (group) => group.stateChanges)
)

/**
 * Connects every server at once; never fails: the result is every server's state.
 *
 * @since 0.3.0
 * @category accessors
 */
export const connectAll: Effect.Effect<Readonly<Record<string, ServerState>>, never, McpGroup> = Effect.flatMap(
  McpGroup,
  (group) => group.connectAll
)

/**
 * One server's own client, connected if it is not (held for the scope).
 *
 * @example
 * ```ts
 * import { McpGroup } from "@effect-mcp/client"
 * import { Effect } from "effect"
 *
 * // what only one server's own client can do
 * const version = Effect.scoped(Effect.flatMap(McpGroup.client("files"), (client) => client.protocolVersion))
 * ```
 *
 * @since 0.3.0
 * @category accessors
 */
export const client = (server: string): Effect.Effect<McpClient.Service, GroupError, McpGroup | Scope.Scope> =>
  Effect.flatMap(McpGroup, (group) => group.client(server))

/**
 * Reads a server's lists again (every server's without a name).
 *
 * @since 0.3.0
 * @category accessors
 */
export const refresh = (server?: string): Effect.Effect<void, GroupError, McpGroup> =>
  Effect.flatMap(McpGroup, (group) => group.refresh(server))

/**
 * Calls a tool by catalogue name; `isError: true` fails with `ToolError`.
 *
 * @since 0.3.0
 * @category accessors
 */
export const callTool = (
  name: string,
  args?: Record<string, unknown>,
  options?: McpClient.RequestOptions
): Effect.Effect<McpSchema.CallToolResult, McpError | GroupError, McpGroup> =>
  Effect.flatMap(McpGroup, (group) => group.callTool(name, args, options))

/**
 * Calls a tool by catalogue name and returns an `isError` result as data.
 *
 * @since 0.3.0
 * @category accessors
 */
export const callToolRaw = (
  name: string,
  args?: Record<string, unknown>,
  options?: McpClient.RequestOptions
): Effect.Effect<McpSchema.CallToolResult, McpError | GroupError, McpGroup> =>
  Effect.flatMap(McpGroup, (group) => group.callToolRaw(name, args, options))

/**
 * Reads a resource by catalogue name, or by a URI a server lists or one of its templates matches.
 *
 * @example
 * ```ts
 * import { McpGroup } from "@effect-mcp/client"
 *
 * const byUri = McpGroup.readResource("file:///project/README.md") // the server that lists it or whose template matches
 * const byName = McpGroup.readResource("docs_changelog")
 * ```
 *
 * @since 0.3.0
 * @category accessors
 */
export const readResource = (
  nameOrUri: string,
  options?: McpClient.RequestOptions
): Effect.Effect<McpSchema.ReadResourceResult, McpError | GroupError, McpGroup> =>
  Effect.flatMap(McpGroup, (group) => group.readResource(nameOrUri, options))

/**
 * Gets a prompt by catalogue name.
 *
 * @since 0.3.0
 * @category accessors
 */
export const getPrompt = (
  name: string,
  args?: Record<string, string>,
  options?: McpClient.RequestOptions
): Effect.Effect<McpSchema.GetPromptResult, McpError | GroupError, McpGroup> =>
  Effect.flatMap(McpGroup, (group) => group.getPrompt(name, args, options))
