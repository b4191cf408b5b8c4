/**
 * What both HTTP transports add around the SDK's `auth()`: the authorization
 * server's metadata checked (its `issuer` must be the one the well-known URL
 * was made from), the authorization response checked (RFC 9207 `iss`),
 * scopes accumulated across step-ups, `application_type` in registration,
 * DPoP proofs (RFC 9449) on token and resource requests, and every secret
 * noted so that error texts can leave it out.
 *
 * @internal
 */
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js"
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens
} from "@modelcontextprotocol/sdk/shared/auth.js"
import * as Data from "effect/Data"
import * as Dpop from "./dpop.js"
import * as Frames from "./frames.js"

/**
 * An authorization that was refused, or that the client refused to go on with
 * because something did not match.
 *
 * @internal
 */
export class AuthorizationError extends Data.TaggedError("AuthorizationError")<{
  readonly reason:
    | "MetadataIssuerMismatch"
    | "IssuerMismatch"
    | "IssuerMissing"
    | "Refused"
    | "InvalidRedirect"
    | "GrantRefused"
  readonly description: string
}> {
  override get message() {
    return this.description
  }
}

/** What a transport learns while it authorizes, for the checks that follow. */
export interface Session {
  /** Every token, client secret and DPoP key seen: kept out of error texts. */
  readonly secrets: Set<string>
  readonly dpop: "auto" | "off"
  /** The authorization server's metadata, once its issuer was checked. */
  metadata:
    | {
      readonly issuer: string
      readonly issParameterSupported: boolean
      readonly scopesSupported: ReadonlyArray<string> | undefined
      readonly dpopAlgorithms: ReadonlyArray<string> | undefined
      readonly tokenEndpoint: string | undefined
    }
    | undefined
  /**
   * Whether a protected-resource metadata document named the authorization
   * server. Without one (a 2025-03-26 server), the metadata comes from the
   * MCP server's own origin, and its issuer is taken as it says.
   */
  protectedResource: boolean
  /** The scopes asked for so far: a step-up asks for these and the new ones (SEP-2350). */
  readonly requestedScopes: Set<string>
  authorizationServerNonce: string | undefined
  resourceServerNonce: string | undefined
  /** The provider's DPoP key, once made or loaded. */
  dpopKey: Promise<Dpop.DpopKey> | undefined
  readonly provider: OAuthClientProvider
}

/**
 * A provider that can keep a DPoP key with its credentials (`McpAuth.headless`
 * does), so that DPoP-bound tokens stay usable in the next process.
 */
export interface DpopKeyStore {
  readonly dpopKey: () => Promise<Dpop.StoredDpopKey | undefined>
  readonly saveDpopKey: (key: Dpop.StoredDpopKey) => Promise<void>
}

const isDpopKeyStore = (u: object): u is DpopKeyStore =>
  typeof (u as Partial<DpopKeyStore>).dpopKey === "function" &&
  typeof (u as Partial<DpopKeyStore>).saveDpopKey === "function"

/** Keys of providers that cannot keep one: one per provider for the life of the process. */
const processKeys = new WeakMap<object, Promise<Dpop.DpopKey>>()

/** @internal */
export const makeSession = (
  provider: OAuthClientProvider,
  options: { readonly secrets: Set<string>; readonly dpop?: "auto" | "off" | undefined }
): Session => ({
  secrets: options.secrets,
  dpop: options.dpop ?? "auto",
  metadata: undefined,
  protectedResource: false,
  requestedScopes: new Set(),
  authorizationServerNonce: undefined,
  resourceServerNonce: undefined,
  dpopKey: undefined,
  provider
})

const keyOf = (session: Session): Promise<Dpop.DpopKey> => {
  if (session.dpopKey !== undefined) return session.dpopKey
  const provider = session.provider
  const made = isDpopKeyStore(provider)
    ? provider.dpopKey().then(async (stored) => {
      const loaded = stored === undefined ? undefined : await Dpop.importKey(stored)
      if (loaded !== undefined) return loaded
      const key = await Dpop.generate()
      await provider.saveDpopKey(await Dpop.exportKey(key))
      return key
    })
    : processKeys.get(provider) ?? Dpop.generate()
  if (!isDpopKeyStore(provider)) processKeys.set(provider, made)
  session.dpopKey = made
  made.catch(() => {
    session.dpopKey = undefined
  })
  return made
}

/** Whether token requests carry a proof: the server offers ES256 and DPoP is not turned off. */
const dpopOffered = (session: Session) =>
  session.dpop === "auto" && session.metadata?.dpopAlgorithms?.includes("ES256") === true

/** Whether these tokens are bound to the key (the server said `token_type: DPoP`). */
export const isDpopBound = (tokens: OAuthTokens | undefined): boolean => tokens?.token_type?.toLowerCase() === "dpop"

// -----------------------------------------------------------------------------
// authorization server metadata
// -----------------------------------------------------------------------------

const metadataPaths = ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"]

const isMetadataUrl = (url: URL) => metadataPaths.some((path) => url.pathname.includes(path))

/**
 * The URLs an issuer's metadata may be fetched from (RFC 8414 §3.1 and OpenID
 * discovery, path inserted or appended): the document is trusted only if it
 * was fetched from one of its own issuer's.
 */
const metadataUrlsOf = (issuer: string): ReadonlyArray<string> | undefined => {
  let parsed: URL
  try {
    parsed = new URL(issuer)
  } catch {
    return undefined
  }
  if (parsed.search !== "" || parsed.hash !== "") return undefined
  const path = parsed.pathname === "/" ? "" : parsed.pathname.replace(/\/$/, "")
  return [
    `${parsed.origin}/.well-known/oauth-authorization-server${path}`,
    `${parsed.origin}/.well-known/openid-configuration${path}`,
    `${parsed.origin}${path}/.well-known/openid-configuration`
  ]
}

const strings = (u: unknown): ReadonlyArray<string> | undefined =>
  Array.isArray(u) ? u.filter((s): s is string => typeof s === "string") : undefined

/** Checks a metadata document fetched from `url`, and keeps what later checks need. */
const checkMetadata = (session: Session, url: URL, document: unknown) => {
  if (typeof document !== "object" || document === null) return
  const fields = document as Record<string, unknown>
  const issuer = fields.issuer
  const fetched = `${url.origin}${url.pathname}`
  if (session.protectedResource && (typeof issuer !== "string" || metadataUrlsOf(issuer)?.includes(fetched) !== true)) {
    throw new AuthorizationError({
      reason: "MetadataIssuerMismatch",
      description: `the authorization server metadata at ${fetched} names the issuer ${
        typeof issuer === "string" ? JSON.stringify(issuer.slice(0, 200)) : "(none)"
      }, which is not the issuer that URL belongs to: the metadata was not used (RFC 8414 §3.3)`
    })
  }
  if (typeof issuer !== "string") return
  session.metadata = {
    issuer,
    issParameterSupported: fields.authorization_response_iss_parameter_supported === true,
    scopesSupported: strings(fields.scopes_supported),
    dpopAlgorithms: strings(fields.dpop_signing_alg_values_supported),
    tokenEndpoint: typeof fields.token_endpoint === "string" ? fields.token_endpoint : undefined
  }
}

const formOf = (body: unknown): URLSearchParams | undefined =>
  body instanceof URLSearchParams ? body : typeof body === "string" ? new URLSearchParams(body) : undefined

const methodOf = (input: string | URL | Request, init: RequestInit | undefined) =>
  (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase()

const urlOf = (input: string | URL | Request) => new URL(input instanceof Request ? input.url : String(input))

const noteTokenResponse = (session: Session, response: Response) => {
  const nonce = response.headers.get("dpop-nonce")
  if (nonce !== null) session.authorizationServerNonce = nonce
}

/**
 * The `fetch` the SDK's `auth()` runs on: metadata documents checked, and
 * token requests with a DPoP proof when the authorization server offers it
 * (again once with the server's nonce when it asks for one).
 *
 * @internal
 */
export const authorizationFetch = (session: Session, unbounded: typeof fetch): typeof fetch => async (input, init) => {
  const base: typeof fetch = (input, init) => unbounded(input, init).then(boundedResponse)
  const url = urlOf(input)
  const method = methodOf(input, init)
  if (method === "POST" && formOf(init?.body)?.get("grant_type") != null && dpopOffered(session)) {
    const key = await keyOf(session)
    const send = async (nonce: string | undefined) => {
      const headers = new Headers(init?.headers)
      headers.set("dpop", await Dpop.proof(key, { method, url: url.href, nonce }))
      const response = await base(input, { ...init, headers })
      noteTokenResponse(session, response)
      return response
    }
    const first = await send(session.authorizationServerNonce)
    if (first.status !== 400 || first.headers.get("dpop-nonce") === null) return first
    const text = await first.clone().text().catch(() => "")
    return Dpop.asksForNonce(text) ? send(session.authorizationServerNonce) : first
  }
  const response = await base(input, init)
  if (method === "GET" && response.ok && url.pathname.includes("/.well-known/oauth-protected-resource")) {
    session.protectedResource = true
  }
  if (method === "GET" && response.ok && isMetadataUrl(url)) {
    const document = await response.clone().json().catch(() => undefined)
    checkMetadata(session, url, document)
  }
  return response
}

/** Metadata, registrations and tokens are small: an authorization server's answer past this is refused. */
const maxAuthorizationBody = 1024 * 1024

const boundedResponse = (response: Response): Response =>
  response.body === null ? response : new Response(
    Frames.bounded(
      response.body,
      maxAuthorizationBody,
      Number(response.headers.get("content-length") ?? 0),
      "an authorization server's answer"
    ),
    { status: response.status, statusText: response.statusText, headers: response.headers }
  )

// -----------------------------------------------------------------------------
// the authorization response
// -----------------------------------------------------------------------------

/**
 * The code of an authorization response, once its `iss` checked (RFC 9207):
 * a present `iss` must be the recorded issuer, by plain string comparison;
 * an absent one is refused when the server said it sends it.
 *
 * @internal
 */
export const codeOf = (session: Session, response: URLSearchParams): string => {
  const iss = response.get("iss")
  const recorded = session.metadata?.issuer
  if (iss !== null && iss !== recorded) {
    throw new AuthorizationError({
      reason: "IssuerMismatch",
      description: `the authorization response came from the issuer ${JSON.stringify(iss.slice(0, 200))}, ${
        recorded === undefined
          ? "but no issuer was recorded from metadata"
          : `not ${JSON.stringify(recorded)} whose metadata the client used`
      }: its code was not redeemed (RFC 9207)`
    })
  }
  if (iss === null && session.metadata?.issParameterSupported === true) {
    throw new AuthorizationError({
      reason: "IssuerMissing",
      description: `the authorization response carries no iss, though ${
        JSON.stringify(recorded)
      } says it sends one: its code was not redeemed (RFC 9207)`
    })
  }
  const error = response.get("error")
  if (error !== null) {
    throw new AuthorizationError({
      reason: "Refused",
      description: `the authorization server refused the authorization (${error.slice(0, 200)})`
    })
  }
  const code = response.get("code")
  if (code === null) {
    throw new AuthorizationError({
      reason: "InvalidRedirect",
      description: "the authorization response carried no code"
    })
  }
  return code
}

// -----------------------------------------------------------------------------
// the provider, as the transports give it to the SDK
// -----------------------------------------------------------------------------

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"])

/** `native` for a loopback or custom-scheme redirect (an app on the user's machine), else `web` (SEP-837). */
const applicationType = (redirectUrl: string | URL | undefined): "native" | "web" => {
  if (redirectUrl === undefined) return "native"
  try {
    const url = new URL(String(redirectUrl))
    return (url.protocol === "http:" || url.protocol === "https:") && !loopbackHosts.has(url.hostname)
      ? "web"
      : "native"
  } catch {
    return "native"
  }
}

const maxScopes = 64

const withScopes = (session: Session, url: URL, metadata: OAuthClientMetadata): URL => {
  const asked = (url.searchParams.get("scope") ?? "").split(" ").filter((s) => s !== "")
  // a server that asks for new scopes at every refusal does not grow the request without bound
  if (session.requestedScopes.size + asked.length > maxScopes) session.requestedScopes.clear()
  const scopes = new Set([...session.requestedScopes, ...asked.slice(0, maxScopes)])
  // a refresh token is asked for only of a server that says it gives one for it
  if (
    session.metadata?.scopesSupported?.includes("offline_access") === true &&
    metadata.grant_types?.includes("refresh_token") === true
  ) scopes.add("offline_access")
  for (const scope of scopes) session.requestedScopes.add(scope)
  if (scopes.size === 0) return url
  const next = new URL(url)
  next.searchParams.set("scope", [...scopes].join(" "))
  return next
}

/**
 * The provider as the transport hands it to the SDK: tokens and secrets
 * noted, `application_type` in its registration metadata, the authorization
 * request asking for every scope asked so far. Methods run on the provider
 * itself (class instances with private fields work).
 *
 * @internal
 */
export const guardProvider = <P extends OAuthClientProvider>(session: Session, provider: P): P => {
  const secrets = session.secrets
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
      if (key === "clientMetadata") {
        const metadata = value as OAuthClientMetadata
        return (metadata as { application_type?: string }).application_type === undefined
          ? { ...metadata, application_type: applicationType(target.redirectUrl) }
          : metadata
      }
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
        case "redirectToAuthorization":
          return (url: URL) => value.call(target, withScopes(session, url, target.clientMetadata))
        default:
          return value.bind(target)
      }
    }
  })
}

/**
 * The headers that carry the provider's current token on a request to the
 * MCP server: `Authorization: Bearer`, or for a DPoP-bound token
 * `Authorization: DPoP` and a fresh proof.
 *
 * @internal
 */
export const resourceHeaders = async (
  session: Session,
  tokens: OAuthTokens | undefined,
  request: { readonly method: string; readonly url: string }
): Promise<Record<string, string>> => {
  if (tokens === undefined) return {}
  if (!isDpopBound(tokens)) return { authorization: `Bearer ${tokens.access_token}` }
  const key = await keyOf(session)
  return {
    authorization: `DPoP ${tokens.access_token}`,
    dpop: await Dpop.proof(key, { ...request, nonce: session.resourceServerNonce, accessToken: tokens.access_token })
  }
}

/**
 * After a 401 from the MCP server: true when it asked for a DPoP nonce it
 * had not given before (the request may go again at once with it).
 *
 * @internal
 */
export const tookResourceNonce = (
  session: Session,
  wwwAuthenticate: string | undefined,
  nonce: string | undefined
): boolean => {
  if (nonce === undefined || !Dpop.asksForNonce(wwwAuthenticate)) return false
  const fresh = nonce !== session.resourceServerNonce
  session.resourceServerNonce = nonce
  return fresh
}

/** @internal */
export const noteResourceNonce = (session: Session, nonce: string | undefined) => {
  if (nonce !== undefined) session.resourceServerNonce = nonce
}

// -----------------------------------------------------------------------------
// the authorizer of a transport that sends its own requests
// -----------------------------------------------------------------------------

/** @internal */
export interface Authorizer {
  /** The headers that carry the current token on a request (none before the first authorization). */
  readonly headers: (request: { readonly method: string; readonly url: string }) => Promise<Record<string, string>>
  /**
   * After a 401 (or a 403 asking for more scope) to a request sent with the
   * `Authorization` value `sent`: true when it may go again, because the
   * server gave a DPoP nonce, another request renewed the token meanwhile or
   * an authorization succeeded. Throws what `auth()` or the checks threw.
   */
  readonly recover: (refusal: {
    readonly status: number
    readonly wwwAuthenticate: string | undefined
    readonly dpopNonce: string | undefined
    readonly sent: string | undefined
  }) => Promise<boolean>
}

/** What a headless provider hands back after following the authorization page itself. */
export interface AuthorizationResponseSource {
  readonly takeAuthorizationResponse: () => URLSearchParams | undefined
}

/** @internal */
export const isAuthorizationResponseSource = (u: unknown): u is AuthorizationResponseSource =>
  typeof u === "object" && u !== null &&
  typeof (u as Partial<AuthorizationResponseSource>).takeAuthorizationResponse === "function"

/**
 * The code a headless provider took from the authorization response, checked;
 * undefined for any other provider (its user finishes the flow).
 *
 * @internal
 */
export const takeCode = (session: Session): string | undefined => {
  const provider = session.provider
  if (!isAuthorizationResponseSource(provider)) return undefined
  const response = provider.takeAuthorizationResponse()
  return response === undefined ? undefined : codeOf(session, response)
}

/** @internal */
export const makeAuthorizer = async (
  session: Session,
  provider: OAuthClientProvider,
  serverUrl: URL,
  fetchFn: typeof fetch
): Promise<Authorizer> => {
  // loaded when used: the SDK's auth module brings its zod schemas
  const { auth, extractWWWAuthenticateParams } = await import("@modelcontextprotocol/sdk/client/auth.js")
  let resourceMetadataUrl: URL | undefined
  let scope: string | undefined

  const authorize = (authorizationCode?: string) =>
    auth(provider, {
      serverUrl,
      fetchFn,
      ...(resourceMetadataUrl === undefined ? {} : { resourceMetadataUrl }),
      ...(scope === undefined ? {} : { scope }),
      ...(authorizationCode === undefined ? {} : { authorizationCode })
    })
  const currentAuthorization = async () => {
    const tokens = await provider.tokens()
    return tokens === undefined ? undefined : `${isDpopBound(tokens) ? "DPoP" : "Bearer"} ${tokens.access_token}`
  }

  return {
    headers: async (request) => resourceHeaders(session, await provider.tokens(), request),
    recover: async ({ dpopNonce, sent, status, wwwAuthenticate }) => {
      if (status === 401 && tookResourceNonce(session, wwwAuthenticate, dpopNonce)) return true
      const current = await currentAuthorization()
      if (current !== undefined && current !== sent) return true
      const params = extractWWWAuthenticateParams(
        new Response(null, { headers: wwwAuthenticate === undefined ? {} : { "www-authenticate": wwwAuthenticate } })
      )
      if (status === 403 && params.error !== "insufficient_scope") return false
      if (params.resourceMetadataUrl !== undefined) resourceMetadataUrl = params.resourceMetadataUrl
      if (params.scope !== undefined) scope = params.scope
      const result = await authorize()
      if (result === "AUTHORIZED") return true
      // a headless provider followed the authorization page itself: finish with its code, once checked
      const code = takeCode(session)
      return code !== undefined && (await authorize(code)) === "AUTHORIZED"
    }
  }
}
