/**
 * The bridge to the official SDK's transports: starts and closes them, hands
 * requests off without waiting for their answers, and turns the SDK's
 * failures into `TransportError` / `ProtocolError`.
 *
 * @internal
 */
import type { Transport as SdkTransport } from "@modelcontextprotocol/sdk/shared/transport.js"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Predicate from "effect/Predicate"
import * as Runtime from "effect/Runtime"
import * as Scope from "effect/Scope"
import type { Credentials } from "../HttpTransport.js"
import type * as SdkTransportModule from "../SdkTransport.js"
import type * as Transport from "../Transport.js"
import { isProtocolError, isTransportError, ProtocolError, TransportError } from "./errors.js"
import * as Frames from "./frames.js"
import * as HttpStatus from "./httpStatus.js"
import * as Json from "./json.js"
import type * as McpSchema from "./schema.js"
import * as internalTransport from "./transport.js"

const defaultCloseTimeout = Duration.seconds(5)

/** @internal */
export const fromSdk = <E = never, R = never>(
  acquire: Effect.Effect<SdkTransport, E, R> | (() => SdkTransport),
  options?: SdkTransportModule.Options
): Effect.Effect<Transport.Transport, TransportError | E, Scope.Scope | R> =>
  Effect.gen(function*() {
    const sdk = Effect.isEffect(acquire) ? yield* acquire : yield* Effect.sync(acquire)
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const ended = yield* Deferred.make<void, TransportError>()
    const inbox = new internalTransport.Inbox(ended)
    sdk.onmessage = (message) => {
      inbox.push(Json.isDeeperThan(message, Json.maxDepth) ? Frames.refuseDeep(message, "a message") : message)
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
    const scope = yield* Effect.scope
    yield* Effect.tryPromise({
      try: () => sdk.start(),
      catch: (cause) => sdkFailure(cause, "Connect", undefined, credentials)
    }).pipe(
      Effect.zipRight(Scope.addFinalizer(
        scope,
        Effect.promise(() => sdk.close().catch(() => undefined)).pipe(
          Effect.interruptible,
          Effect.timeoutOption(options?.closeTimeout ?? defaultCloseTimeout),
          Effect.zipRight(Deferred.succeed(ended, void 0))
        )
      )),
      Effect.uninterruptible
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
        inbox.push(answer ?? new Frames.RequestFailure(id, requestError(error)))
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
    return internalTransport.make({
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
  isProtocolError(error) || isTransportError(error)
    ? error
    : error instanceof SyntaxError || error.name === "ZodError" || error.name === "$ZodError"
    ? new ProtocolError({
      reason: "Parse",
      description: HttpStatus.redact(error.message, credentials),
      cause: HttpStatus.redactCause(error, credentials)
    })
    : new TransportError({
      reason: "Read",
      description: HttpStatus.redact(HttpStatus.describeCause(error), credentials),
      cause: HttpStatus.redactCause(error, credentials)
    })

// What fails one request handed to the SDK: a body that is not JSON, or one
// refused by the client's own checks (too large), is the server's fault, not
// the connection's.
const requestError = (error: TransportError): TransportError | ProtocolError => {
  const cause = error.cause
  if (isProtocolError(cause)) return cause
  if (Predicate.hasProperty(cause, "cause") && isProtocolError(cause.cause)) return cause.cause
  if (Predicate.hasProperty(cause, "code") && cause.code === -1 && /content type/i.test(error.description)) {
    return new ProtocolError({ reason: "InvalidMessage", description: error.description, cause })
  }
  if (cause instanceof SyntaxError) {
    return new ProtocolError({ reason: "Parse", description: `the answer is not JSON: ${error.description}`, cause })
  }
  return error
}

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
  const described = HttpStatus.redact(HttpStatus.describeCause(cause), credentials)
  // the SDK's messages ("Error POSTing to endpoint: ...") do not all say the status
  const detail = status !== undefined && status >= 400 && !described.includes(String(status))
    ? `HTTP ${status}: ${described}`
    : described
  const kept = HttpStatus.redactCause(cause, credentials)
  if (isAuthFailure(cause)) return HttpStatus.httpStatusError({ status: 401, detail, cause: kept, credentials })
  if (status !== undefined && status >= 400) {
    const error = HttpStatus.httpStatusError({ status, detail, sessionId, cause: kept, credentials })
    if (error.reason !== "Write") return error
  }
  const refused = /ECONNREFUSED|fetch failed|ENOTFOUND|EHOSTUNREACH|ECONNRESET/.test(detail)
  return new TransportError({
    reason: refused ? "Connect" : reason,
    description: refused ? `${detail}. Is the server running and the URL right?` : detail,
    cause: kept
  })
}

const isAuthFailure = (cause: unknown): boolean =>
  cause instanceof Error &&
  (cause.name === "UnauthorizedError" || Predicate.isTagged(cause, "AuthorizationError") ||
    Predicate.hasProperty(cause, "errorCode") || /Unauthorized|invalid_grant|access_denied/.test(cause.message))
