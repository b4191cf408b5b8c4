/**
 * The protocol engine: one initialized JSON-RPC session over a transport.
 * Request ids, the pending map, deadlines (one timer fiber per session, on the
 * `Clock`), progress routing, cancellation, answering server requests.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberHandle from "effect/FiberHandle"
import * as FiberId from "effect/FiberId"
import * as FiberMap from "effect/FiberMap"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Runtime from "effect/Runtime"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import type * as Tracer from "effect/Tracer"
import type * as Transport from "../Transport.js"
import { isMcpError, McpRpcError, ProtocolError, TimeoutError, TransportError } from "./errors.js"
import * as Frames from "./frames.js"
import * as Json from "./json.js"
import * as McpHeaders from "./mcpHeaders.js"
import * as McpSchema from "./schema.js"
import * as Telemetry from "./telemetry.js"
import * as InternalTransport from "./transport.js"

/** @internal */
export interface RequestOptions {
  /** Idle limit: the time allowed without a response or progress. */
  readonly timeout?: Duration.DurationInput | undefined
  /** A cap on the whole request, whatever progress arrives. */
  readonly totalTimeout?: Duration.DurationInput | undefined
  readonly onProgress?: ((progress: McpSchema.Progress) => Effect.Effect<void>) | undefined
  /**
   * Notifications that name this request as theirs (revision 2026-07-28's
   * `subscriptions/listen`: `_meta["io.modelcontextprotocol/subscriptionId"]`,
   * or a bare `subscriptionId`), called on the reader, in addition to the
   * session's notification handling.
   */
  readonly onNotification?: ((notification: McpSchema.ServerNotification) => void) | undefined
  /** Headers for this request, on transports that carry them (`Mcp-Param-*`). */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** A JSON-RPC error answer for a server request. */
export interface HandlerError {
  readonly code: number
  readonly message: string
  readonly data?: unknown
}

// A JSON-RPC error needs an integer code and a message, or the server may
// never take it as the answer (and wait for one)
const wellFormed = (error: HandlerError): HandlerError => {
  const code = Number.isInteger(error.code) ? error.code : McpSchema.ErrorCode.InternalError
  const message = typeof error.message === "string" && error.message.length > 0
    ? error.message
    : "The client's handler failed and gave no reason"
  if (code === error.code && message === error.message) return error
  return error.data === undefined ? { code, message } : { code, message, data: error.data }
}

/** @internal */
export type RequestHandler = (params: unknown) => Effect.Effect<unknown, HandlerError>

/** @internal */
export interface ProtocolOptions {
  readonly transport: Transport.Transport
  readonly requestTimeout: Duration.Duration
  readonly handlers: ReadonlyMap<string, RequestHandler>
  readonly onNotification: (notification: McpSchema.ServerNotification) => void
  /**
   * How many notifications have been handed to `onNotification`, and an
   * Effect that waits until their handlers have seen the first `count`
   * (`undefined` when they have): a call returns only after its handlers saw
   * what the server sent before the answer.
   */
  readonly notificationsReceived: () => number
  readonly notificationsHandled: (count: number) => Effect.Effect<void> | undefined
  readonly onProblem: (problem: ProtocolError | TransportError) => void
  /** The session ended for a reason of its own (not the client closing it). */
  readonly onClosed?: ((error: TransportError) => void) | undefined
  /**
   * Not `"off"`: requests carry the current span's `traceparent` in `_meta`,
   * and a server request's handler runs under the span it names (or that of
   * the request it belongs to); `"full"`: in a span of its own.
   */
  readonly tracing?: Telemetry.Tracing | undefined
}

/** @internal */
export interface Protocol {
  readonly request: (
    method: string,
    params: Record<string, unknown> | undefined,
    options?: RequestOptions
  ) => Effect.Effect<unknown, McpRpcError | TimeoutError | TransportError | ProtocolError>
  readonly requestNoCancel: (
    method: string,
    params: Record<string, unknown> | undefined,
    timeout: Duration.Duration
  ) => Effect.Effect<unknown, McpRpcError | TimeoutError | TransportError | ProtocolError>
  readonly notify: (method: string, params?: Record<string, unknown>) => Effect.Effect<void, TransportError>
  /** Why the session ended, once it has. */
  readonly closedWith: () => TransportError | undefined
  /**
   * The revision spoken from now on: it says whether batches are allowed,
   * and whether requests carry the stateless revision's `_meta` envelope and
   * headers.
   */
  readonly setProtocolVersion: (version: string | undefined) => void
  /**
   * The `_meta` every request carries in the stateless revision (protocol
   * version, client capabilities and info, log level).
   */
  readonly setEnvelope: (envelope: Record<string, unknown> | undefined) => void
  readonly pendingCount: () => number
  /** How many requests the server has answered with a result. */
  readonly answered: () => number
}

type Outcome = Effect.Effect<unknown, McpRpcError | TimeoutError | TransportError | ProtocolError>

class Pending {
  resume: ((outcome: Outcome) => void) | undefined = undefined
  early: Outcome | undefined = undefined
  resent = false
  /** The span the request was sent in, when tracing: the parent of what the server asks meanwhile. */
  span: Tracer.AnySpan | undefined = undefined
  constructor(
    public id: number,
    readonly method: string,
    readonly idleMillis: number,
    readonly totalMillis: number,
    readonly totalDeadline: number,
    public deadline: number,
    readonly cancellable: boolean,
    readonly progress: Mailbox.Mailbox<McpSchema.Progress> | undefined,
    /** The request carries the engine's progress token (its id), not one of the caller's. */
    readonly ownToken: boolean,
    public message: McpSchema.JsonRpcRequest | undefined,
    readonly headers: Readonly<Record<string, string>> | undefined,
    readonly onNotification: ((notification: McpSchema.ServerNotification) => void) | undefined
  ) {}
}

const infinite = Number.POSITIVE_INFINITY

// the server has forgotten the session (HTTP 404): nothing more can go over it
const isExpiry = (error: { readonly _tag: string }): error is TransportError =>
  error._tag === "TransportError" && (error as TransportError).reason === "SessionExpired"

const toMillis = (input: Duration.DurationInput | undefined): number | undefined => {
  if (input === undefined) return undefined
  const duration = Duration.decode(input)
  return Duration.isFinite(duration) ? Duration.toMillis(duration) : infinite
}

/** @internal */
export const make = (options: ProtocolOptions): Effect.Effect<Protocol, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { transport } = options
    const tracing = options.tracing ?? "off"
    const runtime = yield* Effect.runtime<never>()
    const runFork = Runtime.runFork(runtime)
    const clock = yield* Effect.clock
    const defaultIdleMillis = toMillis(options.requestTimeout) ?? infinite
    const pending = new Map<number, Pending>()
    // the handlers of the server's requests, by id, and the deadline timer: interrupted with the session
    const serverRequests = yield* FiberMap.make<McpSchema.RequestId, void, never>()
    const timer = yield* FiberHandle.make<void, never>()
    // how many of the server's requests are being handled (a FiberMap has no synchronous size)
    let handling = 0
    let nextId = 0
    let answered = 0
    let closed: TransportError | undefined
    let timerWake = infinite

    const report = options.onProblem
    // revision 2025-03-26 lets a server send JSON-RPC batches; the others do not
    let batches = true
    // the stateless revision: every request carries the envelope (and, over HTTP, its headers)
    let envelope: Record<string, unknown> | undefined
    let stateless = false
    let carriesHeaders = false
    // requests that asked for the notifications naming them (listen streams)
    let listeners = 0
    // a flood of server requests is refused rather than given a fiber each
    const maxServerRequests = 256
    const maxPosts = 1024

    const settle = (entry: Pending, outcome: Outcome) => {
      pending.delete(entry.id)
      entry.message = undefined
      if (entry.onNotification !== undefined) listeners--
      if (entry.progress !== undefined) entry.progress.unsafeDone(Exit.void)
      if (entry.resume !== undefined) entry.resume(outcome)
      else entry.early = outcome
    }

    // a notification waits for room to write, never longer than a request would for its answer
    const notifyTimeout = Duration.isFinite(options.requestTimeout) ? options.requestTimeout : Duration.seconds(60)

    // What the client sends of its own accord (answers to the server's
    // requests, cancellations) waits for room to write at most notifyTimeout,
    // and at most maxPosts of them at once: a server that floods requests and
    // stops reading cannot pile them up in the host.
    let posting = 0
    const post = (message: McpSchema.JsonRpcMessage): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (closed !== undefined) return Effect.void
        if (posting >= maxPosts) {
          report(
            new ProtocolError({
              reason: "InvalidMessage",
              description: `dropped a message to the server: ${maxPosts} are still waiting for it to read`
            })
          )
          return Effect.void
        }
        posting++
        return transport.send(message).pipe(
          Effect.timeout(notifyTimeout),
          Effect.ignore,
          Effect.ensuring(Effect.sync(() => {
            posting--
          }))
        )
      })

    // in the stateless revision, closing an HTTP request's stream is how it is cancelled
    const sendCancelled = (id: number, reason: string) =>
      stateless && transport.cancelsByClosing === true
        ? Effect.void
        : post({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id, reason } })

    const requestHeaders = (
      method: string,
      params: Record<string, unknown> | undefined,
      extra: Readonly<Record<string, string>> | undefined
    ): Readonly<Record<string, string>> | undefined => {
      if (!stateless) return extra
      const headers = McpHeaders.methodHeaders(method, params)
      return extra === undefined ? headers : { ...headers, ...extra }
    }

    // The stateless revision has no resumption: a request whose answer stream
    // broke is sent again, once, under a new id (its progress token follows).
    const resend = (entry: Pending, error: TransportError | ProtocolError) => {
      const message = entry.message
      if (message === undefined || entry.resent || closed !== undefined) {
        return settle(entry, Effect.fail(error))
      }
      entry.resent = true
      pending.delete(entry.id)
      const id = nextId++
      entry.id = id
      const previous = message.params as Record<string, unknown> | undefined
      const meta = previous?._meta as Record<string, unknown> | undefined
      const params = entry.ownToken ? { ...previous, _meta: { ...meta, progressToken: id } } : previous
      entry.message = { jsonrpc: "2.0", id, method: message.method, params }
      pending.set(id, entry)
      runFork(Effect.catchAll(transport.send(entry.message, entry.headers), (sendError) =>
        Effect.sync(() => {
          if (pending.get(id) === entry) settle(entry, Effect.fail(sendError))
        })))
    }

    // -- deadlines -------------------------------------------------------------

    const sweep = (): Effect.Effect<void> =>
      Effect.suspend(() => {
        const now = clock.unsafeCurrentTimeMillis()
        let next = infinite
        const expired: Array<Pending> = []
        for (const entry of pending.values()) {
          if (entry.deadline <= now) expired.push(entry)
          else if (entry.deadline < next) next = entry.deadline
        }
        timerWake = next
        for (const entry of expired) {
          const total = entry.deadline === entry.totalDeadline
          settle(
            entry,
            Effect.fail(
              new TimeoutError({
                method: entry.method,
                timeout: Duration.millis(total ? entry.totalMillis : entry.idleMillis),
                kind: total ? "total" : "idle"
              })
            )
          )
          transport.abandon?.(entry.id)
          if (entry.cancellable) runFork(sendCancelled(entry.id, "timeout"))
        }
        if (next === infinite) return Effect.void
        return Effect.zipRight(Effect.sleep(Duration.millis(next - now)), sweep())
      })

    const armTimer = (deadline: number) => {
      if (deadline >= timerWake) return
      timerWake = deadline
      const delay = Math.max(0, deadline - clock.unsafeCurrentTimeMillis())
      // the timer it replaces is interrupted
      FiberHandle.unsafeSet(timer, runFork(Effect.zipRight(Effect.sleep(Duration.millis(delay)), sweep())))
    }

    // -- outgoing requests -----------------------------------------------------

    // The entry is registered under the mask, so that an interruption can
    // never leave it behind: from there on, the failure handler cleans up.
    // No canceler on the async: Effect wraps one in onInterrupt, which costs
    // more than the rest of a call (measured: 1.9 µs against 0.45 for this
    // mask).
    const start = (
      method: string,
      params: Record<string, unknown> | undefined,
      idleInput: Duration.DurationInput | undefined,
      totalInput: Duration.DurationInput | undefined,
      progress: Mailbox.Mailbox<McpSchema.Progress> | undefined,
      cancellable: boolean,
      requestOptions?: RequestOptions,
      span?: Tracer.AnySpan
    ): Outcome =>
      Effect.uninterruptibleMask((restore): Outcome => {
        if (closed !== undefined) return Effect.fail(closed)
        const id = nextId++
        const now = clock.unsafeCurrentTimeMillis()
        const idleMillis = toMillis(idleInput) ?? defaultIdleMillis
        const totalMillis = toMillis(totalInput) ?? infinite
        const totalDeadline = now + totalMillis
        const deadline = Math.min(now + idleMillis, totalDeadline)
        // every request that can take long carries a progress token, so that
        // progress reaches the client's handlers and resets the idle deadline
        const meta = params?._meta as Record<string, unknown> | undefined
        const ownToken = cancellable && method !== "ping" && meta?.progressToken === undefined
        const message: McpSchema.JsonRpcRequest = {
          jsonrpc: "2.0",
          id,
          method,
          params: envelope !== undefined
            ? { ...params, _meta: ownToken ? { ...meta, ...envelope, progressToken: id } : { ...meta, ...envelope } }
            : ownToken
            ? { ...params, _meta: { ...meta, progressToken: id } }
            : params
        }
        const headers = carriesHeaders ? requestHeaders(method, params, requestOptions?.headers) : undefined
        const entry = new Pending(
          id,
          method,
          idleMillis,
          totalMillis,
          totalDeadline,
          deadline,
          cancellable,
          progress,
          ownToken,
          // kept for sending again: only the stateless revision does that
          stateless ? message : undefined,
          headers,
          requestOptions?.onNotification
        )
        pending.set(id, entry)
        if (span !== undefined) {
          entry.span = span
          if (tracing === "full" && span._tag === "Span") span.attribute("jsonrpc.request.id", id)
        }
        if (entry.onNotification !== undefined) listeners++
        if (deadline !== infinite) armTimer(deadline)
        const awaitOutcome: Outcome = Effect.async((resume) => {
          if (entry.early !== undefined) resume(entry.early)
          else entry.resume = resume
        })
        return Effect.catchAllCause(
          restore(Effect.zipRight(transport.send(message, headers), awaitOutcome)),
          (cause) => {
            // settled: the outcome's own failure (an error answer, a timeout, a closed session)
            // (the entry's id is the request's latest: a lost request is sent again under a new one)
            if (!pending.delete(entry.id)) return Effect.failCause(cause)
            if (entry.onNotification !== undefined) listeners--
            progress?.unsafeDone(Exit.void)
            transport.abandon?.(entry.id)
            if (Cause.isInterruptedOnly(cause)) {
              return cancellable
                ? Effect.zipRight(sendCancelled(entry.id, "interrupted"), Effect.failCause(cause))
                : Effect.failCause(cause)
            }
            // the send failed; if the server has forgotten this session, nothing more can go over it
            const failure = Cause.failureOption(cause)
            return failure._tag === "Some" && isExpiry(failure.value)
              ? Effect.zipRight(shutdown(failure.value), Effect.failCause(cause))
              : Effect.failCause(cause)
          }
        )
      })

    // Progress is handed to the caller's handler by a fiber of its own, so a
    // slow handler never holds up the reader; the call returns only after the
    // handler has seen every notification that arrived before the response.
    // The fiber takes from the mailbox itself: a Stream over it costs 0.1 to
    // 1 ms to start and end, more than a fast call.
    const deliver = (
      mailbox: Mailbox.Mailbox<McpSchema.Progress>,
      onProgress: (progress: McpSchema.Progress) => Effect.Effect<void>
    ): Effect.Effect<void> =>
      Effect.flatMap(mailbox.takeAll, ([received, done]) => {
        const handled = Effect.forEach(received, onProgress, { discard: true })
        return done ? handled : Effect.zipRight(handled, deliver(mailbox, onProgress))
      })

    const withProgress = (
      onProgress: (progress: McpSchema.Progress) => Effect.Effect<void>,
      run: (mailbox: Mailbox.Mailbox<McpSchema.Progress>) => Outcome
    ): Outcome =>
      Effect.flatMap(Mailbox.make<McpSchema.Progress>(), (mailbox) =>
        Effect.flatMap(
          Effect.forkDaemon(deliver(mailbox, onProgress)),
          (delivery) =>
            Effect.onExit(run(mailbox), (exit) =>
              Exit.isInterrupted(exit) ? delivery.interruptAsFork(FiberId.none) : Effect.asVoid(delivery.await))
        ))

    const send = (
      method: string,
      params: Record<string, unknown> | undefined,
      requestOptions: RequestOptions | undefined,
      span?: Tracer.AnySpan
    ): Outcome => {
      const onProgress = requestOptions?.onProgress
      return onProgress === undefined
        ? start(
          method,
          params,
          requestOptions?.timeout,
          requestOptions?.totalTimeout,
          undefined,
          true,
          requestOptions,
          span
        )
        : withProgress(
          onProgress,
          (mailbox) =>
            start(
              method,
              params,
              requestOptions?.timeout,
              requestOptions?.totalTimeout,
              mailbox,
              true,
              requestOptions,
              span
            )
        )
    }

    // with tracing, the request carries the current span's trace context
    const inSpan = <A>(
      params: Record<string, unknown> | undefined,
      f: (params: Record<string, unknown> | undefined, span: Tracer.AnySpan | undefined) => Effect.Effect<A, any>
    ): Effect.Effect<A, any> =>
      Effect.flatMap(Telemetry.currentSpan, (span) =>
        span._tag === "None"
          ? f(params, undefined)
          : f(Telemetry.withTraceContext(params, span.value), span.value))

    const request: Protocol["request"] = tracing === "off"
      ? (method, params, requestOptions) =>
        send(method, params, requestOptions)
      : (method, params, requestOptions) =>
        inSpan(params, (traced, span) => send(method, traced, requestOptions, span)) as Outcome

    const requestNoCancel: Protocol["requestNoCancel"] = tracing === "off"
      ? (method, params, timeout) => start(method, params, timeout, undefined, undefined, false)
      : (method, params, timeout) =>
        inSpan(params, (traced, span) =>
          start(method, traced, timeout, undefined, undefined, false, undefined, span)) as Outcome

    const notify: Protocol["notify"] = (method, params) =>
      Effect.suspend(() =>
        closed !== undefined
          ? Effect.fail(closed)
          : transport.send(params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params })
            .pipe(
              Effect.timeoutFail({
                duration: notifyTimeout,
                onTimeout: () =>
                  new TransportError({
                    reason: "Write",
                    description: `the server did not take the notification ${method} within ${
                      Duration.format(notifyTimeout)
                    }: it has stopped reading`
                  })
              })
            )
      )

    // -- incoming --------------------------------------------------------------

    const answer = (id: McpSchema.RequestId, exit: Exit.Exit<unknown, HandlerError>): Effect.Effect<void> => {
      if (Exit.isSuccess(exit)) {
        return post({ jsonrpc: "2.0", id, result: exit.value as object })
      }
      // the server cancelled it: the specification says not to answer
      if (Cause.isInterruptedOnly(exit.cause)) {
        return Effect.void
      }
      const failure = Cause.failureOption(exit.cause)
      const error: HandlerError = failure._tag === "Some"
        ? wellFormed(failure.value)
        : {
          code: McpSchema.ErrorCode.InternalError,
          message: `The client's handler failed: ${Cause.pretty(exit.cause)}`
        }
      return post({ jsonrpc: "2.0", id, error })
    }

    // A server request's handler, under the span the request names in its `_meta`, else the span of
    // the client request it belongs to (when the transport can tell), else a root span of its own.
    const handle = (
      handler: RequestHandler,
      id: McpSchema.RequestId,
      method: string,
      params: unknown,
      frame: object
    ): Effect.Effect<unknown, HandlerError> => {
      if (tracing === "off") {
        return handler(params)
      }
      let parent: Tracer.AnySpan | undefined = Telemetry.parentFromMeta(params)
      if (parent === undefined) {
        const related = InternalTransport.relatedRequest(frame)
        const local = related === undefined ? undefined : toLocalId(related)
        parent = local === undefined ? undefined : pending.get(local)?.span
      }
      if (tracing === "propagation") {
        return parent === undefined
          ? handler(params)
          : Effect.withParentSpan(handler(params), parent)
      }
      return Telemetry.handlerSpan(method, handler(params), parent, { "jsonrpc.request.id": id })
    }

    const onServerRequest = (id: McpSchema.RequestId, method: string, params: unknown, frame: object) => {
      if (method === "ping") {
        runFork(post({ jsonrpc: "2.0", id, result: {} }))
        return
      }
      const handler = options.handlers.get(method)
      const work = handler === undefined
        ? answer(
          id,
          Exit.fail({
            code: McpSchema.ErrorCode.MethodNotFound,
            message: `Method not found: this client does not handle "${method}"`
          })
        )
        : Effect.exit(handle(handler, id, method, params, frame)).pipe(
          Effect.flatMap((exit) =>
            answer(id, exit)
          )
        )
      const fiber = runFork(work)
      // it leaves the map when it ends
      if (handler !== undefined && fiber.unsafePoll() === null) {
        handling++
        fiber.addObserver(() => {
          handling--
        })
        FiberMap.unsafeSet(serverRequests, id, fiber)
      }
    }

    const refuseServerRequest = (id: McpSchema.RequestId, method: string) => {
      runFork(answer(
        id,
        Exit.fail({
          code: McpSchema.ErrorCode.InternalError,
          message: `The client is busy: ${maxServerRequests} requests from the server are still being handled`
        })
      ))
      report(
        new ProtocolError({
          reason: "InvalidMessage",
          description: `refused the server's ${method}: ${maxServerRequests} of its requests are still being handled`
        })
      )
    }

    // ids are numbers on the wire; a server that sends one back as a string ("7") still answers request 7
    const toLocalId = (id: unknown): number | undefined =>
      typeof id === "number" ? id : typeof id === "string" && /^\d{1,15}$/.test(id) ? Number(id) : undefined

    const onRequestFailure = (failure: Frames.RequestFailure) => {
      const id = toLocalId(failure.id)
      const entry = id === undefined ? undefined : pending.get(id)
      const error = failure.error
      if (isExpiry(error)) {
        runFork(shutdown(error))
        return
      }
      if (entry === undefined) report(error)
      else if (failure.resend) resend(entry, error)
      else settle(entry, Effect.fail(error))
    }

    const onResponse = (id: unknown, frame: Record<string, unknown>) => {
      const local = toLocalId(id)
      const entry = local === undefined ? undefined : pending.get(local)
      if (entry === undefined) {
        // a late answer to a request that timed out or was cancelled
        if (local === undefined || local >= nextId) {
          report(
            new ProtocolError({
              reason: "InvalidMessage",
              description: `an answer to no request: ${Json.preview(frame)}`
            })
          )
        }
        return
      }
      if ("result" in frame) {
        answered++
        const received = options.notificationsReceived()
        const handled = received > 0 ? options.notificationsHandled(received) : undefined
        settle(entry, handled === undefined ? Effect.succeed(frame.result) : Effect.as(handled, frame.result))
        return
      }
      const error = frame.error
      if (Predicate.isRecord(error) && typeof error.code === "number") {
        settle(
          entry,
          Effect.fail(
            new McpRpcError({
              method: entry.method,
              code: error.code,
              description: typeof error.message === "string" ? error.message : "(no message)",
              data: error.data
            })
          )
        )
        return
      }
      settle(
        entry,
        Effect.fail(new McpRpcError({ method: entry.method, code: -32603, description: "malformed error response" }))
      )
      report(new ProtocolError({ reason: "InvalidMessage", description: `malformed response: ${Json.preview(frame)}` }))
    }

    const toListener = (method: string, params: unknown) => {
      const meta = Predicate.isRecord(params) ? params._meta : undefined
      const owner = Predicate.isRecord(meta)
        ? toLocalId(meta["io.modelcontextprotocol/subscriptionId"] ?? meta.subscriptionId)
        : undefined
      const entry = owner === undefined ? undefined : pending.get(owner)
      entry?.onNotification?.({ method, params })
    }

    const onProgress = (params: unknown) => {
      if (!Predicate.isRecord(params) || typeof params.progress !== "number") return
      const token = toLocalId(params.progressToken)
      const entry = token === undefined ? undefined : pending.get(token)
      // a token the caller chose may look like one of the engine's ids: only the engine's are routed
      if (entry === undefined || !entry.ownToken) return
      const now = clock.unsafeCurrentTimeMillis()
      entry.deadline = Math.min(now + entry.idleMillis, entry.totalDeadline)
      entry.progress?.unsafeOffer({
        progress: params.progress,
        total: typeof params.total === "number" ? params.total : undefined,
        message: typeof params.message === "string" ? params.message : undefined
      })
    }

    const onFrame = (frame: unknown): void => {
      if (frame instanceof Frames.RequestFailure) return onRequestFailure(frame)
      if (isMcpError(frame)) {
        if (isExpiry(frame)) runFork(shutdown(frame))
        else report(frame as ProtocolError | TransportError)
        return
      }
      if (Array.isArray(frame)) return onBatch(frame)
      if (!Predicate.isRecord(frame) || frame.jsonrpc !== "2.0") {
        return report(
          new ProtocolError({
            reason: "InvalidMessage",
            description: `not a JSON-RPC 2.0 message: ${Json.preview(frame)}`
          })
        )
      }
      const method = frame.method
      if (typeof method === "string") {
        if ("id" in frame) {
          const id = frame.id
          if (typeof id !== "string" && typeof id !== "number") {
            report(
              new ProtocolError({
                reason: "InvalidMessage",
                description: `request id of wrong type: ${Json.preview(frame)}`
              })
            )
          } else if (handling >= maxServerRequests) refuseServerRequest(id, method)
          else onServerRequest(id, method, frame.params, frame)
          return
        }
        if (method === "notifications/progress") onProgress(frame.params)
        else if (listeners > 0) toListener(method, frame.params)
        else if (method === "notifications/cancelled") {
          const params = frame.params
          const target = Predicate.isRecord(params) ? params.requestId : undefined
          const fiber = target === undefined
            ? undefined
            : Option.getOrUndefined(FiberMap.unsafeGet(serverRequests, target as McpSchema.RequestId))
          if (fiber !== undefined) fiber.unsafeInterruptAsFork(FiberId.none)
        }
        options.onNotification(frame.params === undefined ? { method } : { method, params: frame.params })
        return
      }
      if ("id" in frame && ("result" in frame || "error" in frame)) return onResponse(frame.id, frame)
      report(
        new ProtocolError({
          reason: "InvalidMessage",
          description: `message of no known shape: ${Json.preview(frame)}`
        })
      )
    }

    const onBatch = (frames: ReadonlyArray<unknown>) => {
      if (!batches) {
        return report(
          new ProtocolError({
            reason: "InvalidMessage",
            description: `a JSON-RPC batch, which the agreed revision does not allow: ${Json.preview(frames)}`
          })
        )
      }
      if (frames.length === 0) {
        return report(new ProtocolError({ reason: "InvalidMessage", description: "an empty JSON-RPC batch" }))
      }
      for (const frame of frames) {
        if (Array.isArray(frame)) {
          report(
            new ProtocolError({
              reason: "InvalidMessage",
              description: `a batch inside a batch: ${Json.preview(frame)}`
            })
          )
        } else onFrame(frame)
      }
    }

    const shutdown = (error: TransportError, byClient = false) =>
      Effect.suspend(() => {
        if (closed !== undefined) return Effect.void
        closed = error
        if (!byClient) options.onClosed?.(error)
        for (const entry of Array.from(pending.values())) settle(entry, Effect.fail(error))
        const fibers: Array<Fiber.RuntimeFiber<unknown, unknown>> = Array.from(serverRequests, ([, fiber]) => fiber)
        const timerFiber = FiberHandle.unsafeGet(timer)
        if (Option.isSome(timerFiber)) fibers.push(timerFiber.value)
        timerWake = infinite
        return Effect.forEach(fibers, (fiber) => fiber.interruptAsFork(FiberId.none), { discard: true })
      })

    yield* transport.run(onFrame).pipe(
      Effect.matchCauseEffect({
        onSuccess: () =>
          shutdown(new TransportError({ reason: "Closed", description: "the server closed the connection" })),
        onFailure: (cause) => {
          const failure = Cause.failureOption(cause)
          return shutdown(
            failure._tag === "Some"
              ? failure.value
              : new TransportError({ reason: "Read", description: "the reader stopped", cause: Cause.squash(cause) })
          )
        }
      }),
      Effect.interruptible,
      Effect.forkScoped
    )
    // The library's finalizers go on the scope itself: Effect.addFinalizer would
    // diff and patch the FiberRefs for each one at close (with those of Effect's
    // own, close to half of a cold in-memory close: docs/09-performance.md).
    yield* Scope.addFinalizer(
      yield* Effect.scope,
      // a beginClose that dies (a transport of someone else's) must not leave the calls in flight waiting
      Effect.ensuring(
        transport.beginClose ?? Effect.void,
        Effect.suspend(() =>
          shutdown(new TransportError({ reason: "Closed", description: "the client closed the session" }), true)
        )
      )
    )

    return {
      request,
      requestNoCancel,
      notify,
      closedWith: () => closed,
      setProtocolVersion: (version) => {
        batches = version === "2025-03-26"
        stateless = InternalTransport.isStateless(version)
        carriesHeaders = stateless && transport.carriesHeaders === true
      },
      setEnvelope: (meta) => {
        envelope = meta
      },
      pendingCount: () => pending.size,
      answered: () => answered
    } satisfies Protocol
  })

/**
 * A decoder for one method's result. With `fast`, a structural check that
 * returns the value when it fits, the full decode runs only for results that
 * do not (and gives the error).
 *
 * @internal
 */
export const decodeResult = <A, I>(
  schema: Schema.Schema<A, I>,
  method: string,
  fast?: (u: unknown) => A | undefined
) => {
  const decode = Schema.decodeUnknown(schema, { onExcessProperty: "preserve", errors: "first" })
  const full = (value: unknown): Effect.Effect<A, ProtocolError> =>
    decode(value).pipe(
      Effect.mapError((error) =>
        new ProtocolError({ reason: "InvalidResult", description: `${method}: ${error.message}`, cause: error })
      ),
      // no input may become a defect, whatever a schema's checks do with it
      Effect.catchAllDefect((defect) =>
        Effect.fail(
          new ProtocolError({
            reason: "InvalidResult",
            description: `${method}: the result could not be checked (${Json.preview(String(defect))})`,
            cause: defect
          })
        )
      )
    )
  if (fast === undefined) {
    return (value: unknown): Effect.Effect<A, ProtocolError> => {
      const unknownType = resultTypeError(method, value)
      return unknownType === undefined ? full(value) : Effect.fail(unknownType)
    }
  }
  return (value: unknown): Effect.Effect<A, ProtocolError> => {
    const unknownType = resultTypeError(method, value)
    if (unknownType !== undefined) return Effect.fail(unknownType)
    let checked: A | undefined
    try {
      checked = fast(value)
    } catch {
      checked = undefined
    }
    return checked === undefined ? full(value) : Effect.succeed(checked)
  }
}

/**
 * A result's `resultType` (revision 2026-07-28; missing means `"complete"`):
 * the error for one this client cannot take as a final result.
 *
 * @internal
 */
export const resultTypeError = (method: string, value: unknown): ProtocolError | undefined => {
  const resultType = Predicate.isRecord(value) ? value.resultType : undefined
  if (resultType === undefined || resultType === "complete") return undefined
  return new ProtocolError({
    reason: "InvalidResult",
    description: resultType === "input_required"
      ? `${method}: the server asked for input (resultType "input_required"), which only tools/call, prompts/get ` +
        `and resources/read may do`
      : `${method}: unknown resultType ${Json.preview(resultType)}; this client knows "complete" and "input_required"`
  })
}
