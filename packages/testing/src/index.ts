/**
 * Test code that uses an MCP client without a real server: mock client
 * layers, a scripted in-memory server, fault injection.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { McpClientMock } from "@effect-mcp/testing"
 * import { Effect } from "effect"
 *
 * const test = McpClient.listTools.pipe(
 *   Effect.map((tools) => assert.deepStrictEqual(tools, [])),
 *   Effect.provide(McpClientMock.layer({ listTools: Effect.succeed([]) }))
 * )
 *
 * Effect.runPromise(test)
 * ```
 *
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
