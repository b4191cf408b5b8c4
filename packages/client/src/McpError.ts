/**
 * The typed errors of an MCP client. Each is a separate tagged class so that
 * `Effect.catchTag` can pick one out; `McpError` is their union.
 *
 * @example
 * ```ts
 * import { McpClient, McpError } from "@effect-mcp/client"
 * import { Console, Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* McpClient.McpClient
 *   return yield* client.callTool("add", { a: 1, b: 2 })
 * }).pipe(
 *   // a tool that ran and said it failed
 *   Effect.catchTag("ToolError", (error) => Effect.succeed(error.content)),
 *   // the connection: the server is gone, or refused the credentials
 *   Effect.catchTag("TransportError", (error) =>
 *     error.reason === "Unauthorized" ? Console.error(error.message) : Effect.fail(error)),
 *   Effect.tapError((error) => McpError.isTimeoutError(error) ? Console.error("too slow") : Effect.void)
 * )
 * ```
 *
 * @since 0.1.0
 */

// The definitions live in internal/ so that the engine can use them without
// importing a public module; docgen documents this re-export with the module's
// comment above.
export * from "./internal/errors.js"
