/**
 * Ready-made Node.js layers for `McpClient`: they bring the Node command
 * executor, so a stdio, HTTP or in-process server needs nothing else.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { NodeMcpClient } from "@effect-mcp/client-node"
 * import { Console, Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const tools = yield* McpClient.listTools
 *   yield* Console.log(tools.map((tool) => tool.name))
 * })
 *
 * // a command, a URL ("http://127.0.0.1:3001/mcp", ".../sse"), a script ("./server.mjs"), an mcp.json object
 * const Everything = NodeMcpClient.layer({ command: "npx", args: ["-y", "@modelcontextprotocol/server-everything"] })
 *
 * const main = program.pipe(Effect.provide(Everything))
 * // run it with NodeRuntime.runMain(main) (`@effect/platform-node`)
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpTransport from "@effect-mcp/client/HttpTransport"
import * as McpClient from "@effect-mcp/client/McpClient"
import type { McpError } from "@effect-mcp/client/McpError"
import type * as StdioTransport from "@effect-mcp/client/StdioTransport"
import * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as NodeHttpTransport from "./NodeHttpTransport.js"
import * as NodeStdioTransport from "./NodeStdioTransport.js"

// Node's command executor is loaded with its first command (a stdio server
// runs on NodeStdioTransport, so a client may never need it): a client that
// does not start a command through the platform does not carry its modules
// (about 1 MB of heap).
let loadedExecutor: CommandExecutor.CommandExecutor | undefined
const nodeExecutor: Effect.Effect<CommandExecutor.CommandExecutor> = Effect.suspend(() =>
  loadedExecutor !== undefined
    ? Effect.succeed(loadedExecutor)
    : Effect.promise(() =>
      Promise.all([
        import("@effect/platform-node/NodeCommandExecutor"),
        import("@effect/platform-node/NodeFileSystem")
      ])
    ).pipe(
      Effect.flatMap(([NodeCommandExecutor, NodeFileSystem]) =>
        Effect.scoped(Layer.build(NodeCommandExecutor.layer.pipe(Layer.provide(NodeFileSystem.layer))))
      ),
      Effect.map((context) => {
        loadedExecutor = Context.get(context, CommandExecutor.CommandExecutor)
        return loadedExecutor
      })
    )
)

/**
 * What the Node layers provide: the command executor and the Node
 * transports (stdio servers run on `node:child_process`, Streamable HTTP
 * goes over `node:http`). Nothing else: the
 * handlers keep the services (a `Terminal`, say) of the caller's context.
 *
 * @example
 * ```ts
 * import { McpClient, McpGroup } from "@effect-mcp/client"
 * import { NodeMcpClient } from "@effect-mcp/client-node"
 * import { Layer } from "effect"
 *
 * class Github extends McpClient.Tag("Github")<Github>() {}
 *
 * // for the layers of the core package: a client service of your own, a group
 * const GithubLive = Github.layer({ command: "github-mcp-server", args: ["stdio"] }).pipe(
 *   Layer.provide(NodeMcpClient.layerNode)
 * )
 * const GroupLive = McpGroup.layer({ mcpServers: { files: { command: "npx", args: ["-y", "files-server"] } } }).pipe(
 *   Layer.provide(NodeMcpClient.layerNode)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNode: Layer.Layer<
  CommandExecutor.CommandExecutor | StdioTransport.Launcher | HttpTransport.Connector
> = Layer.mergeAll(
  Layer.succeed(
    CommandExecutor.CommandExecutor,
    CommandExecutor.makeExecutor((command) => Effect.flatMap(nodeExecutor, (executor) => executor.start(command)))
  ),
  NodeStdioTransport.layer,
  NodeHttpTransport.layer
)

/**
 * The services a connection source needs once Node provides its own.
 *
 * @since 0.1.0
 * @category models
 */
export type NodeSourceContext<S> = Exclude<McpClient.SourceContext<S>, CommandExecutor.CommandExecutor>

/**
 * An `McpClient` layer for any connection source, with Node's command executor provided.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { NodeMcpClient } from "@effect-mcp/client-node"
 * import { Effect } from "effect"
 *
 * // nothing else to provide: stdio on node:child_process, Streamable HTTP on node:http
 * const FilesLive = NodeMcpClient.layer("./servers/files.mjs", { requestTimeout: "20 seconds" })
 * const DocsLive = NodeMcpClient.layer({ url: "http://127.0.0.1:3000/mcp", headers: { "X-Tenant": "blue" } })
 *
 * const tools = McpClient.listTools.pipe(Effect.provide(DocsLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <S extends McpClient.ConnectionSource, R = never>(
  source: S,
  options?: McpClient.Options<R>
): Layer.Layer<McpClient.McpClient, McpError, NodeSourceContext<S> | R> =>
  McpClient.layer(source, options).pipe(Layer.provide(layerNode)) as any

/**
 * Builds a client in the current scope, with Node's command executor provided.
 *
 * @example
 * ```ts
 * import { NodeMcpClient } from "@effect-mcp/client-node"
 * import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
 * import { Effect } from "effect"
 *
 * const server = new McpServer({ name: "greeter", version: "1.0.0" })
 * server.registerPrompt("greet", { description: "Say hello" }, () => ({
 *   messages: [{ role: "user", content: { type: "text", text: "Hello!" } }]
 * }))
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* NodeMcpClient.make(server) // here an in-process server; any source works
 *   const prompts = yield* client.listPrompts
 *   assert.deepStrictEqual(prompts.map((prompt) => prompt.name), ["greet"])
 * })
 *
 * Effect.runPromise(Effect.scoped(program))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <S extends McpClient.ConnectionSource, R = never>(
  source: S,
  options?: McpClient.Options<R>
): Effect.Effect<McpClient.Service, McpError, Scope.Scope | NodeSourceContext<S> | R> =>
  Effect.flatMap(nodeServices, (context) => McpClient.make(source, options).pipe(Effect.provide(context))) as any

// Built once per process and shared: the executor, the file system and the
// transports hold no resources (their layers have no finalizers), and
// building them costs half a millisecond a client.
let nodeContext: Context.Context<Layer.Layer.Success<typeof layerNode>> | undefined
const nodeServices = Effect.suspend(() =>
  nodeContext !== undefined
    ? Effect.succeed(nodeContext)
    : Effect.tap(Effect.scoped(Layer.build(layerNode)), (context) => {
      nodeContext = context
    })
)
