/**
 * `effect-mcp inspect` (who the server is and what it offers) and
 * `effect-mcp ping`.
 *
 * @since 0.1.0
 */
import type * as McpClient from "@effect-mcp/client/McpClient"
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Command from "@effect/cli/Command"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Connection from "./Connection.js"
import * as Output from "./Output.js"

/**
 * The advertised capabilities in a few words: `tools (listChanged), resources (subscribe), logging`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const describeCapabilities = (capabilities: McpSchema.ServerCapabilities): string =>
  Object.entries(capabilities).filter(([, value]) => value !== undefined).map(([name, value]) => {
    const flags = typeof value === "object" && value !== null
      ? Object.entries(value).filter(([, flag]) => flag === true).map(([flag]) => flag)
      : []
    return flags.length === 0 ? name : `${name} (${flags.join(", ")})`
  }).join(", ") || "none"

const countIf = <E>(advertised: boolean, list: Effect.Effect<ReadonlyArray<unknown>, E>) =>
  advertised ? Effect.map(list, (items) => items.length) : Effect.succeed(null)

const facts = (client: McpClient.Service) =>
  Effect.gen(function*() {
    const capabilities = yield* client.serverCapabilities
    const era = yield* client.era
    const serverInfo = yield* client.serverInfo
    const instructions = yield* client.instructions
    const [tools, resources, resourceTemplates, prompts] = yield* Effect.all([
      countIf(capabilities.tools !== undefined, client.listTools),
      countIf(capabilities.resources !== undefined, client.listResources),
      countIf(capabilities.resources !== undefined, client.listResourceTemplates),
      countIf(capabilities.prompts !== undefined, client.listPrompts)
    ], { concurrency: "unbounded" })
    return {
      ...(Option.isSome(serverInfo) ? { serverInfo: serverInfo.value } : {}),
      protocolVersion: era.protocolVersion,
      era,
      capabilities,
      ...(Option.isSome(instructions) ? { instructions: instructions.value } : {}),
      counts: { tools, resources, resourceTemplates, prompts }
    }
  })

/**
 * The server's name, version and title, or that it gave none.
 *
 * @since 0.3.0
 * @category rendering
 */
export const describeServer = (server: McpSchema.Implementation | undefined): string =>
  server === undefined
    ? "(the server gave no name)"
    : `${server.name} ${server.version}${server.title === undefined ? "" : ` (${server.title})`}`

const count = (value: number | null) => (value === null ? Output.dim("not offered") : String(value))

/**
 * @since 0.1.0
 * @category commands
 */
export const inspect = Command.make(
  "inspect",
  Connection.options,
  (options) =>
    Connection.use(options, ({ client, json, transport }) =>
      Effect.gen(function*() {
        const info = yield* facts(client)
        if (json) return yield* Output.json({ ...info, transport })
        yield* Output.line(Output.fields([
          ["server", describeServer(info.serverInfo)],
          ["protocol", `${info.protocolVersion} ${Output.dim(`(${info.era.chosenBy})`)}`],
          ["transport", transport],
          ["capabilities", describeCapabilities(info.capabilities)],
          ["tools", count(info.counts.tools)],
          ["resources", count(info.counts.resources)],
          ["templates", count(info.counts.resourceTemplates)],
          ["prompts", count(info.counts.prompts)],
          ...(info.instructions === undefined ? [] : [["instructions", info.instructions] as const])
        ]))
      }))
).pipe(Command.withDescription("Show the server's name, protocol version, capabilities and what it offers"))

/**
 * @since 0.1.0
 * @category commands
 */
export const ping = Command.make(
  "ping",
  Connection.options,
  (options) =>
    Connection.use(options, ({ client, json }) =>
      Effect.gen(function*() {
        const start = yield* Clock.currentTimeMillis
        yield* client.ping
        const millis = (yield* Clock.currentTimeMillis) - start
        if (json) return yield* Output.json({ ok: true, milliseconds: millis })
        const server = yield* client.serverInfo
        yield* Output.line(
          `pong from ${Option.match(server, { onNone: () => "the server", onSome: (s) => s.name })} in ${millis} ms`
        )
      }))
).pipe(Command.withDescription("Check that the server answers"))
