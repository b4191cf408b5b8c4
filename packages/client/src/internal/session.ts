/**
 * The session machinery: one initialized session shared through a
 * reference-counted `RcRef`, the failure of a connection attempt shared by
 * the users who waited for it, and recovery: a session whose transport ended
 * is replaced on its next use, once for all who ask, under the `reconnect`
 * schedule.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as FiberSet from "effect/FiberSet"
import * as RcRef from "effect/RcRef"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type { McpError } from "./errors.js"
import { NotConnected, TransportError } from "./errors.js"
import type * as Protocol from "./protocol.js"

/**
 * Where the client's connection is: `Connecting` (the first session),
 * `Ready`, `Disconnected` (the session ended; the next use opens a new one,
 * if `reconnect` allows), `Reconnecting` (opening a new one: attempt and the
 * failure that led to it), `Closed` (no session: never opened, released by
 * its last user, or given up on, with the failure).
 *
 * @internal
 */
export type ConnectionState = Data.TaggedEnum<{
  Connecting: {}
  Ready: { readonly server: string; readonly protocolVersion: string }
  Disconnected: { readonly cause: McpError }
  Reconnecting: { readonly attempt: number; readonly cause: McpError }
  Closed: { readonly cause: McpError | undefined }
}>

/** @internal */
export const ConnectionState = Data.taggedEnum<ConnectionState>()

/** @internal */
export interface Session {
  readonly protocol: Protocol.Protocol
  readonly protocolVersion: string
  readonly server: string
}

/**
 * A bounded exponential backoff with jitter: 100 ms, 200 ms, ... five tries,
 * about 3 seconds in all.
 *
 * @internal
 */
export const defaultReconnect: Schedule.Schedule<unknown, unknown> = Schedule.exponential(Duration.millis(100)).pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(5))
)

// a session that answered a request, or lived this long, was healthy: its
// end starts a new round of the schedule, with a first try at once
const healthyAfter = 10_000

// how long those waiting for a new session wait for what is asked again of it
const restoreWait = Duration.seconds(5)

/** @internal */
export interface Sessions<S extends Session> {
  /** Holds the shared session in the caller's scope. */
  readonly connect: Effect.Effect<void, McpError, Scope.Scope>
  /** The session as it is, for session facts and notifications. */
  readonly current: () => S | undefined
  /** A session to send requests on: one whose transport ended is replaced first (if allowed). */
  readonly use: <A, E>(operation: string, f: (session: S) => Effect.Effect<A, E>) => Effect.Effect<A, E | McpError>
  /** The error for an operation that needs a session when there is none. */
  readonly notConnected: (operation: string) => NotConnected
  readonly state: Effect.Effect<ConnectionState>
  readonly states: Stream.Stream<ConnectionState>
}

interface Live<S> {
  readonly session: S
  readonly scope: Scope.CloseableScope
  readonly holder: Scope.Scope
  readonly openedAt: number
  /** Answers the session had before it was the caller's: the handshake's, the restore's. */
  baseline: number
}

/** @internal */
export interface Observe {
  readonly span: <A, E, R>(
    name: string,
    effect: Effect.Effect<A, E, R>,
    attributes?: Record<string, unknown>
  ) => Effect.Effect<A, E, R>
  /** A session was opened: the first of a holder, a renewed one (404), a recovered one. */
  readonly opened: (how: "opened" | "renewed" | "recovered") => Effect.Effect<void>
  readonly attempt: Effect.Effect<void>
}

/** @internal */
export const make = <S extends Session, R>(options: {
  /** The handshake, run in the new session's scope; `onClosed` is for the protocol engine. */
  readonly open: (onClosed: (error: TransportError) => void) => Effect.Effect<S, McpError, Scope.Scope | R>
  readonly context: Context.Context<R>
  /** `false`: a session that ended stays ended (only one the server forgot is renewed). */
  readonly reconnect: Schedule.Schedule<unknown, McpError> | false
  readonly idleTimeToLive: Duration.DurationInput | undefined
  readonly autoConnect: boolean
  /** What was asked of the old session, asked again of the new one. */
  readonly restore: (session: S, stale: S) => Effect.Effect<void>
  /** Whether anyone listens for what the server sends unasked: then an ended session is replaced at once. */
  readonly listening: () => boolean
  /** How long a caller waits for a new session (the schedule may be longer). */
  readonly renewalWait: Duration.Duration
  /** Spans and metrics of connecting and recovering, when the client keeps them. */
  readonly observe?: Observe | undefined
}): Effect.Effect<Sessions<S>, never, Scope.Scope> =>
  Effect.gen(function*() {
    // state changes and renewals started from callbacks: interrupted when the client's scope closes
    const runFork = yield* FiberSet.makeRuntime<never, unknown, unknown>()
    const clientScope = yield* Effect.scope
    const observe = options.observe
    const clock = yield* Effect.clock
    const state = yield* SubscriptionRef.make<ConnectionState>(ConnectionState.Closed({ cause: undefined }))
    const setState = (next: ConnectionState) => SubscriptionRef.set(state, next)
    // the state streams end with the client
    const ended = yield* Deferred.make<void>()
    yield* Scope.addFinalizer(clientScope, Deferred.succeed(ended, void 0))
    let live: Live<S> | undefined
    let everConnected = false
    // The reconnect schedule gave up: later uses fail at once with this, for
    // as long as the round of tries lasted (at least a second); the first use
    // after that starts a new round on the same holder, so that a server that
    // was fixed meanwhile is found again.
    let gaveUp: McpError | undefined
    let gaveUpOn: { readonly stale: Live<S>; readonly cause: TransportError; readonly until: number } | undefined
    let roundStartedAt = 0

    // Each session lives in a scope of its own inside the holder's scope: RcRef
    // leaves the scope of a failed acquisition open, so a failed handshake
    // closes its own (no spawned server outlives it), and an ended session can
    // be replaced while the reference is held.
    const openIn = (holder: Scope.Scope): Effect.Effect<Live<S>, McpError> =>
      Effect.flatMap(Scope.fork(holder, ExecutionStrategy.sequential), (scope) => {
        let opened: Live<S> | undefined
        const onClosed = (error: TransportError) => {
          if (opened === undefined || live !== opened) return
          runFork(setState(ConnectionState.Disconnected({ cause: error })))
          // a client that only listens (resourceUpdates, notifications) makes no call that would reconnect it
          if (options.reconnect !== false && options.listening()) runFork(Effect.ignore(renew(opened, error)))
        }
        return options.open(onClosed).pipe(
          Effect.map((session): Live<S> => {
            opened = {
              session,
              scope,
              holder,
              openedAt: clock.unsafeCurrentTimeMillis(),
              baseline: session.protocol.answered()
            }
            return opened
          }),
          Effect.tap((opened) =>
            Scope.addFinalizer(
              scope,
              Effect.suspend(() => {
                if (live !== opened) return Effect.void
                live = undefined
                return setState(ConnectionState.Closed({ cause: gaveUp }))
              })
            )
          ),
          Scope.extend(scope),
          Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause))),
          Effect.provide(options.context)
        )
      })

    const ready = (opened: Live<S>) =>
      Effect.suspend(() => {
        live = opened
        everConnected = true
        gaveUp = undefined
        return setState(
          ConnectionState.Ready({
            server: opened.session.server,
            protocolVersion: opened.session.protocolVersion
          })
        )
      })

    // -- recovery --------------------------------------------------------------

    let renewing: Deferred.Deferred<Live<S>, McpError> | undefined
    let renewal: { readonly holder: Scope.Scope; readonly fiber: Fiber.RuntimeFiber<unknown, unknown> } | undefined
    // holders (the scopes the RcRef acquired sessions in) that have closed: nothing is opened in them
    const closedHolders = new WeakSet<Scope.Scope>()
    // sessions that ended (or could not be opened) since the last healthy one
    let failures = 0
    let driver: Schedule.ScheduleDriver<unknown, McpError, never> | undefined
    const schedule = options.reconnect === false ? Schedule.stop : options.reconnect

    const givenUp = (cause: McpError): McpError =>
      new TransportError({
        reason: cause._tag === "TransportError" ? cause.reason : "Connect",
        description: `the session ended or failed to open ${failures} times in a row, and the client stopped ` +
          `trying (option reconnect). The last failure: ${cause.message}`,
        cause
      })

    const released = () =>
      new NotConnected({ operation: "reconnect", hint: "The session was released while a new one was being opened." })

    const attempt = (stale: Live<S>, cause: McpError): Effect.Effect<Live<S>, McpError> =>
      Effect.gen(function*() {
        if (failures > 0) {
          driver ??= yield* Schedule.driver(schedule)
          const step = yield* Effect.either(driver.next(cause))
          if (step._tag === "Left") return yield* Effect.fail(givenUp(cause))
        }
        if (closedHolders.has(stale.holder)) return yield* Effect.fail(released())
        yield* setState(ConnectionState.Reconnecting({ attempt: failures + 1, cause }))
        const exit = yield* Effect.exit(
          observe === undefined ? openIn(stale.holder) : Effect.zipRight(
            observe.attempt,
            observe.span("McpClient.reconnect", openIn(stale.holder), {
              "mcp.reconnect.attempt": failures + 1,
              "mcp.reconnect.cause": cause._tag === "TransportError" ? cause.reason : cause._tag
            })
          )
        )
        if (Exit.isSuccess(exit)) return exit.value
        failures++
        const failure = Cause.failureOption(exit.cause)
        return yield* attempt(
          stale,
          failure._tag === "Some" ? failure.value : new TransportError({
            reason: "Connect",
            description: `the new session could not be opened: ${Cause.pretty(exit.cause)}`
          })
        )
      })

    // What was asked of the old session is asked of the new one, on a fiber of
    // its own: those who wait for the new session wait for it a little (the
    // first use often needs a subscription back), never for a slow server.
    const restoreIn = (opened: Live<S>, stale: Live<S>) =>
      options.restore(opened.session, stale.session).pipe(
        Effect.ensuring(Effect.sync(() => {
          opened.baseline = opened.session.protocol.answered()
        })),
        Effect.forkIn(clientScope),
        Effect.flatMap((fiber) => Effect.ignore(Effect.timeout(Fiber.await(fiber), restoreWait)))
      )

    const renewIn = (stale: Live<S>, cause: TransportError) =>
      attempt(stale, cause).pipe(
        (opening) =>
          observe === undefined ? opening : observe.span(
            cause.reason === "SessionExpired" ? "McpClient.renew" : "McpClient.recover",
            Effect.tap(opening, () => observe.opened(cause.reason === "SessionExpired" ? "renewed" : "recovered")),
            { "error.type": cause.reason }
          ),
        Effect.flatMap((opened) => {
          if (closedHolders.has(stale.holder)) {
            return Effect.zipRight(Scope.close(opened.scope, Exit.void), Effect.fail(released()))
          }
          return Effect.zipRight(
            Effect.zipRight(ready(opened), Scope.close(stale.scope, Exit.void)),
            Effect.as(restoreIn(opened, stale), opened)
          )
        }),
        Effect.tapError((error) =>
          Effect.suspend(() => {
            // without reconnect, a failed renewal is tried again on the next use
            if (options.reconnect === false) return setState(ConnectionState.Disconnected({ cause: error }))
            if (error._tag === "NotConnected") return Effect.void
            gaveUp = error
            const now = clock.unsafeCurrentTimeMillis()
            const pause = Math.max(1000, now - roundStartedAt)
            gaveUpOn = { stale, cause, until: now + pause }
            // a client that only listens makes no call that would start the next round
            const nextRound = Effect.suspend(() =>
              options.listening() && live === undefined ? Effect.ignore(renew(stale, cause)) : Effect.void
            )
            return Effect.zipRight(
              Scope.close(stale.scope, Exit.void),
              Effect.forkIn(Effect.delay(nextRound, Duration.millis(pause)), clientScope)
            )
          })
        )
      )

    const awaitRenewal = (deferred: Deferred.Deferred<Live<S>, McpError>, cause: TransportError) =>
      Duration.isFinite(options.renewalWait)
        ? Effect.timeoutFail(Deferred.await(deferred), {
          duration: options.renewalWait,
          onTimeout: () =>
            new TransportError({
              reason: cause.reason,
              description: `no new session within ${Duration.format(options.renewalWait)}: the client is still ` +
                `trying to reconnect (option reconnect). The session ended with: ${cause.description}`
            })
        })
        : Deferred.await(deferred)

    const renew = (stale: Live<S>, cause: TransportError): Effect.Effect<Live<S>, McpError> =>
      Effect.uninterruptibleMask((restore) => {
        if (live !== stale && live !== undefined) return Effect.succeed(live)
        if (renewing !== undefined) return restore(awaitRenewal(renewing, cause))
        if (gaveUp !== undefined && (gaveUpOn === undefined || clock.unsafeCurrentTimeMillis() < gaveUpOn.until)) {
          return Effect.fail(gaveUp)
        }
        const deferred = Deferred.unsafeMake<Live<S>, McpError>(FiberId.none)
        renewing = deferred
        const healthy = stale.session.protocol.answered() > stale.baseline ||
          clock.unsafeCurrentTimeMillis() - stale.openedAt >= healthyAfter
        // a server that forgot the session (HTTP 404) gets a new one at once, reconnect or not
        if (healthy || cause.reason === "SessionExpired" || gaveUpOn?.stale === stale) {
          failures = 0
          driver = undefined
        } else failures++
        gaveUp = undefined
        gaveUpOn = undefined
        roundStartedAt = clock.unsafeCurrentTimeMillis()
        // on a fiber of the client's, so that the caller who started it may be
        // interrupted without failing the others who wait for it; it ends when
        // the holder closes (see acquire), and whoever waits learns why
        const open = renewIn(stale, cause).pipe(
          Effect.onExit((exit) => {
            renewing = undefined
            renewal = undefined
            return Deferred.done(deferred, Exit.isInterrupted(exit) ? Exit.fail(released()) : exit)
          })
        )
        // interruptible, although forked under the mask: closing must be able to stop it
        return Effect.flatMap(Effect.forkIn(Effect.interruptible(open), clientScope), (fiber) => {
          renewal = { holder: stale.holder, fiber }
          return restore(awaitRenewal(deferred, cause))
        })
      })

    // -- the reference ---------------------------------------------------------

    // Users who wait while a connection attempt runs share its failure, the
    // way they would share its success; the next user tries afresh.
    const ticket = FiberRef.unsafeMake(0)
    let attempts = 0
    let lastFailure: { readonly attempt: number; readonly error: McpError } | undefined
    const acquire = Effect.flatMap(FiberRef.get(ticket), (seen) => {
      if (lastFailure !== undefined && lastFailure.attempt > seen) return Effect.fail(lastFailure.error)
      return setState(ConnectionState.Connecting()).pipe(
        Effect.zipRight(Effect.flatMap(Effect.scope, (holder) =>
          Effect.zipRight(
            Scope.addFinalizer(
              holder,
              Effect.suspend(() => {
                closedHolders.add(holder)
                return renewal?.holder === holder ? Fiber.interrupt(renewal.fiber) : Effect.void
              })
            ),
            observe === undefined
              ? openIn(holder)
              : observe.span("McpClient.connect", Effect.tap(openIn(holder), () => observe.opened("opened")))
          ))),
        Effect.tap(ready),
        Effect.tapBoth({
          onFailure: (error) =>
            Effect.zipRight(
              Effect.sync(() => {
                lastFailure = { attempt: ++attempts, error }
              }),
              setState(ConnectionState.Closed({ cause: error }))
            ),
          onSuccess: () =>
            Effect.sync(() => {
              attempts++
            })
        })
      )
    })
    const ref = yield* RcRef.make({
      acquire,
      ...(options.idleTimeToLive === undefined ? {} : { idleTimeToLive: options.idleTimeToLive })
    })

    const hint = () =>
      gaveUp !== undefined
        ? `The client stopped reconnecting: ${gaveUp.message}`
        : everConnected
        ? "The session was closed: its last user released it. Run the operation inside McpClient.connect, " +
          "or keep the client's layer alive while you use it."
        : options.autoConnect
        ? "The client's layer has not connected."
        : "This client was built with autoConnect: false; run the operation inside McpClient.connect " +
          "(a scoped effect) to hold a session."

    const notConnected = (operation: string) => new NotConnected({ operation, hint: hint() })

    return {
      notConnected,
      connect: Effect.suspend(() => RcRef.get(ref).pipe(Effect.locally(ticket, attempts), Effect.asVoid)),
      current: () => live?.session,
      use: <A, E>(operation: string, f: (session: S) => Effect.Effect<A, E>) =>
        Effect.suspend((): Effect.Effect<A, E | McpError> => {
          const held = live
          if (held === undefined) {
            // given up on: a new round once the last one's length has passed
            const given = gaveUpOn
            if (given === undefined || closedHolders.has(given.stale.holder)) {
              return Effect.fail(gaveUp ?? notConnected(operation))
            }
            return Effect.flatMap(renew(given.stale, given.cause), (opened) => f(opened.session))
          }
          const closed = held.session.protocol.closedWith()
          if (closed === undefined || (options.reconnect === false && closed.reason !== "SessionExpired")) {
            return f(held.session)
          }
          return Effect.flatMap(renew(held, closed), (opened) => f(opened.session))
        }),
      state: SubscriptionRef.get(state),
      states: Stream.interruptWhenDeferred(state.changes, ended)
    }
  })
