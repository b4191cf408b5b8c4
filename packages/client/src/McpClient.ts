/**
 * The MCP client service. One client holds at most one initialized session,
 * shared by every user: the first to connect opens it (concurrent first users
 * cause one `initialize`), the last to leave closes it. Every operation is an
 * `Effect` that fails with a typed `McpError`.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { Console, Effect, Schema } from "effect"
 *
 * const Weather = Schema.Struct({ temperature: Schema.Number, conditions: Schema.String })
 *
 * const program = Effect.gen(function*() {
 *   const tools = yield* McpClient.listTools // every page
 *   yield* Console.log(tools.map((tool) => tool.name))
 *
 *   // structuredContent decoded with your schema; `isError: true` fails with ToolError
 *   const weather = yield* McpClient.callTool("get-weather", { city: "Lisbon" }, {
 *     outputSchema: Weather,
 *     timeout: "10 seconds"
 *   })
 *   yield* Console.log(`${weather.temperature}°C, ${weather.conditions}`)
 * }).pipe(
 *   Effect.catchTag("ToolError", (error) => Console.error(error.text))
 * )
 *
 * // connects when the layer is built, closes the session when it is released
 * const main = program.pipe(Effect.provide(McpClient.layer("http://127.0.0.1:3001/mcp")))
 * ```
 *
 * @since 0.1.0
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as HttpTransport from "./HttpTransport.js"
import * as internal from "./internal/client.js"
import * as internalSession from "./internal/session.js"
import * as internalSource from "./internal/source.js"
import type { HandlerError, McpError, NotConnected, ProtocolError, ToolError, TransportError } from "./McpError.js"
import type * as McpSchema from "./McpSchema.js"
import type * as ResponseCache from "./ResponseCache.js"
import * as StdioTransport from "./StdioTransport.js"
import type * as Transport from "./Transport.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = "~@effect-mcp/client/McpClient"

/**
 * The type id of a client service value.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: TypeId = internal.TypeId

/**
 * The client service: a connected client, as `McpClient.layer` or `NodeMcpClient.layer` provides it.
 *
 * @since 0.1.0
 * @category tags
 */
export class McpClient extends Context.Tag("@effect-mcp/client/McpClient")<McpClient, Service>() {}

/**
 * A client service of your own, for a program that talks to several servers:
 * the same operations as `McpClient`, as static accessors of the class
 * (`Github.listTools`, `Github.callTool(...)`; `Github.use((client) => ...)`
 * for the typed `outputSchema` form of `callTool` and the streams), and a
 * `layer` like `McpClient.layer`. `McpClientMock.layer(implementation, Github)`
 * mocks it.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect } from "effect"
 *
 * class Github extends McpClient.Tag("Github")<Github>() {}
 * class Files extends McpClient.Tag("Files")<Files>() {}
 *
 * const program = Effect.gen(function*() {
 *   const issues = yield* Github.callTool("list_issues", { repo: "effect" })
 *   const files = yield* Files.listResources
 *   return { issues, files }
 * })
 *
 * const GithubLive = Github.layer("https://example.com/mcp")
 * const FilesLive = Files.layer({ command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "."] })
 * ```
 *
 * @since 0.3.0
 * @category tags
 */
export const Tag = <const Id extends string>(id: Id) => <Self>() => {
  const tag = Effect.Tag(id)<Self, Service>()
  return Object.assign(tag, {
    /** A client of this service, connected when built and closed with the layer (see `McpClient.layer`). */
    layer: <S extends ConnectionSource, R = never>(
      source: S,
      options?: Options<R>
    ): Layer.Layer<Self, McpError, SourceContext<S> | R> =>
      Layer.scoped(tag as unknown as Context.Tag<Self, Service>, make(source, options))
  })
}

/**
 * Whether a value is a client service.
 *
 * @since 0.1.0
 * @category guards
 */
export const isMcpClient = (u: unknown): u is Service => Predicate.hasProperty(u, TypeId)

/**
 * Per-request settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestOptions {
  /** Time allowed without a response or a progress notification (default: the client's `requestTimeout`). */
  readonly timeout?: Duration.DurationInput | undefined
  /** A cap on the whole request, however much progress arrives. */
  readonly totalTimeout?: Duration.DurationInput | undefined
  /** Receives this request's progress notifications, in order, before the request completes. */
  readonly onProgress?: ((progress: McpSchema.Progress) => Effect.Effect<void>) | undefined
}

/**
 * Per-call settings of `callTool`: those of every request, and an output schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallToolOptions<A = never, I = never> extends RequestOptions {
  /** Decode `structuredContent` with this schema and return the decoded value. */
  readonly outputSchema?: Schema.Schema<A, I> | undefined
}

/**
 * The protocol revision a session speaks and how it came to: `chosenBy`
 * says, for a person, whether the client was pinned to it, found it with
 * `server/discover`, or fell back to the handshake (and why).
 *
 * @since 0.3.0
 * @category models
 */
export interface Era {
  readonly protocolVersion: string
  /** Revision 2026-07-28 or later: no handshake, no session on the server. */
  readonly stateless: boolean
  readonly chosenBy: string
}

/**
 * The operations of a connected client.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { Console, Effect, Stream } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* McpClient.McpClient
 *   const tools = yield* client.listTools
 *   // notifications are streams, read by as many subscribers as you like
 *   yield* client.listChanged.pipe(Stream.runForEach((kind) => Console.log(`${kind} changed`)), Effect.fork)
 *   yield* client.logMessages.pipe(Stream.runForEach((message) => Console.log(message.level, message.data)), Effect.fork)
 *   // subscribes on start, unsubscribes when the stream ends
 *   yield* client.resourceUpdates("file:///config.json").pipe(Stream.take(3), Stream.runDrain)
 *   return tools.length
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly [TypeId]: TypeId

  /** Holds the shared session for the current scope, opening it if nobody holds it. */
  readonly connect: Effect.Effect<void, McpError, Scope.Scope>
  readonly isConnected: Effect.Effect<boolean>
  /** Where the connection is now. */
  readonly connectionState: Effect.Effect<ConnectionState>
  /** The connection state now and each change after (a Stream that ends with the client). */
  readonly connectionStates: Stream.Stream<ConnectionState>
  /**
   * The answer to `initialize`; a session of revision 2026-07-28 has none
   * (`ProtocolError`, reason `Unsupported`): `protocolVersion`, `serverInfo`,
   * `serverCapabilities` and `instructions` work in every revision.
   */
  readonly initializeResult: Effect.Effect<McpSchema.InitializeResult, NotConnected | ProtocolError>
  readonly serverCapabilities: Effect.Effect<McpSchema.ServerCapabilities, NotConnected>
  /** The protocol revision the session speaks. */
  readonly protocolVersion: Effect.Effect<string, NotConnected>
  /** The server's name and version, as it gave them (for display). */
  readonly serverInfo: Effect.Effect<Option.Option<McpSchema.Implementation>, NotConnected>
  /** What the server says about how to use it. */
  readonly instructions: Effect.Effect<Option.Option<string>, NotConnected>
  /** The revision the session speaks and how it was chosen. */
  readonly era: Effect.Effect<Era, NotConnected>
  /** A new, independent client with the same configuration and its own session. */
  readonly fresh: Effect.Effect<Service, McpError, Scope.Scope>
  /** Any request, for methods this client has no operation for; returns the raw result. */
  readonly request: (
    method: string,
    params?: Record<string, unknown> | undefined,
    options?: RequestOptions
  ) => Effect.Effect<unknown, McpError>

  /** Every tool, walking all pages. */
  readonly listTools: Effect.Effect<ReadonlyArray<McpSchema.Tool>, McpError>
  readonly listToolsRaw: (cursor?: string | undefined) => Effect.Effect<McpSchema.ListToolsResult, McpError>
  /**
   * Calls a tool. Fails with `ToolError` when the result has `isError: true`.
   * With `outputSchema`, returns the decoded `structuredContent`.
   */
  readonly callTool: {
    <A, I>(
      name: string,
      args: Record<string, unknown> | undefined,
      options: CallToolOptions<A, I> & { readonly outputSchema: Schema.Schema<A, I> }
    ): Effect.Effect<A, McpError>
    (
      name: string,
      args?: Record<string, unknown> | undefined,
      options?: RequestOptions
    ): Effect.Effect<McpSchema.CallToolResult, McpError>
  }
  /** Calls a tool and returns its result as data, `isError` included. */
  readonly callToolRaw: (
    name: string,
    args?: Record<string, unknown> | undefined,
    options?: RequestOptions
  ) => Effect.Effect<McpSchema.CallToolResult, McpError>

  readonly listResources: Effect.Effect<ReadonlyArray<McpSchema.Resource>, McpError>
  readonly listResourcesRaw: (cursor?: string | undefined) => Effect.Effect<McpSchema.ListResourcesResult, McpError>
  readonly listResourceTemplates: Effect.Effect<ReadonlyArray<McpSchema.ResourceTemplate>, McpError>
  readonly listResourceTemplatesRaw: (
    cursor?: string | undefined
  ) => Effect.Effect<McpSchema.ListResourceTemplatesResult, McpError>
  readonly readResource: (
    uri: string,
    options?: RequestOptions
  ) => Effect.Effect<ReadonlyArray<McpSchema.ResourceContents>, McpError>
  readonly readResourceRaw: (
    uri: string,
    options?: RequestOptions
  ) => Effect.Effect<McpSchema.ReadResourceResult, McpError>
  readonly subscribe: (uri: string) => Effect.Effect<void, McpError>
  readonly unsubscribe: (uri: string) => Effect.Effect<void, McpError>

  readonly listPrompts: Effect.Effect<ReadonlyArray<McpSchema.Prompt>, McpError>
  readonly listPromptsRaw: (cursor?: string | undefined) => Effect.Effect<McpSchema.ListPromptsResult, McpError>
  readonly getPrompt: (
    name: string,
    args?: Record<string, string> | undefined,
    options?: RequestOptions
  ) => Effect.Effect<McpSchema.GetPromptResult, McpError>

  /** Asks the server to complete an argument of a prompt or resource template. */
  readonly complete: (
    reference: McpSchema.CompletionReference,
    argument: { readonly name: string; readonly value: string },
    options?: { readonly context?: Record<string, string> | undefined }
  ) => Effect.Effect<McpSchema.CompleteResult["completion"], McpError>

  readonly ping: Effect.Effect<void, McpError>
  readonly setLoggingLevel: (level: McpSchema.LoggingLevel) => Effect.Effect<void, McpError>
  readonly sendRootsListChanged: Effect.Effect<void, NotConnected | TransportError>
  readonly cancel: (
    requestId: McpSchema.RequestId,
    reason?: string | undefined
  ) => Effect.Effect<void, NotConnected | TransportError>
  readonly sendProgress: (
    progressToken: McpSchema.ProgressToken,
    progress: McpSchema.Progress
  ) => Effect.Effect<void, NotConnected | TransportError>

  /**
   * Every notification the server sends, from the moment the stream starts.
   * Each subscriber has a buffer of `notificationBuffer` entries; one that
   * falls that far behind loses the oldest (the session never waits for it).
   */
  readonly notifications: Stream.Stream<McpSchema.ServerNotification>
  /** Every progress notification (the per-call `onProgress` sees its own call's too). */
  readonly progress: Stream.Stream<McpSchema.ProgressNotificationParams>
  /** Every log message the server sends (see `setLoggingLevel`). */
  readonly logMessages: Stream.Stream<McpSchema.LoggingMessageNotificationParams>
  /** Which list the server says has changed. */
  readonly listChanged: Stream.Stream<ListKind>
  /**
   * Updates of one resource: subscribes when the stream starts and
   * unsubscribes when it ends. Streams on the same URI share one subscription.
   */
  readonly resourceUpdates: (uri: string) => Stream.Stream<ResourceUpdated, McpError>
  /** Replaces the roots and tells the server (`notifications/roots/list_changed`) if connected. */
  readonly setRoots: (roots: ReadonlyArray<McpSchema.Root>) => Effect.Effect<void, TransportError>
  /**
   * Replaces the sampling handler (undefined removes it). It answers at once;
   * the capability is advertised from the next session if it was not before.
   */
  readonly setSamplingHandler: (handler: SamplingHandler | undefined) => Effect.Effect<void>
  /** Replaces the elicitation handler, as `setSamplingHandler` does. */
  readonly setElicitationHandler: (handler: ElicitationHandler | undefined) => Effect.Effect<void>
}

/**
 * Which list a `listChanged` notification is about.
 *
 * @since 0.1.0
 * @category models
 */
export type ListKind = "tools" | "resources" | "prompts"

/**
 * A `notifications/resources/updated` from the server.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResourceUpdated {
  readonly uri: string
}

/**
 * Answers `sampling/createMessage`: run the server's messages through your
 * model. Fail with `HandlerError` to send the server a JSON-RPC error.
 *
 * @since 0.1.0
 * @category handlers
 */
export type SamplingHandler<R = never> = (
  request: McpSchema.CreateMessageRequestParams
) => Effect.Effect<McpSchema.CreateMessageResult, HandlerError, R>

/**
 * Answers `elicitation/create`: ask the user. A form answer is checked against
 * the requested schema (defaults filled in) before it is sent.
 *
 * @since 0.1.0
 * @category handlers
 */
export type ElicitationHandler<R = never> = (
  request: McpSchema.ElicitRequestParams
) => Effect.Effect<McpSchema.ElicitResult, HandlerError, R>

/**
 * How a client is built.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<R = never> {
  /**
   * Which protocol revision to speak (default `"auto"`): `"auto"` asks the
   * server with `server/discover` and speaks 2026-07-28 when it can, else
   * falls back to the `initialize` handshake (the verdict is kept for the
   * server's command line or URL for the life of the process, and asked
   * again when it stops holding); `"legacy"` does the handshake only; a
   * revision pins it.
   */
  readonly protocol?: McpSchema.ProtocolChoice | undefined
  /**
   * Revision 2026-07-28: how many rounds of input (elicitation, sampling,
   * roots asked for in a result) one call may take before it fails with
   * `ProtocolError` (reason `InputRequired`); default 10.
   */
  readonly maxInputRounds?: number | undefined
  /**
   * Revision 2026-07-28: keep the results the server marks cacheable (the
   * four lists and `resources/read`, for their `ttlMs`), in the
   * `ResponseCache` store of the context if there is one (shared with other
   * clients), else in a memory store of this client's. List-changed and
   * resource-update notifications drop what they make stale. Per call:
   * `McpClient.withCache("refresh" | "bypass")`. Default false.
   */
  readonly cache?: boolean | undefined
  /**
   * Who the results the server marks `private` belong to, in a store shared
   * by several clients (say, the user the client acts for): private entries
   * answer only clients of the same partition. Default: this client alone.
   */
  readonly cachePartition?: string | undefined
  /** Sent in `initialize` (default `{ name: "effect-mcp", version }`). */
  readonly clientInfo?: McpSchema.Implementation | undefined
  readonly capabilities?: McpSchema.ClientCapabilities | undefined
  /** Default idle limit of every request (default 60 seconds). */
  readonly requestTimeout?: Duration.DurationInput | undefined
  /** Limit on the `initialize` handshake (default 30 seconds). */
  readonly initTimeout?: Duration.DurationInput | undefined
  /** Keep the session this long after its last user leaves (default: close at once). */
  readonly idleTimeToLive?: Duration.DurationInput | undefined
  /**
   * `true` (the default): the client connects when built and holds a session
   * for its whole lifetime. `false`: users hold sessions with `connect`.
   */
  readonly autoConnect?: boolean | undefined
  /** Stop a list walk after this many pages (default 1000). */
  readonly maxPages?: number | undefined
  /**
   * Tracing through Effect's tracer. `"full"`: a client span per operation
   * (`tools/call get_weather`, with the OpenTelemetry semantic conventions'
   * MCP and GenAI attributes), spans for connecting, spawning, the era probe
   * or handshake, reconnection and the server's requests (sampling,
   * elicitation, roots), and the W3C trace context (`traceparent`) in each
   * request's `_meta`. `"propagation"`: no spans of the client's own; the
   * caller's span goes in `_meta`, and a server request's `traceparent` is
   * the parent of what its handler does. `"off"`: nothing. Default: `"full"`
   * when the context has a tracer of its own (OpenTelemetry, say), else
   * `"off"`, where the client pays nothing for it.
   */
  readonly tracing?: "full" | "propagation" | "off" | undefined
  /**
   * Record Effect `Metric`s: `mcp.client.operation.duration` (by method,
   * tool or prompt, and `error.type`), requests in flight, sessions opened /
   * renewed / recovered, reconnect attempts (default: on when tracing is
   * `"full"`).
   */
  readonly metrics?: boolean | undefined
  /** `true` is `tracing: "full"` (kept from before `tracing`). */
  readonly spans?: boolean | undefined

  /** The client's roots, a list or an effect run for each `roots/list`; giving them advertises `roots`. */
  readonly roots?: ReadonlyArray<McpSchema.Root> | Effect.Effect<ReadonlyArray<McpSchema.Root>, never, R> | undefined
  /** Answers `sampling/createMessage`; giving it advertises `sampling`. */
  readonly sampling?: SamplingHandler<R> | undefined
  /** Sub-capabilities of sampling to advertise, e.g. `{ tools: {} }` for tool use in sampling. */
  readonly samplingCapabilities?: Record<string, unknown> | undefined
  /** Answers `elicitation/create` (form and URL modes); giving it advertises `elicitation`. */
  readonly elicitation?: ElicitationHandler<R> | undefined
  /** Each log message (default: the Effect logger at the mapped level, annotated with the MCP logger name). */
  readonly onLog?: ((message: McpSchema.LoggingMessageNotificationParams) => Effect.Effect<void, never, R>) | undefined
  /** Every progress notification, whatever request it belongs to. */
  readonly onProgress?:
    | ((progress: McpSchema.ProgressNotificationParams) => Effect.Effect<void, never, R>)
    | undefined
  /** Every notification, before the typed handlers. */
  readonly onMessage?: ((notification: McpSchema.ServerNotification) => Effect.Effect<void, never, R>) | undefined
  /** How far behind a notification stream subscriber may fall before it loses the oldest (default 1024). */
  readonly notificationBuffer?: number | undefined
  /**
   * A session whose transport ended (the server exited or crashed, the
   * connection or an event stream was lost) is replaced on its next use, one
   * new session for all who wait, retried under this schedule while opening
   * fails or new sessions keep ending before they answer anything (default: a
   * jittered exponential backoff from 100 ms, five tries, about 3 s). When it
   * ends, the client stops trying and every operation fails with the last
   * error until the session is acquired again. `false`: an ended session stays
   * ended (a session an HTTP server forgot, 404, is renewed all the same, as
   * the specification requires). Calls in flight when a session ends fail
   * with `TransportError`; they are never sent again.
   */
  readonly reconnect?: Schedule.Schedule<unknown, McpError> | false | undefined
  /**
   * The largest message accepted from the server, in bytes: a stdio line, an
   * HTTP body, one event of an event stream (default 16 MiB). Past it an HTTP
   * request fails with `ProtocolError` (reason `TooLarge`); a stdio session
   * ends, as a stream cannot find where the next message starts.
   */
  readonly maxMessageBytes?: number | undefined
}

/**
 * How the requests of an effect use the response cache (see the `cache`
 * option): `"use"` (the default) answers from a fresh entry, `"refresh"`
 * asks the server and keeps the answer, `"bypass"` asks and keeps nothing.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 *
 * // with the option `cache: true`, a fresh cached list answers without a round trip
 * const ClientLive = McpClient.layer("http://127.0.0.1:3001/mcp", { cache: true })
 *
 * // ask the server again, and keep its answer
 * const tools = McpClient.listTools.pipe(McpClient.withCache("refresh"))
 * ```
 *
 * @since 0.3.0
 * @category combinators
 */
export const withCache: {
  (mode: ResponseCache.Mode): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, mode: ResponseCache.Mode): Effect.Effect<A, E, R>
} = internal.withCache

/**
 * Where the client's connection is: `Connecting` (the first session),
 * `Ready`, `Disconnected` (the session ended; the next use opens a new one if
 * `reconnect` allows), `Reconnecting` (opening a new one, with the attempt and
 * the failure that led to it) and `Closed` (no session: not yet opened,
 * released by its last user, or given up on, with the failure).
 *
 * @since 0.2.0
 * @category models
 */
export type ConnectionState = internalSession.ConnectionState

/**
 * Constructors and matchers for `ConnectionState`.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect, Stream } from "effect"
 *
 * const describe = McpClient.ConnectionState.$match({
 *   Connecting: () => "connecting",
 *   Ready: ({ protocolVersion, server }) => `ready: ${server} (${protocolVersion})`,
 *   Disconnected: ({ cause }) => `disconnected: ${cause.message}`,
 *   Reconnecting: ({ attempt }) => `reconnecting, try ${attempt}`,
 *   Closed: ({ cause }) => cause === undefined ? "closed" : `gave up: ${cause.message}`
 * })
 *
 * const watch = Effect.gen(function*() {
 *   const client = yield* McpClient.McpClient
 *   yield* client.connectionStates.pipe(Stream.runForEach((state) => Effect.log(describe(state))))
 * })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export const ConnectionState = internalSession.ConnectionState

/**
 * Where the server is. Inferred the way FastMCP does it:
 *
 * - an `http(s)://` URL: Streamable HTTP, or legacy SSE when the path ends in `/sse`;
 * - a path to a `.js`/`.mjs`/`.ts`/`.py` script: stdio, run with the matching interpreter;
 * - `{ command, args, env, cwd }`: stdio; `{ url, transport, headers }`: HTTP;
 * - `{ mcpServers: {...} }` as in `mcp.json` files (with `server` to pick one of several);
 * - an SDK `McpServer` (or low-level `Server`): in memory, in this process;
 * - a `Transport.Connect` effect: any transport of your own.
 *
 * @since 0.1.0
 * @category models
 */
export type ConnectionSource =
  | string
  | URL
  | StdioTransport.StdioOptions
  | HttpSource
  | ServersConfig
  | SdkServerLike
  | Transport.Connect<any>

/**
 * An HTTP server: `{ url, transport?, headers?, bearer?, authProvider? }`.
 *
 * @since 0.1.0
 * @category models
 */
export type HttpSource = internalSource.HttpSource

/**
 * An `mcp.json` object (`mcpServers` or `servers`), with `server` to pick one of several.
 *
 * @since 0.1.0
 * @category models
 */
export type ServersConfig = internalSource.ServersConfig

/**
 * An SDK `McpServer` or low-level `Server`, run in this process.
 *
 * @since 0.1.0
 * @category models
 */
export type SdkServerLike = internalSource.SdkServerLike

/**
 * What a connection source needs from the environment: stdio sources need a
 * `CommandExecutor`, URLs and in-process servers nothing.
 *
 * @since 0.1.0
 * @category models
 */
export type SourceContext<S> = internalSource.SourceContext<S>

/**
 * The transport a connection source stands for.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 *
 * // what `McpClient.make` does with a source; wrap the result (say with TestTransport) before giving it back
 * const connect = McpClient.transportFor("http://127.0.0.1:3001/mcp")
 * const client = McpClient.make(connect)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const transportFor = <S extends ConnectionSource>(source: S): Transport.Connect<SourceContext<S>> =>
  open(internalSource.plan(source))

// the context is SourceContext<S>: what the plan's transport needs (a command executor for stdio, none for HTTP)
const open = (plan: internalSource.Plan): Transport.Connect<any> => {
  switch (plan._tag) {
    case "Http":
      return HttpTransport.make(plan.options)
    case "Sse":
      return internalSource.connectSse(plan.options.url, HttpTransport.sdkOptions(plan.options))
    case "Stdio":
      return StdioTransport.make(plan.options)
    case "Connect":
      return plan.connect
  }
}

/**
 * How a script path runs: `.js`/`.mjs`/`.cjs` with this Node, `.ts` with
 * `tsx`, `.py` with `python3`; `undefined` for any other file.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 *
 * assert.deepStrictEqual(McpClient.stdioForScript("./server.py"), { command: "python3", args: ["./server.py"] })
 * assert.strictEqual(McpClient.stdioForScript("./notes.txt"), undefined)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const stdioForScript: (path: string) => StdioTransport.StdioOptions | undefined = internalSource.scriptCommand

/**
 * Builds a client in the current scope. With `autoConnect` (the default) it
 * connects at once and holds its session until the scope closes.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
 * import { Effect } from "effect"
 * import { z } from "zod"
 *
 * // an SDK server in this process; a URL, a command or a script path work the same way
 * const server = new McpServer({ name: "echo", version: "1.0.0" })
 * server.registerTool("echo", { inputSchema: { message: z.string() } }, ({ message }) => ({
 *   content: [{ type: "text", text: message }]
 * }))
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* McpClient.make(server) // connected, until the scope closes
 *   const result = yield* client.callTool("echo", { message: "hello" })
 *   assert.deepStrictEqual(result.content, [{ type: "text", text: "hello" }])
 * })
 *
 * Effect.runPromise(Effect.scoped(program))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <S extends ConnectionSource, R = never>(
  source: S,
  options?: Options<R>
): Effect.Effect<Service, McpError, Scope.Scope | SourceContext<S> | R> =>
  internal.make(transportFor(source), options, internalSource.verdictKey(source))

/**
 * What `callTool` makes of a `tools/call` result: `isError: true` fails with
 * `ToolError`; with an output schema, the decoded `structuredContent`. For
 * clients of your own (mocks, proxies) that should behave the same way.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect, Schema } from "effect"
 *
 * // a proxy that fetches raw results and still behaves like `callTool`
 * const count = McpClient.callToolRaw("count", {}).pipe(
 *   Effect.flatMap((result) => McpClient.interpretToolResult("count", result, Schema.Struct({ n: Schema.Number })))
 * )
 * ```
 *
 * @since 0.1.0
 * @category tools
 */
export const interpretToolResult: {
  <A, I>(
    name: string,
    result: McpSchema.CallToolResult,
    outputSchema: Schema.Schema<A, I>
  ): Effect.Effect<A, ToolError | ProtocolError>
  (name: string, result: McpSchema.CallToolResult): Effect.Effect<McpSchema.CallToolResult, ToolError | ProtocolError>
} = internal.interpretToolResult as any

/**
 * The client as a layer.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect, Schedule } from "effect"
 *
 * const ClientLive = McpClient.layer("http://127.0.0.1:3001/mcp", {
 *   requestTimeout: "30 seconds",
 *   reconnect: Schedule.spaced("30 seconds"), // never give up
 *   // the server's requests: giving a handler advertises the capability
 *   roots: [{ uri: "file:///home/me/project", name: "project" }],
 *   elicitation: (request) =>
 *     request.mode === "url"
 *       ? Effect.succeed({ action: "decline" as const })
 *       : Effect.succeed({ action: "accept" as const, content: { name: "Ada" } }),
 *   onLog: (message) => Effect.log(message.data)
 * })
 *
 * const program = McpClient.listTools.pipe(Effect.provide(ClientLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <S extends ConnectionSource, R = never>(
  source: S,
  options?: Options<R>
): Layer.Layer<McpClient, McpError, SourceContext<S> | R> => Layer.scoped(McpClient, make(source, options))

/**
 * A stdio client layer, for when the command is known.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { NodeContext } from "@effect/platform-node"
 * import { Layer } from "effect"
 *
 * // a stdio server needs a CommandExecutor (`NodeMcpClient.layer` provides Node's)
 * const FilesLive = McpClient.layerStdio({
 *   command: "npx",
 *   args: ["-y", "@modelcontextprotocol/server-filesystem", "."]
 * }).pipe(Layer.provide(NodeContext.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStdio = <R = never>(
  stdio: StdioTransport.StdioOptions,
  options?: Options<R>
): Layer.Layer<McpClient, McpError, CommandExecutor.CommandExecutor | R> => layer(stdio, options)

// -----------------------------------------------------------------------------
// accessors
// -----------------------------------------------------------------------------

/**
 * Holds the shared session for the current scope.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect } from "effect"
 *
 * // a client that users connect: the session opens with the first, closes after the last (and 30 s idle)
 * const ClientLive = McpClient.layer("http://127.0.0.1:3001/mcp", { autoConnect: false, idleTimeToLive: "30 seconds" })
 *
 * const job = Effect.scoped(Effect.zipRight(McpClient.connect, McpClient.ping))
 * const program = Effect.all([job, job], { concurrency: 2 }).pipe(Effect.provide(ClientLive)) // one session
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const connect: Effect.Effect<void, McpError, McpClient | Scope.Scope> = Effect.flatMap(
  McpClient,
  (client) => client.connect
)

/**
 * Whether a session is held now.
 *
 * @since 0.1.0
 * @category accessors
 */
export const isConnected: Effect.Effect<boolean, never, McpClient> = Effect.flatMap(
  McpClient,
  (client) => client.isConnected
)

/**
 * The server's answer to `initialize` (handshake era only; see `era`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const initializeResult: Effect.Effect<McpSchema.InitializeResult, NotConnected | ProtocolError, McpClient> =
  Effect.flatMap(
    McpClient,
    (client) => client.initializeResult
  )

/**
 * What the server says it can do.
 *
 * @since 0.1.0
 * @category accessors
 */
export const serverCapabilities: Effect.Effect<McpSchema.ServerCapabilities, NotConnected, McpClient> = Effect
  .flatMap(McpClient, (client) => client.serverCapabilities)

/**
 * The protocol revision the session speaks.
 *
 * @since 0.3.0
 * @category accessors
 */
export const protocolVersion: Effect.Effect<string, NotConnected, McpClient> = Effect.flatMap(
  McpClient,
  (client) => client.protocolVersion
)

/**
 * The server's name and version, as it gave them.
 *
 * @since 0.3.0
 * @category accessors
 */
export const serverInfo: Effect.Effect<Option.Option<McpSchema.Implementation>, NotConnected, McpClient> = Effect
  .flatMap(McpClient, (client) => client.serverInfo)

/**
 * What the server says about how to use it.
 *
 * @since 0.3.0
 * @category accessors
 */
export const instructions: Effect.Effect<Option.Option<string>, NotConnected, McpClient> = Effect.flatMap(
  McpClient,
  (client) => client.instructions
)

/**
 * The revision the session speaks and how it was chosen (pinned, `server/discover`, or the handshake).
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { Console, Effect } from "effect"
 *
 * const describe = Effect.gen(function*() {
 *   const era = yield* McpClient.era
 *   yield* Console.log(`${era.protocolVersion}${era.stateless ? " (stateless)" : ""}: ${era.chosenBy}`)
 * })
 * ```
 *
 * @since 0.3.0
 * @category accessors
 */
export const era: Effect.Effect<Era, NotConnected, McpClient> = Effect.flatMap(McpClient, (client) => client.era)

/**
 * A new, independent client with the same configuration and a session of its own, for the scope.
 *
 * @since 0.1.0
 * @category accessors
 */
export const fresh: Effect.Effect<Service, McpError, McpClient | Scope.Scope> = Effect.flatMap(
  McpClient,
  (client) => client.fresh
)

/**
 * Sends any request, for a method the client has no operation for, and returns the raw result.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 *
 * // a method the client has no operation for; the result is returned as the server sent it
 * const result = McpClient.request("tasks/list", { cursor: "abc" }, { timeout: "5 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const request = (
  method: string,
  params?: Record<string, unknown> | undefined,
  options?: RequestOptions
): Effect.Effect<unknown, McpError, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.request(method, params, options))

/**
 * Every tool the server offers, walking every page.
 *
 * @since 0.1.0
 * @category tools
 */
export const listTools: Effect.Effect<ReadonlyArray<McpSchema.Tool>, McpError, McpClient> = Effect.flatMap(
  McpClient,
  (client) => client.listTools
)

/**
 * One page of `tools/list`, from `cursor`.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect } from "effect"
 *
 * // the first two pages only (`listTools` walks them all)
 * const firstPages = Effect.gen(function*() {
 *   const first = yield* McpClient.listToolsRaw()
 *   const second = first.nextCursor === undefined ? undefined : yield* McpClient.listToolsRaw(first.nextCursor)
 *   return [...first.tools, ...(second?.tools ?? [])]
 * })
 * ```
 *
 * @since 0.1.0
 * @category tools
 */
export const listToolsRaw = (cursor?: string): Effect.Effect<McpSchema.ListToolsResult, McpError, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.listToolsRaw(cursor))

/**
 * Calls a tool. Fails with `ToolError` when the result has `isError: true`.
 * With `outputSchema`, returns the decoded `structuredContent`.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect, Schema } from "effect"
 *
 * const Forecast = Schema.Struct({ temperature: Schema.Number })
 *
 * const program = Effect.gen(function*() {
 *   // the result as the server sent it
 *   const result = yield* McpClient.callTool("echo", { message: "hi" })
 *   // structuredContent decoded with your schema, a deadline that progress resets, progress as it comes
 *   const forecast = yield* McpClient.callTool("forecast", { city: "Oslo" }, {
 *     outputSchema: Forecast,
 *     timeout: "10 seconds",
 *     totalTimeout: "2 minutes",
 *     onProgress: (progress) => Effect.log(`${progress.progress}/${progress.total ?? "?"}`)
 *   })
 *   return { content: result.content, temperature: forecast.temperature }
 * }).pipe(
 *   Effect.catchTags({
 *     ToolError: (error) => Effect.succeed({ content: error.content, temperature: NaN }),
 *     TimeoutError: (error) => Effect.fail(`no answer within ${error.timeout}`)
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category tools
 */
export const callTool: {
  <A, I>(
    name: string,
    args: Record<string, unknown> | undefined,
    options: CallToolOptions<A, I> & { readonly outputSchema: Schema.Schema<A, I> }
  ): Effect.Effect<A, McpError, McpClient>
  (
    name: string,
    args?: Record<string, unknown> | undefined,
    options?: RequestOptions
  ): Effect.Effect<McpSchema.CallToolResult, McpError, McpClient>
} =
  ((name: string, args?: Record<string, unknown>, options?: CallToolOptions<any, any>) =>
    Effect.flatMap(McpClient, (client) => client.callTool(name, args, options as any))) as any

/**
 * Calls a tool and returns its result as data, `isError: true` included.
 *
 * @since 0.1.0
 * @category tools
 */
export const callToolRaw = (
  name: string,
  args?: Record<string, unknown> | undefined,
  options?: RequestOptions
): Effect.Effect<McpSchema.CallToolResult, McpError, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.callToolRaw(name, args, options))

/**
 * Every resource the server lists, walking every page.
 *
 * @since 0.1.0
 * @category resources
 */
export const listResources: Effect.Effect<ReadonlyArray<McpSchema.Resource>, McpError, McpClient> = Effect.flatMap(
  McpClient,
  (client) => client.listResources
)

/**
 * One page of `resources/list`, from `cursor`.
 *
 * @since 0.1.0
 * @category resources
 */
export const listResourcesRaw = (cursor?: string): Effect.Effect<McpSchema.ListResourcesResult, McpError, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.listResourcesRaw(cursor))

/**
 * Every resource template, walking every page.
 *
 * @since 0.1.0
 * @category resources
 */
export const listResourceTemplates: Effect.Effect<ReadonlyArray<McpSchema.ResourceTemplate>, McpError, McpClient> =
  Effect.flatMap(McpClient, (client) => client.listResourceTemplates)

/**
 * One page of `resources/templates/list`, from `cursor`.
 *
 * @since 0.1.0
 * @category resources
 */
export const listResourceTemplatesRaw = (
  cursor?: string
): Effect.Effect<McpSchema.ListResourceTemplatesResult, McpError, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.listResourceTemplatesRaw(cursor))

/**
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect } from "effect"
 *
 * const text = McpClient.readResource("file:///config.json").pipe(
 *   Effect.map((contents) => contents.map((part) => ("text" in part ? part.text : "")).join(""))
 * )
 * ```
 *
 * @since 0.1.0
 * @category resources
 */
export const readResource = (
  uri: string,
  options?: RequestOptions
): Effect.Effect<ReadonlyArray<McpSchema.ResourceContents>, McpError, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.readResource(uri, options))

/**
 * Reads a resource and returns the whole `resources/read` result.
 *
 * @since 0.1.0
 * @category resources
 */
export const readResourceRaw = (
  uri: string,
  options?: RequestOptions
): Effect.Effect<McpSchema.ReadResourceResult, McpError, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.readResourceRaw(uri, options))

/**
 * Asks the server for `notifications/resources/updated` about one URI (see `resourceUpdates` for a stream that subscribes and unsubscribes itself).
 *
 * @since 0.1.0
 * @category resources
 */
export const subscribe = (uri: string): Effect.Effect<void, McpError, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.subscribe(uri))

/**
 * Stops the updates `subscribe` asked for.
 *
 * @since 0.1.0
 * @category resources
 */
export const unsubscribe = (uri: string): Effect.Effect<void, McpError, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.unsubscribe(uri))

/**
 * Every prompt the server offers, walking every page.
 *
 * @since 0.1.0
 * @category prompts
 */
export const listPrompts: Effect.Effect<ReadonlyArray<McpSchema.Prompt>, McpError, McpClient> = Effect.flatMap(
  McpClient,
  (client) => client.listPrompts
)

/**
 * One page of `prompts/list`, from `cursor`.
 *
 * @since 0.1.0
 * @category prompts
 */
export const listPromptsRaw = (cursor?: string): Effect.Effect<McpSchema.ListPromptsResult, McpError, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.listPromptsRaw(cursor))

/**
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 *
 * const messages = McpClient.getPrompt("review-code", { language: "go", code: "x := 1" })
 * ```
 *
 * @since 0.1.0
 * @category prompts
 */
export const getPrompt = (
  name: string,
  args?: Record<string, string> | undefined,
  options?: RequestOptions
): Effect.Effect<McpSchema.GetPromptResult, McpError, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.getPrompt(name, args, options))

/**
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 *
 * const values = McpClient.complete({ type: "ref/prompt", name: "review-code" }, { name: "language", value: "ty" })
 * ```
 *
 * @since 0.1.0
 * @category completion
 */
export const complete = (
  reference: McpSchema.CompletionReference,
  argument: { readonly name: string; readonly value: string },
  options?: { readonly context?: Record<string, string> | undefined }
): Effect.Effect<McpSchema.CompleteResult["completion"], McpError, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.complete(reference, argument, options))

/**
 * Checks that the server answers.
 *
 * @since 0.1.0
 * @category utilities
 */
export const ping: Effect.Effect<void, McpError, McpClient> = Effect.flatMap(McpClient, (client) => client.ping)

/**
 * The least severe log level the server should send (in revision 2026-07-28, carried by every later request).
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect, Stream } from "effect"
 *
 * const warnings = Effect.gen(function*() {
 *   yield* McpClient.setLoggingLevel("warning")
 *   yield* McpClient.logMessages.pipe(Stream.runForEach((message) => Effect.logWarning(message.data)))
 * })
 * ```
 *
 * @since 0.1.0
 * @category logging
 */
export const setLoggingLevel = (level: McpSchema.LoggingLevel): Effect.Effect<void, McpError, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.setLoggingLevel(level))

/**
 * Tells the server the roots changed (`setRoots` does it for you).
 *
 * @since 0.1.0
 * @category notifications
 */
export const sendRootsListChanged: Effect.Effect<void, NotConnected | TransportError, McpClient> = Effect.flatMap(
  McpClient,
  (client) => client.sendRootsListChanged
)

/**
 * Tells the server to stop working on a request (`notifications/cancelled`); interrupting the call does it for you.
 *
 * @since 0.1.0
 * @category notifications
 */
export const cancel = (
  requestId: McpSchema.RequestId,
  reason?: string
): Effect.Effect<void, NotConnected | TransportError, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.cancel(requestId, reason))

/**
 * Sends a progress notification, for a request the server sent.
 *
 * @since 0.1.0
 * @category notifications
 */
export const sendProgress = (
  progressToken: McpSchema.ProgressToken,
  progress: McpSchema.Progress
): Effect.Effect<void, NotConnected | TransportError, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.sendProgress(progressToken, progress))

/**
 * Every notification the server sends from the moment the stream starts.
 *
 * @since 0.1.0
 * @category notifications
 */
export const notifications: Stream.Stream<McpSchema.ServerNotification, never, McpClient> = Stream.unwrap(
  Effect.map(McpClient, (client) => client.notifications)
)

/**
 * Every progress notification, whatever request it belongs to.
 *
 * @since 0.1.0
 * @category notifications
 */
export const progress: Stream.Stream<McpSchema.ProgressNotificationParams, never, McpClient> = Stream.unwrap(
  Effect.map(McpClient, (client) => client.progress)
)

/**
 * Every log message the server sends (see `setLoggingLevel`).
 *
 * @since 0.1.0
 * @category notifications
 */
export const logMessages: Stream.Stream<McpSchema.LoggingMessageNotificationParams, never, McpClient> = Stream
  .unwrap(Effect.map(McpClient, (client) => client.logMessages))

/**
 * Which list the server says has changed: `"tools"`, `"resources"` or `"prompts"`.
 *
 * @since 0.1.0
 * @category notifications
 */
export const listChanged: Stream.Stream<ListKind, never, McpClient> = Stream.unwrap(
  Effect.map(McpClient, (client) => client.listChanged)
)

/**
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect, Stream } from "effect"
 *
 * // streams on one URI share one subscription
 * const firstThree = McpClient.resourceUpdates("file:///config.json").pipe(
 *   Stream.take(3),
 *   Stream.runForEach((update) => Effect.log(`${update.uri} changed`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category notifications
 */
export const resourceUpdates = (uri: string): Stream.Stream<ResourceUpdated, McpError, McpClient> =>
  Stream.unwrap(Effect.map(McpClient, (client) => client.resourceUpdates(uri)))

/**
 * Replaces the roots and tells the server if connected.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 *
 * // the server hears `notifications/roots/list_changed` and asks for them again
 * const openProject = McpClient.setRoots([{ uri: "file:///home/me/project", name: "project" }])
 * ```
 *
 * @since 0.1.0
 * @category handlers
 */
export const setRoots = (roots: ReadonlyArray<McpSchema.Root>): Effect.Effect<void, TransportError, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.setRoots(roots))

/**
 * Replaces the sampling handler (`undefined` removes it).
 *
 * @since 0.1.0
 * @category handlers
 */
export const setSamplingHandler = (handler: SamplingHandler | undefined): Effect.Effect<void, never, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.setSamplingHandler(handler))

/**
 * Replaces the elicitation handler (`undefined` removes it).
 *
 * @since 0.1.0
 * @category handlers
 */
export const setElicitationHandler = (handler: ElicitationHandler | undefined): Effect.Effect<void, never, McpClient> =>
  Effect.flatMap(McpClient, (client) => client.setElicitationHandler(handler))
