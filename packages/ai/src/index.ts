/**
 * MCP tools for `@effect/ai`: a server's tools, or a group's, as a `Toolkit`.
 *
 * @example
 * ```ts
 * import { LanguageModel } from "@effect/ai"
 * import { McpToolkit } from "@effect-mcp/ai"
 * import { McpClient } from "@effect-mcp/client"
 * import { Effect } from "effect"
 *
 * const answer = Effect.gen(function*() {
 *   const toolkit = yield* McpToolkit.fromClient(yield* McpClient.McpClient)
 *   return yield* LanguageModel.generateText({ prompt: "What is in README.md?", toolkit })
 * })
 * ```
 *
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
