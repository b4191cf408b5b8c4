/**
 * A transport moves JSON-RPC messages between the client and one server. It
 * knows nothing of MCP methods: framing, connection and process handling live
 * here, the protocol lives in the client.
 *
 * @since 0.1.0
 */
import type { Transport as SdkTransport } from "@modelcontextprotocol/sdk/shared/transport.js"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Mailbox from "effect/Mailbox"
import * as Predicate from "effect/Predicate"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Json from "./internal/json.js"
import { ProtocolError, TransportError } from "./McpError.js"
import type * as McpSchema from "./McpSchema.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@effect-mcp/client/Transport")

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

const relatedRequestKey: unique symbol = Symbol.for("@effect-mcp/client/Transport/relatedRequest")

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
export const markRelated = (message: object, id: McpSchema.RequestId): void => {
  ;(message as { [relatedRequestKey]?: McpSchema.RequestId })[relatedRequestKey] = id
}

/**
 * The request a message was marked as belonging to (see `markRelated`).
 *
 * @since 0.3.0
 * @category utils
 */
export const relatedRequest = (message: object): McpSchema.RequestId | undefined =>
  (message as { [relatedRequestKey]?: McpSchema.RequestId })[relatedRequestKey]

/**
 * A frame saying that the answer to one request cannot come, and why. The
 * client fails that request with `error`; the connection lives on (unless
 * the error says the session has expired).
 *
 * @since 0.2.0
 * @category models
 */
export class RequestFailure {
  constructor(
    readonly id: McpSchema.RequestId,
    readonly error: TransportError | ProtocolError,
    /**
     * The request was lost on its way (its answer stream broke, and the
     * stateless revision has no resumption): the client may send it again,
     * under a new id.
     */
    readonly resend = false
  ) {}
}

/**
 * Whether a protocol revision is one of the stateless ones (2026-07-28 and
 * later): no handshake, no session, every request self-contained.
 *
 * @since 0.3.0
 * @category protocol versions
 */
export const isStateless = (version: string | undefined): boolean => version !== undefined && version >= "2026-07-28"

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
export class MaxMessageBytes extends Context.Reference<MaxMessageBytes>()(
  "@effect-mcp/client/Transport/MaxMessageBytes",
  { defaultValue: () => 16 * 1024 * 1024 }
) {}

/**
 * The `ProtocolError` for a message larger than `MaxMessageBytes`.
 *
 * @since 0.2.0
 * @category errors
 */
export const tooLarge = (where: string, limit: number): ProtocolError =>
  new ProtocolError({
    reason: "TooLarge",
    detail: `${where} is larger than ${formatBytes(limit)}, the limit the client was given ` +
      `(option maxMessageBytes); it was not read`
  })

/** @internal */
export const formatBytes = (bytes: number): string =>
  bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0
    ? `${bytes / (1024 * 1024)} MiB`
    : bytes >= 1024 && bytes % 1024 === 0
    ? `${bytes / 1024} KiB`
    : `${bytes} bytes`

/**
 * One JSON-RPC message (or batch) from text: the value, or what a transport
 * pushes instead when it is no use: a `ProtocolError` for text that is not
 * JSON or is nested too deep (512 levels), a `RequestFailure` when what is
 * nested too deep is the answer to a request. Never throws, whatever the text.
 *
 * @since 0.2.0
 * @category parsing
 */
export const parseJson = (text: string, where: string): unknown => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    return new ProtocolError({ reason: "Parse", detail: `${where} is not JSON: ${Json.preview(text)}`, cause })
  }
  return Json.tooDeep(value, text.length) ? refuseDeep(value, where) : value
}

const refuseDeep = (value: unknown, where: string): ProtocolError | RequestFailure => {
  const error = new ProtocolError({
    reason: "InvalidMessage",
    detail: `${where} is nested deeper than ${Json.maxDepth} levels; it was not read`
  })
  if (Predicate.isRecord(value) && (typeof value.id === "number" || typeof value.id === "string")) {
    if ("result" in value || "error" in value) return new RequestFailure(value.id, error)
  }
  return error
}

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
export const make = (options: Omit<Transport, TypeId>): Transport => ({ [TypeId]: TypeId, ...options })

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
    abandon: options.abandon
  })

/**
 * For transport authors: where pushed frames go, to the running reader or
 * held until `run` starts; `run` ends with `ended`.
 *
 * @since 0.1.0
 * @category constructors
 */
export class Inbox {
  private handler: ((frame: unknown) => void) | undefined = undefined
  private held: Array<unknown> = []
  constructor(readonly ended: Deferred.Deferred<void, TransportError>) {}
  push(frame: unknown): void {
    if (this.handler === undefined) this.held.push(frame)
    else this.handler(frame)
  }
  run(onFrame: (frame: unknown) => void): Effect.Effect<void, TransportError> {
    return Effect.suspend(() => {
      const held = this.held
      this.held = []
      for (const frame of held) onFrame(frame)
      this.handler = onFrame
      return Deferred.await(this.ended)
    })
  }
}

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
    yield* Effect.addFinalizer(() => {
      open = false
      return Deferred.succeed(ended, void 0)
    })
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

const defaultCloseTimeout = Duration.seconds(5)

/**
 * Wraps a transport of the official TypeScript SDK (Streamable HTTP, SSE,
 * WebSocket, in-memory, or one of your own): it is started when the scope
 * opens and closed when it closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSdk = <E = never, R = never>(
  acquire: Effect.Effect<SdkTransport, E, R> | (() => SdkTransport),
  options?: {
    readonly closeTimeout?: Duration.DurationInput | undefined
    /** The credentials the SDK's transport sends: kept out of error texts, and the refusal advice fits them. */
    readonly credentials?: Credentials | undefined
    /**
     * Given a function that pushes a frame, for failures the SDK does not
     * report against their request (an event stream cut before its answer).
     */
    readonly feed?: ((push: (frame: RequestFailure) => void) => void) | undefined
    /** Releases what is held for a request the client no longer waits for. */
    readonly abandon?: ((id: McpSchema.RequestId) => void) | undefined
    /** Wraps each write to the SDK's transport, to retry one that failed (after an authorization, say). */
    readonly wrapSend?:
      | ((write: (message: McpSchema.JsonRpcMessage) => Effect.Effect<void, TransportError>) => (
        message: McpSchema.JsonRpcMessage
      ) => Effect.Effect<void, TransportError>)
      | undefined
  }
): Effect.Effect<Transport, TransportError | E, Scope.Scope | R> =>
  Effect.gen(function*() {
    const sdk = Effect.isEffect(acquire) ? yield* acquire : yield* Effect.sync(acquire)
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const ended = yield* Deferred.make<void, TransportError>()
    const inbox = new Inbox(ended)
    sdk.onmessage = (message) => {
      inbox.push(Json.isDeeperThan(message, Json.maxDepth) ? refuseDeep(message, "a message") : message)
    }
    const credentials = options?.credentials
    // an abort is the client's own doing: closing, or a request abandoned
    // a refused POST also fails the send that made it: its request hears of it, once
    sdk.onerror = (error) => {
      if (error.name !== "AbortError" && !error.message.includes("Error POSTing to endpoint")) {
        inbox.push(classifySdkError(error, credentials))
      }
    }
    options?.feed?.((frame) => inbox.push(frame))
    // requests the SDK is still sending, and whether the client abandoned them
    const sending = new Map<McpSchema.RequestId, boolean>()
    sdk.onclose = () => {
      Deferred.unsafeDone(ended, Exit.void)
    }
    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => sdk.start(),
        catch: (cause) => sdkFailure(cause, "Connect", undefined, credentials)
      }),
      () =>
        Effect.promise(() => sdk.close().catch(() => undefined)).pipe(
          Effect.interruptible,
          Effect.timeoutOption(options?.closeTimeout ?? defaultCloseTimeout),
          Effect.zipRight(Deferred.succeed(ended, void 0))
        )
    )
    const write = (message: McpSchema.JsonRpcMessage) =>
      Effect.tryPromise({
        try: () => sdk.send(message as Parameters<SdkTransport["send"]>[0]),
        catch: (cause) => sdkFailure(cause, "Write", sdk.sessionId, credentials)
      })
    const send = options?.wrapSend === undefined ? write : options.wrapSend(write)
    const failed = (id: McpSchema.RequestId, error: TransportError) => {
      // the client stopped waiting: its abort is no news to it
      if (sending.get(id) !== true) {
        // an HTTP refusal whose body is a JSON-RPC error is the server's answer to the request
        const answer = error.reason === "Write" ? errorAnswerIn(error.description, id) : undefined
        inbox.push(answer ?? new RequestFailure(id, requestError(error)))
      }
      sending.delete(id)
    }
    // a promise rather than a fiber when nothing wraps the write: this is the
    // hot path of every call
    const handOff = (id: McpSchema.RequestId, message: McpSchema.JsonRpcMessage) => {
      sending.set(id, false)
      if (options?.wrapSend !== undefined) {
        runFork(
          Effect.catchAll(send(message), (error) => Effect.sync(() => failed(id, error))).pipe(
            Effect.ensuring(Effect.sync(() => sending.delete(id)))
          )
        )
        return
      }
      sdk.send(message as Parameters<SdkTransport["send"]>[0]).then(
        () => sending.delete(id),
        (cause) => failed(id, sdkFailure(cause, "Write", sdk.sessionId, credentials))
      )
    }
    return make({
      // a request is handed off: the SDK's HTTP transports settle `send` only
      // when the answer's headers arrive, and the deadline must not wait for them
      send: (message) =>
        "method" in message && "id" in message
          ? Effect.sync(() => handOff(message.id, message))
          : send(message),
      run: (onFrame) => inbox.run(onFrame),
      setProtocolVersion: sdk.setProtocolVersion === undefined ?
        undefined :
        // `undefined` forgets it: the SDK's transports send the header only when they have one
        (version) => sdk.setProtocolVersion!(version as string),
      abandon: options?.abandon === undefined ? undefined : (id) => {
        if (sending.has(id)) sending.set(id, true)
        options.abandon!(id)
      },
      sessionId: () => sdk.sessionId
    })
  })

const classifySdkError = (error: Error, credentials: Credentials | undefined): ProtocolError | TransportError =>
  error instanceof ProtocolError || error instanceof TransportError
    ? error
    : error instanceof SyntaxError || error.name === "ZodError" || error.name === "$ZodError"
    ? new ProtocolError({
      reason: "Parse",
      detail: redact(error.message, credentials),
      cause: redactCause(error, credentials)
    })
    : new TransportError({
      reason: "Read",
      description: redact(describeCause(error), credentials),
      cause: redactCause(error, credentials)
    })

// What fails one request handed to the SDK: a body that is not JSON, or one
// refused by the client's own checks (too large), is the server's fault, not
// the connection's.
const requestError = (error: TransportError): TransportError | ProtocolError => {
  const cause = error.cause
  if (cause instanceof ProtocolError) return cause
  if (Predicate.hasProperty(cause, "cause") && cause.cause instanceof ProtocolError) return cause.cause
  if (Predicate.hasProperty(cause, "code") && cause.code === -1 && /content type/i.test(error.description)) {
    return new ProtocolError({ reason: "InvalidMessage", detail: error.description, cause })
  }
  if (cause instanceof SyntaxError) {
    return new ProtocolError({ reason: "Parse", detail: `the answer is not JSON: ${error.description}`, cause })
  }
  return error
}

/**
 * What a transport knows of the credentials it sends: their kind, for the
 * advice an error gives when the server refuses them, and their values, to
 * keep them out of every error text (a server may echo them back). `secrets`
 * is live: a transport adds the tokens of an auth provider as it reads them.
 *
 * @since 0.2.0
 * @category models
 */
export interface Credentials {
  readonly kind: "none" | "static" | "provider"
  readonly secrets: ReadonlySet<string>
}

// Shorter values would blank out ordinary words of a message; a credential
// that short is no secret anyway.
const minSecretLength = 4

/**
 * `text` with every secret of `credentials` (as given, and URL-encoded)
 * replaced by `[redacted]`.
 *
 * @since 0.2.0
 * @category errors
 */
export const redact = (text: string, credentials: Credentials | undefined): string => {
  if (credentials === undefined || credentials.secrets.size === 0) return text
  let result = text
  for (const secret of credentials.secrets) {
    if (secret.length < minSecretLength) continue
    result = result.split(secret).join("[redacted]")
    const encoded = encodeURIComponent(secret)
    if (encoded !== secret) result = result.split(encoded).join("[redacted]")
  }
  return result
}

/**
 * A cause fit to keep in an error: the same one, or, when its text shows a
 * secret, an `Error` of the same name with the secrets redacted (and no stack).
 *
 * @since 0.2.0
 * @category errors
 */
export const redactCause = (cause: unknown, credentials: Credentials | undefined): unknown => {
  if (credentials === undefined || credentials.secrets.size === 0 || cause === undefined) return cause
  if (cause instanceof ProtocolError || cause instanceof TransportError) return cause
  const text = cause instanceof Error ? `${describeCause(cause)}\n${cause.stack ?? ""}` : String(cause)
  if (redact(text, credentials) === text) return cause
  const copy = new Error(redact(describeCause(cause), credentials))
  copy.name = cause instanceof Error ? cause.name : "Error"
  copy.stack = `${copy.name}: ${copy.message}`
  return copy
}

// The JSON-RPC error in the text of a refused HTTP request (the SDK puts the
// body in its message), as the answer to request `id`.
const errorAnswerIn = (text: string, id: McpSchema.RequestId): McpSchema.JsonRpcMessage | undefined => {
  const start = text.indexOf("{")
  if (start < 0 || !text.includes("\"error\"")) return undefined
  let body: unknown
  try {
    body = JSON.parse(text.slice(start))
  } catch {
    return undefined
  }
  if (!Predicate.isRecord(body) || body.jsonrpc !== "2.0" || !Predicate.isRecord(body.error)) return undefined
  const { code, message } = body.error
  if (typeof code !== "number" || typeof message !== "string") return undefined
  if (body.id !== null && body.id !== undefined && body.id !== id) return undefined
  return { jsonrpc: "2.0", id, error: body.error as { code: number; message: string } } as McpSchema.JsonRpcMessage
}

/** @internal */
export const sdkFailure = (
  cause: unknown,
  reason: "Connect" | "Write",
  sessionId?: string | undefined,
  credentials?: Credentials | undefined
): TransportError => {
  const status = Predicate.hasProperty(cause, "code") && typeof cause.code === "number" ? cause.code : undefined
  const described = redact(describeCause(cause), credentials)
  // the SDK's messages ("Error POSTing to endpoint: ...") do not all say the status
  const detail = status !== undefined && status >= 400 && !described.includes(String(status))
    ? `HTTP ${status}: ${described}`
    : described
  const kept = redactCause(cause, credentials)
  if (isAuthFailure(cause)) return httpStatusError({ status: 401, detail, cause: kept, credentials })
  if (status !== undefined && status >= 400) {
    const error = httpStatusError({ status, detail, sessionId, cause: kept, credentials })
    if (error.reason !== "Write") return error
  }
  const refused = /ECONNREFUSED|fetch failed|ENOTFOUND|EHOSTUNREACH|ECONNRESET/.test(detail)
  return new TransportError({
    reason: refused ? "Connect" : reason,
    description: refused ? `${detail}. Is the server running and the URL right?` : detail,
    cause: kept
  })
}

/**
 * The advice for a refusal of the client's credentials (HTTP 401 or 403),
 * for what the client was given.
 *
 * @since 0.2.0
 * @category errors
 */
export const unauthorizedAdvice = (kind: Credentials["kind"] | undefined): string => {
  switch (kind) {
    case "provider":
      return "Sign in again (clear the client's stored tokens)"
    case "static":
      return "Check the bearer token and headers you gave the client"
    case "none":
      return "The server requires credentials; none were given (give a bearer token, headers or an auth provider)"
    default:
      return "Check the client's credentials"
  }
}

/**
 * The `TransportError` for an HTTP answer that is not a success: refused
 * credentials are `Unauthorized` (with advice for what the client was given),
 * a 404 for a session the server has forgotten is `SessionExpired`, anything
 * else a `Write` failure. Secrets in `detail` are redacted.
 *
 * @since 0.1.0
 * @category errors
 */
export const httpStatusError = (options: {
  readonly status: number
  readonly detail: string
  readonly sessionId?: string | undefined
  readonly cause?: unknown
  readonly credentials?: Credentials | undefined
  /** The endpoint asked: a 404 at a server's root gets a hint toward the usual paths. */
  readonly url?: URL | undefined
}): TransportError => {
  const { credentials, sessionId, status } = options
  const detail = redact(options.detail, credentials)
  const cause = redactCause(options.cause, credentials)
  if (status === 401 || status === 403) {
    return new TransportError({
      reason: "Unauthorized",
      description: `${detail}. ${unauthorizedAdvice(credentials?.kind)}`,
      cause
    })
  }
  if (status === 404 && sessionId !== undefined) {
    return new TransportError({
      reason: "SessionExpired",
      description: `the server answered HTTP 404 for session ${sessionId}; start a new session`,
      cause
    })
  }
  const hint = status === 404 && options.url !== undefined && /^\/*$/.test(options.url.pathname)
    ? `. MCP servers usually answer at a path: try ${options.url.origin}/mcp (Streamable HTTP) or ` +
      `${options.url.origin}/sse (legacy SSE)`
    : ""
  return new TransportError({ reason: "Write", description: `${detail}${hint}`, cause })
}

// the SDK's UnauthorizedError, its OAuth errors (invalid_grant, ...), a refused authorization
const isAuthFailure = (cause: unknown): boolean =>
  cause instanceof Error &&
  (cause.name === "UnauthorizedError" || Predicate.isTagged(cause, "AuthorizationError") ||
    Predicate.hasProperty(cause, "errorCode") || /Unauthorized|invalid_grant|access_denied/.test(cause.message))

/** @internal */
export const describeCause = (cause: unknown): string => {
  if (Cause.isCause(cause)) return Cause.pretty(cause)
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? ` (${describeCause(cause.cause)})` : ""
    const code = Predicate.hasProperty(cause, "code") && typeof cause.code === "string" ? ` [${cause.code}]` : ""
    return `${cause.message}${code}${inner}`
  }
  return String(cause)
}
