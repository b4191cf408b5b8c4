import { McpAuth } from "@effect-mcp/client"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import { Effect } from "effect"
import type { Scope } from "effect"
import { createHash, randomUUID, webcrypto } from "node:crypto"
import * as Http from "node:http"
import { listenOnLoopback } from "./servers.js"

/**
 * OAuth authorization servers and an MCP server behind them, on one loopback
 * origin: protected-resource and authorization-server metadata, dynamic
 * registration, an authorize endpoint that redirects at once with a code, a
 * token endpoint (authorization code, refresh token, jwt-bearer), and /mcp,
 * which wants a valid token of the authorization server in use. Two
 * authorization servers: the first at the origin, the second at
 * `<origin>/as2`, each with its own clients and tokens. It can lie about its
 * issuer, send a wrong or no `iss`, and bind tokens with DPoP, checking every
 * proof. It counts and records what it is asked.
 */
export interface AuthServer {
  readonly url: string
  /** The issuer of the authorization server in use. */
  readonly issuer: () => string
  readonly counts: {
    authorizations: number
    codeGrants: number
    refreshGrants: number
    jwtBearerGrants: number
    registrations: number
    mcpRequests: number
  }
  /** What each authorization server was sent: the client id presented, and whether a secret came. */
  readonly seen: Array<{ readonly issuer: string; readonly endpoint: string; readonly clientId: string | undefined }>
  readonly registrations: Array<Record<string, unknown>>
  readonly authorizationRequests: Array<URLSearchParams>
  /** Every DPoP proof checked, at the token endpoint or at /mcp. */
  readonly proofs: Array<
    { readonly at: "token" | "mcp"; readonly error: string | undefined; readonly jti: string | undefined }
  >
  /** Every access token issued so far stops being accepted (a refresh gets a new one). */
  readonly expireAccessTokens: () => void
  /** Refresh tokens stop working, and the user withdraws consent (authorize answers access_denied). */
  readonly revoke: () => void
  /** The resource moves to the second authorization server: the first one's tokens stop working at /mcp. */
  readonly moveAuthorizationServer: () => void
  /** Ends every session's standalone event stream (GET), as a server that restarts its streams does. */
  readonly endEventStreams: () => void
  /** Sends every session `notifications/tools/list_changed`, which goes on the standalone stream. */
  readonly announceToolListChanged: () => Promise<void>
}

export interface AuthServerOptions {
  /** RFC 9207: whether the metadata says `iss` comes back, and what the redirect carries. */
  readonly iss?: {
    readonly advertise: boolean
    readonly redirect: "correct" | "omit" | "wrong" | "trailing-slash"
  }
  /** The issuer the metadata claims, instead of its own. */
  readonly metadataIssuer?: string
  /** DPoP-bound tokens: ES256 offered, proofs checked, and nonces demanded where asked. */
  readonly dpop?: { readonly authorizationServerNonce?: boolean; readonly resourceServerNonce?: boolean }
  /** The jwt-bearer assertion the token endpoint accepts (workload identity). */
  readonly workloadToken?: string
  /** The metadata document never ends: megabytes of whitespace, without a length. */
  readonly floodMetadata?: boolean
}

const json = (res: Http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify(body))
}

const readBody = (req: Http.IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = ""
    req.setEncoding("utf8")
    req.on("data", (chunk) => (body += chunk))
    req.on("end", () => resolve(body))
  })

const base64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString("base64url")
const decodePart = (part: string | undefined): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8"))
  } catch {
    return undefined
  }
}

/** Checks a DPoP proof as RFC 9449 §4.3 says: its form, signature, htm, htu, iat, jti, nonce, ath. */
const checkProof = async (
  proof: string | undefined,
  expected: { readonly method: string; readonly url: string; readonly nonce?: string; readonly accessToken?: string },
  jtis: Set<string>
): Promise<{ readonly error: string | undefined; readonly jti: string | undefined; readonly jwk?: JsonWebKey }> => {
  if (proof === undefined) return { error: "no DPoP proof", jti: undefined }
  const [head, body, signature] = proof.split(".")
  const header = decodePart(head)
  const payload = decodePart(body)
  if (header === undefined || payload === undefined || signature === undefined) {
    return { error: "not a JWT", jti: undefined }
  }
  const jti = typeof payload.jti === "string" ? payload.jti : undefined
  if (header.typ !== "dpop+jwt" || header.alg !== "ES256") return { error: "typ or alg", jti }
  const jwk = header.jwk as JsonWebKey
  if (jwk === undefined || "d" in jwk) return { error: "no public jwk", jti }
  const key = await webcrypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"])
  const valid = await webcrypto.subtle.verify(
    { name: "ECDSA", hash: "SHA-256" },
    key,
    Buffer.from(signature, "base64url"),
    new TextEncoder().encode(`${head}.${body}`)
  )
  if (!valid) return { error: "bad signature", jti }
  if (payload.htm !== expected.method) return { error: `htm ${String(payload.htm)}`, jti }
  if (payload.htu !== expected.url) return { error: `htu ${String(payload.htu)}`, jti }
  if (typeof payload.iat !== "number" || Math.abs(payload.iat - Date.now() / 1000) > 60) return { error: "iat", jti }
  if (jti === undefined || jtis.has(jti)) return { error: "jti reused or missing", jti }
  jtis.add(jti)
  if (expected.nonce !== undefined && payload.nonce !== expected.nonce) return { error: "use_dpop_nonce", jti }
  if (expected.accessToken !== undefined) {
    const ath = base64url(createHash("sha256").update(expected.accessToken).digest())
    if (payload.ath !== ath) return { error: "ath", jti }
  }
  return { error: undefined, jti, jwk }
}

const thumbprint = (jwk: JsonWebKey) => `${jwk.crv}:${jwk.x}:${jwk.y}`

export const startAuthServer = (
  options: AuthServerOptions = {}
): Effect.Effect<AuthServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const counts = {
      authorizations: 0,
      codeGrants: 0,
      refreshGrants: 0,
      jwtBearerGrants: 0,
      registrations: 0,
      mcpRequests: 0
    }
    const seen: Array<{ issuer: string; endpoint: string; clientId: string | undefined }> = []
    const registrations: Array<Record<string, unknown>> = []
    const authorizationRequests: Array<URLSearchParams> = []
    const proofs: Array<{ at: "token" | "mcp"; error: string | undefined; jti: string | undefined }> = []
    const jtis = new Set<string>()
    /** Per authorization server (by path prefix: "" or "/as2"): its clients and its tokens. */
    const servers = new Map(["", "/as2"].map((prefix) => [prefix, {
      clients: new Set<string>(),
      access: new Map<string, string | undefined>(),
      refresh: new Set<string>()
    }]))
    const sessions = new Map<string, { readonly transport: StreamableHTTPServerTransport; readonly mcp: McpServer }>()
    let current = ""
    let revoked = false
    let base = ""
    const issuerOf = (prefix: string) => `${base}${prefix}`
    const asNonce = "as-nonce-1"
    const rsNonce = "rs-nonce-1"

    const issue = (prefix: string, boundTo: string | undefined) => {
      const as = servers.get(prefix)!
      const access = `access-${randomUUID()}`
      const refresh = `refresh-${randomUUID()}`
      as.access.set(access, boundTo)
      as.refresh.add(refresh)
      return {
        access_token: access,
        refresh_token: refresh,
        token_type: boundTo === undefined ? "Bearer" : "DPoP",
        expires_in: 3600
      }
    }
    const clientOf = (req: Http.IncomingMessage, form: URLSearchParams) => {
      const basic = req.headers.authorization?.startsWith("Basic ")
        ? decodeURIComponent(Buffer.from(req.headers.authorization.slice(6), "base64").toString().split(":")[0]!)
        : undefined
      return form.get("client_id") ?? basic
    }

    const authorizationServer = async (
      prefix: string,
      rest: string,
      req: Http.IncomingMessage,
      res: Http.ServerResponse
    ) => {
      const as = servers.get(prefix)!
      const issuer = issuerOf(prefix)
      switch (rest) {
        case "/register": {
          counts.registrations++
          const body = JSON.parse(await readBody(req))
          registrations.push(body)
          const clientId = `client-${prefix === "" ? "as1" : "as2"}-${counts.registrations}`
          as.clients.add(clientId)
          seen.push({ issuer, endpoint: "register", clientId: undefined })
          return json(res, 201, { ...body, client_id: clientId, token_endpoint_auth_method: "none" })
        }
        case "/authorize": {
          const url = new URL(req.url ?? "/", base)
          counts.authorizations++
          authorizationRequests.push(url.searchParams)
          const clientId = url.searchParams.get("client_id") ?? undefined
          seen.push({ issuer, endpoint: "authorize", clientId })
          const redirect = new URL(url.searchParams.get("redirect_uri")!)
          if (revoked) redirect.searchParams.set("error", "access_denied")
          else redirect.searchParams.set("code", `code-${counts.authorizations}`)
          redirect.searchParams.set("state", url.searchParams.get("state") ?? "")
          switch (options.iss?.redirect) {
            case "correct":
              redirect.searchParams.set("iss", issuer)
              break
            case "wrong":
              redirect.searchParams.set("iss", "https://evil.example.com")
              break
            case "trailing-slash":
              redirect.searchParams.set("iss", `${issuer}/`)
              break
          }
          res.writeHead(302, { location: redirect.href })
          return res.end()
        }
        case "/token": {
          const form = new URLSearchParams(await readBody(req))
          seen.push({ issuer, endpoint: "token", clientId: clientOf(req, form) })
          let boundTo: string | undefined
          if (options.dpop !== undefined) {
            const proof = req.headers.dpop
            const checked = await checkProof(typeof proof === "string" ? proof : undefined, {
              method: "POST",
              url: `${issuer}/token`,
              ...(options.dpop.authorizationServerNonce === true ? { nonce: asNonce } : {})
            }, jtis)
            proofs.push({ at: "token", error: checked.error, jti: checked.jti })
            if (checked.error === "use_dpop_nonce") {
              return json(res, 400, { error: "use_dpop_nonce" }, { "dpop-nonce": asNonce })
            }
            if (checked.error !== undefined) return json(res, 400, { error: "invalid_dpop_proof" })
            boundTo = thumbprint(checked.jwk!)
          }
          switch (form.get("grant_type")) {
            case "authorization_code":
              counts.codeGrants++
              return json(res, 200, issue(prefix, boundTo))
            case "urn:ietf:params:oauth:grant-type:jwt-bearer":
              counts.jwtBearerGrants++
              if (options.workloadToken === undefined || form.get("assertion") !== options.workloadToken) {
                return json(res, 400, { error: "invalid_grant", error_description: "the assertion was not accepted" })
              }
              return json(res, 200, issue(prefix, boundTo))
          }
          counts.refreshGrants++
          const refresh = form.get("refresh_token") ?? ""
          if (revoked || !as.refresh.has(refresh)) {
            return json(res, 400, { error: "invalid_grant", error_description: "the refresh token was revoked" })
          }
          as.refresh.delete(refresh)
          return json(res, 200, issue(prefix, boundTo))
        }
      }
      res.writeHead(404)
      res.end()
    }

    const metadataOf = (prefix: string) => {
      const issuer = issuerOf(prefix)
      return {
        issuer: options.metadataIssuer ?? issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        registration_endpoint: `${issuer}/register`,
        response_types_supported: ["code"],
        grant_types_supported: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["none"],
        ...(options.iss?.advertise === true ? { authorization_response_iss_parameter_supported: true } : {}),
        ...(options.dpop === undefined ? {} : { dpop_signing_alg_values_supported: ["ES256"] })
      }
    }

    const refuse = (res: Http.ServerResponse, extra: Record<string, string> = {}) => {
      res.writeHead(401, {
        "www-authenticate": `${options.dpop === undefined ? "Bearer" : "DPoP"}${
          extra.error === undefined ? "" : ` error="${extra.error}",`
        } resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`,
        ...(extra.nonce === undefined ? {} : { "dpop-nonce": extra.nonce })
      })
      res.end()
    }

    const mcpEndpoint = async (req: Http.IncomingMessage, res: Http.ServerResponse) => {
      counts.mcpRequests++
      const [scheme, token = ""] = (req.headers.authorization ?? "").split(" ")
      const bound = servers.get(current)!.access
      if (!bound.has(token)) return refuse(res)
      const key = bound.get(token)
      if (key !== undefined) {
        if (scheme !== "DPoP") return refuse(res)
        const proof = req.headers.dpop
        const checked = await checkProof(typeof proof === "string" ? proof : undefined, {
          method: req.method ?? "",
          url: `${base}/mcp`,
          accessToken: token,
          ...(options.dpop?.resourceServerNonce === true ? { nonce: rsNonce } : {})
        }, jtis)
        proofs.push({ at: "mcp", error: checked.error, jti: checked.jti })
        if (checked.error === "use_dpop_nonce") return refuse(res, { error: "use_dpop_nonce", nonce: rsNonce })
        if (checked.error !== undefined || thumbprint(checked.jwk!) !== key) return refuse(res)
      } else if (scheme !== "Bearer") return refuse(res)
      const id = req.headers["mcp-session-id"]
      let transport = typeof id === "string" ? sessions.get(id)?.transport : undefined
      if (transport === undefined) {
        const created = new StreamableHTTPServerTransport({
          sessionIdGenerator: randomUUID,
          onsessioninitialized: (sessionId) => void sessions.set(sessionId, { transport: created, mcp })
        })
        const mcp = new McpServer({ name: "protected", version: "1.0.0" })
        mcp.registerTool("whoami", {}, () => ({ content: [{ type: "text", text: "an authorized client" }] }))
        await mcp.connect(created)
        transport = created
      }
      return transport.handleRequest(req, res)
    }

    const server = Http.createServer(async (req, res) => {
      const url = new URL(req.url ?? "/", base)
      const path = url.pathname
      if (path === "/.well-known/oauth-protected-resource/mcp" || path === "/.well-known/oauth-protected-resource") {
        return json(res, 200, { resource: `${base}/mcp`, authorization_servers: [issuerOf(current)] })
      }
      if (path === "/.well-known/oauth-authorization-server" && options.floodMetadata === true) {
        res.writeHead(200, { "content-type": "application/json" })
        const chunk = " ".repeat(64 * 1024)
        let sent = 0
        const more = () => {
          while (sent < 64 * 1024 * 1024 && !res.destroyed) {
            sent += chunk.length
            if (!res.write(chunk)) return void res.once("drain", more)
          }
          res.end()
        }
        return more()
      }
      if (path === "/.well-known/oauth-authorization-server") return json(res, 200, metadataOf(""))
      if (path === "/.well-known/oauth-authorization-server/as2") return json(res, 200, metadataOf("/as2"))
      if (path === "/mcp") return mcpEndpoint(req, res)
      if (path.startsWith("/as2/")) return authorizationServer("/as2", path.slice(4), req, res)
      return authorizationServer("", path, req, res)
    })
    base = yield* listenOnLoopback(server)
    return {
      url: `${base}/mcp`,
      issuer: () => issuerOf(current),
      counts,
      seen,
      registrations,
      authorizationRequests,
      proofs,
      expireAccessTokens: () => {
        for (const as of servers.values()) as.access.clear()
      },
      revoke: () => {
        revoked = true
        for (const as of servers.values()) {
          as.refresh.clear()
          as.access.clear()
        }
      },
      moveAuthorizationServer: () => {
        current = "/as2"
      },
      endEventStreams: () => {
        for (const { transport } of sessions.values()) transport.closeStandaloneSSEStream()
      },
      announceToolListChanged: async () => {
        for (const { mcp } of sessions.values()) mcp.sendToolListChanged()
      }
    }
  })

/** A headless OAuth client for these servers (loopback redirect, public client, refresh tokens), on `store`. */
export const headlessProvider = (store: McpAuth.TokenStoreService = McpAuth.memoryStore()) =>
  McpAuth.headless({
    store,
    redirectUrl: "http://127.0.0.1/callback",
    clientMetadata: {
      client_name: "effect-mcp test",
      redirect_uris: ["http://127.0.0.1/callback"],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none"
    }
  })
