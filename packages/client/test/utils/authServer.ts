import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import { Effect } from "effect"
import type { Scope } from "effect"
import { randomUUID } from "node:crypto"
import * as Http from "node:http"
import { listenOnLoopback } from "./servers.js"

/**
 * An OAuth authorization server and an MCP server behind it, on one loopback
 * origin: protected-resource and authorization-server metadata, dynamic
 * registration, an authorize endpoint that redirects at once with a code, a
 * token endpoint (authorization code and refresh token), and /mcp, which
 * wants a valid bearer token. It counts what it is asked.
 */
export interface AuthServer {
  readonly url: string
  readonly counts: { authorizations: number; codeGrants: number; refreshGrants: number; mcpRequests: number }
  /** Every access token issued so far stops being accepted (a refresh gets a new one). */
  readonly expireAccessTokens: () => void
  /** Refresh tokens stop working, and the user withdraws consent (authorize answers access_denied). */
  readonly revoke: () => void
  /** Ends every session's standalone event stream (GET), as a server that restarts its streams does. */
  readonly endEventStreams: () => void
  /** Sends every session `notifications/tools/list_changed`, which goes on the standalone stream. */
  readonly announceToolListChanged: () => Promise<void>
}

const json = (res: Http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

const readBody = (req: Http.IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = ""
    req.setEncoding("utf8")
    req.on("data", (chunk) => (body += chunk))
    req.on("end", () => resolve(body))
  })

export const startAuthServer: Effect.Effect<AuthServer, never, Scope.Scope> = Effect.gen(function*() {
  const counts = { authorizations: 0, codeGrants: 0, refreshGrants: 0, mcpRequests: 0 }
  const validAccess = new Set<string>()
  const validRefresh = new Set<string>()
  const sessions = new Map<string, { readonly transport: StreamableHTTPServerTransport; readonly mcp: McpServer }>()
  let revoked = false
  let base = ""
  const issue = () => {
    const access = `access-${randomUUID()}`
    const refresh = `refresh-${randomUUID()}`
    validAccess.add(access)
    validRefresh.add(refresh)
    return { access_token: access, refresh_token: refresh, token_type: "Bearer", expires_in: 3600 }
  }

  const server = Http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", base)
    switch (url.pathname) {
      case "/.well-known/oauth-protected-resource/mcp":
      case "/.well-known/oauth-protected-resource":
        return json(res, 200, { resource: `${base}/mcp`, authorization_servers: [base] })
      case "/.well-known/oauth-authorization-server":
        return json(res, 200, {
          issuer: base,
          authorization_endpoint: `${base}/authorize`,
          token_endpoint: `${base}/token`,
          registration_endpoint: `${base}/register`,
          response_types_supported: ["code"],
          grant_types_supported: ["authorization_code", "refresh_token"],
          code_challenge_methods_supported: ["S256"],
          token_endpoint_auth_methods_supported: ["none"]
        })
      case "/register": {
        const body = JSON.parse(await readBody(req))
        return json(res, 201, { ...body, client_id: "test-client", token_endpoint_auth_method: "none" })
      }
      case "/authorize": {
        counts.authorizations++
        const redirect = new URL(url.searchParams.get("redirect_uri")!)
        if (revoked) redirect.searchParams.set("error", "access_denied")
        else redirect.searchParams.set("code", `code-${counts.authorizations}`)
        redirect.searchParams.set("state", url.searchParams.get("state") ?? "")
        res.writeHead(302, { location: redirect.href })
        return res.end()
      }
      case "/token": {
        const form = new URLSearchParams(await readBody(req))
        if (form.get("grant_type") === "authorization_code") {
          counts.codeGrants++
          return json(res, 200, issue())
        }
        counts.refreshGrants++
        const refresh = form.get("refresh_token") ?? ""
        if (revoked || !validRefresh.has(refresh)) {
          return json(res, 400, { error: "invalid_grant", error_description: "the refresh token was revoked" })
        }
        validRefresh.delete(refresh)
        return json(res, 200, issue())
      }
      case "/mcp": {
        counts.mcpRequests++
        const token = (req.headers.authorization ?? "").replace(/^Bearer /, "")
        if (!validAccess.has(token)) {
          res.writeHead(401, {
            "www-authenticate": `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`
          })
          return res.end()
        }
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
      default:
        res.writeHead(404)
        return res.end()
    }
  })
  base = yield* listenOnLoopback(server)
  return {
    url: `${base}/mcp`,
    counts,
    expireAccessTokens: () => validAccess.clear(),
    revoke: () => {
      revoked = true
      validRefresh.clear()
      validAccess.clear()
    },
    endEventStreams: () => {
      for (const { transport } of sessions.values()) transport.closeStandaloneSSEStream()
    },
    announceToolListChanged: async () => {
      for (const { mcp } of sessions.values()) mcp.sendToolListChanged()
    }
  }
})
