/**
 * JSON-RPC 2.0 and Model Context Protocol messages as `effect/Schema`, for
 * protocol revision 2025-11-25 and the earlier revisions a client may
 * negotiate down to. Results are decoded with unknown fields preserved, so a
 * newer server's additions are not lost.
 *
 * @example
 * ```ts
 * import { McpSchema } from "@effect-mcp/client"
 * import { Schema } from "effect"
 *
 * const result = Schema.decodeUnknownSync(McpSchema.CallToolResult)({
 *   content: [{ type: "text", text: "21°C" }],
 *   structuredContent: { temperature: 21 }
 * })
 * assert.deepStrictEqual(result.structuredContent, { temperature: 21 })
 * ```
 *
 * @since 0.1.0
 */

// The definitions live in internal/ so that the engine can use them without
// importing a public module; docgen documents this re-export with the module's
// comment above.
export * from "./internal/schema.js"
