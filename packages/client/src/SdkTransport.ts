/**
 * The bridge to the official TypeScript SDK's transports (Streamable HTTP,
 * SSE, WebSocket, in-memory, or one of your own): an SDK transport wrapped as
 * a `Transport`, its failures as typed errors.
 *
 * @example
 * ```ts
 * import { McpClient, SdkTransport } from "@effect-mcp/client"
 * import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js"
 *
 * // started when the client's scope opens, closed when it closes
 * const connect = SdkTransport.make(() => new WebSocketClientTransport(new URL("ws://127.0.0.1:3002")))
 * const WebSocketClient = McpClient.layer(connect)
 * ```
 *
 * @since 0.3.0
 */
import type { Transport as SdkTransport } from "@modelcontextprotocol/sdk/shared/transport.js"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as HttpTransport from "./HttpTransport.js"
import * as internal from "./internal/sdkTransport.js"
import type { TransportError } from "./McpError.js"
import type * as McpSchema from "./McpSchema.js"
import type * as Transport from "./Transport.js"

/**
 * @since 0.3.0
 * @category models
 */
export interface Options {
  readonly closeTimeout?: Duration.DurationInput | undefined
  /** The credentials the SDK's transport sends: kept out of error texts, and the refusal advice fits them. */
  readonly credentials?: HttpTransport.Credentials | undefined
  /**
   * Given a function that pushes a frame, for failures the SDK does not
   * report against their request (an event stream cut before its answer).
   */
  readonly feed?: ((push: (frame: Transport.RequestFailure) => void) => void) | undefined
  /** Releases what is held for a request the client no longer waits for. */
  readonly abandon?: ((id: McpSchema.RequestId) => void) | undefined
  /** Wraps each write to the SDK's transport, to retry one that failed (after an authorization, say). */
  readonly wrapSend?:
    | ((write: (message: McpSchema.JsonRpcMessage) => Effect.Effect<void, TransportError>) => (
      message: McpSchema.JsonRpcMessage
    ) => Effect.Effect<void, TransportError>)
    | undefined
}

/**
 * Wraps a transport of the official TypeScript SDK (Streamable HTTP, SSE,
 * WebSocket, in-memory, or one of your own): it is started when the scope
 * opens and closed when it closes.
 *
 * @since 0.3.0
 * @category constructors
 */
export const make: <E = never, R = never>(
  acquire: Effect.Effect<SdkTransport, E, R> | (() => SdkTransport),
  options?: Options
) => Effect.Effect<Transport.Transport, TransportError | E, Scope.Scope | R> = internal.fromSdk
