/**
 * A transport wrapper that injects faults: delayed, dropped, corrupted or
 * never-answered messages, disconnects (at once or mid-request), error
 * answers, HTTP-style session expiry, and list cursors that never advance.
 * Delays run on the `Clock`, so `TestClock` drives them.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { McpTestServer, TestTransport } from "@effect-mcp/testing"
 * import { Effect, Fiber, TestClock, TestContext } from "effect"
 *
 * const test = Effect.gen(function*() {
 *   const server = yield* McpTestServer.make({
 *     tools: [{ name: "echo", handler: (args) => Effect.succeed(McpTestServer.text(String(args.message))) }]
 *   })
 *   const { connect, faults } = yield* TestTransport.make(server.connect)
 *   const client = yield* McpClient.make(connect, { requestTimeout: "10 seconds" })
 *
 *   yield* faults.neverRespond("tools/call")
 *   const call = yield* Effect.fork(client.callTool("echo", { message: "lost" }))
 *   yield* server.awaitMessage("tools/call")
 *   yield* TestClock.adjust("10 seconds")
 *   const error = yield* Effect.flip(Fiber.join(call))
 *   assert.strictEqual(error._tag, "TimeoutError")
 *   yield* server.awaitMessage("notifications/cancelled") // the server was told
 * })
 *
 * Effect.runPromise(test.pipe(Effect.scoped, Effect.provide(TestContext.TestContext)))
 * ```
 *
 * @since 0.1.0
 */
import { ProtocolError, TransportError } from "@effect-mcp/client/McpError"
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Transport from "@effect-mcp/client/Transport"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"

/**
 * The switches of a fault-injecting transport. Each applies to the open
 * connection and to later ones, until `reset`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Faults {
  /** Delays every message from the server by this much. */
  readonly delay: (duration: Duration.DurationInput) => Effect.Effect<void>
  /** Drops the next `count` messages from the server. */
  readonly dropNext: (count: number) => Effect.Effect<void>
  /** Drops every response to requests of this method: the answer never comes. */
  readonly neverRespond: (method: string) => Effect.Effect<void>
  /** Breaks the connection now: the client sees a `TransportError` (reason `Closed`). */
  readonly disconnect: Effect.Effect<void>
  /** Breaks the connection as soon as the client sends a request of this method. */
  readonly disconnectOn: (method: string) => Effect.Effect<void>
  /** Garbles the next message from the server (the client gets a `ProtocolError` report instead). */
  readonly corruptNext: Effect.Effect<void>
  /** Answers the next request of this method with this JSON-RPC error, without the server seeing it. */
  readonly failNext: (
    method: string,
    error: { readonly code: number; readonly message: string; readonly data?: unknown }
  ) => Effect.Effect<void>
  /**
   * The server forgets the open connections' sessions: every later send on
   * them fails as an HTTP transport does on a 404 (`SessionExpired`). New
   * connections work.
   */
  readonly expireSession: Effect.Effect<void>
  /** List results of this method always say there is another page, at the same cursor. */
  readonly stickCursor: (method: string) => Effect.Effect<void>
  /** Rewrites every result of this method (to send a result of the wrong shape, say). */
  readonly mapResult: (method: string, f: (result: unknown) => unknown) => Effect.Effect<void>
  /** Turns every fault off. */
  readonly reset: Effect.Effect<void>
  /** Every message the client sent, in order. */
  readonly sent: Effect.Effect<ReadonlyArray<McpSchema.JsonRpcMessage>>
}

/**
 * A wrapped transport: give `connect` to the client, and flip `faults`.
 *
 * @since 0.1.0
 * @category models
 */
export interface TestTransport<R> {
  readonly connect: Transport.Connect<R>
  readonly faults: Faults
}

interface Connection {
  readonly broken: Deferred.Deferred<never, TransportError>
  readonly injected: Queue.Queue<unknown>
}

/**
 * Wraps a transport with fault injection.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <R>(connect: Transport.Connect<R>): Effect.Effect<TestTransport<R>> =>
  Effect.sync(() => {
    let delay: Duration.Duration | undefined
    let drop = 0
    let corrupt = false
    let expired = new WeakSet<Connection>()
    const silenced = new Set<string>()
    const disconnectOn = new Set<string>()
    const stuck = new Set<string>()
    const rewrites = new Map<string, (result: unknown) => unknown>()
    const failures = new Map<string, { code: number; message: string; data?: unknown }>()
    const sent: Array<McpSchema.JsonRpcMessage> = []
    const methodOf = new Map<McpSchema.RequestId, string>()
    const connections = new Set<Connection>()

    const breakAll = (description: string) =>
      Effect.forEach(
        Array.from(connections),
        (connection) => Deferred.fail(connection.broken, new TransportError({ reason: "Closed", description })),
        { discard: true }
      )

    const incoming = (frame: unknown): Effect.Effect<Option.Option<unknown>> => {
      if (drop > 0) {
        drop--
        return Effect.succeed(Option.none())
      }
      const message = frame as Record<string, unknown>
      const method = "id" in message && !("method" in message)
        ? methodOf.get(message.id as McpSchema.RequestId)
        : undefined
      if (method !== undefined && silenced.has(method)) return Effect.succeed(Option.none())
      let out: unknown = frame
      if (corrupt) {
        corrupt = false
        out = new ProtocolError({
          reason: "Parse",
          description: `skipped the line ${JSON.stringify(frame).slice(0, 40)}…`
        })
      } else if (method !== undefined && "result" in message) {
        const rewrite = rewrites.get(method)
        if (rewrite !== undefined) out = { ...message, result: rewrite(message.result) }
        else if (stuck.has(method)) out = { ...message, result: { ...(message.result as object), nextCursor: "stuck" } }
      }
      return delay === undefined
        ? Effect.succeed(Option.some(out))
        : Effect.as(Effect.sleep(delay), Option.some(out))
    }

    const wrapped: Transport.Connect<R> = Effect.gen(function*() {
      const inner = yield* connect
      const connection: Connection = {
        broken: yield* Deferred.make<never, TransportError>(),
        injected: yield* Queue.unbounded<unknown>()
      }
      connections.add(connection)
      yield* Effect.addFinalizer(() => Effect.sync(() => connections.delete(connection)))
      const send = (message: McpSchema.JsonRpcMessage): Effect.Effect<void, TransportError> =>
        Effect.suspend(() => {
          if (expired.has(connection)) {
            return Effect.fail(
              new TransportError({
                reason: "SessionExpired",
                description: "the server answered HTTP 404 for this session"
              })
            )
          }
          sent.push(message)
          if (!("method" in message) || !("id" in message)) return inner.send(message)
          methodOf.set(message.id, message.method)
          if (disconnectOn.has(message.method)) {
            return Effect.zipRight(inner.send(message), breakAll(`the connection dropped during ${message.method}`))
          }
          const failure = failures.get(message.method)
          if (failure !== undefined) {
            failures.delete(message.method)
            return Queue.offer(connection.injected, { jsonrpc: "2.0", id: message.id, error: failure })
          }
          return inner.send(message)
        })
      const received = Transport.incoming(inner).pipe(
        Stream.mapEffect(incoming),
        Stream.filterMap((frame) => frame)
      )
      return Transport.fromStream({
        send,
        incoming: Stream.merge(received, Stream.fromQueue(connection.injected), { haltStrategy: "left" }).pipe(
          Stream.interruptWhen(Deferred.await(connection.broken))
        ),
        setProtocolVersion: inner.setProtocolVersion,
        ready: inner.ready,
        abandon: inner.abandon,
        beginClose: inner.beginClose
      })
    })

    const faults: Faults = {
      delay: (duration) =>
        Effect.sync(() => {
          delay = Duration.decode(duration)
        }),
      dropNext: (count) =>
        Effect.sync(() => {
          drop += count
        }),
      neverRespond: (method) => Effect.sync(() => silenced.add(method)),
      disconnect: Effect.suspend(() => breakAll("the test disconnected the transport")),
      disconnectOn: (method) => Effect.sync(() => disconnectOn.add(method)),
      corruptNext: Effect.sync(() => {
        corrupt = true
      }),
      failNext: (method, error) => Effect.sync(() => failures.set(method, error)),
      expireSession: Effect.sync(() => {
        for (const connection of connections) expired.add(connection)
      }),
      stickCursor: (method) => Effect.sync(() => stuck.add(method)),
      mapResult: (method, f) => Effect.sync(() => rewrites.set(method, f)),
      reset: Effect.sync(() => {
        delay = undefined
        drop = 0
        corrupt = false
        expired = new WeakSet()
        silenced.clear()
        disconnectOn.clear()
        stuck.clear()
        rewrites.clear()
        failures.clear()
      }),
      sent: Effect.sync(() => sent.slice())
    }
    return { connect: wrapped, faults }
  })
