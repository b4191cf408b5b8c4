/**
 * Authorization for HTTP sources. OAuth runs through the SDK's
 * `OAuthClientProvider` and its `auth()` (discovery, registration, PKCE,
 * token exchange, refresh, scope step-up); this module adds what the SDK
 * leaves to its users and what revision 2026-07-28 asks of a client: a
 * provider that completes the authorization-code flow without a browser,
 * the checks of the authorization server's metadata and response (RFC 8414
 * issuer, RFC 9207 `iss`), DPoP, credentials kept by server and issuer in a
 * `TokenStore` service, and the providers of grants without a user (client
 * credentials, private-key JWT, workload identity, enterprise-managed).
 *
 * @example
 * ```ts
 * import { McpAuth, McpClient } from "@effect-mcp/client"
 * import { Effect, Redacted } from "effect"
 *
 * // a service calling a server for itself
 * const Service = McpClient.layer({
 *   url: "https://mcp.example.com/mcp",
 *   authProvider: McpAuth.clientCredentials({
 *     clientId: "reporting",
 *     clientSecret: Redacted.make("from-your-secret-store")
 *   })
 * })
 *
 * // a CLI acting for its user, credentials in the context's TokenStore
 * const AsTheUser = Effect.gen(function*() {
 *   const authProvider = yield* McpAuth.headless({
 *     redirectUrl: "http://127.0.0.1:8976/callback",
 *     clientMetadata: { client_name: "my cli", redirect_uris: ["http://127.0.0.1:8976/callback"] }
 *   })
 *   return McpClient.layer({ url: "https://mcp.example.com/mcp", authProvider })
 * }).pipe(Effect.provide(McpAuth.layerMemory))
 * ```
 *
 * @since 0.1.0
 */
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js"
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens
} from "@modelcontextprotocol/sdk/shared/auth.js"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Authorization from "./internal/authorization.js"
import type * as Dpop from "./internal/dpop.js"
import { TransportError } from "./McpError.js"

/**
 * What a client keeps of one authorization server: its registration there,
 * the tokens it issued, and the DPoP key they are bound to.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredCredentials {
  readonly tokens?: OAuthTokens | undefined
  readonly clientInformation?: OAuthClientInformationMixed | undefined
  readonly dpopKey?: Dpop.StoredDpopKey | undefined
}

/**
 * What a client keeps for one MCP server: the credentials of each
 * authorization server it used, keyed by issuer, and the issuer it uses now.
 * When the server moves to another authorization server, the client
 * registers there afresh: nothing of one issuer is ever sent to another.
 *
 * @since 0.4.0
 * @category models
 */
export interface ServerCredentials {
  readonly issuer: string | undefined
  readonly issuers: { readonly [issuer: string]: StoredCredentials }
}

/**
 * A token store could not be read or written.
 *
 * @since 0.4.0
 * @category errors
 */
export class TokenStoreError extends Data.TaggedError("TokenStoreError")<{
  readonly description: string
  readonly cause?: unknown
}> {
  override get message() {
    return this.description
  }
}

/**
 * Where clients keep their credentials between sessions, one entry per MCP
 * server (keyed by its URL): memory, a file, or any `KeyValueStore`.
 *
 * @since 0.4.0
 * @category models
 */
export interface TokenStoreService {
  readonly load: (server: string) => Effect.Effect<Option.Option<ServerCredentials>, TokenStoreError>
  readonly save: (server: string, credentials: ServerCredentials) => Effect.Effect<void, TokenStoreError>
}

/**
 * The token store `headless` uses when it is given none.
 *
 * @since 0.4.0
 * @category tags
 */
export class TokenStore extends Context.Tag("@effect-mcp/client/McpAuth/TokenStore")<TokenStore, TokenStoreService>() {}

const parseCredentials = (server: string, text: string): Effect.Effect<ServerCredentials, TokenStoreError> =>
  Effect.try({
    try: () => {
      const parsed: unknown = JSON.parse(text)
      if (
        !Predicate.isRecord(parsed) || !Predicate.isRecord(parsed.issuers) ||
        (parsed.issuer !== undefined && typeof parsed.issuer !== "string")
      ) throw new Error("not credentials")
      return parsed as unknown as ServerCredentials
    },
    catch: (cause) =>
      new TokenStoreError({
        description: `the stored credentials of ${server} are unreadable: they are ignored`,
        cause
      })
  })

/**
 * A token store on a `KeyValueStore` (each server's credentials as JSON).
 *
 * @since 0.4.0
 * @category constructors
 */
export const fromKeyValueStore = (store: KeyValueStore.KeyValueStore): TokenStoreService => ({
  load: (server) =>
    store.get(server).pipe(
      Effect.mapError((cause) =>
        new TokenStoreError({ description: `the credentials of ${server} could not be read`, cause })
      ),
      Effect.flatMap(Option.match({
        onNone: () => Effect.succeed(Option.none()),
        onSome: (text) => Effect.map(parseCredentials(server, text), Option.some)
      }))
    ),
  save: (server, credentials) =>
    store.set(server, JSON.stringify(credentials)).pipe(
      Effect.mapError((cause) =>
        new TokenStoreError({ description: `the credentials of ${server} could not be written`, cause })
      )
    )
})

/**
 * A store in memory; share one between clients to share their credentials.
 *
 * @since 0.1.0
 * @category constructors
 */
export const memoryStore = (): TokenStoreService => {
  const entries = new Map<string, ServerCredentials>()
  return {
    load: (server) => Effect.sync(() => Option.fromNullable(entries.get(server))),
    save: (server, credentials) => Effect.sync(() => void entries.set(server, credentials))
  }
}

/**
 * A `TokenStore` in memory, for the clients of one program.
 *
 * @since 0.4.0
 * @category layers
 */
export const layerMemory: Layer.Layer<TokenStore> = Layer.sync(TokenStore, memoryStore)

/**
 * A token store on the context's `KeyValueStore`.
 *
 * @since 0.4.0
 * @category layers
 */
export const layerKeyValueStore: Layer.Layer<TokenStore, never, KeyValueStore.KeyValueStore> = Layer.effect(
  TokenStore,
  Effect.map(KeyValueStore.KeyValueStore, fromKeyValueStore)
)

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
 * An authorization that was refused, or that the client refused to go on
 * with: metadata whose `issuer` is not the authorization server it was
 * fetched from, an authorization response from another issuer or without the
 * `iss` its server promised (RFC 9207), the user's refusal, a grant the
 * server turned down. Transports fail with a `TransportError` (reason
 * `Unauthorized`) whose cause is this.
 *
 * @since 0.4.0
 * @category errors
 */
export const AuthorizationError = Authorization.AuthorizationError

/**
 * The type of `AuthorizationError`'s instances.
 *
 * @since 0.4.0
 * @category errors
 */
export type AuthorizationError = Authorization.AuthorizationError

/**
 * Whether `u`, or an error in its chain of causes, is an `AuthorizationError`.
 *
 * @since 0.4.0
 * @category guards
 */
export const isAuthorizationError = (u: unknown): boolean => {
  let at = u
  for (let depth = 0; depth < 8 && Predicate.isObject(at); depth++) {
    if (at instanceof AuthorizationError) return true
    at = Predicate.hasProperty(at, "cause") ? at.cause : undefined
  }
  return false
}

/**
 * A provider that can finish its authorization-code flow itself: after
 * `redirectToAuthorization`, `takeAuthorizationResponse` returns the
 * redirect's parameters (the transport checks its `iss` before redeeming its
 * code). It keeps its DPoP key with its credentials, and `forServer` gives the
 * same provider keeping one server's credentials apart from another's.
 *
 * @since 0.1.0
 * @category models
 */
export interface HeadlessProvider extends OAuthClientProvider, Authorization.DpopKeyStore {
  readonly takeAuthorizationResponse: () => URLSearchParams | undefined
  readonly forServer: (serverUrl: string) => HeadlessProvider
}

/**
 * Whether a provider is one `headless` made (it hands the transport the
 * authorization response to check).
 *
 * @since 0.1.0
 * @category guards
 */
export const isHeadlessProvider = (u: unknown): u is HeadlessProvider =>
  Authorization.isAuthorizationResponseSource(u) && Predicate.hasProperty(u, "forServer")

/**
 * The options of `headless`.
 *
 * @since 0.4.0
 * @category models
 */
export interface HeadlessOptions {
  /** Where credentials are kept (default: the context's `TokenStore`, else memory for this provider only). */
  readonly store?: TokenStoreService | undefined
  readonly clientMetadata: OAuthClientMetadata
  readonly redirectUrl: string
  /** A URL-form client id (client-id metadata document), used when the server supports it. */
  readonly clientMetadataUrl?: string | undefined
  /** Pre-registered credentials, instead of dynamic registration. */
  readonly clientInformation?: OAuthClientInformationMixed | undefined
  readonly fetch?: typeof globalThis.fetch | undefined
}

const noCredentials: ServerCredentials = { issuer: undefined, issuers: {} }

/** The authorization servers whose credentials are kept per MCP server, the most recently written. */
const maxIssuers = 8

const makeHeadless = (options: HeadlessOptions, store: TokenStoreService, server: string): HeadlessProvider => {
  let cached: Promise<ServerCredentials> | undefined
  // an unreadable entry is as good as none: the next save replaces it
  const load = () => (cached ??= Effect.runPromise(
    store.load(server).pipe(
      Effect.map(Option.getOrElse(() => noCredentials)),
      Effect.orElseSucceed(() => noCredentials)
    )
  ))
  const entryOf = (credentials: ServerCredentials, issuer: string | undefined): StoredCredentials =>
    issuer !== undefined && Object.hasOwn(credentials.issuers, issuer) ? credentials.issuers[issuer]! : {}
  const current = async () => {
    const credentials = await load()
    return entryOf(credentials, credentials.issuer)
  }
  const write = async (next: ServerCredentials) => {
    cached = Promise.resolve(next)
    await Effect.runPromise(store.save(server, next))
  }
  /** Changes the entry of `issuer` (the SDK stamps what it saves with it), else the current issuer's. */
  const update = async (change: StoredCredentials, issuer?: string | undefined) => {
    const credentials = await load()
    const key = issuer ?? credentials.issuer
    if (key === undefined) return
    const entry = { ...entryOf(credentials, key), ...change }
    // the entry written last goes last; past the limit the oldest go (a server that names a new
    // authorization server at every refusal does not grow the store for ever)
    const kept = Object.entries(credentials.issuers).filter(([name]) => name !== key).slice(-(maxIssuers - 1))
    await write({
      issuer: credentials.issuer ?? key,
      issuers: Object.fromEntries([...kept, [key, entry]])
    })
  }
  let verifier: string | undefined
  let response: URLSearchParams | undefined
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
    clientInformation: async () => (await current()).clientInformation ?? options.clientInformation,
    saveClientInformation: (clientInformation) => update({ clientInformation }, clientInformation.issuer ?? undefined),
    tokens: async () => (await current()).tokens,
    saveTokens: (tokens) => update({ tokens }, tokens.issuer ?? undefined),
    // the authorization server discovery found: from now on its entry is the one in use
    saveDiscoveryState: async (discovered) => {
      const credentials = await load()
      if (credentials.issuer !== discovered.authorizationServerUrl) {
        await write({ ...credentials, issuer: discovered.authorizationServerUrl })
      }
    },
    dpopKey: async () => (await current()).dpopKey,
    saveDpopKey: (dpopKey) => update({ dpopKey }),
    saveCodeVerifier: (saved) => {
      verifier = saved
    },
    codeVerifier: () => {
      if (verifier === undefined) throw new Error("no PKCE code verifier was saved")
      return verifier
    },
    invalidateCredentials: async (scope) => {
      if (scope === "all" || scope === "verifier") verifier = undefined
      if (scope === "all" || scope === "tokens") await update({ tokens: undefined })
      if (scope === "all" || scope === "client") await update({ clientInformation: undefined })
    },
    redirectToAuthorization: async (url) => {
      response = undefined
      const answer = await fetchFn(url, { redirect: "manual" })
      await answer.body?.cancel()
      const location = answer.headers.get("location")
      if (location === null) {
        throw new AuthorizationError({
          reason: "InvalidRedirect",
          description: `the authorization endpoint answered ${answer.status} without a redirect`
        })
      }
      const redirect = new URL(location, url)
      if (redirect.searchParams.get("state") !== state) {
        throw new AuthorizationError({
          reason: "InvalidRedirect",
          description: "the authorization redirect carried the wrong state"
        })
      }
      response = redirect.searchParams
    },
    takeAuthorizationResponse: () => {
      const taken = response
      response = undefined
      return taken
    },
    forServer: (serverUrl) => makeHeadless(options, store, serverUrl)
  }
}

/**
 * An OAuth client for programs without a browser (CLIs, tests, services the
 * user has already consented for): it opens the authorization URL itself,
 * with redirects not followed, and takes the response from the redirect's
 * `Location`, checking `state` (the transport then checks `iss`). Credentials
 * go to `store`, else the context's `TokenStore`, else memory.
 *
 * @since 0.1.0
 * @category constructors
 */
export const headless = (options: HeadlessOptions): Effect.Effect<HeadlessProvider> =>
  Effect.map(
    Effect.serviceOption(TokenStore),
    (inContext) => makeHeadless(options, options.store ?? Option.getOrElse(inContext, memoryStore), "default")
  )

/**
 * How an HTTP transport authorizes with a provider.
 *
 * @since 0.4.0
 * @category models
 */
export interface AuthorizationOptions {
  /** Tokens and client secrets are noted here, to be kept out of error texts. */
  readonly secrets: Set<string>
  /** DPoP: used when the authorization server offers ES256 (`"auto"`, the default), or never. */
  readonly dpop?: "auto" | "off" | undefined
}

/** The provider a transport uses for `serverUrl`: a headless one keeps that server's credentials apart. */
const forServer = (provider: OAuthClientProvider, serverUrl: URL): OAuthClientProvider =>
  isHeadlessProvider(provider) ? provider.forServer(serverUrl.href) : provider

/**
 * The authorizer of a transport that sends its own requests (the Node HTTP
 * transport): the headers of each request, and what to do when the server
 * refuses one. Runs the SDK's `auth()` with every check of this module.
 *
 * @since 0.4.0
 * @category transports
 */
export const authorizer = (
  provider: OAuthClientProvider,
  serverUrl: URL,
  options: AuthorizationOptions
): Promise<Authorization.Authorizer> => {
  const bound = forServer(provider, serverUrl)
  const session = Authorization.makeSession(bound, options)
  return Authorization.makeAuthorizer(
    session,
    Authorization.guardProvider(session, bound),
    serverUrl,
    singleFlightRefresh(Authorization.authorizationFetch(session, globalThis.fetch))
  )
}

/**
 * What an SDK transport needs to authorize with every check of this module:
 * the provider to give it, a `fetch` (built on `base`) that checks metadata,
 * adds DPoP proofs and answers the server's DPoP nonce, and `takeCode`, the
 * checked code of a headless provider's authorization response.
 *
 * @since 0.4.0
 * @category transports
 */
export const forSdkTransport = (
  provider: OAuthClientProvider,
  serverUrl: URL,
  options: AuthorizationOptions & { readonly fetch?: typeof globalThis.fetch | undefined }
): {
  readonly provider: OAuthClientProvider
  readonly fetch: typeof globalThis.fetch
  readonly takeCode: () => string | undefined
} => {
  const bound = forServer(provider, serverUrl)
  const session = Authorization.makeSession(bound, options)
  const base = options.fetch ?? globalThis.fetch
  const authorizing = singleFlightRefresh(Authorization.authorizationFetch(session, base))
  const endpoint = `${serverUrl.origin}${serverUrl.pathname}`
  const toServer: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const method = (init?.method ?? "GET").toUpperCase()
    const headers = new Headers(init?.headers)
    const sent = headers.get("authorization")
    if (sent === null || !sent.startsWith("Bearer ")) return base(input, init)
    const tokens = await bound.tokens()
    if (!Authorization.isDpopBound(tokens) || tokens?.access_token !== sent.slice(7)) return base(input, init)
    const send = async () => {
      for (
        const [name, value] of Object.entries(
          await Authorization.resourceHeaders(session, tokens, { method, url: url.href })
        )
      ) {
        headers.set(name, value)
      }
      return base(input, { ...init, headers })
    }
    const response = await send()
    const nonce = response.headers.get("dpop-nonce") ?? undefined
    if (
      response.status === 401 &&
      Authorization.tookResourceNonce(session, response.headers.get("www-authenticate") ?? undefined, nonce)
    ) {
      await response.body?.cancel()
      return send()
    }
    Authorization.noteResourceNonce(session, nonce)
    return response
  }
  return {
    provider: Authorization.guardProvider(session, bound),
    fetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input))
      return `${url.origin}${url.pathname}` === endpoint ? toServer(input, init) : authorizing(input, init)
    },
    takeCode: () => Authorization.takeCode(session)
  }
}

const jwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

const basicAuthorization = (id: string, secret: string) =>
  `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`

/** A token-endpoint error's fields: codes and descriptions, never the request. */
const refusalOf = async (response: Response): Promise<string> => {
  const json = await response.json().catch(() => ({})) as Record<string, unknown>
  const field = (u: unknown) => typeof u === "string" ? u.slice(0, 200) : ""
  return `${response.status} ${field(json.error)} ${field(json.error_description)}`.trim()
}

/** RFC 8693 token exchange at the identity provider: the user's ID token for an ID-JAG. */
const exchangeIdToken = async (options: EnterpriseOptions, audience: string, resource: string): Promise<string> => {
  const body = new URLSearchParams({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: Redacted.value(options.idToken),
    subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
    requested_token_type: "urn:ietf:params:oauth:token-type:id-jag",
    audience,
    resource,
    client_id: options.identityProvider.clientId
  })
  const secret = options.identityProvider.clientSecret
  const response = await fetch(options.identityProvider.tokenEndpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
      ...(secret === undefined
        ? {}
        : { authorization: basicAuthorization(options.identityProvider.clientId, Redacted.value(secret)) })
    },
    body
  })
  if (!response.ok) {
    throw new AuthorizationError({
      reason: "GrantRefused",
      description: `the identity provider refused the token exchange (${await refusalOf(response)})`
    })
  }
  const grant = await response.json().catch(() => undefined) as { access_token?: unknown } | undefined
  if (typeof grant?.access_token !== "string") {
    throw new AuthorizationError({ reason: "GrantRefused", description: "the identity provider returned no grant" })
  }
  return grant.access_token
}

/**
 * A provider of a grant with no user in the loop (client credentials,
 * jwt-bearer): the SDK's `auth()` discovers, then asks the token endpoint
 * with `grant`. A grant the server refused is not asked again at once (the
 * SDK retries a refused grant once by itself): the next refusal of a request
 * tries afresh.
 */
const nonInteractive = (options: {
  readonly clientId: string
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  readonly grantTypes: ReadonlyArray<string>
  readonly scope?: string | undefined
  readonly authMethod?: string | undefined
  readonly addClientAuthentication?: OAuthClientProvider["addClientAuthentication"] | undefined
  readonly grant: (
    discovered: { readonly issuer: string | undefined; readonly resource: string | undefined },
    scope: string | undefined
  ) => Promise<URLSearchParams>
}): OAuthClientProvider => {
  let tokens: OAuthTokens | undefined
  let information: OAuthClientInformationMixed = {
    client_id: options.clientId,
    ...(options.clientSecret === undefined ? {} : { client_secret: Redacted.value(options.clientSecret) })
  }
  let discovered: { issuer: string | undefined; resource: string | undefined } = {
    issuer: undefined,
    resource: undefined
  }
  let refused = false
  return {
    get redirectUrl() {
      return undefined
    },
    get clientMetadata() {
      return {
        client_name: "effect-mcp",
        redirect_uris: [],
        grant_types: [...options.grantTypes],
        token_endpoint_auth_method: options.authMethod ??
          (options.clientSecret === undefined ? "none" : "client_secret_basic"),
        ...(options.scope === undefined ? {} : { scope: options.scope })
      }
    },
    clientInformation: () => information,
    saveClientInformation: (saved) => {
      information = saved
    },
    tokens: () => tokens,
    saveTokens: (saved) => {
      tokens = saved
    },
    saveDiscoveryState: (state) => {
      discovered = {
        issuer: state.authorizationServerMetadata?.issuer,
        resource: state.resourceMetadata?.resource
      }
    },
    invalidateCredentials: (scope) => {
      if (scope === "all" || scope === "tokens") tokens = undefined
      refused = true
    },
    ...(options.addClientAuthentication === undefined
      ? {}
      : { addClientAuthentication: options.addClientAuthentication }),
    redirectToAuthorization: () => {
      throw new Error("a non-interactive grant has no authorization page")
    },
    saveCodeVerifier: () => undefined,
    codeVerifier: () => {
      throw new Error("a non-interactive grant has no code verifier")
    },
    prepareTokenRequest: async (scope) => {
      if (refused) {
        refused = false
        throw new AuthorizationError({
          reason: "GrantRefused",
          description:
            "the authorization server refused the grant (invalid_grant, invalid_client or unauthorized_client): " +
            "it is not asked again until the next request"
        })
      }
      return options.grant(discovered, scope ?? options.scope)
    }
  }
}

/**
 * The client-credentials grant (machine to machine), the client
 * authenticating with its secret (HTTP Basic).
 *
 * @since 0.4.0
 * @category providers
 */
export const clientCredentials = (options: {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly scope?: string | undefined
}): OAuthClientProvider =>
  nonInteractive({
    ...options,
    grantTypes: ["client_credentials"],
    grant: async (_, scope) =>
      new URLSearchParams({ grant_type: "client_credentials", ...(scope === undefined ? {} : { scope }) })
  })

/**
 * The client-credentials grant, the client authenticating with a JWT signed
 * by its private key (`private_key_jwt`, RFC 7523 §2.2: `iss` = `sub` = the
 * client id, `aud` the authorization server's issuer). `privateKey` is a
 * PKCS#8 PEM.
 *
 * @since 0.4.0
 * @category providers
 */
export const privateKeyJwt = (options: {
  readonly clientId: string
  readonly privateKey: Redacted.Redacted<string>
  readonly algorithm: string
  readonly scope?: string | undefined
}): OAuthClientProvider =>
  nonInteractive({
    clientId: options.clientId,
    scope: options.scope,
    grantTypes: ["client_credentials"],
    authMethod: "private_key_jwt",
    addClientAuthentication: async (headers, params, url, metadata) => {
      // loaded when used: the SDK's signing helper brings jose
      const { createPrivateKeyJwtAuth } = await import("@modelcontextprotocol/sdk/client/auth-extensions.js")
      const sign = createPrivateKeyJwtAuth({
        issuer: options.clientId,
        subject: options.clientId,
        privateKey: Redacted.value(options.privateKey),
        alg: options.algorithm
      })
      await sign(headers, params, url, metadata)
    },
    grant: async (_, scope) =>
      new URLSearchParams({ grant_type: "client_credentials", ...(scope === undefined ? {} : { scope }) })
  })

/**
 * Workload identity federation (SEP-1933): the workload's own token (from
 * its platform: a Kubernetes service account, a cloud identity) presented as
 * an RFC 7523 jwt-bearer assertion. `assertion` is read for each token
 * request, so a token the platform rotates is picked up. A refused assertion
 * is an error, never a retry with another grant.
 *
 * @since 0.4.0
 * @category providers
 */
export const workloadIdentity = (options: {
  readonly clientId: string
  readonly assertion: Effect.Effect<Redacted.Redacted<string>, unknown>
  readonly scope?: string | undefined
}): OAuthClientProvider =>
  nonInteractive({
    clientId: options.clientId,
    scope: options.scope,
    grantTypes: [jwtBearer],
    grant: async (_, scope) => {
      const assertion = await Effect.runPromise(options.assertion).catch((cause) => {
        throw new AuthorizationError({
          reason: "GrantRefused",
          description: `the workload token could not be read: ${cause instanceof Error ? cause.message : String(cause)}`
        })
      })
      return new URLSearchParams({
        grant_type: jwtBearer,
        assertion: Redacted.value(assertion),
        ...(scope === undefined ? {} : { scope })
      })
    }
  })

/**
 * The options of `enterpriseManaged` and `crossAppAccess`.
 *
 * @since 0.4.0
 * @category models
 */
export interface EnterpriseOptions {
  /** The user's ID token from their organisation's identity provider. */
  readonly idToken: Redacted.Redacted<string>
  readonly identityProvider: {
    readonly tokenEndpoint: string
    readonly clientId: string
    readonly clientSecret?: Redacted.Redacted<string> | undefined
  }
  /** This client's registration at the MCP server's authorization server. */
  readonly client: { readonly id: string; readonly secret: Redacted.Redacted<string> }
  readonly scope?: string | undefined
}

/**
 * Enterprise-managed authorization (SEP-990, also called cross-app access):
 * the user's ID token is traded at their identity provider for an identity
 * assertion grant (ID-JAG, RFC 8693 token exchange, audience the
 * authorization server's issuer, resource the MCP server), then that at the
 * authorization server for an access token (RFC 7523 jwt-bearer, the client
 * authenticating with its secret). Renewed the same way when the token is
 * refused.
 *
 * @since 0.4.0
 * @category providers
 */
export const enterpriseManaged = (options: EnterpriseOptions): OAuthClientProvider =>
  nonInteractive({
    clientId: options.client.id,
    clientSecret: options.client.secret,
    scope: options.scope,
    grantTypes: [jwtBearer],
    grant: async (discovered, scope) => {
      if (discovered.issuer === undefined || discovered.resource === undefined) {
        throw new AuthorizationError({
          reason: "GrantRefused",
          description: "enterprise-managed authorization needs the server's resource metadata and its authorization " +
            "server's issuer, and discovery found no such metadata"
        })
      }
      const grant = await exchangeIdToken(options, discovered.issuer, discovered.resource)
      return new URLSearchParams({ grant_type: jwtBearer, assertion: grant, ...(scope === undefined ? {} : { scope }) })
    }
  })

/**
 * Cross-app access (SEP-990) as a one-time bearer token: the flow of
 * `enterpriseManaged`, run once. Give the token to an HTTP source as `bearer`;
 * prefer `enterpriseManaged` as an `authProvider`, which renews it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const crossAppAccess = (
  options: EnterpriseOptions & {
    /** The MCP server's URL. */
    readonly serverUrl: string
  }
): Effect.Effect<Redacted.Redacted<string>, TransportError> =>
  Effect.tryPromise({
    try: async () => {
      // loaded when used: the SDK's auth module brings its zod schemas (4.5 MB of heap)
      const { discoverOAuthServerInfo } = await import("@modelcontextprotocol/sdk/client/auth.js")
      const session = Authorization.makeSession(
        clientCredentials({
          clientId: options.client.id,
          clientSecret: options.client.secret
        }),
        { secrets: new Set() }
      )
      const info = await discoverOAuthServerInfo(options.serverUrl, {
        fetchFn: Authorization.authorizationFetch(session, globalThis.fetch)
      })
      const metadata = info.authorizationServerMetadata
      if (metadata === undefined) {
        throw new AuthorizationError({
          reason: "GrantRefused",
          description: "the server's authorization server publishes no metadata"
        })
      }
      const grant = await exchangeIdToken(
        options,
        metadata.issuer,
        info.resourceMetadata?.resource ?? options.serverUrl
      )
      const response = await fetch(metadata.token_endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
          authorization: basicAuthorization(options.client.id, Redacted.value(options.client.secret))
        },
        body: new URLSearchParams({ grant_type: jwtBearer, assertion: grant })
      })
      if (!response.ok) {
        throw new AuthorizationError({
          reason: "GrantRefused",
          description: `the authorization server refused the grant (${await refusalOf(response)})`
        })
      }
      const token = await response.json().catch(() => undefined) as { access_token?: unknown } | undefined
      if (typeof token?.access_token !== "string") {
        throw new AuthorizationError({
          reason: "GrantRefused",
          description: "the authorization server returned no token"
        })
      }
      return Redacted.make(token.access_token)
    },
    catch: (cause) =>
      new TransportError({
        reason: "Unauthorized",
        description: `cross-app access failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        cause
      })
  })
