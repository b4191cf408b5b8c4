/**
 * @since 0.3.0
 */

/**
 * MCP tools as an `@effect/ai` `Toolkit`: one server's, or a group's, with
 * the servers' JSON Schemas, every kind of content in the results, failures
 * the model sees, and a live form that follows the tool lists.
 *
 * @since 0.3.0
 */
export * as McpToolkit from "./McpToolkit.js"
