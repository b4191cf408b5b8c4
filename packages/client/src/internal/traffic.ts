/**
 * Server-initiated traffic: the handlers for server requests (roots,
 * sampling, elicitation) and the notification pipeline (handlers, then a
 * PubSub that every Stream reads).
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as McpClient from "../McpClient.js"
import { checkAnswer } from "./elicitation.js"
import type { HandlerError } from "./errors.js"
import { ProtocolError } from "./errors.js"
import type * as Protocol from "./protocol.js"
import * as McpSchema from "./schema.js"

/** @internal */
export interface Traffic {
  readonly capabilities: () => McpSchema.ClientCapabilities
  readonly handlers: ReadonlyMap<string, Protocol.RequestHandler>
  readonly onNotification: (notification: McpSchema.ServerNotification) => void
  /** How many notifications have arrived, and a wait until the handlers have seen `count` (see `Protocol`). */
  readonly received: () => number
  readonly handled: (count: number) => Effect.Effect<void> | undefined
  readonly notifications: Stream.Stream<McpSchema.ServerNotification>
  /** How many streams read the notifications now. */
  readonly listeners: () => number
  readonly subscribe: Effect.Effect<Queue.Dequeue<McpSchema.ServerNotification>, never, Scope.Scope>
  readonly setRoots: (roots: ReadonlyArray<McpSchema.Root>) => void
  readonly setSampling: (handler: McpClient.SamplingHandler | undefined) => void
  readonly setElicitation: (handler: McpClient.ElicitationHandler | undefined) => void
}

const mcpToEffectLevel: Record<McpSchema.LoggingLevel, LogLevel.LogLevel> = {
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  notice: LogLevel.Info,
  warning: LogLevel.Warning,
  error: LogLevel.Error,
  critical: LogLevel.Fatal,
  alert: LogLevel.Fatal,
  emergency: LogLevel.Fatal
}

/**
 * The default log handler: the Effect logger, at the mapped level, with the
 * MCP logger name and level as annotations.
 *
 * @internal
 */
export const logToEffectLogger = (message: McpSchema.LoggingMessageNotificationParams): Effect.Effect<void> => {
  const text = typeof message.data === "string" ? message.data : JSON.stringify(message.data)
  return Effect.logWithLevel(mcpToEffectLevel[message.level], text).pipe(
    Effect.annotateLogs({ "mcp.level": message.level, ...(message.logger ? { "mcp.logger": message.logger } : {}) })
  )
}

const invalidParams = (method: string, error: unknown) => ({
  code: McpSchema.ErrorCode.InvalidParams,
  message: `Invalid params for ${method}: ${error instanceof Error ? error.message : String(error)}`
})

// `message` rather than `description`: plain JavaScript may build one with `{ code, message }`
const fromHandlerError = (error: HandlerError): Protocol.HandlerError =>
  error.data === undefined
    ? { code: error.code, message: error.message }
    : { code: error.code, message: error.message, data: error.data }

const noHandler = (method: string, capability: string): Effect.Effect<never, Protocol.HandlerError> =>
  Effect.fail({
    code: McpSchema.ErrorCode.MethodNotFound,
    message: `This client has no ${capability} handler, so it cannot answer "${method}"`
  })

const decodeSampling = Schema.decodeUnknown(McpSchema.CreateMessageRequestParams, { onExcessProperty: "preserve" })
const decodeElicit = Schema.decodeUnknown(McpSchema.ElicitRequestParams, { onExcessProperty: "preserve" })
const decodeProgress = Schema.decodeUnknownOption(McpSchema.ProgressNotificationParams)
const decodeLog = Schema.decodeUnknownOption(McpSchema.LoggingMessageNotificationParams)

const inboxCapacity = 4096
// set while the notification handlers run
const dispatching = FiberRef.unsafeMake(false)
const handlerGrace = Duration.seconds(1)

/** @internal */
export const decodeProgressParams = (notification: McpSchema.ServerNotification) =>
  notification.method === "notifications/progress" ? decodeProgress(notification.params) : Option.none()

/** @internal */
export const decodeLogParams = (notification: McpSchema.ServerNotification) =>
  notification.method === "notifications/message" ? decodeLog(notification.params) : Option.none()

/** @internal */
export const make = <R>(
  options: McpClient.Options<R>,
  context: Context.Context<R>,
  report: (problem: ProtocolError) => void
): Effect.Effect<Traffic, never, Scope.Scope> =>
  Effect.gen(function*() {
    let roots: Effect.Effect<ReadonlyArray<McpSchema.Root>, never, R> | undefined = options.roots === undefined
      ? undefined
      : Effect.isEffect(options.roots)
      ? options.roots
      : Effect.succeed(options.roots)
    let sampling: McpClient.SamplingHandler<R> | undefined = options.sampling
    let elicitation: McpClient.ElicitationHandler<R> | undefined = options.elicitation

    const capabilities = (): McpSchema.ClientCapabilities => ({
      ...options.capabilities,
      ...(roots === undefined ? {} : { roots: { listChanged: true } }),
      ...(sampling === undefined ? {} : { sampling: options.samplingCapabilities ?? {} }),
      ...(elicitation === undefined ? {} : { elicitation: { form: {}, url: {} } })
    })

    const handlers = new Map<string, Protocol.RequestHandler>()
    handlers.set("roots/list", (): Effect.Effect<unknown, Protocol.HandlerError> =>
      roots === undefined
        ? noHandler("roots/list", "roots")
        : Effect.map(Effect.provide(roots, context), (list) => ({ roots: list })))
    handlers.set("sampling/createMessage", (params): Effect.Effect<unknown, Protocol.HandlerError> => {
      const handler = sampling
      if (handler === undefined) return noHandler("sampling/createMessage", "sampling")
      return decodeSampling(params).pipe(
        Effect.mapError((error) => invalidParams("sampling/createMessage", error)),
        Effect.flatMap((request) => Effect.mapError(handler(request), fromHandlerError)),
        Effect.provide(context)
      )
    })
    handlers.set("elicitation/create", (params): Effect.Effect<unknown, Protocol.HandlerError> => {
      const handler = elicitation
      if (handler === undefined) return noHandler("elicitation/create", "elicitation")
      return decodeElicit(params).pipe(
        Effect.mapError((error) => invalidParams("elicitation/create", error)),
        Effect.flatMap((request) =>
          Effect.flatMap(Effect.mapError(handler(request), fromHandlerError), (result): Effect.Effect<
            McpSchema.ElicitResult,
            Protocol.HandlerError
          > => {
            if (result.action !== "accept" || request.mode === "url") {
              return Effect.succeed({ action: result.action })
            }
            const checked = checkAnswer(request.requestedSchema, result.content ?? {})
            return Either.isRight(checked)
              ? Effect.succeed({ action: "accept", content: checked.right })
              : Effect.fail({
                code: McpSchema.ErrorCode.InvalidParams,
                message: `The client's answer does not fit the requested form: ${checked.left}`
              })
          })
        ),
        Effect.provide(context)
      )
    })

    // Notifications go through one queue to one dispatcher fiber: handlers see
    // them in order, and a slow handler holds up only other handlers, never
    // the reader or any response.
    // shut down with the client, so that every stream reading it ends too
    const pubsub = yield* PubSub.sliding<McpSchema.ServerNotification>(options.notificationBuffer ?? 1024)
    yield* Scope.addFinalizer(yield* Effect.scope, PubSub.shutdown(pubsub))
    // handlers that fall 4096 notifications behind lose the newest ones (with a
    // warning): a flood from the server must not grow the host's memory
    const inbox = yield* Queue.dropping<McpSchema.ServerNotification>(inboxCapacity)
    let received = 0
    let handled = 0
    // calls waiting for the handlers to catch up, in the order of their targets
    const waiters: Array<{ readonly count: number; readonly deferred: Deferred.Deferred<void> }> = []
    const markHandled = () => {
      handled++
      while (waiters.length > 0 && waiters[0].count <= handled) {
        Deferred.unsafeDone(waiters.shift()!.deferred, Exit.void)
      }
    }
    const onLog = options.onLog ?? logToEffectLogger
    const guard = (name: string, effect: Effect.Effect<void, never, R>) =>
      Effect.catchAllCause(
        effect,
        (cause) =>
          Effect.logWarning(`The ${name} handler failed: ${Cause.pretty(cause)}`).pipe(
            Effect.annotateLogs("mcp.problem", "HandlerDefect")
          )
      )
    const dispatch = (notification: McpSchema.ServerNotification): Effect.Effect<void, never, R> =>
      Effect.gen(function*() {
        if (options.onMessage !== undefined) yield* guard("onMessage", options.onMessage(notification))
        const log = decodeLogParams(notification)
        if (Option.isSome(log)) yield* guard("onLog", onLog(log.value))
        if (options.onProgress !== undefined) {
          const progress = decodeProgressParams(notification)
          if (Option.isSome(progress)) yield* guard("onProgress", options.onProgress(progress.value))
        }
        yield* PubSub.publish(pubsub, notification)
      })
    yield* Queue.take(inbox).pipe(
      Effect.flatMap((notification) => Effect.locally(dispatch(notification), dispatching, true)),
      Effect.ensuring(Effect.sync(markHandled)),
      Effect.forever,
      Effect.provide(context),
      Effect.forkScoped
    )

    const awaitHandled = (count: number) =>
      Effect.suspend(() => {
        if (handled >= count) return Effect.void
        const deferred = Deferred.unsafeMake<void>(FiberId.none)
        let at = waiters.length
        while (at > 0 && waiters[at - 1].count > count) at--
        const waiter = { count, deferred }
        waiters.splice(at, 0, waiter)
        // a handler that never ends must not hold up the calls
        return Deferred.await(deferred).pipe(
          Effect.timeout(handlerGrace),
          Effect.ignore,
          Effect.ensuring(Effect.sync(() => {
            const index = waiters.indexOf(waiter)
            if (index !== -1) waiters.splice(index, 1)
          }))
        )
      })

    let listeners = 0
    const listen = Effect.acquireRelease(
      Effect.sync(() => {
        listeners++
      }),
      () =>
        Effect.sync(() => {
          listeners--
        })
    )

    return {
      capabilities,
      handlers,
      // only what was queued counts: a dropped notification has nothing to wait for
      onNotification: (notification) => {
        if (inbox.unsafeOffer(notification)) received++
        else {
          report(
            new ProtocolError({
              reason: "InvalidMessage",
              description:
                `dropped ${notification.method}: the client's handlers are ${inboxCapacity} notifications behind`
            })
          )
        }
      },
      received: () => received,
      handled: (count) =>
        handled >= count ? undefined : Effect.flatMap(
          FiberRef.get(dispatching),
          // a call made by a handler cannot wait for the handlers: it would wait for itself
          (inHandler) => inHandler ? Effect.void : awaitHandled(count)
        ),
      notifications: Stream.unwrapScoped(Effect.as(listen, Stream.fromPubSub(pubsub))),
      listeners: () => listeners,
      subscribe: Effect.zipRight(listen, PubSub.subscribe(pubsub)),
      setRoots: (list) => {
        roots = Effect.succeed(list)
      },
      setSampling: (handler) => {
        sampling = handler
      },
      setElicitation: (handler) => {
        elicitation = handler
      }
    }
  })
