/**
 * @since 0.1.0
 */

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
