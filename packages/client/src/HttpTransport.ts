/**
 * The Streamable HTTP transport. By default it runs on the official SDK's
 * `StreamableHTTPClientTransport` (any platform with `fetch`); a `Connector`
 * in the context replaces it (`@effect-mcp/client-node` provides one on
 * `node:http`). Also an incremental server-sent-events parser.
 *
 * @since 0.1.0
 */
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js"
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as McpAuth from "./McpAuth.js"
import { TransportError } from "./McpError.js"
import * as Transport from "./Transport.js"

/**
 * How to reach a Streamable HTTP server.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpOptions {
  readonly url: string | URL
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** A bearer token, sent as `Authorization: Bearer ...` and never logged. */
  readonly bearer?: Redacted.Redacted<string> | undefined
  /** OAuth, through the SDK's provider interface (`McpAuth.headless`, or the SDK's client-credentials providers). */
  readonly authProvider?: OAuthClientProvider | undefined
}

/**
 * Opens Streamable HTTP connections. Provide one to replace how the client
 * talks HTTP; without it, `make` uses the SDK's transport.
 *
 * @since 0.1.0
 * @category tags
 */
export class Connector extends Context.Tag("@effect-mcp/client/HttpTransport/Connector")<
  Connector,
  (options: HttpOptions) => Effect.Effect<Transport.Transport, TransportError, Scope.Scope>
>() {}

/**
 * Opens a connection with the `Connector` in the context if there is one,
 * else with `makeSdk`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: HttpOptions): Effect.Effect<Transport.Transport, TransportError, Scope.Scope> =>
  Effect.flatMap(
    Effect.serviceOption(Connector),
    (connector) => Option.isSome(connector) ? connector.value(options) : makeSdk(options)
  )

/**
 * The headers every request carries: the caller's, and the bearer token.
 *
 * @since 0.1.0
 * @category utils
 */
export const baseHeaders = (options: HttpOptions): Record<string, string> =>
  options.bearer === undefined
    ? { ...options.headers }
    : { ...options.headers, Authorization: `Bearer ${Redacted.value(options.bearer)}` }

/**
 * The options of the SDK's HTTP transports (Streamable HTTP and legacy SSE)
 * for these: the headers, and OAuth with a `fetch` that refreshes once for a
 * burst of requests.
 *
 * @since 0.1.0
 * @category utils
 */
export const sdkOptions = (options: HttpOptions): {
  readonly requestInit?: { readonly headers: Record<string, string> }
  readonly authProvider?: OAuthClientProvider
  readonly fetch?: typeof fetch
} => {
  const headers = baseHeaders(options)
  return {
    ...(Object.keys(headers).length === 0 ? {} : { requestInit: { headers } }),
    ...(options.authProvider === undefined
      ? {}
      : { authProvider: options.authProvider, fetch: McpAuth.singleFlightRefresh() })
  }
}

/**
 * A connection on the SDK's `StreamableHTTPClientTransport`: OAuth through
 * its `auth()` (discovery, registration, PKCE, step-up), and the server-side
 * session ended with a DELETE on close.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSdk = (options: HttpOptions): Effect.Effect<Transport.Transport, TransportError, Scope.Scope> =>
  Effect.gen(function*() {
    const url = typeof options.url === "string" ? new URL(options.url) : options.url
    // loaded when used: the SDK's transport brings its zod schemas (4.5 MB of heap)
    const [{ StreamableHTTPClientTransport }, { UnauthorizedError }] = yield* Effect.promise(() =>
      Promise.all([
        import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
        import("@modelcontextprotocol/sdk/client/auth.js")
      ])
    )
    const sdk = new StreamableHTTPClientTransport(url, sdkOptions(options))
    const transport = yield* Transport.fromSdk(() => sdk, {
      wrapSend: finishingAuth(sdk, options.authProvider, (cause) => cause instanceof UnauthorizedError)
    })
    // end the server-side session too, so nothing stays open on the server
    yield* Effect.addFinalizer(() =>
      sdk.sessionId === undefined
        ? Effect.void
        : Effect.promise(() => sdk.terminateSession().catch(() => undefined)).pipe(
          Effect.interruptible,
          Effect.timeoutOption(Duration.seconds(5))
        )
    )
    return transport
  })

const maxAuthorizations = 3

// A request the server refused for its credentials never ran, so it can go
// again, a bounded number of times: after a headless provider got the code
// (the SDK sent the user to the authorization page: finish the flow first),
// or after another request refreshed the token meanwhile (the SDK's transport
// re-authorizes once for all requests, and fails the others that met the old
// token).
const finishingAuth = (
  sdk: StreamableHTTPClientTransport,
  provider: OAuthClientProvider | undefined,
  isUnauthorizedError: (cause: unknown) => boolean
) =>
(write: Transport.Transport["send"]): Transport.Transport["send"] => {
  if (provider === undefined) return write
  const send = (
    message: Parameters<Transport.Transport["send"]>[0],
    attempt: number
  ): Effect.Effect<void, TransportError> =>
    Effect.catchIf(
      write(message),
      (error) => error.reason === "Unauthorized" && attempt < maxAuthorizations,
      (error) => {
        const code = McpAuth.isHeadlessProvider(provider) ? provider.takeAuthorizationCode() : undefined
        if (code === undefined) {
          return isUnauthorizedError(error.cause) ? Effect.fail(error) : send(message, attempt + 1)
        }
        return Effect.tryPromise({
          try: () => sdk.finishAuth(code),
          catch: (cause) =>
            new TransportError({
              reason: "Unauthorized",
              description: `the authorization could not be completed: ${
                cause instanceof Error ? cause.message : String(cause)
              }`,
              cause
            })
        }).pipe(Effect.zipRight(send(message, attempt + 1)))
      }
    )
  return (message) => send(message, 0)
}

/**
 * One server-sent event.
 *
 * @since 0.1.0
 * @category models
 */
export interface SseEvent {
  readonly event: string | undefined
  readonly data: string
  readonly id: string | undefined
}

/**
 * An incremental server-sent-events parser: feed it text as it arrives, it
 * calls `onEvent` for each complete event and `onRetry` for a `retry:` field.
 * Comments are skipped; an event with an id but no data (a server's priming
 * event) is reported, with empty `data`.
 *
 * @since 0.1.0
 * @category parsers
 */
export const makeSseParser = (
  onEvent: (event: SseEvent) => void,
  onRetry?: (millis: number) => void
): { readonly push: (text: string) => void } => {
  let rest = ""
  let data: Array<string> = []
  let event: string | undefined
  let id: string | undefined
  let idSeen = false
  const line = (text: string) => {
    if (text.length === 0) {
      if (data.length > 0 || idSeen) onEvent({ event, data: data.join("\n"), id })
      data = []
      event = undefined
      idSeen = false
      return
    }
    if (text.charCodeAt(0) === 58 /* : */) return
    const colon = text.indexOf(":")
    const field = colon === -1 ? text : text.slice(0, colon)
    let value = colon === -1 ? "" : text.slice(colon + 1)
    if (value.charCodeAt(0) === 32) value = value.slice(1)
    if (field === "data") data.push(value)
    else if (field === "event") event = value
    else if (field === "id") {
      id = value
      idSeen = true
    } else if (field === "retry" && /^\d+$/.test(value)) onRetry?.(Number(value))
  }
  // only new text is searched for line ends, so a long event costs its length once
  return {
    push: (text) => {
      let start = 0
      for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
        let full = start === 0 ? rest + text.slice(0, end) : text.slice(start, end)
        if (full.charCodeAt(full.length - 1) === 13) full = full.slice(0, -1)
        line(full)
        start = end + 1
      }
      rest = start === 0 ? rest + text : text.slice(start)
    }
  }
}
