/**
 * Authorization for HTTP transports. OAuth runs through the SDK's
 * `OAuthClientProvider` (discovery, registration, PKCE, token exchange,
 * refresh, scope step-up); this module adds what the SDK leaves to its users:
 * a provider that completes the authorization-code flow without a browser,
 * and (in the HTTP transport) the finish-and-retry after a redirect.
 *
 * @since 0.1.0
 */
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js"
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens
} from "@modelcontextprotocol/sdk/shared/auth.js"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import { TransportError } from "./McpError.js"

/**
 * What a client keeps between sessions: its tokens and its registration.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredCredentials {
  readonly tokens?: OAuthTokens | undefined
  readonly clientInformation?: OAuthClientInformationMixed | undefined
}

/**
 * Where a client keeps its credentials: memory, a file, a keychain.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenStore {
  readonly load: () => Promise<StoredCredentials | undefined>
  readonly save: (credentials: StoredCredentials) => Promise<void>
}

/**
 * A store in memory; share one between clients to share their credentials.
 *
 * @since 0.1.0
 * @category constructors
 */
export const memoryStore = (): TokenStore => {
  let credentials: StoredCredentials | undefined
  return {
    load: async () => credentials,
    save: async (saved) => {
      credentials = saved
    }
  }
}

/**
 * The authorization server sent the user back with an error (access denied,
 * consent withdrawn).
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthorizationRefused extends Error {
  constructor(readonly error: string) {
    super(`the authorization server refused the authorization (${error})`)
    this.name = "AuthorizationRefused"
  }
}

/**
 * A `fetch` for the SDK's `auth()` (both HTTP transports give it one) that
 * refreshes once for a burst of requests. `auth()` refreshes on every 401, so
 * concurrent requests that meet an expired token would each refresh, one
 * after the other, each with the refresh token the previous one returned.
 * Here a refresh with a token that is being refreshed, or that a refresh
 * returned less than `window` ago, gets a copy of that refresh's response
 * instead of a new request.
 *
 * @since 0.1.0
 * @category constructors
 */
export const singleFlightRefresh = (
  fetchFn: typeof globalThis.fetch = globalThis.fetch,
  window = 5_000
): typeof globalThis.fetch => {
  const refreshes = new Map<string, { readonly response: Promise<Response>; at: number }>()
  return (input, init) => {
    const body = init?.body
    const form = body instanceof URLSearchParams
      ? body
      : typeof body === "string"
      ? new URLSearchParams(body)
      : undefined
    const token = form?.get("grant_type") === "refresh_token" ? form.get("refresh_token") : null
    if (token === null || token === undefined) return fetchFn(input, init)
    const now = Date.now()
    for (const [key, entry] of refreshes) if (now - entry.at > window) refreshes.delete(key)
    const shared = refreshes.get(token)
    if (shared !== undefined) return shared.response.then((response) => response.clone())
    const response = fetchFn(input, init)
    const entry = { response, at: now }
    refreshes.set(token, entry)
    // the token this refresh returns is the one the next requests of the burst will present
    response.then((answer) =>
      answer.ok
        ? answer.clone().json().then((tokens: { refresh_token?: unknown }) => {
          entry.at = Date.now()
          if (typeof tokens.refresh_token === "string") refreshes.set(tokens.refresh_token, entry)
        })
        : undefined
    ).catch(() => undefined)
    return response.then((answer) => answer.clone())
  }
}

/**
 * The same provider, noting in `secrets` every token and client secret it
 * hands out or is given, so that a transport can keep them out of its error
 * texts. Methods run on the provider itself (class instances with private
 * fields work).
 *
 * @since 0.2.0
 * @category constructors
 */
export const recordingSecrets = <P extends OAuthClientProvider>(provider: P, secrets: Set<string>): P => {
  const noteTokens = (tokens: OAuthTokens | undefined) => {
    if (tokens === undefined) return
    secrets.add(tokens.access_token)
    if (tokens.refresh_token !== undefined) secrets.add(tokens.refresh_token)
  }
  const noteClient = (information: OAuthClientInformationMixed | undefined) => {
    if (information?.client_secret !== undefined) secrets.add(information.client_secret)
  }
  const after = <A>(value: A | Promise<A>, note: (a: A) => void): A | Promise<A> => {
    if (value instanceof Promise) return value.then((a) => (note(a), a))
    note(value)
    return value
  }
  return new Proxy(provider, {
    get(target, key) {
      const value = Reflect.get(target, key, target)
      if (typeof value !== "function") return value
      switch (key) {
        case "tokens":
          return () => after(value.call(target), noteTokens)
        case "saveTokens":
          return (tokens: OAuthTokens) => (noteTokens(tokens), value.call(target, tokens))
        case "clientInformation":
          return () => after(value.call(target), noteClient)
        case "saveClientInformation":
          return (
            information: OAuthClientInformationMixed
          ) => (noteClient(information), value.call(target, information))
        default:
          return value.bind(target)
      }
    }
  })
}

/**
 * A provider that can finish its authorization-code flow itself: after
 * `redirectToAuthorization`, `takeAuthorizationCode` returns the code.
 *
 * @since 0.1.0
 * @category models
 */
export interface HeadlessProvider extends OAuthClientProvider {
  readonly takeAuthorizationCode: () => string | undefined
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isHeadlessProvider = (u: unknown): u is HeadlessProvider =>
  Predicate.hasProperty(u, "takeAuthorizationCode") && typeof u.takeAuthorizationCode === "function"

/**
 * An OAuth client for programs without a browser (CLIs, tests, services the
 * user has already consented for): it opens the authorization URL itself,
 * with redirects not followed, and takes the code from the redirect's
 * `Location`, checking `state`. Tokens and client information are kept in
 * memory.
 *
 * @since 0.1.0
 * @category constructors
 */
export const headless = (options: {
  /** Where tokens and client registration are kept (default: memory, for this provider only). */
  readonly store?: TokenStore | undefined
  readonly clientMetadata: OAuthClientMetadata
  readonly redirectUrl: string
  /** A URL-form client id (client-id metadata document), used when the server supports it. */
  readonly clientMetadataUrl?: string | undefined
  /** Pre-registered credentials, instead of dynamic registration. */
  readonly clientInformation?: OAuthClientInformationMixed | undefined
  readonly fetch?: typeof globalThis.fetch | undefined
}): HeadlessProvider => {
  const store = options.store ?? memoryStore()
  let stored: Promise<StoredCredentials> | undefined
  const load = () => (stored ??= store.load().then((found) => found ?? {}))
  const save = async (change: StoredCredentials) => {
    const next = { ...(await load()), ...change }
    stored = Promise.resolve(next)
    await store.save(next)
  }
  let verifier: string | undefined
  let code: string | undefined
  const state = crypto.randomUUID()
  const fetchFn = options.fetch ?? globalThis.fetch
  return {
    get redirectUrl() {
      return options.redirectUrl
    },
    ...(options.clientMetadataUrl === undefined ? {} : { clientMetadataUrl: options.clientMetadataUrl }),
    get clientMetadata() {
      return options.clientMetadata
    },
    state: () => state,
    clientInformation: async () => (await load()).clientInformation ?? options.clientInformation,
    saveClientInformation: (clientInformation) => save({ clientInformation }),
    tokens: async () => (await load()).tokens,
    saveTokens: (tokens) => save({ tokens }),
    saveCodeVerifier: (saved) => {
      verifier = saved
    },
    codeVerifier: () => {
      if (verifier === undefined) throw new Error("no PKCE code verifier was saved")
      return verifier
    },
    invalidateCredentials: async (scope) => {
      if (scope === "all" || scope === "verifier") verifier = undefined
      if (scope === "all" || scope === "tokens") await save({ tokens: undefined })
      if (scope === "all" || scope === "client") await save({ clientInformation: undefined })
    },
    redirectToAuthorization: async (url) => {
      const response = await fetchFn(url, { redirect: "manual" })
      const location = response.headers.get("location")
      if (location === null) {
        throw new Error(`the authorization endpoint answered ${response.status} without a redirect`)
      }
      const redirect = new URL(location, url)
      const returned = redirect.searchParams.get("state")
      if (returned !== null && returned !== state) throw new Error("the authorization redirect carried the wrong state")
      const error = redirect.searchParams.get("error")
      if (error !== null) throw new AuthorizationRefused(error)
      code = redirect.searchParams.get("code") ?? undefined
      if (code === undefined) throw new Error("the authorization redirect carried no code")
    },
    takeAuthorizationCode: () => {
      const taken = code
      code = undefined
      return taken
    }
  }
}

const tokenRequest = (
  endpoint: string,
  body: Record<string, string>,
  basic?: { readonly id: string; readonly secret: string }
): Promise<Record<string, unknown>> =>
  fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
      ...(basic === undefined
        ? {}
        : { authorization: `Basic ${btoa(`${encodeURIComponent(basic.id)}:${encodeURIComponent(basic.secret)}`)}` })
    },
    body: new URLSearchParams(body)
  }).then(async (response) => {
    const json = await response.json().catch(() => ({})) as Record<string, unknown>
    if (!response.ok) {
      throw new Error(`${endpoint} answered ${response.status}: ${json.error ?? ""} ${json.error_description ?? ""}`)
    }
    return json
  })

/**
 * Cross-app access (SEP-990): trades the user's ID token at their identity
 * provider for an identity assertion grant (RFC 8693 token exchange), then
 * that at the MCP server's authorization server for an access token (RFC 7523
 * jwt-bearer). Give the token to an HTTP source as `bearer`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const crossAppAccess = (options: {
  /** The MCP server's URL. */
  readonly serverUrl: string
  readonly idToken: Redacted.Redacted<string>
  readonly identityProvider: { readonly tokenEndpoint: string; readonly clientId: string }
  readonly client: { readonly id: string; readonly secret: Redacted.Redacted<string> }
}): Effect.Effect<Redacted.Redacted<string>, TransportError> =>
  Effect.tryPromise({
    try: async () => {
      // loaded when used: the SDK's auth module brings its zod schemas (4.5 MB of heap)
      const { discoverOAuthServerInfo } = await import("@modelcontextprotocol/sdk/client/auth.js")
      const info = await discoverOAuthServerInfo(options.serverUrl)
      const metadata = info.authorizationServerMetadata
      if (metadata === undefined) throw new Error("the server's authorization server publishes no metadata")
      const resource = info.resourceMetadata?.resource ?? options.serverUrl
      const grant = await tokenRequest(options.identityProvider.tokenEndpoint, {
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: Redacted.value(options.idToken),
        subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
        requested_token_type: "urn:ietf:params:oauth:token-type:id-jag",
        audience: metadata.issuer,
        resource,
        client_id: options.identityProvider.clientId
      })
      if (typeof grant.access_token !== "string") throw new Error("the identity provider returned no grant")
      const token = await tokenRequest(metadata.token_endpoint, {
        grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        assertion: grant.access_token
      }, { id: options.client.id, secret: Redacted.value(options.client.secret) })
      if (typeof token.access_token !== "string") throw new Error("the authorization server returned no token")
      return Redacted.make(token.access_token)
    },
    catch: (cause) =>
      new TransportError({
        reason: "Connect",
        description: `cross-app access failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        cause
      })
  })
