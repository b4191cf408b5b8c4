/**
 * Ready-made Node.js layers for `McpClient`: they bring the Node command
 * executor, so a stdio, HTTP or in-process server needs nothing else.
 *
 * @since 0.1.0
 */
import type * as HttpTransport from "@effect-mcp/client/HttpTransport"
import * as McpClient from "@effect-mcp/client/McpClient"
import type { McpError } from "@effect-mcp/client/McpError"
import type * as StdioTransport from "@effect-mcp/client/StdioTransport"
import * as NodeCommandExecutor from "@effect/platform-node/NodeCommandExecutor"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as NodeHttpTransport from "./NodeHttpTransport.js"
import * as NodeStdioTransport from "./NodeStdioTransport.js"

/**
 * What the Node layers provide: the command executor and the Node
 * transports (stdio servers run on `node:child_process`, Streamable HTTP
 * goes over `node:http`). Nothing else: the
 * handlers keep the services (a `Terminal`, say) of the caller's context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNode: Layer.Layer<
  CommandExecutor.CommandExecutor | StdioTransport.Launcher | HttpTransport.Connector
> = Layer.mergeAll(
  NodeCommandExecutor.layer.pipe(Layer.provide(NodeFileSystem.layer)),
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
