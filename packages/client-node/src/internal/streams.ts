/**
 * The GET event streams: the standalone one for what the server sends
 * outside any request, and the resumption of a POST's stream that ended
 * before its answer; each opened again when it ends.
 *
 * @internal
 */
import { type ProtocolError, TransportError } from "@effect-mcp/client/McpError"
import * as Transport from "@effect-mcp/client/Transport"
import * as Deferred from "effect/Deferred"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import { type Call, type Connection, stateless, statusFailure } from "./connection.js"
import * as Incoming from "./incoming.js"
import { refusedToken } from "./messages.js"

/** GETs of an event stream are never closer than this, whatever the server's `retry:` says. */
const minRetry = 500
const maxRetry = 30_000
const maxReconnects = 4

// the server's delay, never under the floor, doubled for each failure in a row
const backoff = (connection: Connection, failures: number) =>
  Math.min(maxRetry, Math.max(minRetry, connection.state.retryMillis) * 2 ** Math.min(failures, 10))

/**
 * A GET event stream: the standalone one (`watch` undefined; a server
 * without one answers 405), or the resumption of `watch`'s stream after the
 * last event id it saw. Either is opened again when it ends, after the
 * server's retry delay (at least `minRetry`, doubled for each failure in a
 * row, at most `maxRetry`): a resumption a bounded number of times in a row
 * without progress, the standalone stream for as long as the session lives.
 * `onOpen` runs once the server answered, or could not be reached.
 *
 * @internal
 */
export const openStream = (
  connection: Connection,
  lastEventId: string | undefined,
  watch: Call | undefined,
  failures: number,
  onOpen?: () => void
): void => {
  const { limit, recover, state, where } = connection
  // a standalone stream opened before the client moved to the stateless revision is not opened again
  const over = () => !state.open || watch?.over === true || (watch === undefined && stateless(state))
  if (over()) return onOpen?.()
  const again = (lastId: string | undefined, nextFailures: number, wait = backoff(connection, nextFailures)) => {
    if (over()) return
    // the standalone stream is tried for as long as the session lives (at
    // the longest delay): what the server sends unasked has no other way
    if (nextFailures > maxReconnects && watch !== undefined) {
      return connection.failCall(
        watch,
        new TransportError({
          reason: "Read",
          description: `${where} ended the event stream of request ${watch.id} before answering it, ` +
            `and resuming it failed ${maxReconnects} times`
        })
      )
    }
    connection.later(wait, () => openStream(connection, lastId, watch, nextFailures))
  }
  const report = (error: TransportError | ProtocolError) => {
    if (state.open && watch === undefined) connection.inbox.push(error)
  }
  connection.withAuthorization("GET", (authorization) =>
    connection.request({
      method: "GET",
      extra: lastEventId === undefined
        ? { accept: "text/event-stream" }
        : { accept: "text/event-stream", "last-event-id": lastEventId },
      authorization,
      onRequest: (outgoing) => {
        if (watch !== undefined) watch.outgoing = outgoing
      },
      onResponse: (response) => {
        onOpen?.()
        if (watch?.over === true) return response.destroy()
        const status = response.statusCode ?? 0
        if (status === 405 && watch === undefined) return response.resume()
        if (recover !== undefined && refusedToken(status)) {
          return statusFailure(connection, response, (error) =>
            recover(status, response, authorization).then(
              (recovered) => {
                if (!recovered) report(error)
                // with a token that works, the stream opens again at once: what the
                // server sends meanwhile has nowhere else to go
                again(lastEventId, failures + 1, recovered ? 0 : backoff(connection, failures + 1))
              },
              (cause) => report(connection.authorizationFailed(cause))
            ))
        }
        if (status < 200 || status >= 300) {
          return statusFailure(connection, response, (error) => {
            report(error)
            again(lastEventId, failures + 1)
          })
        }
        Incoming.readEvents(connection, response, watch, (end) => {
          if (end.answered) {
            if (watch !== undefined) connection.endCall(watch)
            return
          }
          if (end.tooLarge) {
            const error = Transport.tooLarge("an event from the server", limit)
            if (watch !== undefined) return connection.failCall(watch, error)
            report(error)
          }
          const progressed = end.clean && end.lastEventId !== undefined && end.lastEventId !== lastEventId
          again(end.lastEventId ?? lastEventId, progressed ? 0 : failures + 1)
        })
      },
      onError: (error) => {
        onOpen?.()
        if (!state.open || watch?.over === true) return
        report(connection.describeNetworkError(error))
        again(lastEventId, failures + 1)
      }
    }))
}

/**
 * Resumes the event stream of `call`, which ended before its answer, after
 * the server's retry delay.
 *
 * @internal
 */
export const resume = (connection: Connection, call: Call, lastEventId: string): void => {
  connection.later(backoff(connection, 0), () => openStream(connection, lastEventId, call, 0))
}

/**
 * The standalone stream is open when `ready` returns, before the client says
 * it is initialized, so that a request the server sends on hearing it
 * (roots/list, say) has a stream to go on: the SDK's transport opens it
 * after, and such a request is lost.
 * It starts as soon as the server names the session (while the client reads
 * the initialize result); a server that holds back the stream's headers gets
 * a second. The function returned starts it once, and says when it is open.
 *
 * @internal
 */
export const makeStandalone = (connection: Connection): () => Deferred.Deferred<void> => {
  let started: Deferred.Deferred<void> | undefined
  return () => {
    if (started !== undefined) {
      return started
    }
    const opened = Deferred.unsafeMake<void>(FiberId.none)
    started = opened
    const timer = connection.later(1000, () => Deferred.unsafeDone(opened, Exit.void))
    openStream(connection, undefined, undefined, 0, () => {
      connection.cancel(timer)
      Deferred.unsafeDone(opened, Exit.void)
    })
    return opened
  }
}
