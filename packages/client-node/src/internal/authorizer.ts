/**
 * OAuth for the `node:http` transport, on the SDK's `auth()` (discovery,
 * registration, PKCE, token refresh, scope step-up): the header a request
 * carries, and what to do when the server refuses it.
 *
 * @internal
 */
import * as McpAuth from "@effect-mcp/client/McpAuth"
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js"

/** @internal */
export interface Authorizer {
  /** The `Authorization` header for the next request, if there is a token. */
  readonly header: () => Promise<string | undefined>
  /**
   * After a 401 (or a 403 asking for more scope) to a request sent with
   * `sent`: true when it may go again, because another request renewed the
   * token meanwhile or an authorization succeeded. Throws what `auth()` threw.
   */
  readonly recover: (status: number, wwwAuthenticate: string | undefined, sent: string | undefined) => Promise<boolean>
}

/** @internal */
export const make = async (provider: OAuthClientProvider, serverUrl: URL): Promise<Authorizer> => {
  // loaded when used: the SDK's auth module brings its zod schemas
  const { auth, extractWWWAuthenticateParams } = await import("@modelcontextprotocol/sdk/client/auth.js")
  const fetchFn = McpAuth.singleFlightRefresh()
  let resourceMetadataUrl: URL | undefined
  let scope: string | undefined

  const header = async () => {
    const tokens = await provider.tokens()
    return tokens === undefined ? undefined : `Bearer ${tokens.access_token}`
  }

  const authorize = (authorizationCode?: string) =>
    auth(provider, {
      serverUrl,
      fetchFn,
      ...(resourceMetadataUrl === undefined ? {} : { resourceMetadataUrl }),
      ...(scope === undefined ? {} : { scope }),
      ...(authorizationCode === undefined ? {} : { authorizationCode })
    })

  return {
    header,
    recover: async (status, wwwAuthenticate, sent) => {
      const current = await header()
      if (current !== undefined && current !== sent) return true
      const params = extractWWWAuthenticateParams(
        new Response(null, { headers: wwwAuthenticate === undefined ? {} : { "www-authenticate": wwwAuthenticate } })
      )
      if (status === 403 && params.error !== "insufficient_scope") return false
      if (params.resourceMetadataUrl !== undefined) resourceMetadataUrl = params.resourceMetadataUrl
      if (params.scope !== undefined) scope = params.scope
      const result = await authorize()
      if (result === "AUTHORIZED") return true
      // a headless provider followed the authorization page itself: finish with its code
      const code = McpAuth.isHeadlessProvider(provider) ? provider.takeAuthorizationCode() : undefined
      return code !== undefined && (await authorize(code)) === "AUTHORIZED"
    }
  }
}
