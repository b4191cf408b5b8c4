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
import { isTransportError, ProtocolError, TransportError } from "@effect-mcp/client/McpError"
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Transport from "@effect-mcp/client/Transport"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as Http from "node:http"
import * as Https from "node:https"
import * as Answers from "./internal/answers.js"
import * as Connection from "./internal/connection.js"
import * as EventLoop from "./internal/eventLoop.js"
import { headerValue, messageHeaders, refusedToken } from "./internal/messages.js"
import * as Streams from "./internal/streams.js"

const maxAuthorizations = 3
const closeTimeout = Duration.seconds(5)

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
    const calls = new Map<McpSchema.RequestId, Connection.Call>()
    const state: Connection.State = {
      open: true,
      sessionId: undefined,
      protocolVersion: undefined,
      retryMillis: 1000,
      otherStreams: 0
    }
    const count = { sent: 0, received: 0 }
    const timers = new Set<ReturnType<typeof setTimeout>>()
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

    // the provider's current token, read before each request
    const withAuthorization = (method: string, go: (authorization: Connection.Authorization) => void) => {
      if (authorizer === undefined) go(undefined)
      else authorizer.headers({ method, url: url.href }).then(go, () => go(undefined))
    }
    const recover = authorizer === undefined
      ? undefined
      : (status: number, response: Http.IncomingMessage, sent: Connection.Authorization) =>
        authorizer.recover({
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

    const headers = (extra: Record<string, string>): Record<string, string> => {
      const all: Record<string, string> = { ...base, ...extra }
      const id = Connection.session(state)
      if (id !== undefined) all["mcp-session-id"] = id
      if (state.protocolVersion !== undefined) all["mcp-protocol-version"] = state.protocolVersion
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
    // again on a new socket (as Node's documentation advises).
    const request = (options: Connection.RequestOptions, retried = false): void => {
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
        if (state.open && !retried && !cutHere.has(outgoing) && outgoing.reusedSocket && error.code === "ECONNRESET") {
          request(options, true)
        } else options.onError(error)
      })
      if (options.body !== undefined) count.sent += Buffer.byteLength(options.body)
      if (options.onWritten === undefined) outgoing.end(options.body)
      else outgoing.end(options.body, options.onWritten)
    }

    const describeStatus = (response: Http.IncomingMessage, preview: string): TransportError => {
      const status = response.statusCode ?? 0
      const location = response.headers.location
      const type = response.headers["content-type"]
      const detail = `HTTP ${status} from ${where}${
        location === undefined ? "" : ` (redirected to ${location}; use that URL)`
      }${preview.length === 0 ? "" : `: ${type === undefined ? "" : `(${type}) `}${preview}`}`
      return HttpTransport.httpStatusError({ status, detail, sessionId: Connection.session(state), credentials, url })
    }

    // -- requests the client waits for ----------------------------------------

    const endCall = (call: Connection.Call) => {
      call.over = true
      calls.delete(call.id)
      call.release?.()
    }
    const failCall = (call: Connection.Call, error: TransportError | ProtocolError, resend = false) => {
      if (call.over) return
      endCall(call)
      cut(call.outgoing)
      if (state.open) inbox.push(new Transport.RequestFailure(call.id, error, resend))
    }

    // what the answer reader and the stream opener may see and do
    const connection: Connection.Connection = {
      received: (bytes) => {
        count.received += bytes
      },
      later,
      cancel: (timer) => {
        clearTimeout(timer)
        timers.delete(timer)
      },
      where,
      limit,
      state,
      inbox,
      redact,
      endCall,
      failCall,
      request,
      withAuthorization,
      recover,
      authorizationFailed,
      describeNetworkError,
      describeStatus
    }
    const startStandalone = Streams.makeStandalone(connection)

    const closedError = () => new TransportError({ reason: "Closed", description: "the HTTP transport is closed" })
    // a session id a server hands out in the stateless revision is not kept
    const noteSession = (response: Http.IncomingMessage) => {
      if (Connection.stateless(state)) return
      const session = response.headers["mcp-session-id"]
      if (typeof session === "string" && session !== state.sessionId) {
        const first = state.sessionId === undefined
        state.sessionId = session
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
        const call: Connection.Call = { id: message.id, outgoing: undefined, over: false, release: onWritten }
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
                if (recover !== undefined && refusedToken(status) && authorizations < maxAuthorizations) {
                  return Connection.statusFailure(connection, response, (error) =>
                    recover(status, response, authorization).then(
                      (again) => again ? attempt(authorizations + 1) : failCall(call, error),
                      (cause) => failCall(call, authorizationFailed(cause))
                    ))
                }
                if (status < 200 || status >= 300) {
                  return Answers.refusal(connection, response, call, (error) =>
                    failCall(call, error))
                }
                // accepted: the answer comes on the standalone stream
                if ((status === 202 || status === 204) && !Connection.stateless(state)) {
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
                        `${state.protocolVersion} the answer to a request comes in answer to its POST`
                    })
                  )
                }
                Answers.readAnswer(connection, response, call)
              },
              onError: (error) => {
                const failure = call.over || !state.open ? closedError() : describeNetworkError(error)
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
                if (recover !== undefined && refusedToken(status) && authorizations < maxAuthorizations) {
                  return Connection.statusFailure(connection, response, (error) =>
                    recover(status, response, authorization).then(
                      (again) => again ? attempt(authorizations + 1) : resume(Effect.fail(error)),
                      (cause) => resume(Effect.fail(authorizationFailed(cause)))
                    ))
                }
                if (status < 200 || status >= 300) {
                  return Connection.statusFailure(connection, response, (error) => resume(Effect.fail(error)))
                }
                resume(Effect.void)
                if (status === 202 || status === 204) response.resume()
                else Answers.readOther(connection, response)
              },
              onError: (error) => resume(Effect.fail(state.open ? describeNetworkError(error) : closedError()))
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
      if (!state.open) return Effect.fail(closedError())
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

    // The session ends with a DELETE, sent when the client begins closing (the
    // server winds down while the client runs its other finalizers) or at the
    // latest when the transport closes; the stateless revision has none to end.
    const terminated = yield* Deferred.make<void>()
    let terminating = false
    const terminate = () => {
      if (terminating) return
      terminating = true
      const done = () => Deferred.unsafeDone(terminated, Exit.void)
      if (Connection.session(state) === undefined) return done()
      withAuthorization("DELETE", (authorization) =>
        request({
          method: "DELETE",
          extra: {},
          authorization,
          onResponse: (response) => {
            response.resume()
            done()
          },
          onError: done
        }))
    }

    yield* Scope.addFinalizer(
      yield* Effect.scope,
      Effect.gen(function*() {
        state.open = false
        for (const timer of timers) clearTimeout(timer)
        // the DELETE first: the server ends its streams itself, which is quicker than seeing them cut
        terminate()
        yield* Deferred.await(terminated).pipe(Effect.interruptible, Effect.timeoutOption(closeTimeout))
        for (const call of [...calls.values()]) endCall(call)
        for (const outgoing of requests) cut(outgoing)
        agent.destroy()
        yield* Deferred.succeed(ended, void 0)
      }).pipe(Effect.uninterruptible)
    )

    return Transport.make({
      send: post,
      run: (onFrame) => inbox.run(onFrame),
      setProtocolVersion: (version) => {
        state.protocolVersion = version
      },
      carriesHeaders: true,
      // abandoning a request closes its POST, and with it the answer's event stream
      cancelsByClosing: true,
      // the stateless revision has no stream for what the server sends unasked
      ready: Effect.suspend(() => Connection.stateless(state) ? Effect.void : Deferred.await(startStandalone())),
      abandon,
      beginClose: Effect.zipRight(
        Effect.sync(() => {
          // nothing the server does from now on is reported or reopened
          state.open = false
          terminate()
        }),
        EventLoop.turn
      ),
      sessionId: () => Connection.session(state),
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
