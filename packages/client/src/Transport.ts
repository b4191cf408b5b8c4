/**
 * A transport moves JSON-RPC messages between the client and one server. It
 * knows nothing of MCP methods: framing, connection and process handling live
 * here, the protocol lives in the client.
 *
 * @example
 * ```ts
 * import { Transport } from "@effect-mcp/client"
 * import { Effect, Stream } from "effect"
 *
 * // two linked ends in memory: what one sends, the other receives, in order
 * const program = Effect.gen(function*() {
 *   const [client, server] = yield* Transport.makeInMemoryPair
 *   yield* client.send({ jsonrpc: "2.0", id: 1, method: "ping" })
 *   const first = yield* Stream.runHead(Transport.incoming(server))
 *   assert.deepStrictEqual(first._tag === "Some" && first.value, { jsonrpc: "2.0", id: 1, method: "ping" })
 * })
 *
 * Effect.runPromise(Effect.scoped(program))
 * ```
 *
 * @since 0.1.0
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Mailbox from "effect/Mailbox"
import * as Predicate from "effect/Predicate"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Frames from "./internal/frames.js"
import * as internal from "./internal/transport.js"
import type { ProtocolError } from "./McpError.js"
import { TransportError } from "./McpError.js"
import type * as McpSchema from "./McpSchema.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * An open connection to one MCP server.
 *
 * `run` delivers every incoming frame to `onFrame`, in order, until the
 * connection ends: it succeeds when the connection closed cleanly and fails
 * with a `TransportError` when it broke. Call it once. Each frame is a decoded
 * JSON value, a `ProtocolError` / `TransportError` value describing a
 * frame or a passing problem that was skipped (the connection lives on), or
 * a `RequestFailure`: one request's answer cannot come (its HTTP answer was
 * refused, unreadable, too large, or its event stream was cut).
 *
 * `send` hands a message off and returns: it may wait for room to write
 * (backpressure), never for the server's answer, so that a request's
 * deadline runs from the moment it is sent whatever the server does.
 *
 * Frames are pushed rather than streamed because this is the hot path of
 * every call; `incoming` gives the same frames as a `Stream`. Closing the
 * scope the transport was opened in closes the connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface Transport {
  readonly [TypeId]: TypeId
  /**
   * `headers` are computed by the client only for a transport that sets
   * `carriesHeaders`; any other transport is never given them.
   */
  readonly send: (
    message: McpSchema.JsonRpcMessage,
    headers?: Readonly<Record<string, string>>
  ) => Effect.Effect<void, TransportError>
  readonly run: (onFrame: (frame: unknown) => void) => Effect.Effect<void, TransportError>
  /**
   * Told the protocol version before the client speaks it (`undefined`: none
   * agreed yet, as for `initialize`). HTTP transports send it as the
   * `MCP-Protocol-Version` header; from revision 2026-07-28 on (see
   * `isStateless`), they keep no session: no session id, no stream for what
   * the server sends unasked, no `DELETE` on close, and an answer stream that
   * breaks is reported as a `RequestFailure` the client may send again.
   */
  readonly setProtocolVersion?: ((version: string | undefined) => void) | undefined
  /** The transport sends the per-message headers `send` is given (HTTP). */
  readonly carriesHeaders?: boolean | undefined
  /**
   * Abandoning a request closes the channel its answer would come on, which
   * the server takes as cancellation: in revision 2026-07-28 the client then
   * sends no `notifications/cancelled` (HTTP carries no notifications from the
   * client in that revision).
   */
  readonly cancelsByClosing?: boolean | undefined
  /**
   * Awaited after the handshake, before the client says it is initialized: a
   * transport whose channel for what the server sends unasked opens apart
   * (the Streamable HTTP GET stream) opens it here, so that nothing the server
   * sends on hearing the client is initialized is lost.
   */
  readonly ready?: Effect.Effect<void> | undefined
  /**
   * The client no longer waits for the answer to this request (it timed out
   * or its caller was interrupted): release what is held for it (an HTTP
   * connection, a send still waiting for room).
   */
  readonly abandon?: ((id: McpSchema.RequestId) => void) | undefined
  /**
   * The client is done with the session: stop taking messages and start
   * ending the connection now (end the server's stdin, send the `DELETE`),
   * so that the server winds down while the client runs its other
   * finalizers; closing the transport's scope still waits for the end.
   * Run at most once, first thing when the session closes; it completes
   * when what it started is under way (a Node transport lets the event loop
   * turn, so that the pipe is ended or the request written before the
   * client's other finalizers run).
   */
  readonly beginClose?: Effect.Effect<void> | undefined
  /** The session id the server gave (HTTP `Mcp-Session-Id`), for traces. */
  readonly sessionId?: (() => string | undefined) | undefined
  /** The bytes sent and received so far, for metrics (transports that count them). */
  readonly bytes?: (() => ByteCount) | undefined
}

/**
 * @since 0.3.0
 * @category models
 */
export interface ByteCount {
  readonly sent: number
  readonly received: number
}

/**
 * For transport authors who know which of the client's requests a message
 * from the server belongs to (it came on that request's answer stream, or an
 * in-process server said so): marks the message with the request's id, so
 * that the client's traces make the handler of a server request a child of
 * the request that caused it. The mark is not part of the message's JSON.
 *
 * @since 0.3.0
 * @category utils
 */
export const markRelated: (message: object, id: McpSchema.RequestId) => void = internal.markRelated

/**
 * The request a message was marked as belonging to (see `markRelated`).
 *
 * @since 0.3.0
 * @category utils
 */
export const relatedRequest: (message: object) => McpSchema.RequestId | undefined = internal.relatedRequest

/**
 * A frame saying that the answer to one request cannot come, and why. The
 * client fails that request with `error`; the connection lives on (unless
 * the error says the session has expired).
 *
 * @since 0.2.0
 * @category models
 */
export const RequestFailure: typeof Frames.RequestFailure = Frames.RequestFailure

/**
 * @since 0.2.0
 * @category models
 */
export type RequestFailure = Frames.RequestFailure

/**
 * Whether a protocol revision is one of the stateless ones (2026-07-28 and
 * later): no handshake, no session, every request self-contained.
 *
 * @since 0.3.0
 * @category protocol versions
 */
export const isStateless: (version: string | undefined) => boolean = internal.isStateless

/**
 * The largest message a transport accepts from a server, in bytes (a stdio
 * line, an HTTP body, one event of an event stream): 16 MiB unless the
 * client's `maxMessageBytes` says otherwise. Past it, an HTTP request fails
 * (`ProtocolError`, reason `TooLarge`); a stdio session ends, since a stream
 * cannot find the start of the next message.
 *
 * @since 0.2.0
 * @category references
 */
export const MaxMessageBytes: typeof internal.MaxMessageBytes = internal.MaxMessageBytes

/**
 * @since 0.2.0
 * @category references
 */
export type MaxMessageBytes = internal.MaxMessageBytes

/**
 * The `ProtocolError` for a message larger than `MaxMessageBytes`.
 *
 * @since 0.2.0
 * @category errors
 */
export const tooLarge: (where: string, limit: number) => ProtocolError = Frames.tooLarge

/**
 * A size as error messages give it: in MiB or KiB when it is a whole number
 * of them, else in bytes.
 *
 * @since 0.3.0
 * @category utils
 */
export const formatBytes: (bytes: number) => string = Frames.formatBytes

/**
 * One JSON-RPC message (or batch) from text: the value, or what a transport
 * pushes instead when it is no use: a `ProtocolError` for text that is not
 * JSON or is nested too deep (512 levels), a `RequestFailure` when what is
 * nested too deep is the answer to a request. Never throws, whatever the text.
 *
 * @since 0.2.0
 * @category parsing
 */
export const parseJson: (text: string, where: string) => unknown = Frames.parseJson

/**
 * An effect that opens a transport in the current scope. A client keeps it and
 * runs it again for every new session.
 *
 * @since 0.1.0
 * @category models
 */
export type Connect<R = never> = Effect.Effect<Transport, TransportError, Scope.Scope | R>

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Omit<Transport, TypeId>) => Transport = internal.make

/**
 * @since 0.1.0
 * @category guards
 */
export const isTransport = (u: unknown): u is Transport => Predicate.hasProperty(u, TypeId)

/**
 * The frames of a transport as a `Stream` (it calls `run`, so use one or the
 * other). It ends when the connection closes and fails when it breaks.
 *
 * @since 0.1.0
 * @category combinators
 */
export const incoming = (transport: Transport): Stream.Stream<unknown, TransportError> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const mailbox = yield* Mailbox.make<unknown, TransportError>()
    yield* transport.run((frame) => {
      mailbox.unsafeOffer(frame)
    }).pipe(Mailbox.into(mailbox), Effect.interruptible, Effect.forkScoped)
    return Mailbox.toStream(mailbox)
  }))

/**
 * A transport from a stream of frames and a send function, for transports
 * whose input is naturally a `Stream`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromStream = (options: {
  readonly send: Transport["send"]
  readonly incoming: Stream.Stream<unknown, TransportError>
  readonly setProtocolVersion?: ((version: string | undefined) => void) | undefined
  readonly ready?: Effect.Effect<void> | undefined
  readonly abandon?: ((id: McpSchema.RequestId) => void) | undefined
  readonly beginClose?: Effect.Effect<void> | undefined
}): Transport =>
  make({
    send: options.send,
    run: (onFrame) =>
      Stream.runForEachChunk(options.incoming, (chunk) =>
        Effect.sync(() => {
          for (const frame of chunk) onFrame(frame)
        })),
    setProtocolVersion: options.setProtocolVersion,
    ready: options.ready,
    abandon: options.abandon,
    beginClose: options.beginClose
  })

/**
 * For transport authors: where pushed frames go, to the running reader or
 * held until `run` starts; `run` ends with `ended`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const Inbox: typeof internal.Inbox = internal.Inbox

/**
 * @since 0.1.0
 * @category models
 */
export type Inbox = internal.Inbox

/**
 * A linked pair of in-memory transports: what one side sends, the other
 * receives (in a microtask, in order). Closing the scope closes both sides.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeInMemoryPair: Effect.Effect<readonly [Transport, Transport], never, Scope.Scope> = Effect.gen(
  function*() {
    const ended = yield* Deferred.make<void, TransportError>()
    let open = true
    yield* Scope.addFinalizer(
      yield* Effect.scope,
      Effect.suspend(() => {
        open = false
        return Deferred.succeed(ended, void 0)
      })
    )
    const closed = new TransportError({ reason: "Closed", description: "the in-memory peer is closed" })
    const side = (outbox: Inbox, inbox: Inbox): Transport =>
      make({
        send: (message) =>
          Effect.suspend(() => {
            if (!open) return Effect.fail(closed)
            queueMicrotask(() => outbox.push(message))
            return Effect.void
          }),
        run: (onFrame) => inbox.run(onFrame)
      })
    const toServer = new Inbox(ended)
    const toClient = new Inbox(ended)
    return [side(toServer, toClient), side(toClient, toServer)] as const
  }
)
