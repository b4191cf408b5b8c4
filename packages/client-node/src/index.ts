/**
 * effect-mcp on Node.js: client layers that need nothing else, the Node
 * transports, a token store in a file (and `McpTelemetry`, imported on its own).
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { NodeMcpClient } from "@effect-mcp/client-node"
 * import { Effect } from "effect"
 *
 * const Everything = NodeMcpClient.layer({ command: "npx", args: ["-y", "@modelcontextprotocol/server-everything"] })
 * const program = McpClient.listTools.pipe(Effect.provide(Everything))
 * ```
 *
 * @since 0.1.0
 */

/**
 * A Streamable HTTP transport on `node:http`, for when speed matters: POSTs
 * over a keep-alive agent of its own, answers read as JSON or as an event
 * stream parsed as it arrives, the standalone GET stream for what the server
 * sends unasked, and the server-side session ended with a DELETE on close.
 * OAuth (`authProvider`) runs the SDK's `auth()` when the server refuses a
 * token.
 *
 * @since 0.1.0
 */
export * as NodeHttpTransport from "./NodeHttpTransport.js"

/**
 * Ready-made Node.js layers for McpClient.
 *
 * @since 0.1.0
 */
export * as NodeMcpClient from "./NodeMcpClient.js"

/**
 * A stdio transport on node:child_process.
 *
 * @since 0.1.0
 */
export * as NodeStdioTransport from "./NodeStdioTransport.js"

/**
 * A token store in a file.
 *
 * @since 0.1.0
 */
export * as NodeTokenStore from "./NodeTokenStore.js"
