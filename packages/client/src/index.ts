/**
 * The runtime-agnostic core of effect-mcp: the client, groups of servers,
 * the typed errors, the protocol schemas and the transports.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect } from "effect"
 *
 * const program = McpClient.listTools.pipe(Effect.provide(McpClient.layer("http://127.0.0.1:3001/mcp")))
 * ```
 *
 * @since 0.1.0
 */

/**
 * The Streamable HTTP transport. By default it runs on the official SDK's
 * `StreamableHTTPClientTransport` (any platform with `fetch`); a `Connector`
 * in the context replaces it (`@effect-mcp/client-node` provides one on
 * `node:http`).
 *
 * @since 0.1.0
 */
export * as HttpTransport from "./HttpTransport.js"

/**
 * Authorization for HTTP transports: a headless OAuth client.
 *
 * @since 0.1.0
 */
export * as McpAuth from "./McpAuth.js"

/**
 * The MCP client service: a shared, reference-counted session and every operation as an Effect.
 *
 * @since 0.1.0
 */
export * as McpClient from "./McpClient.js"

/**
 * The `mcp.json` format MCP hosts keep their servers in (`mcpServers`, or
 * `servers` as VS Code writes it), as a Schema: one reading of it for the
 * library and the CLI. Keys a host adds of its own (`disabled`,
 * `autoApprove`, ...) are ignored.
 *
 * @since 0.3.0
 */
export * as McpConfig from "./McpConfig.js"

/**
 * The typed errors of an MCP client.
 *
 * @since 0.1.0
 */
export * as McpError from "./McpError.js"

/**
 * Many servers in one program: one client per server, one catalogue of their
 * tools, resources and prompts under prefixed, provider-safe names, and
 * calls routed by catalogue name.
 *
 * @since 0.3.0
 */
export * as McpGroup from "./McpGroup.js"

/**
 * JSON-RPC and MCP messages as effect/Schema.
 *
 * @since 0.1.0
 */
export * as McpSchema from "./McpSchema.js"

/**
 * The Skills extension (SEP-2640): list a server's skills, and load one only
 * when asked, each file verified against its listing entry.
 *
 * @since 0.4.0
 */
export * as McpSkills from "./McpSkills.js"

/**
 * Newline-delimited JSON framing for stdio transports.
 *
 * @since 0.1.0
 */
export * as Ndjson from "./Ndjson.js"

/**
 * A cache for the results the server marks cacheable (revision 2026-07-28's
 * `ttlMs` / `cacheScope`): a store service and the client's view of it.
 *
 * @since 0.3.0
 */
export * as ResponseCache from "./ResponseCache.js"

/**
 * The bridge to the official TypeScript SDK's transports (Streamable HTTP,
 * SSE, WebSocket, in-memory, or one of your own): an SDK transport wrapped as
 * a `Transport`, its failures as typed errors.
 *
 * @since 0.3.0
 */
export * as SdkTransport from "./SdkTransport.js"

/**
 * Server-sent events (`text/event-stream`), as MCP's HTTP transports receive
 * them: an incremental parser that is fed text as it arrives and never
 * searches the same text twice.
 *
 * @since 0.3.0
 */
export * as Sse from "./Sse.js"

/**
 * The stdio transport.
 *
 * @since 0.1.0
 */
export * as StdioTransport from "./StdioTransport.js"

/**
 * Transports: the interface, an in-memory pair, and what transport authors
 * build on (an inbox, frames that report a problem, size limits).
 *
 * @since 0.1.0
 */
export * as Transport from "./Transport.js"
