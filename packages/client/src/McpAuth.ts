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
import * as Predicate from "effect/Predicate"

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
  readonly clientMetadata: OAuthClientMetadata
  readonly redirectUrl: string
  /** A URL-form client id (client-id metadata document), used when the server supports it. */
  readonly clientMetadataUrl?: string | undefined
  /** Pre-registered credentials, instead of dynamic registration. */
  readonly clientInformation?: OAuthClientInformationMixed | undefined
  readonly fetch?: typeof globalThis.fetch | undefined
}): HeadlessProvider => {
  let tokens: OAuthTokens | undefined
  let client = options.clientInformation
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
    clientInformation: () => client,
    saveClientInformation: (information) => {
      client = information
    },
    tokens: () => tokens,
    saveTokens: (saved) => {
      tokens = saved
    },
    saveCodeVerifier: (saved) => {
      verifier = saved
    },
    codeVerifier: () => {
      if (verifier === undefined) throw new Error("no PKCE code verifier was saved")
      return verifier
    },
    invalidateCredentials: (scope) => {
      if (scope === "all" || scope === "tokens") tokens = undefined
      if (scope === "all" || scope === "client") client = options.clientInformation
      if (scope === "all" || scope === "verifier") verifier = undefined
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
      if (error !== null) throw new Error(`the authorization server refused: ${error}`)
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
