/**
 * The Streamable HTTP transport. By default it runs on the official SDK's
 * `StreamableHTTPClientTransport` (any platform with `fetch`); a `Connector`
 * in the context replaces it (`@effect-mcp/client-node` provides one on
 * `node:http`).
 *
 * @example
 * ```ts
 * import { McpClient } from "@effect-mcp/client"
 * import { Redacted } from "effect"
 *
 * // an HTTP source: the URL, headers, and a bearer token or an OAuth provider
 * const Remote = McpClient.layer({
 *   url: "https://mcp.example.com/mcp",
 *   headers: { "x-tenant": "acme" },
 *   bearer: Redacted.make("a token from your secret store")
 * })
 * ```
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
import * as Scope from "effect/Scope"
import * as Frames from "./internal/frames.js"
import * as HttpStatus from "./internal/httpStatus.js"
import * as McpAuth from "./McpAuth.js"
import type { ProtocolError } from "./McpError.js"
import { TransportError } from "./McpError.js"
import type * as McpSchema from "./McpSchema.js"
import * as SdkTransport from "./SdkTransport.js"
import * as Sse from "./Sse.js"
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
  /**
   * OAuth, through the SDK's provider interface: `McpAuth.headless`,
   * `clientCredentials`, `workloadIdentity`, `enterpriseManaged`, or your own.
   */
  readonly authProvider?: OAuthClientProvider | undefined
  /** DPoP-bound tokens (RFC 9449) when the authorization server offers ES256 (`"auto"`, the default), or never. */
  readonly dpop?: "auto" | "off" | undefined
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

/**
 * `text` with every secret of `credentials` (as given, and URL-encoded)
 * replaced by `[redacted]`.
 *
 * @since 0.2.0
 * @category errors
 */
export const redact: (text: string, credentials: Credentials | undefined) => string = HttpStatus.redact

/**
 * A cause fit to keep in an error: the same one, or, when its text shows a
 * secret, an `Error` of the same name with the secrets redacted (and no stack).
 *
 * @since 0.2.0
 * @category errors
 */
export const redactCause: (cause: unknown, credentials: Credentials | undefined) => unknown = HttpStatus.redactCause

/**
 * The advice for a refusal of the client's credentials (HTTP 401 or 403),
 * for what the client was given.
 *
 * @since 0.2.0
 * @category errors
 */
export const unauthorizedAdvice: (kind: Credentials["kind"] | undefined) => string = HttpStatus.unauthorizedAdvice

/**
 * The `TransportError` for an HTTP answer that is not a success: refused
 * credentials are `Unauthorized` (with advice for what the client was given),
 * a 404 for a session the server has forgotten is `SessionExpired`, anything
 * else a `Write` failure. Secrets in `detail` are redacted.
 *
 * @since 0.1.0
 * @category errors
 */
export const httpStatusError: typeof HttpStatus.httpStatusError = HttpStatus.httpStatusError

// query parameters that usually carry a credential (`?api_key=`, `?token=`, `?sig=`)
const sensitiveParameter = /token|key|secret|password|passwd|auth|sig|credential|session|code/i

/**
 * The credentials these options send, for `httpStatusError` and
 * `redact`: the bearer token, every header value, the user name and
 * password of the URL and its credential-like query parameters; with an
 * `authProvider`, its tokens are added as the transport reads them (through
 * `McpAuth.recordingSecrets`).
 *
 * @since 0.2.0
 * @category utils
 */
export const credentials = (
  options: HttpOptions
): Credentials & { readonly secrets: Set<string> } => {
  const url = typeof options.url === "string" ? new URL(options.url) : options.url
  const secrets = new Set<string>()
  const add = (value: string) => {
    if (value.length === 0) return
    secrets.add(value)
    secrets.add(safeDecode(value))
  }
  if (options.bearer !== undefined) add(Redacted.value(options.bearer))
  for (const value of Object.values(options.headers ?? {})) add(value)
  add(url.username)
  add(url.password)
  // as Basic authorization sends them
  if (url.username !== "" || url.password !== "") {
    add(basicCredentials(url))
  }
  for (const [key, value] of url.searchParams) if (sensitiveParameter.test(key)) add(value)
  const given = options.bearer !== undefined || secrets.size > 0
  return {
    kind: options.authProvider !== undefined ? "provider" : given ? "static" : "none",
    secrets
  }
}

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

// `user:password` of the URL, in base64 of its UTF-8 (btoa alone refuses non-Latin-1 text)
const basicCredentials = (url: URL): string =>
  btoa(String.fromCharCode(...new TextEncoder().encode(`${safeDecode(url.username)}:${safeDecode(url.password)}`)))

/**
 * The URL as error messages show it: without user name and password, and
 * with credential-like query parameters blanked.
 *
 * @since 0.2.0
 * @category utils
 */
export const displayUrl = (url: URL): string => {
  const sensitive = [...url.searchParams.keys()].filter((key) => sensitiveParameter.test(key))
  if (url.username === "" && url.password === "" && sensitive.length === 0) return url.href
  const shown = new URL(url.href)
  shown.username = ""
  shown.password = ""
  for (const key of sensitive) shown.searchParams.set(key, "redacted")
  return shown.href
}

/**
 * The options of the SDK's HTTP transports (Streamable HTTP and legacy SSE)
 * for these: the headers, and OAuth with a `fetch` that refreshes once for a
 * burst of requests. With `guard`, the provider's tokens are noted in
 * `guard.secrets`, and every answer goes through a `fetch` that bounds what
 * it holds (see `makeSdk`).
 *
 * @since 0.1.0
 * @category utils
 */
export const sdkOptions = (options: HttpOptions, guard?: FetchGuard | undefined): {
  readonly requestInit?: { readonly headers: Record<string, string> }
  readonly authProvider?: OAuthClientProvider
  readonly fetch?: typeof fetch
  /** The checked code of a headless provider's authorization response, once it followed the page. */
  readonly takeCode: () => string | undefined
} => {
  const headers = baseHeaders(options)
  const authorization = options.authProvider === undefined
    ? undefined
    : McpAuth.forSdkTransport(options.authProvider, new URL(options.url), {
      secrets: guard?.secrets ?? new Set(),
      dpop: options.dpop
    })
  const base = authorization?.fetch
  const fetchFn = guard === undefined ? base : guardedFetch(base ?? globalThis.fetch, guard)
  return {
    ...(Object.keys(headers).length === 0 ? {} : { requestInit: { headers } }),
    ...(authorization === undefined ? {} : { authProvider: authorization.provider }),
    ...(fetchFn === undefined ? {} : { fetch: fetchFn }),
    takeCode: authorization?.takeCode ?? (() => undefined)
  }
}

/**
 * What the SDK transport's `fetch` watches for: the MCP endpoint, the largest
 * body or event it lets through, where it notes tokens, and what it tells of
 * a request whose answer cannot come.
 *
 * @since 0.2.0
 * @category models
 */
export interface FetchGuard {
  readonly url: URL
  readonly maxMessageBytes: number
  readonly secrets: Set<string>
  readonly onRequestFailure?: ((failure: Transport.RequestFailure) => void) | undefined
  /** Called with each request's abort function while it is in flight (`undefined` when it ends). */
  readonly track?: ((id: McpSchema.RequestId, abort: (() => void) | undefined) => void) | undefined
  /** The headers the client gave for this request's POST (taken: asked once). */
  readonly takeHeaders?: ((id: McpSchema.RequestId) => Readonly<Record<string, string>> | undefined) | undefined
}

/** The least time between two GETs of the event stream, whatever the server's `retry:` says. */
const minStreamInterval = 500
const maxStreamInterval = 30_000
/** What is kept of a refused answer's body, for its error message, and how long it is waited for. */
const maxRefusalBody = 2048
const refusalWait = 300

const sameEndpoint = (input: string | URL | Request, url: URL): boolean => {
  const target = typeof input === "string" ? input : input instanceof URL ? input.href : input.url
  try {
    const parsed = new URL(target)
    return parsed.origin === url.origin && parsed.pathname === url.pathname
  } catch {
    return false
  }
}

const headerOf = (init: RequestInit | undefined, name: string): string | undefined => {
  const headers = init?.headers
  if (headers === undefined) return undefined
  if (headers instanceof Headers) return headers.get(name) ?? undefined
  if (Array.isArray(headers)) return headers.find(([key]) => key.toLowerCase() === name)?.[1]
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value
  return undefined
}

// the id of the request a POST body carries, if it is one request
const requestIdOf = (body: unknown): McpSchema.RequestId | undefined => {
  if (typeof body !== "string" || !body.includes("\"method\"")) return undefined
  try {
    const message = JSON.parse(body)
    return typeof message?.method === "string" && (typeof message.id === "number" || typeof message.id === "string")
      ? message.id
      : undefined
  } catch {
    return undefined
  }
}

// the client's per-message headers after the transport's own, which they never replace
const withHeaders = (headers: HeadersInit | undefined, extra: Readonly<Record<string, string>>): Headers => {
  const merged = new Headers(headers)
  for (const [name, value] of Object.entries(extra)) {
    if (!merged.has(name)) merged.set(name, value)
  }
  return merged
}

const delay = (millis: number, signal: AbortSignal | null | undefined) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(resolve, millis)
    signal?.addEventListener("abort", () => {
      clearTimeout(timer)
      reject(signal.reason)
    }, { once: true })
  })

// A `fetch` for the SDK's transport that keeps it to what the client accepts:
// no body or event past `maxMessageBytes` is held (counted as bytes arrive),
// a refused answer keeps only its first bytes for the message, GETs of the
// event stream are spaced (a `retry: 0` would otherwise make a storm of
// them), a request can be aborted alone, and an event stream that ends
// before its request's answer fails that request.
const guardedFetch = (base: typeof globalThis.fetch, guard: FetchGuard): typeof globalThis.fetch => {
  let nextStream = 0
  let streamFailures = 0
  return async (input, init) => {
    const method = (init?.method ?? "GET").toUpperCase()
    const endpoint = sameEndpoint(input, guard.url)
    const stream = endpoint && method === "GET" && (headerOf(init, "accept") ?? "").includes("text/event-stream")
    if (stream) {
      const wait = nextStream - Date.now()
      if (wait > 0) await delay(wait, init?.signal)
      nextStream = Date.now() + Math.min(maxStreamInterval, minStreamInterval * 2 ** streamFailures)
    }
    const id = endpoint && method === "POST" ? requestIdOf(init?.body) : undefined
    const extra = id === undefined ? undefined : guard.takeHeaders?.(id)
    let requestInit = extra === undefined ? init : { ...init, headers: withHeaders(init?.headers, extra) }
    if (id !== undefined && guard.track !== undefined) {
      const controller = new AbortController()
      const signal = init?.signal === undefined || init.signal === null
        ? controller.signal
        : AbortSignal.any([init.signal, controller.signal])
      requestInit = { ...requestInit, signal }
      guard.track(id, () => controller.abort())
    }
    let response: Response
    try {
      response = await base(input, requestInit)
    } catch (cause) {
      if (id !== undefined) guard.track?.(id, undefined)
      throw cause
    }
    if (stream) streamFailures = response.ok ? 0 : Math.min(streamFailures + 1, 8)
    if (response.body === null || (response.status >= 300 && response.status < 400)) {
      if (id !== undefined) guard.track?.(id, undefined)
      return response
    }
    const type = response.headers.get("content-type") ?? ""
    const body = !response.ok
      ? truncated(response.body, maxRefusalBody)
      : type.startsWith("text/event-stream")
      ? watchedEvents(response.body, guard, id)
      : Frames.bounded(response.body, guard.maxMessageBytes, Number(response.headers.get("content-length") ?? 0))
    const done = id === undefined ? body : untracked(body, () => guard.track?.(id, undefined))
    return new Response(done, { status: response.status, statusText: response.statusText, headers: response.headers })
  }
}

// the first `limit` bytes that come within `refusalWait`, and the rest not read
const truncated = (body: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> => {
  const reader = body.getReader()
  let size = 0
  const deadline = Date.now() + refusalWait
  return new ReadableStream({
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined
      const late = new Promise<{ done: true; value: undefined }>((resolve) => {
        timer = setTimeout(() => resolve({ done: true, value: undefined }), Math.max(0, deadline - Date.now()))
      })
      const { done, value } = await Promise.race([
        reader.read().catch(() => ({ done: true, value: undefined } as const)),
        late
      ])
      clearTimeout(timer)
      if (done || value === undefined) {
        reader.cancel().catch(() => undefined)
        return controller.close()
      }
      const room = limit - size
      size += value.length
      controller.enqueue(value.length > room ? value.subarray(0, room) : value)
      if (size >= limit) {
        controller.close()
        reader.cancel().catch(() => undefined)
      }
    },
    cancel: (reason) => reader.cancel(reason)
  })
}

const untracked = (body: ReadableStream<Uint8Array>, onEnd: () => void): ReadableStream<Uint8Array> => {
  const reader = body.getReader()
  return new ReadableStream({
    async pull(controller) {
      try {
        const { done, value } = await reader.read()
        if (done) {
          onEnd()
          return controller.close()
        }
        controller.enqueue(value)
      } catch (cause) {
        onEnd()
        controller.error(cause)
      }
    },
    cancel: (reason) => {
      onEnd()
      return reader.cancel(reason)
    }
  })
}

// An event stream passed on as it comes, with no event held past the limit;
// for a request's stream, the events are read too, to fail the request when
// the stream ends without its answer and without an event id to resume from.
const watchedEvents = (
  body: ReadableStream<Uint8Array>,
  guard: FetchGuard,
  id: McpSchema.RequestId | undefined
): ReadableStream<Uint8Array> => {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let answered = false
  let resumable = false
  let tooLarge = false
  const parser = Sse.makeParser((event) => {
    if (event.data.length > guard.maxMessageBytes) tooLarge = true
    if (event.id !== undefined && event.id !== "") resumable = true
    if (id === undefined || answered || !event.data.includes("\"id\"")) return
    if (!event.data.includes("\"result\"") && !event.data.includes("\"error\"")) return
    try {
      const message = JSON.parse(event.data)
      // a server may send the id back as a string
      if (String(message?.id) === String(id) && ("result" in message || "error" in message)) answered = true
    } catch {
      // the SDK reports it
    }
  })
  const failRequest = (error: TransportError | ProtocolError) => {
    if (id !== undefined && !answered) {
      answered = true
      guard.onRequestFailure?.(new Transport.RequestFailure(id, error))
    }
  }
  const where = `the event stream${id === undefined ? "" : ` of request ${id}`}`
  return new ReadableStream({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>
      try {
        chunk = await reader.read()
      } catch (cause) {
        if (!resumable) {
          failRequest(
            new TransportError({ reason: "Read", description: `${where} broke off before its answer`, cause })
          )
        }
        return controller.error(cause)
      }
      if (chunk.done) {
        if (!resumable) {
          failRequest(new TransportError({ reason: "Read", description: `${where} ended before its answer` }))
        }
        return controller.close()
      }
      parser.push(decoder.decode(chunk.value, { stream: true }))
      if (tooLarge || parser.held() > guard.maxMessageBytes) {
        const error = Transport.tooLarge("an event of the event stream", guard.maxMessageBytes)
        failRequest(error)
        reader.cancel().catch(() => undefined)
        return controller.error(error)
      }
      controller.enqueue(chunk.value)
    },
    cancel: (reason) => reader.cancel(reason)
  })
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
    const given = credentials(options)
    const aborts = new Map<McpSchema.RequestId, () => void>()
    // per-message headers wait here for the POST the SDK's transport makes
    const headersOf = new Map<McpSchema.RequestId, Readonly<Record<string, string>>>()
    let push: ((failure: Transport.RequestFailure) => void) | undefined
    const guard: FetchGuard = {
      url,
      maxMessageBytes: yield* Transport.MaxMessageBytes,
      secrets: given.secrets,
      onRequestFailure: (failure) => push?.(failure),
      track: (id, abort) => {
        if (abort === undefined) aborts.delete(id)
        else aborts.set(id, abort)
      },
      takeHeaders: (id) => {
        const headers = headersOf.get(id)
        if (headers !== undefined) headersOf.delete(id)
        return headers
      }
    }
    // fetch refuses a URL with credentials in it: they go as Basic authorization, as node:http sends them
    const target = url.username === "" && url.password === "" ? url : new URL(displayUrl(url))
    const authorized = Object.keys(baseHeaders(options)).some((key) => key.toLowerCase() === "authorization")
    let sent = options
    if (target !== url && !authorized) {
      const basic = basicCredentials(url)
      given.secrets.add(basic)
      sent = { ...options, headers: { ...options.headers, Authorization: `Basic ${basic}` } }
    }
    const sdkOptionsOf = sdkOptions(sent, guard)
    const sdk = new StreamableHTTPClientTransport(target, sdkOptionsOf)
    const transport = yield* SdkTransport.make(() => sdk, {
      credentials: given,
      feed: (pushFrame) => {
        push = pushFrame
      },
      abandon: (id) => {
        aborts.get(id)?.()
        aborts.delete(id)
        headersOf.delete(id)
      },
      wrapSend: finishingAuth(sdk, sdkOptionsOf, (cause) => cause instanceof UnauthorizedError)
    })
    // end the server-side session too, so nothing stays open on the server
    yield* Scope.addFinalizer(
      yield* Effect.scope,
      Effect.suspend(() =>
        sdk.sessionId === undefined
          ? Effect.void
          : Effect.promise(() => sdk.terminateSession().catch(() => undefined)).pipe(
            Effect.interruptible,
            Effect.timeoutOption(Duration.seconds(5))
          )
      )
    )
    return Transport.make({
      ...transport,
      send: (message, headers) => {
        if (headers !== undefined && "id" in message && "method" in message) headersOf.set(message.id, headers)
        return transport.send(message)
      },
      carriesHeaders: true,
      cancelsByClosing: true
    })
  })

const maxAuthorizations = 3

const authorizationRefused = (cause: unknown) =>
  new TransportError({
    reason: "Unauthorized",
    description: `the authorization failed: ${cause instanceof Error ? cause.message : String(cause)}. ${
      unauthorizedAdvice("provider")
    }`,
    cause
  })

// A request the server refused for its credentials never ran, so it can go
// again, a bounded number of times: after a headless provider got the code
// (the SDK sent the user to the authorization page: finish the flow first),
// or after another request refreshed the token meanwhile (the SDK's transport
// re-authorizes once for all requests, and fails the others that met the old
// token).
const finishingAuth = (
  sdk: StreamableHTTPClientTransport,
  authorization: ReturnType<typeof sdkOptions>,
  isUnauthorizedError: (cause: unknown) => boolean
) =>
(write: Transport.Transport["send"]): Transport.Transport["send"] => {
  if (authorization.authProvider === undefined) return write
  const send = (
    message: Parameters<Transport.Transport["send"]>[0],
    attempt: number
  ): Effect.Effect<void, TransportError> =>
    Effect.catchIf(
      write(message),
      (error) => error.reason === "Unauthorized" && attempt < maxAuthorizations,
      (error) => {
        let code: string | undefined
        try {
          code = authorization.takeCode()
        } catch (refused) {
          return Effect.fail(authorizationRefused(refused))
        }
        // a check that failed or a grant refused does not get better by asking again
        if (code === undefined) {
          return isUnauthorizedError(error.cause) || McpAuth.isAuthorizationError(error.cause)
            ? Effect.fail(error)
            : send(message, attempt + 1)
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
