/**
 * @since 0.1.0
 */

/**
 * McpClient layers built from a partial set of operations.
 *
 * @since 0.1.0
 */
export * as McpClientMock from "./McpClientMock.js"

/**
 * A scripted, in-memory MCP server for tests.
 *
 * @since 0.1.0
 */
export * as McpTestServer from "./McpTestServer.js"

/**
 * A transport wrapper that injects faults.
 *
 * @since 0.1.0
 */
export * as TestTransport from "./TestTransport.js"
