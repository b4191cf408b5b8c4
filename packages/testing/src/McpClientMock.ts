/**
 * `McpClient` layers built from a partial set of operations, for unit tests
 * of code that depends on the client. An operation the test did not supply
 * dies with a defect naming it.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { McpClientMock } from "@effect-mcp/testing"
 * import { Effect, Schema } from "effect"
 *
 * // the code under test
 * const Weather = Schema.Struct({ temperature: Schema.Number, conditions: Schema.String })
 * const forecast = (city: string) =>
 *   McpClient.callTool("get-weather", { city }, { outputSchema: Weather }).pipe(
 *     Effect.map((weather) => `${city}: ${weather.temperature}°C, ${weather.conditions}`)
 *   )
 *
 * // callTool returns the raw result; the mock applies the client's rules (outputSchema, isError)
 * const MockClient = McpClientMock.layer({
 *   callTool: () => Effect.succeed({ content: [], structuredContent: { temperature: 21, conditions: "sunny" } })
 * })
 *
 * const test = Effect.gen(function*() {
 *   assert.strictEqual(yield* forecast("Lisbon"), "Lisbon: 21°C, sunny")
 * })
 *
 * Effect.runPromise(test.pipe(Effect.provide(MockClient)))
 * ```
 *
 * @since 0.1.0
 */
import * as McpClient from "@effect-mcp/client/McpClient"
import type { McpError } from "@effect-mcp/client/McpError"
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

type Operation = Exclude<keyof McpClient.Service, McpClient.TypeId>

const kinds = {
  connect: "effect",
  isConnected: "effect",
  connectionState: "effect",
  connectionStates: "stream",
  initializeResult: "effect",
  serverCapabilities: "effect",
  protocolVersion: "effect",
  serverInfo: "effect",
  instructions: "effect",
  era: "effect",
  fresh: "effect",
  request: "function",
  listTools: "effect",
  listToolsRaw: "function",
  callTool: "function",
  callToolRaw: "function",
  listResources: "effect",
  listResourcesRaw: "function",
  listResourceTemplates: "effect",
  listResourceTemplatesRaw: "function",
  readResource: "function",
  readResourceRaw: "function",
  subscribe: "function",
  unsubscribe: "function",
  listPrompts: "effect",
  listPromptsRaw: "function",
  getPrompt: "function",
  complete: "function",
  ping: "effect",
  setLoggingLevel: "function",
  sendRootsListChanged: "effect",
  cancel: "function",
  sendProgress: "function",
  notifications: "stream",
  progress: "stream",
  logMessages: "stream",
  listChanged: "stream",
  resourceUpdates: "function",
  setRoots: "function",
  setSamplingHandler: "function",
  setElicitationHandler: "function"
} as const satisfies Record<Operation, "effect" | "function" | "stream">

/**
 * The operations a mock may supply. `callTool` returns the raw result; the
 * mock turns it into what the real client returns (`ToolError` on `isError`,
 * the decoded `structuredContent` with an output schema).
 *
 * @since 0.1.0
 * @category models
 */
export type Implementation = Partial<Omit<McpClient.Service, McpClient.TypeId | "callTool">> & {
  readonly callTool?: (
    name: string,
    args?: Record<string, unknown> | undefined,
    options?: McpClient.CallToolOptions<any, any>
  ) => Effect.Effect<McpSchema.CallToolResult, McpError>
}

const missing = (operation: string) =>
  new Error(
    `McpClient.${operation} is not implemented by this mock; add it to the object given to McpClientMock.layer`
  )

/**
 * A client service from the operations given; the rest die when used.
 *
 * @example
 * ```ts
 * import { McpClientMock } from "@effect-mcp/testing"
 * import { Effect } from "effect"
 *
 * const client = McpClientMock.make({ listTools: Effect.succeed([]) })
 *
 * const test = Effect.gen(function*() {
 *   assert.deepStrictEqual(yield* client.listTools, [])
 *   // an operation the mock was not given dies, naming it
 *   const exit = yield* Effect.exit(client.listPrompts)
 *   assert.ok(exit._tag === "Failure")
 * })
 *
 * Effect.runPromise(test)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (implementation: Implementation): McpClient.Service => {
  const service: Record<string, unknown> = { [McpClient.TypeId]: McpClient.TypeId }
  const callTool = implementation.callTool ?? implementation.callToolRaw
  const given: Record<string, unknown> = {
    ...implementation,
    callTool: callTool === undefined ? undefined : (
      name: string,
      args?: Record<string, unknown>,
      options?: McpClient.CallToolOptions<any, any>
    ) =>
      Effect.flatMap(
        callTool(name, args, options),
        (result) => McpClient.interpretToolResult(name, result, options?.outputSchema as any)
      )
  }
  for (const [operation, kind] of Object.entries(kinds)) {
    const supplied = given[operation]
    if (supplied !== undefined) {
      service[operation] = supplied
      continue
    }
    service[operation] = kind === "effect"
      ? Effect.die(missing(operation))
      : kind === "stream"
      ? Stream.die(missing(operation))
      : () => Effect.die(missing(operation))
  }
  return service as unknown as McpClient.Service
}

/**
 * An `McpClient` layer from the operations given; with `tag`, a layer of a
 * client service of your own (see `McpClient.Tag`).
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { McpClientMock } from "@effect-mcp/testing"
 * import { Effect } from "effect"
 *
 * class Github extends McpClient.Tag("Github")<Github>() {}
 * class Files extends McpClient.Tag("Files")<Files>() {}
 *
 * const program = Effect.gen(function*() {
 *   const issues = yield* Github.callTool("list_issues", { repo: "effect" })
 *   const files = yield* Files.listResources
 *   return { issues: issues.content.length, files: files.length }
 * })
 *
 * // each service mocked with its own operations (one could be `Files.layer(...)`, a real server)
 * const test = Effect.gen(function*() {
 *   assert.deepStrictEqual(yield* program, { issues: 1, files: 0 })
 *   // isError: true fails with ToolError, as from a real client
 *   const error = yield* Effect.flip(Github.callTool("fail", {}))
 *   assert.strictEqual(error._tag, "ToolError")
 * }).pipe(Effect.provide([
 *   McpClientMock.layer({
 *     callTool: (name) =>
 *       Effect.succeed({ content: [{ type: "text", text: name }], ...(name === "fail" ? { isError: true } : {}) })
 *   }, Github),
 *   McpClientMock.layer({ listResources: Effect.succeed([]) }, Files)
 * ]))
 *
 * Effect.runPromise(test)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: {
  (implementation: Implementation): Layer.Layer<McpClient.McpClient>
  <Self>(implementation: Implementation, tag: Context.Tag<Self, McpClient.Service>): Layer.Layer<Self>
} = (implementation: Implementation, tag?: Context.Tag<any, McpClient.Service>): Layer.Layer<any> =>
  Layer.succeed(tag ?? McpClient.McpClient, make(implementation))
