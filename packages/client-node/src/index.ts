/**
 * @since 0.1.0
 */

/**
 * Ready-made Node.js layers for McpClient.
 *
 * @since 0.1.0
 */
export * as NodeMcpClient from "./NodeMcpClient.js"
