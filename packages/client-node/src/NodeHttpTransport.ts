/**
 * A Streamable HTTP transport on `node:http`, for when speed matters: POSTs
 * over a keep-alive agent of its own, answers read as JSON or as an event
 * stream parsed as it arrives, the standalone GET stream for what the server
 * sends unasked, and the server-side session ended with a DELETE on close.
 * OAuth (`authProvider`) runs the SDK's `auth()` when the server refuses a
 * token.
 *
 * @since 0.1.0
 */
import * as HttpTransport from "@effect-mcp/client/HttpTransport"
import { ProtocolError, TransportError } from "@effect-mcp/client/McpError"
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Transport from "@effect-mcp/client/Transport"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import * as Https from "node:https"
import * as Authorizer from "./internal/authorizer.js"

const maxErrorBody = 2048
const maxReconnects = 2
const maxAuthorizations = 3
const closeTimeout = Duration.seconds(5)

const describeNetworkError = (url: URL, error: NodeJS.ErrnoException): TransportError => {
  if (["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "EAI_AGAIN"].includes(error.code ?? "")) {
    return new TransportError({
      reason: "Connect",
      description: `${url.href}: ${error.message}. Is the server running and the URL right?`,
      cause: error
    })
  }
  if (error.code === "ECONNRESET") {
    return new TransportError({
      reason: "Closed",
      description: `${url.href} closed the connection before answering (${error.message})`,
      cause: error
    })
  }
  return new TransportError({ reason: "Write", description: `${url.href}: ${error.message}`, cause: error })
}

const answers = (message: unknown, id: McpSchema.RequestId): boolean =>
  Predicate.isRecord(message) && message.id === id && ("result" in message || "error" in message)

/**
 * Opens a Streamable HTTP connection on `node:http` (`node:https` for https
 * URLs). With an `authProvider`, requests carry its token, and a refusal
 * runs the SDK's `auth()` (discovery, registration, PKCE, refresh, scope
 * step-up) before the request goes again, at most three times.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: HttpTransport.HttpOptions
): Effect.Effect<Transport.Transport, TransportError, Scope.Scope> =>
  Effect.gen(function*() {
    const url = typeof options.url === "string" ? new URL(options.url) : options.url
    const client = url.protocol === "https:" ? Https : Http
    const agent = new client.Agent({ keepAlive: true })
    const ended = yield* Deferred.make<void, TransportError>()
    const inbox = new Transport.Inbox(ended)
    const base = HttpTransport.baseHeaders(options)
    const requests = new Set<Http.ClientRequest>()
    let sessionId: string | undefined
    let protocolVersion: string | undefined
    let open = true
    const timers = new Set<ReturnType<typeof setTimeout>>()
    let retryMillis = 1000
    const provider = options.authProvider
    const authorizer = provider === undefined
      ? undefined
      : yield* Effect.promise(() => Authorizer.make(provider, url))

    // every timer is cleared on close
    const later = (millis: number, f: () => void) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        f()
      }, millis)
      timers.add(timer)
      return timer
    }

    // the provider's current token, read before each request
    const withAuthorization = (go: (authorization: string | undefined) => void) => {
      if (authorizer === undefined) go(undefined)
      else authorizer.header().then(go, () => go(undefined))
    }
    const authorizationFailed = (cause: unknown) =>
      Transport.httpStatusError({
        status: 401,
        detail: `the authorization failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        cause
      })
    const refusedToken = (status: number) => status === 401 || status === 403

    const headers = (extra: Record<string, string>): Record<string, string> => {
      const all: Record<string, string> = { ...base, ...extra }
      if (sessionId !== undefined) all["mcp-session-id"] = sessionId
      if (protocolVersion !== undefined) all["mcp-protocol-version"] = protocolVersion
      return all
    }

    // A kept-alive socket the server closed while idle fails the next request
    // at once with ECONNRESET, before the server saw it: that one request goes
    // again on a new socket (as Node's documentation advises).
    const request = (
      method: string,
      extra: Record<string, string>,
      onResponse: (response: Http.IncomingMessage) => void,
      onError: (error: NodeJS.ErrnoException) => void,
      body?: string,
      authorization?: string,
      retried = false
    ): void => {
      const outgoing = client.request(url, {
        method,
        agent,
        headers: authorization === undefined ? headers(extra) : headers({ ...extra, authorization })
      })
      requests.add(outgoing)
      outgoing.on("close", () => requests.delete(outgoing))
      outgoing.on("response", onResponse)
      outgoing.on("error", (error: NodeJS.ErrnoException) => {
        if (open && !retried && outgoing.reusedSocket && error.code === "ECONNRESET") {
          request(method, extra, onResponse, onError, body, authorization, true)
        } else onError(error)
      })
      outgoing.end(body)
    }

    // `done` runs once, whether the body ends, breaks off or is cut by a close
    const readBody = (response: Http.IncomingMessage, limit: number, done: (text: string) => void) => {
      const chunks: Array<string> = []
      let size = 0
      let finished = false
      const finish = () => {
        if (finished) return
        finished = true
        done(chunks.join(""))
      }
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => {
        if (size < limit) chunks.push(chunk)
        size += chunk.length
      })
      response.on("end", finish)
      response.on("error", finish)
      response.on("close", finish)
    }

    // the connection is gone: every request still waiting fails now
    const fail = (error: TransportError) => {
      if (open) Deferred.unsafeDone(ended, Exit.fail(error))
    }

    // Pushes the JSON-RPC messages in `text`; true when one answers `watch`.
    const pushJson = (text: string, where: string, watch?: McpSchema.RequestId): boolean => {
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch (cause) {
        inbox.push(
          new ProtocolError({
            reason: "Parse",
            detail: `${where} is not JSON: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`,
            cause
          })
        )
        return false
      }
      if (!Array.isArray(value)) {
        inbox.push(value)
        return watch !== undefined && answers(value, watch)
      }
      let answered = false
      for (const message of value) {
        if (watch !== undefined && answers(message, watch)) answered = true
        inbox.push(message)
      }
      return answered
    }

    // An event stream: every message event is a JSON-RPC message. When it
    // ends, `onEnd` learns how, the last event id, and whether it carried the
    // answer to `watch`.
    const readEvents = (
      response: Http.IncomingMessage,
      watch: McpSchema.RequestId | undefined,
      onEnd: (
        end: { readonly clean: boolean; readonly lastEventId: string | undefined; readonly answered: boolean }
      ) => void
    ) => {
      let lastEventId: string | undefined
      let answered = false
      const parser = HttpTransport.makeSseParser((event) => {
        if (event.id !== undefined) lastEventId = event.id
        if (event.data !== "" && (event.event === undefined || event.event === "message")) {
          if (pushJson(event.data, "an event from the server", watch)) answered = true
        }
      }, (millis) => {
        retryMillis = millis
      })
      let ended = false
      const end = (clean: boolean) => {
        if (ended) return
        ended = true
        onEnd({ clean, lastEventId, answered })
      }
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => parser.push(chunk))
      response.on("end", () => end(true))
      response.on("error", () => end(false))
      response.on("close", () => end(response.complete))
    }

    const statusFailure = (response: Http.IncomingMessage, done: (error: TransportError) => void) => {
      const status = response.statusCode ?? 0
      const location = response.headers.location
      readBody(response, maxErrorBody, (text) => {
        const detail = `HTTP ${status} from ${url.href}${
          location === undefined ? "" : ` (redirected to ${location}; use that URL)`
        }${text.length === 0 ? "" : `: ${text.slice(0, maxErrorBody)}`}`
        done(Transport.httpStatusError({ status, detail, sessionId }))
      })
    }

    // A GET event stream: the standalone one for what the server sends
    // outside any request (`watch` undefined; a server without one answers
    // 405), or the resumption of a POST's stream that ended before its
    // answer, after the last event id it saw. Either is opened again after
    // the server's retry delay when it ends, a bounded number of times in a
    // row without progress.
    const openStream = (
      lastEventId: string | undefined,
      watch: McpSchema.RequestId | undefined,
      failures: number,
      onOpen?: () => void
    ) => {
      if (!open) return onOpen?.()
      const again = (lastId: string | undefined, nextFailures: number, delay = retryMillis) => {
        if (!open) return
        if (nextFailures > maxReconnects) {
          if (watch !== undefined) {
            fail(
              new TransportError({
                reason: "Read",
                description: `${url.href} ended the event stream of request ${watch} before answering it, ` +
                  `and resuming it failed ${maxReconnects} times`
              })
            )
          }
          return
        }
        later(delay, () => openStream(lastId, watch, nextFailures))
      }
      withAuthorization((authorization) =>
        request(
          "GET",
          lastEventId === undefined
            ? { accept: "text/event-stream" }
            : { accept: "text/event-stream", "last-event-id": lastEventId },
          (response) => {
            onOpen?.()
            const status = response.statusCode ?? 0
            if (status === 405 && watch === undefined) return response.resume()
            if (authorizer !== undefined && refusedToken(status)) {
              return statusFailure(response, (error) =>
                authorizer.recover(status, response.headers["www-authenticate"], authorization).then(
                  (recovered) => {
                    if (!recovered && open) inbox.push(error)
                    // with a token that works, the stream opens again at once: what the
                    // server sends meanwhile has nowhere else to go
                    again(lastEventId, failures + 1, recovered ? 0 : retryMillis)
                  },
                  (cause) => {
                    if (open) {
                      inbox.push(authorizationFailed(cause))
                    }
                  }
                ))
            }
            if (status < 200 || status >= 300) {
              return statusFailure(response, (error) => {
                if (open) {
                  inbox.push(error)
                }
                again(lastEventId, failures + 1)
              })
            }
            readEvents(response, watch, (end) => {
              if (end.answered) {
                return
              }
              const progressed = end.clean && end.lastEventId !== undefined && end.lastEventId !== lastEventId
              again(end.lastEventId ?? lastEventId, progressed ? 0 : failures + 1)
            })
          },
          (error) => {
            onOpen?.()
            if (!open) {
              return
            }
            inbox.push(describeNetworkError(url, error))
            again(lastEventId, failures + 1)
          },
          undefined,
          authorization
        )
      )
    }

    // The standalone stream is open when `ready` returns, before the client
    // says it is initialized, so that a request the server sends on hearing
    // it (roots/list, say) has a stream to go on: the SDK's transport opens it
    // after, and such a request is lost.
    // It starts as soon as the server names the session (while the client
    // reads the initialize result); a server that holds back the stream's
    // headers gets a second.
    let standalone: Deferred.Deferred<void> | undefined
    const startStandalone = (): Deferred.Deferred<void> => {
      if (standalone !== undefined) {
        return standalone
      }
      const opened = Deferred.unsafeMake<void>(FiberId.none)
      standalone = opened
      const timer = later(1000, () =>
        Deferred.unsafeDone(opened, Exit.void))
      openStream(undefined, undefined, 0, () => {
        clearTimeout(timer)
        timers.delete(timer)
        Deferred.unsafeDone(opened, Exit.void)
      })
      return opened
    }

    // The answer to a POST: JSON, or an event stream that may end before the
    // answer (resumed from its last event id) or break off (without an event
    // id to resume from, the connection is gone).
    const readAnswer = (response: Http.IncomingMessage, watch: McpSchema.RequestId | undefined) => {
      const type = response.headers["content-type"] ?? ""
      if (type.startsWith("text/event-stream")) {
        readEvents(response, watch, (end) => {
          if (end.answered || watch === undefined || !open) return
          if (end.lastEventId !== undefined) {
            const lastEventId = end.lastEventId
            later(retryMillis, () => openStream(lastEventId, watch, 0))
            return
          }
          fail(
            new TransportError({
              reason: "Read",
              description: `${url.href} ${end.clean ? "ended" : "broke off"} the event stream of request ${watch} ` +
                "before answering it"
            })
          )
        })
      } else if (type.startsWith("application/json")) {
        // some servers answer a notification with an empty 200 instead of 202
        readBody(response, Infinity, (text) => text.trim().length > 0 && pushJson(text, "the answer"))
      } else {
        response.resume()
        inbox.push(
          new ProtocolError({
            reason: "InvalidMessage",
            detail: `the server answered a POST with content type "${type}"; expected JSON or an event stream`
          })
        )
      }
    }

    // A request the server refused for its token never ran: after the
    // authorizer recovers (a token renewed meanwhile, or an authorization
    // done), it goes again, at most `maxAuthorizations` times.
    const post = (message: McpSchema.JsonRpcMessage): Effect.Effect<void, TransportError> =>
      Effect.async<void, TransportError>((resume) => {
        if (!open) {
          resume(Effect.fail(new TransportError({ reason: "Closed", description: "the HTTP transport is closed" })))
          return
        }
        const watch = "method" in message && "id" in message ? message.id : undefined
        const body = JSON.stringify(message)
        const attempt = (authorizations: number) =>
          withAuthorization((authorization) =>
            request(
              "POST",
              { "content-type": "application/json", accept: "application/json, text/event-stream" },
              (response) => {
                const session = response.headers["mcp-session-id"]
                if (typeof session === "string" && session !== sessionId) {
                  const first = sessionId === undefined
                  sessionId = session
                  if (first) startStandalone()
                }
                const status = response.statusCode ?? 0
                if (authorizer !== undefined && refusedToken(status) && authorizations < maxAuthorizations) {
                  return statusFailure(response, (error) =>
                    authorizer.recover(status, response.headers["www-authenticate"], authorization).then(
                      (again) => again ? attempt(authorizations + 1) : resume(Effect.fail(error)),
                      (cause) => resume(Effect.fail(authorizationFailed(cause)))
                    ))
                }
                if (status < 200 || status >= 300) {
                  return statusFailure(response, (error) =>
                    resume(Effect.fail(error)))
                }
                resume(Effect.void)
                if (status === 202 || status === 204) response.resume()
                else readAnswer(response, watch)
              },
              (error) => resume(Effect.fail(describeNetworkError(url, error))),
              body,
              authorization
            )
          )
        attempt(0)
      })

    const terminate = Effect.async<void>((resume) => {
      if (sessionId === undefined) return resume(Effect.void)
      withAuthorization((authorization) =>
        request(
          "DELETE",
          {},
          (response) => {
            response.resume()
            resume(Effect.void)
          },
          () => resume(Effect.void),
          undefined,
          authorization
        )
      )
    })

    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        open = false
        for (const timer of timers) clearTimeout(timer)
        // the DELETE first: the server ends its streams itself, which is quicker than seeing them cut
        yield* terminate.pipe(Effect.interruptible, Effect.timeoutOption(closeTimeout))
        for (const outgoing of requests) outgoing.destroy()
        agent.destroy()
        yield* Deferred.succeed(ended, void 0)
      })
    )

    return Transport.make({
      send: post,
      run: (onFrame) => inbox.run(onFrame),
      setProtocolVersion: (version) => {
        protocolVersion = version
      },
      ready: Effect.suspend(() => Deferred.await(startStandalone()))
    })
  })

/**
 * Makes the client open Streamable HTTP connections with this transport.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpTransport.Connector> = Layer.succeed(HttpTransport.Connector, make)
