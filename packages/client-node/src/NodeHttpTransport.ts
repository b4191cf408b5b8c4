/**
 * A Streamable HTTP transport on `node:http`, for when speed matters: POSTs
 * over a keep-alive agent of its own, answers read as JSON or as an event
 * stream parsed as it arrives, the standalone GET stream for what the server
 * sends unasked, and the server-side session ended with a DELETE on close.
 * OAuth (`authProvider`) runs the SDK's `auth()` when the server refuses a
 * token.
 *
 * From revision 2026-07-28 on (`Transport.isStateless`) there is no session:
 * one POST per message carrying the headers the client computed for it
 * (`Mcp-Method`, `Mcp-Name`, `Mcp-Param-*`), no session id, no GET stream,
 * no DELETE, and an answer stream cut before its answer is not resumed: the
 * request is reported lost, for the client to send again.
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { NodeHttpTransport } from "@effect-mcp/client-node"
 * import { Layer } from "effect"
 *
 * // every HTTP source of this layer goes over node:http
 * const Remote = McpClient.layer("https://mcp.example.com/mcp").pipe(Layer.provide(NodeHttpTransport.layer))
 * ```
 *
 * @since 0.1.0
 */
import * as HttpTransport from "@effect-mcp/client/HttpTransport"
import * as McpAuth from "@effect-mcp/client/McpAuth"
import { isProtocolError, isTransportError, ProtocolError, TransportError } from "@effect-mcp/client/McpError"
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
import * as Bodies from "./internal/bodies.js"
import * as Events from "./internal/events.js"
import { answers, headerValue, isErrorAnswer, mapStrings, messageHeaders, previewOf } from "./internal/messages.js"

/** GETs of an event stream are never closer than this, whatever the server's `retry:` says. */
const minRetry = 500
const maxRetry = 30_000
const maxOtherStreams = 4
const maxReconnects = 4
const maxAuthorizations = 3
const closeTimeout = Duration.seconds(5)
/** A refused answer's JSON body is read whole, up to this size (and `MaxMessageBytes`), for the JSON-RPC error it may carry. */
const maxErrorBodyBytes = 1024 * 1024
/** ... and for this long: a JSON error body that does not end by then is described with what came. */
const errorBodyWait = 1000

/** The headers that carry the credentials of one request (`Authorization`, and `DPoP` with a bound token). */
type Authorization = Readonly<Record<string, string>> | undefined

// One request the client waits for: its current HTTP request (the POST, or
// the GET that resumes its event stream), until it is answered, failed, or
// abandoned.
interface Call {
  readonly id: McpSchema.RequestId
  outgoing: Http.ClientRequest | undefined
  over: boolean
  /** Lets a `send` still waiting to write return: the call ended first. */
  release: (() => void) | undefined
}

/**
 * Opens a Streamable HTTP connection on `node:http` (`node:https` for https
 * URLs). With an `authProvider`, requests carry its token, and a refusal
 * runs the SDK's `auth()` (discovery, registration, PKCE, refresh, scope
 * step-up) before the request goes again, at most three times.
 *
 * A request's `send` returns once it is written; whatever then goes wrong
 * with its answer (refused, of the wrong type, not JSON, cut, too large, a
 * stream that ends without it) fails that request alone. An HTTP error
 * (other than refused credentials or a forgotten session) whose body is a
 * JSON-RPC error is that request's answer. No body, and no event of a
 * stream, is held past `Transport.MaxMessageBytes`. Credentials never appear
 * in error texts, even when the server echoes them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: HttpTransport.HttpOptions
): Effect.Effect<Transport.Transport, TransportError, Scope.Scope> =>
  Effect.gen(function*() {
    const url = typeof options.url === "string" ? new URL(options.url) : options.url
    const where = HttpTransport.displayUrl(url)
    const limit = yield* Transport.MaxMessageBytes
    const credentials = HttpTransport.credentials(options)
    const redact = (text: string) => HttpTransport.redact(text, credentials)
    const client = url.protocol === "https:" ? Https : Http
    const agent = new client.Agent({ keepAlive: true })
    const ended = yield* Deferred.make<void, TransportError>()
    const inbox = new Transport.Inbox(ended)
    const base = HttpTransport.baseHeaders(options)
    const requests = new Set<Http.ClientRequest>()
    const calls = new Map<McpSchema.RequestId, Call>()
    let sessionId: string | undefined
    const count = { sent: 0, received: 0 }
    let protocolVersion: string | undefined
    let open = true
    const timers = new Set<ReturnType<typeof setTimeout>>()
    let retryMillis = 1000
    const provider = options.authProvider
    const authorizer = provider === undefined
      ? undefined
      : yield* Effect.promise(() =>
        McpAuth.authorizer(provider, url, { secrets: credentials.secrets, dpop: options.dpop })
      )

    // every timer is cleared on close
    const later = (millis: number, f: () => void) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        f()
      }, millis)
      timers.add(timer)
      return timer
    }
    // the server's delay, never under the floor, doubled for each failure in a row
    const backoff = (failures: number) =>
      Math.min(maxRetry, Math.max(minRetry, retryMillis) * 2 ** Math.min(failures, 10))

    // the provider's current token, read before each request
    const withAuthorization = (method: string, go: (authorization: Authorization) => void) => {
      if (authorizer === undefined) go(undefined)
      else authorizer.headers({ method, url: url.href }).then(go, () => go(undefined))
    }
    const recover = (status: number, response: Http.IncomingMessage, sent: Authorization) =>
      authorizer!.recover({
        status,
        wwwAuthenticate: response.headers["www-authenticate"],
        dpopNonce: headerValue(response.headers["dpop-nonce"]),
        sent: sent?.authorization
      })
    const authorizationFailed = (cause: unknown) =>
      HttpTransport.httpStatusError({
        status: 401,
        detail: `the authorization failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        cause,
        credentials
      })
    const refusedToken = (status: number) => status === 401 || status === 403

    const describeNetworkError = (error: NodeJS.ErrnoException): TransportError => {
      const cause = HttpTransport.redactCause(error, credentials)
      const message = redact(error.message)
      if (["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "EAI_AGAIN"].includes(error.code ?? "")) {
        return new TransportError({
          reason: "Connect",
          description: `${where}: ${message}. Is the server running and the URL right?`,
          cause
        })
      }
      if (error.code === "ECONNRESET") {
        return new TransportError({
          reason: "Closed",
          description: `${where} closed the connection before answering (${message})`,
          cause
        })
      }
      return new TransportError({ reason: "Write", description: `${where}: ${message}`, cause })
    }

    // the revision spoken keeps no session (2026-07-28 and later)
    const stateless = () => Transport.isStateless(protocolVersion)
    // the session the server named, while the revision spoken has sessions
    const session = () => stateless() ? undefined : sessionId

    const headers = (extra: Record<string, string>): Record<string, string> => {
      const all: Record<string, string> = { ...base, ...extra }
      const id = session()
      if (id !== undefined) all["mcp-session-id"] = id
      if (protocolVersion !== undefined) all["mcp-protocol-version"] = protocolVersion
      return all
    }

    // requests this side destroyed: their ECONNRESET is no reason to send them again
    const cutHere = new WeakSet<Http.ClientRequest>()
    const cut = (outgoing: Http.ClientRequest | undefined) => {
      if (outgoing === undefined) return
      cutHere.add(outgoing)
      outgoing.destroy()
    }

    // A kept-alive socket the server closed while idle fails the next request
    // at once with ECONNRESET, before the server saw it: that one request goes
    // again on a new socket (as Node's documentation advises). `onWritten`
    // runs once the whole request is handed to the socket.
    const request = (options: {
      readonly method: string
      readonly extra: Record<string, string>
      readonly onResponse: (response: Http.IncomingMessage) => void
      readonly onError: (error: NodeJS.ErrnoException) => void
      readonly onWritten?: (() => void) | undefined
      readonly onRequest?: ((outgoing: Http.ClientRequest) => void) | undefined
      readonly body?: string | undefined
      readonly authorization?: Authorization
    }, retried = false): void => {
      const { authorization, extra } = options
      const outgoing = client.request(url, {
        method: options.method,
        agent,
        headers: authorization === undefined ? headers(extra) : headers({ ...extra, ...authorization })
      })
      requests.add(outgoing)
      options.onRequest?.(outgoing)
      outgoing.on("close", () => requests.delete(outgoing))
      outgoing.on("response", options.onResponse)
      outgoing.on("error", (error: NodeJS.ErrnoException) => {
        if (open && !retried && !cutHere.has(outgoing) && outgoing.reusedSocket && error.code === "ECONNRESET") {
          request(options, true)
        } else options.onError(error)
      })
      if (options.body !== undefined) count.sent += Buffer.byteLength(options.body)
      if (options.onWritten === undefined) outgoing.end(options.body)
      else outgoing.end(options.body, options.onWritten)
    }

    const reading: Bodies.Reading = {
      received: (bytes) => {
        count.received += bytes
      },
      later,
      cancel: (timer) => {
        clearTimeout(timer)
        timers.delete(timer)
      }
    }
    const readBody: (
      response: Http.IncomingMessage,
      max: number,
      done: (result: Bodies.Body) => void
    ) => void = (response, max, done) => Bodies.readBody(reading, response, max, done)
    const readShort = (
      response: Http.IncomingMessage,
      max: number,
      wait: number,
      done: (text: string, whole: boolean) => void
    ) => Bodies.readShort(reading, response, max, wait, done)
    const readPreview = (response: Http.IncomingMessage, done: (preview: string) => void) =>
      Bodies.readPreview(reading, response, done)

    const describeStatus = (response: Http.IncomingMessage, preview: string): TransportError => {
      const status = response.statusCode ?? 0
      const location = response.headers.location
      const type = response.headers["content-type"]
      const detail = `HTTP ${status} from ${where}${
        location === undefined ? "" : ` (redirected to ${location}; use that URL)`
      }${preview.length === 0 ? "" : `: ${type === undefined ? "" : `(${type}) `}${preview}`}`
      return HttpTransport.httpStatusError({ status, detail, sessionId: session(), credentials, url })
    }
    const statusFailure = (response: Http.IncomingMessage, done: (error: TransportError) => void) =>
      readPreview(response, (preview) => done(describeStatus(response, preview)))

    // A request refused with an HTTP error status: when the body is a
    // JSON-RPC error (in the stateless revision, -32022 for a version the
    // server does not speak, -32020 for headers that do not match the body,
    // ...), that is the request's answer (its id the request's when the
    // server wrote null). Refused credentials, and a session the server has
    // forgotten, stay what they are: a `TransportError` saying so.
    const refusal = (response: Http.IncomingMessage, call: Call, done: (error: TransportError) => void) => {
      const status = response.statusCode ?? 0
      const expired = status === 404 && session() !== undefined
      if (status < 400 || status > 599 || refusedToken(status) || expired) return statusFailure(response, done)
      const json = /json/i.test(response.headers["content-type"] ?? "")
      readShort(
        response,
        json ? Math.min(limit, maxErrorBodyBytes) : Bodies.maxPreviewBytes,
        json ? errorBodyWait : Bodies.previewWait,
        (text, whole) => {
          if (call.over) return
          const value = whole ? Transport.parseJson(text, "an error answer") : undefined
          if (
            isErrorAnswer(value) && (value.id === null || String(value.id) === String(call.id))
          ) {
            // the server may echo what the client sent, credentials included
            const error = mapStrings(value.error, redact)
            inbox.push({ jsonrpc: "2.0", id: call.id, error })
            return endCall(call)
          }
          done(describeStatus(response, previewOf(text.slice(0, Bodies.maxPreviewBytes))))
        }
      )
    }

    // the error texts of what `parseJson` refused, with any echoed secret taken out
    const redactFrame = (frame: unknown): unknown => {
      if (isProtocolError(frame)) {
        const detail = redact(frame.description)
        return detail === frame.description
          ? frame
          : new ProtocolError({ reason: frame.reason, description: detail, cause: frame.cause })
      }
      if (frame instanceof Transport.RequestFailure) {
        const error = redactFrame(frame.error) as ProtocolError | TransportError
        return error === frame.error ? frame : new Transport.RequestFailure(frame.id, error, frame.resend)
      }
      return frame
    }

    // a request of the server's on a request's answer stream is that request's (for traces)
    const relate = (message: unknown, call: Call) => {
      if (Predicate.isRecord(message) && typeof message.method === "string" && "id" in message) {
        Transport.markRelated(message, call.id)
      }
    }

    // Pushes the JSON-RPC messages in `text`; true when one answers `watch`.
    // Text that is not JSON is reported (one bad event of a stream may be
    // followed by the answer), or fails `failing`, a request whose whole body it is.
    const pushJson = (text: string, what: string, watch?: Call, failing?: Call): boolean => {
      const value = redactFrame(Transport.parseJson(text, what))
      if (isProtocolError(value)) {
        if (failing === undefined) inbox.push(value)
        else failCall(failing, value)
        return false
      }
      if (value instanceof Transport.RequestFailure) {
        inbox.push(value)
        return watch !== undefined && value.id === watch.id
      }
      if (!Array.isArray(value)) {
        if (watch !== undefined) relate(value, watch)
        inbox.push(value)
        return watch !== undefined && answers(value, watch.id)
      }
      let answered = false
      for (const message of value) {
        if (watch !== undefined) {
          if (answers(message, watch.id)) answered = true
          relate(message, watch)
        }
        inbox.push(message)
      }
      return answered
    }

    // -- requests the client waits for ----------------------------------------

    const endCall = (call: Call) => {
      call.over = true
      calls.delete(call.id)
      call.release?.()
    }
    // that request's answer cannot come: it fails alone, the session lives
    // on; `resend`: it was lost on its way, and may be sent again
    const failCall = (call: Call, error: TransportError | ProtocolError, resend = false) => {
      if (call.over) return
      endCall(call)
      cut(call.outgoing)
      if (open) inbox.push(new Transport.RequestFailure(call.id, error, resend))
    }

    // An event stream whose message events are JSON-RPC messages, pushed as they come
    const readEvents = (
      response: Http.IncomingMessage,
      watch: Call | undefined,
      onEnd: (end: Events.End) => void
    ) =>
      Events.readEvents(reading, response, {
        limit,
        onMessage: (data) => pushJson(data, "an event from the server", watch),
        onRetry: (millis) => {
          retryMillis = millis
        }
      }, onEnd)

    // A GET event stream: the standalone one for what the server sends
    // outside any request (`watch` undefined; a server without one answers
    // 405), or the resumption of a POST's stream that ended before its
    // answer, after the last event id it saw. Either is opened again when it
    // ends, after the server's retry delay (at least `minRetry`, doubled for
    // each failure in a row, at most `maxRetry`): a resumption a bounded
    // number of times in a row without progress, the standalone stream for as
    // long as the session lives.
    const openStream = (
      lastEventId: string | undefined,
      watch: Call | undefined,
      failures: number,
      onOpen?: () => void
    ) => {
      // a standalone stream opened before the client moved to the stateless revision is not opened again
      const over = () => !open || watch?.over === true || (watch === undefined && stateless())
      if (over()) return onOpen?.()
      const again = (lastId: string | undefined, nextFailures: number, wait = backoff(nextFailures)) => {
        if (over()) return
        // the standalone stream is tried for as long as the session lives (at
        // the longest delay): what the server sends unasked has no other way
        if (nextFailures > maxReconnects && watch !== undefined) {
          return failCall(
            watch,
            new TransportError({
              reason: "Read",
              description: `${where} ended the event stream of request ${watch.id} before answering it, ` +
                `and resuming it failed ${maxReconnects} times`
            })
          )
        }
        later(wait, () => openStream(lastId, watch, nextFailures))
      }
      const report = (error: TransportError | ProtocolError) => {
        if (open && watch === undefined) inbox.push(error)
      }
      withAuthorization("GET", (authorization) =>
        request({
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
            if (authorizer !== undefined && refusedToken(status)) {
              return statusFailure(response, (error) =>
                recover(status, response, authorization).then(
                  (recovered) => {
                    if (!recovered) report(error)
                    // with a token that works, the stream opens again at once: what the
                    // server sends meanwhile has nowhere else to go
                    again(lastEventId, failures + 1, recovered ? 0 : backoff(failures + 1))
                  },
                  (cause) => report(authorizationFailed(cause))
                ))
            }
            if (status < 200 || status >= 300) {
              return statusFailure(response, (error) => {
                report(error)
                again(lastEventId, failures + 1)
              })
            }
            readEvents(response, watch, (end) => {
              if (end.answered) {
                if (watch !== undefined) endCall(watch)
                return
              }
              if (end.tooLarge) {
                const error = Transport.tooLarge("an event from the server", limit)
                if (watch !== undefined) return failCall(watch, error)
                report(error)
              }
              const progressed = end.clean && end.lastEventId !== undefined && end.lastEventId !== lastEventId
              again(end.lastEventId ?? lastEventId, progressed ? 0 : failures + 1)
            })
          },
          onError: (error) => {
            onOpen?.()
            if (!open || watch?.over === true) return
            report(describeNetworkError(error))
            again(lastEventId, failures + 1)
          }
        }))
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
      const timer = later(1000, () => Deferred.unsafeDone(opened, Exit.void))
      openStream(undefined, undefined, 0, () => {
        clearTimeout(timer)
        timers.delete(timer)
        Deferred.unsafeDone(opened, Exit.void)
      })
      return opened
    }

    // The answer to a request's POST: JSON, or an event stream that may end
    // before the answer (resumed from its last event id when it has one; in
    // the stateless revision, which resumes nothing, the request is lost and
    // the client may send it again). Anything else fails the request, saying
    // what came.
    const readAnswer = (response: Http.IncomingMessage, call: Call) => {
      const type = response.headers["content-type"] ?? ""
      const status = response.statusCode ?? 0
      if (type.startsWith("text/event-stream")) {
        return readEvents(response, call, (end) => {
          if (end.answered) return endCall(call)
          if (call.over || !open) return
          if (end.tooLarge) {
            return failCall(call, Transport.tooLarge(`an event of the answer to request ${call.id}`, limit))
          }
          if (stateless()) {
            return failCall(
              call,
              new TransportError({
                reason: "Read",
                description: `${where} ${end.clean ? "ended" : "broke off"} the event stream of request ${call.id} ` +
                  `before answering it (revision ${protocolVersion} does not resume streams)`
              }),
              true
            )
          }
          if (end.lastEventId !== undefined) {
            const lastEventId = end.lastEventId
            later(backoff(0), () => openStream(lastEventId, call, 0))
            return
          }
          failCall(
            call,
            new TransportError({
              reason: "Read",
              description: `${where} ${end.clean ? "ended" : "broke off"} the event stream of request ${call.id} ` +
                "before answering it"
            })
          )
        })
      }
      if (type.startsWith("application/json")) {
        return readBody(response, limit, ({ failure, text }) => {
          if (call.over) return
          if (failure === "TooLarge") {
            return failCall(call, Transport.tooLarge(`the answer to request ${call.id}`, limit))
          }
          if (failure === "Cut") {
            return failCall(
              call,
              new TransportError({
                reason: "Read",
                description: `${where} broke off the answer to request ${call.id} after ${
                  Transport.formatBytes(Buffer.byteLength(text))
                } of JSON`
              })
            )
          }
          if (text.trim().length === 0) {
            return failCall(
              call,
              new ProtocolError({
                reason: "InvalidMessage",
                description: `${where} answered request ${call.id} with HTTP ${status} and an empty JSON body`
              })
            )
          }
          if (pushJson(text, `the answer to request ${call.id}`, call, call)) return endCall(call)
          if (call.over) return
          failCall(
            call,
            new ProtocolError({
              reason: "InvalidMessage",
              description: redact(
                `the JSON ${where} sent for request ${call.id} does not answer it: ${previewOf(text)}`
              )
            })
          )
        })
      }
      readPreview(response, (preview) =>
        failCall(
          call,
          new ProtocolError({
            reason: "InvalidMessage",
            description: redact(
              `${where} answered request ${call.id} with HTTP ${status} and content type ` +
                `"${type === "" ? "(none)" : type}"; expected application/json or text/event-stream` +
                (preview.length === 0 ? "" : `: ${preview}`)
            )
          })
        ))
    }

    // What the server said to a POST that expects no answer (a notification,
    // or the client's answer to a server request).
    // Event streams opened in answer to notifications (the specification
    // says 202): read, but only a few at once, or a server that never ends
    // them would take a socket for each notification.
    let otherStreams = 0
    const readOther = (response: Http.IncomingMessage) => {
      const type = response.headers["content-type"] ?? ""
      if (type.startsWith("text/event-stream")) {
        if (otherStreams >= maxOtherStreams) {
          response.destroy()
          return inbox.push(
            new ProtocolError({
              reason: "InvalidMessage",
              description: `${where} answered a notification with an event stream while ${maxOtherStreams} such ` +
                "streams were open; it was closed (a notification's answer is 202, with no body)"
            })
          )
        }
        otherStreams++
        response.once("close", () => {
          otherStreams--
        })
        return readEvents(response, undefined, (end) => {
          if (end.tooLarge) inbox.push(Transport.tooLarge("an event from the server", limit))
        })
      }
      if (type.startsWith("application/json")) {
        // some servers answer a notification with an empty 200 instead of 202
        return readBody(response, limit, ({ failure, text }) => {
          if (failure === "TooLarge") inbox.push(Transport.tooLarge("an answer to a notification", limit))
          else if (failure === undefined && text.trim().length > 0) pushJson(text, "the answer to a notification")
        })
      }
      response.resume()
    }

    const closedError = () => new TransportError({ reason: "Closed", description: "the HTTP transport is closed" })
    // a session id a server hands out in the stateless revision is not kept
    const noteSession = (response: Http.IncomingMessage) => {
      if (stateless()) return
      const session = response.headers["mcp-session-id"]
      if (typeof session === "string" && session !== sessionId) {
        const first = sessionId === undefined
        sessionId = session
        if (first) startStandalone()
      }
    }

    // A request is handed off: `send` returns once its POST is written, and
    // from then on every failure is that request's. A request the server
    // refused for its token never ran: after the authorizer recovers (a
    // token renewed meanwhile, or an authorization done), it goes again, at
    // most `maxAuthorizations` times.
    const sendRequest = (
      message: McpSchema.JsonRpcRequest,
      own: Record<string, string>
    ): Effect.Effect<void, TransportError> =>
      Effect.async<void, TransportError>((resume) => {
        const body = JSON.stringify(message)
        let written = false
        const onWritten = () => {
          if (written) return
          written = true
          resume(Effect.void)
        }
        const call: Call = { id: message.id, outgoing: undefined, over: false, release: onWritten }
        calls.set(message.id, call)
        const attempt = (authorizations: number) =>
          withAuthorization("POST", (authorization) => {
            if (call.over) return
            request({
              method: "POST",
              extra: { ...own, "content-type": "application/json", accept: "application/json, text/event-stream" },
              body,
              authorization,
              onWritten,
              onRequest: (outgoing) => {
                call.outgoing = outgoing
              },
              onResponse: (response) => {
                onWritten()
                if (call.over) return response.destroy()
                noteSession(response)
                const status = response.statusCode ?? 0
                if (authorizer !== undefined && refusedToken(status) && authorizations < maxAuthorizations) {
                  return statusFailure(response, (error) =>
                    recover(status, response, authorization).then(
                      (again) => again ? attempt(authorizations + 1) : failCall(call, error),
                      (cause) => failCall(call, authorizationFailed(cause))
                    ))
                }
                if (status < 200 || status >= 300) {
                  return refusal(response, call, (error) => failCall(call, error))
                }
                // accepted: the answer comes on the standalone stream
                if ((status === 202 || status === 204) && !stateless()) {
                  call.outgoing = undefined
                  return response.resume()
                }
                // the stateless revision has no other way for it to come
                if (status === 202 || status === 204) {
                  response.resume()
                  return failCall(
                    call,
                    new ProtocolError({
                      reason: "InvalidMessage",
                      description:
                        `${where} answered request ${call.id} with HTTP ${status} and no body; in revision ` +
                        `${protocolVersion} the answer to a request comes in answer to its POST`
                    })
                  )
                }
                readAnswer(response, call)
              },
              onError: (error) => {
                const failure = call.over || !open ? closedError() : describeNetworkError(error)
                if (written) {
                  return failCall(call, failure)
                }
                written = true
                endCall(call)
                resume(Effect.fail(failure))
              }
            })
          })
        attempt(0)
      })

    // A message that expects no answer waits for the server's status; one
    // the client stops waiting for (a timeout, an interruption) frees its
    // connection, as a request's does.
    const sendOther = (
      message: McpSchema.JsonRpcMessage,
      own: Record<string, string>
    ): Effect.Effect<void, TransportError> =>
      Effect.async<void, TransportError>((resume) => {
        const body = JSON.stringify(message)
        let outgoing: Http.ClientRequest | undefined
        let waiting = true
        const attempt = (authorizations: number) =>
          withAuthorization("POST", (authorization) =>
            request({
              method: "POST",
              extra: { ...own, "content-type": "application/json", accept: "application/json, text/event-stream" },
              body,
              authorization,
              onRequest: (request) => {
                outgoing = request
                if (!waiting) cut(request)
              },
              onResponse: (response) => {
                noteSession(response)
                const status = response.statusCode ?? 0
                if (authorizer !== undefined && refusedToken(status) && authorizations < maxAuthorizations) {
                  return statusFailure(response, (error) =>
                    recover(status, response, authorization).then(
                      (again) => again ? attempt(authorizations + 1) : resume(Effect.fail(error)),
                      (cause) => resume(Effect.fail(authorizationFailed(cause)))
                    ))
                }
                if (status < 200 || status >= 300) {
                  return statusFailure(response, (error) => resume(Effect.fail(error)))
                }
                resume(Effect.void)
                if (status === 202 || status === 204) response.resume()
                else readOther(response)
              },
              onError: (error) => resume(Effect.fail(open ? describeNetworkError(error) : closedError()))
            }))
        attempt(0)
        return Effect.sync(() => {
          waiting = false
          cut(outgoing)
        })
      })

    const post = (
      message: McpSchema.JsonRpcMessage,
      given?: Readonly<Record<string, string>>
    ): Effect.Effect<void, TransportError> => {
      if (!open) return Effect.fail(closedError())
      const own = messageHeaders(given)
      if (isTransportError(own)) return Effect.fail(own)
      return "method" in message && "id" in message ? sendRequest(message, own) : sendOther(message, own)
    }

    // the client no longer waits: the request's connection goes now, and with it the server's work
    const abandon = (id: McpSchema.RequestId) => {
      const call = calls.get(id)
      if (call === undefined) return
      endCall(call)
      cut(call.outgoing)
    }

    // the stateless revision has no session to end
    const terminate = Effect.async<void>((resume) => {
      if (session() === undefined) return resume(Effect.void)
      withAuthorization("DELETE", (authorization) =>
        request({
          method: "DELETE",
          extra: {},
          authorization,
          onResponse: (response) => {
            response.resume()
            resume(Effect.void)
          },
          onError: () => resume(Effect.void)
        }))
    })

    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        open = false
        for (const timer of timers) clearTimeout(timer)
        // the DELETE first: the server ends its streams itself, which is quicker than seeing them cut
        yield* terminate.pipe(Effect.interruptible, Effect.timeoutOption(closeTimeout))
        for (const call of [...calls.values()]) endCall(call)
        for (const outgoing of requests) cut(outgoing)
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
      carriesHeaders: true,
      // abandoning a request closes its POST, and with it the answer's event stream
      cancelsByClosing: true,
      // the stateless revision has no stream for what the server sends unasked
      ready: Effect.suspend(() => stateless() ? Effect.void : Deferred.await(startStandalone())),
      abandon,
      sessionId: session,
      bytes: () => count
    })
  })

/**
 * Makes the client open Streamable HTTP connections with this transport.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpTransport.Connector> = Layer.succeed(HttpTransport.Connector, make)
