/**
 * A scripted, in-memory MCP server for tests: declare tools (handlers are
 * Effects), resources, templates, prompts and completions; read its call log;
 * emit any notification; send requests to the client and read its answers;
 * choose the protocol version and capabilities it advertises.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { McpTestServer } from "@effect-mcp/testing"
 * import { Effect } from "effect"
 *
 * // the server and a client connected to it
 * const Server = McpTestServer.layer({
 *   tools: [{ name: "get-weather", handler: (args) => Effect.succeed(McpTestServer.text(`rain in ${args.city}`)) }]
 * })
 *
 * const test = Effect.gen(function*() {
 *   const result = yield* McpClient.callTool("get-weather", { city: "Oslo" })
 *   assert.deepStrictEqual(result.content, [{ type: "text", text: "rain in Oslo" }])
 *   const server = yield* McpTestServer.McpTestServer
 *   assert.strictEqual((yield* server.received("tools/call")).length, 1)
 * })
 *
 * Effect.runPromise(test.pipe(Effect.provide(Server)))
 * ```
 *
 * @since 0.1.0
 */
import * as McpClient from "@effect-mcp/client/McpClient"
import type { McpError } from "@effect-mcp/client/McpError"
import { McpRpcError } from "@effect-mcp/client/McpError"
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import type * as Transport from "@effect-mcp/client/Transport"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/server.js"

/**
 * What a tool handler can do while it runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface ToolContext {
  /** Sends `notifications/progress` for this call (only if the client asked for progress). */
  readonly progress: (progress: number, total?: number, message?: string) => Effect.Effect<void>
  /** Sends `notifications/message` to this session. */
  readonly log: (level: McpSchema.LoggingLevel, data: unknown) => Effect.Effect<void>
  /** Sends a request to the client of this session and returns its result. */
  readonly request: (method: string, params?: Record<string, unknown>) => Effect.Effect<unknown, McpRpcError>
}

/**
 * A tool the test server offers. The handler's result is the `tools/call`
 * result; failing with `McpRpcError` answers with that JSON-RPC error.
 *
 * @since 0.1.0
 * @category models
 */
export interface TestTool {
  readonly name: string
  readonly description?: string
  readonly inputSchema?: Record<string, unknown>
  readonly outputSchema?: Record<string, unknown>
  readonly handler: (
    args: Record<string, unknown>,
    context: ToolContext
  ) => Effect.Effect<McpSchema.CallToolResult, McpRpcError>
}

/**
 * A resource the test server lists; `read` answers `resources/read` for its URI.
 *
 * @since 0.1.0
 * @category models
 */
export interface TestResource {
  readonly uri: string
  readonly name: string
  readonly mimeType?: string
  readonly read: (uri: string) => Effect.Effect<ReadonlyArray<McpSchema.ResourceContents>, McpRpcError>
}

/**
 * A resource template; `read` receives URIs that match the template's
 * literal prefix.
 *
 * @since 0.1.0
 * @category models
 */
export interface TestResourceTemplate {
  readonly uriTemplate: string
  readonly name: string
  readonly mimeType?: string
  readonly read: (uri: string) => Effect.Effect<ReadonlyArray<McpSchema.ResourceContents>, McpRpcError>
}

/**
 * A prompt the test server offers; `get` answers `prompts/get`.
 *
 * @since 0.1.0
 * @category models
 */
export interface TestPrompt {
  readonly name: string
  readonly description?: string
  readonly arguments?: ReadonlyArray<{ readonly name: string; readonly required?: boolean }>
  readonly get: (args: Record<string, string>) => Effect.Effect<McpSchema.GetPromptResult, McpRpcError>
}

/**
 * How the test server behaves.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly serverInfo?: McpSchema.Implementation
  /** The version `initialize` answers (default: the client's, if known, else the latest). */
  readonly protocolVersion?: string
  /** Advertised capabilities (default: derived from what is declared, with logging). */
  readonly capabilities?: McpSchema.ServerCapabilities
  readonly instructions?: string
  readonly tools?: ReadonlyArray<TestTool>
  readonly resources?: ReadonlyArray<TestResource>
  readonly resourceTemplates?: ReadonlyArray<TestResourceTemplate>
  readonly prompts?: ReadonlyArray<TestPrompt>
  readonly complete?: (
    reference: McpSchema.CompletionReference,
    argument: { readonly name: string; readonly value: string }
  ) => Effect.Effect<ReadonlyArray<string>, McpRpcError>
  /** Split list results into pages of this size (default: one page). */
  readonly pageSize?: number
}

/**
 * A message the server received.
 *
 * @since 0.1.0
 * @category models
 */
export interface LoggedMessage {
  readonly session: number
  readonly method: string
  readonly params: unknown
  /** Present for requests. */
  readonly id?: McpSchema.RequestId
}

/**
 * A running test server.
 *
 * @since 0.1.0
 * @category models
 */
export interface TestServer {
  /** Opens a new session with the server (give it to `McpClient.make` or `McpClient.layer`). */
  readonly connect: Transport.Connect
  /** Every request and notification received, in order, `initialize` included. */
  readonly log: Effect.Effect<ReadonlyArray<LoggedMessage>>
  /** The received messages with this method. */
  readonly received: (method: string) => Effect.Effect<ReadonlyArray<LoggedMessage>>
  /**
   * The next message with this method: the first not yet returned by an
   * earlier `awaitMessage` for the same method, waiting for it if need be.
   */
  readonly awaitMessage: (method: string) => Effect.Effect<LoggedMessage>
  /** Sends a notification to every open session. */
  readonly notify: (method: string, params?: Record<string, unknown>) => Effect.Effect<void>
  /** Sends a request to the client of the newest session and returns its result. */
  readonly request: (method: string, params?: Record<string, unknown>) => Effect.Effect<unknown, McpRpcError>
  /** The number of sessions open now. */
  readonly openSessions: Effect.Effect<number>
  /** The last level the client set with `logging/setLevel`. */
  readonly loggingLevel: Effect.Effect<McpSchema.LoggingLevel | undefined>
}

/**
 * The test server service, as `McpTestServer.layer` provides it.
 *
 * @since 0.1.0
 * @category tags
 */
export class McpTestServer extends Context.Tag("@effect-mcp/testing/McpTestServer")<McpTestServer, TestServer>() {}

/**
 * Starts a test server in the current scope.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { McpTestServer } from "@effect-mcp/testing"
 * import { Effect } from "effect"
 *
 * const test = Effect.gen(function*() {
 *   const server = yield* McpTestServer.make({
 *     tools: [{
 *       name: "slow",
 *       handler: (_args, context) =>
 *         Effect.gen(function*() {
 *           yield* context.progress(1, 2)
 *           yield* context.log("info", "half way")
 *           yield* context.progress(2, 2)
 *           return McpTestServer.text("done")
 *         })
 *     }]
 *   })
 *   const client = yield* McpClient.make(server.connect, { onLog: () => Effect.void })
 *   const seen: Array<number> = []
 *   yield* client.callTool("slow", {}, { onProgress: (progress) => Effect.sync(() => seen.push(progress.progress)) })
 *   assert.deepStrictEqual(seen, [1, 2])
 * })
 *
 * Effect.runPromise(Effect.scoped(test))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<TestServer, never, Scope.Scope> = internal.make

/**
 * The test server and a client connected to it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <R = never>(
  options?: Options,
  clientOptions?: McpClient.Options<R>
): Layer.Layer<McpTestServer | McpClient.McpClient, McpError, R> =>
  Layer.scopedContext(Effect.gen(function*() {
    const server = yield* make(options)
    const client = yield* McpClient.make(server.connect, clientOptions)
    return Context.make(McpTestServer, server).pipe(Context.add(McpClient.McpClient, client))
  }))

/**
 * A tool result with one text part.
 *
 * @since 0.1.0
 * @category constructors
 */
export const text = (value: string): McpSchema.CallToolResult => ({ content: [{ type: "text", text: value }] })

/**
 * A JSON-RPC error for handlers to fail with.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { McpTestServer } from "@effect-mcp/testing"
 * import { Effect } from "effect"
 *
 * const Server = McpTestServer.layer({
 *   tools: [{ name: "strict", handler: () => Effect.fail(McpTestServer.rpcError("tools/call", -32602, "no such city")) }]
 * })
 *
 * const test = Effect.gen(function*() {
 *   const error = yield* Effect.flip(McpClient.callTool("strict", {}))
 *   assert.ok(error._tag === "McpRpcError" && error.code === -32602)
 * })
 *
 * Effect.runPromise(test.pipe(Effect.provide(Server)))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const rpcError = (method: string, code: number, description: string): McpRpcError =>
  new McpRpcError({ method, code, description })
