import { McpSchema, Transport } from "@effect-mcp/client"
import { Effect, Queue, Stream } from "effect"
import type { Scope } from "effect"

/**
 * A hand-driven server end of an in-memory pair: it answers `initialize`
 * itself, records everything else, and lets the test answer or notify.
 */
export interface ScriptedPeer {
  readonly connect: Transport.Connect
  readonly received: Queue.Dequeue<McpSchema.JsonRpcMessage>
  readonly initializeCount: () => number
  readonly send: (message: McpSchema.JsonRpcMessage) => Effect.Effect<void>
  /** Waits for the next message with this method. */
  readonly next: (method: string) => Effect.Effect<ReceivedMessage>
}

export interface ReceivedMessage {
  readonly method: string
  readonly params?: unknown
  readonly id?: McpSchema.RequestId
}

export const makeScriptedPeer = (options: {
  readonly capabilities?: McpSchema.ServerCapabilities
  readonly protocolVersion?: string
  readonly answer?: (request: McpSchema.JsonRpcRequest) => unknown
} = {}): Effect.Effect<ScriptedPeer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const received = yield* Queue.unbounded<McpSchema.JsonRpcMessage>()
    let initializeCount = 0
    let serverSide: Transport.Transport | undefined
    const connect: Transport.Connect = Effect.gen(function*() {
      const [client, server] = yield* Transport.makeInMemoryPair
      serverSide = server
      yield* server.incoming.pipe(
        Stream.runForEach((frame) => {
          const message = frame as McpSchema.JsonRpcRequest
          if (message.method === "initialize") {
            initializeCount++
            return server.send({
              jsonrpc: "2.0",
              id: message.id,
              result: {
                protocolVersion: options.protocolVersion ?? McpSchema.LATEST_PROTOCOL_VERSION,
                capabilities: options.capabilities ?? { tools: {} },
                serverInfo: { name: "scripted", version: "0.0.0" }
              }
            }).pipe(Effect.orDie)
          }
          const answer = "id" in message && options.answer !== undefined ? options.answer(message) : undefined
          return answer === undefined
            ? Queue.offer(received, message)
            : server.send({ jsonrpc: "2.0", id: message.id, result: answer as object }).pipe(Effect.orDie)
        }),
        Effect.forkScoped
      )
      return client
    })
    const next = (method: string): Effect.Effect<ReceivedMessage> =>
      Effect.flatMap(Queue.take(received), (message) =>
        "method" in message && message.method === method ? Effect.succeed(message) : next(method))
    return {
      connect,
      received,
      initializeCount: () =>
        initializeCount,
      send: (message) => Effect.suspend(() => serverSide!.send(message)).pipe(Effect.orDie),
      next
    }
  })
