import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import { Effect } from "effect"
import type { Scope } from "effect"
import { randomUUID } from "node:crypto"
import * as Http from "node:http"
import { listenOnLoopback } from "../../../client/test/utils/servers.js"

/**
 * A stateful Streamable HTTP MCP server (the SDK's) on a free loopback port,
 * with an `echo` tool, and a few tools whose answers it writes by hand to
 * misbehave on purpose: `garbage` (an event that is not JSON, then the
 * answer), `hangup` (the connection cut before any answer), `break` (the
 * connection cut in the middle of an event stream), `resume` (a stream that
 * ends after a priming event; the answer comes on the GET that resumes it).
 */
export interface TestHttpServer {
  readonly url: string
  readonly counts: {
    initializes: number
    deletes: number
    resumedFrom: Array<string>
    /** What the client answered to the `roots/list` each session sends on hearing `initialized`. */
    roots: Array<unknown>
  }
  readonly sessions: () => number
  readonly connections: () => Promise<number>
  /** The server forgets every session, as after a restart: their requests get 404. */
  readonly forgetSessions: () => void
  /** Tells every session's client that the tool list changed, outside any request. */
  readonly toolListChanged: () => void
  /** Notifications get an empty `200 application/json` instead of 202, as some servers answer. */
  readonly answerNotificationsWithEmptyJson: () => void
  /** GET gets 405, as from a server without a standalone stream. */
  readonly refuseStandaloneStream: () => void
  /** Requests must carry this bearer token (401 otherwise). */
  readonly requireBearer: (token: string) => void
  /** The standalone GET stream's headers go out only after this long, as from a busy server. */
  readonly holdStandaloneStream: (millis: number) => void
}

const readJson = (req: Http.IncomingMessage) =>
  new Promise<any>((resolve) => {
    let body = ""
    req.setEncoding("utf8")
    req.on("data", (chunk) => (body += chunk))
    req.on("end", () => resolve(body.length === 0 ? undefined : JSON.parse(body)))
  })

const sse = (res: Http.ServerResponse, sessionId: string | undefined) =>
  res.writeHead(200, {
    "content-type": "text/event-stream",
    ...(sessionId === undefined ? {} : { "mcp-session-id": sessionId })
  })

export const startHttpServer: Effect.Effect<TestHttpServer, never, Scope.Scope> = Effect.gen(function*() {
  const counts = { initializes: 0, deletes: 0, resumedFrom: [] as Array<string>, roots: [] as Array<unknown> }
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; mcp: McpServer }>()
  const waitingForResume = new Map<string, unknown>()
  let bearer: string | undefined
  let emptyJson = false
  let noStandalone = false
  let holdStandalone = 0

  const server = Http.createServer(async (req, res) => {
    if (bearer !== undefined && req.headers.authorization !== `Bearer ${bearer}`) {
      res.writeHead(401, { "content-type": "text/plain" })
      return res.end("bad token")
    }
    const id = req.headers["mcp-session-id"]
    const sessionId = typeof id === "string" ? id : undefined
    const session = sessionId === undefined ? undefined : sessions.get(sessionId)
    if (sessionId !== undefined && session === undefined) {
      res.writeHead(404, { "content-type": "text/plain" })
      return res.end("no such session")
    }
    if (req.method === "GET" && noStandalone) {
      res.writeHead(405)
      return res.end()
    }
    if (req.method === "GET" && typeof req.headers["last-event-id"] === "string") {
      const from = req.headers["last-event-id"]
      counts.resumedFrom.push(from)
      sse(res, sessionId)
      const requestId = waitingForResume.get(from)
      waitingForResume.delete(from)
      const result = { content: [{ type: "text", text: "resumed" }] }
      return res.write(
        `id: ${from}-answer\nevent: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: requestId, result })}\n\n`
      )
    }
    if (req.method === "GET" && holdStandalone > 0) {
      await new Promise((resolve) => setTimeout(resolve, holdStandalone))
    }
    if (req.method === "DELETE") counts.deletes++
    const body = req.method === "POST" ? await readJson(req) : undefined
    if (emptyJson && body !== undefined && body.id === undefined && session !== undefined) {
      res.writeHead(200, { "content-type": "application/json" })
      return res.end()
    }
    const tool = body?.method === "tools/call" ? body.params?.name : undefined
    switch (tool) {
      case "garbage": {
        sse(res, sessionId)
        res.write("event: message\ndata: {this is not json\n\n")
        const result = { content: [{ type: "text", text: "after the garbage" }] }
        return res.end(`event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: body.id, result })}\n\n`)
      }
      case "hangup":
        return req.socket.destroy()
      case "break": {
        sse(res, sessionId)
        const progress = { jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: "half" } }
        res.write(`event: message\ndata: ${JSON.stringify(progress)}\n\nevent: mess`)
        return setTimeout(() => req.socket.destroy(), 20)
      }
      case "resume": {
        const eventId = `prime-${body.id}`
        waitingForResume.set(eventId, body.id)
        sse(res, sessionId)
        return res.end(`id: ${eventId}\nretry: 50\ndata: \n\n`)
      }
    }
    if (session !== undefined) return session.transport.handleRequest(req, res, body)
    if (body?.method === "initialize") counts.initializes++
    const mcp = new McpServer({ name: "node-http-test", version: "1.0.0" })
    mcp.registerTool("echo", {}, () => ({ content: [{ type: "text", text: "echo" }] }))
    for (const name of ["garbage", "hangup", "break", "resume"]) {
      mcp.registerTool(name, {}, () => ({ content: [{ type: "text", text: "not reached" }] }))
    }
    // a request with no request behind it: it can only go on the standalone stream
    mcp.server.oninitialized = () => {
      if (mcp.server.getClientCapabilities()?.roots === undefined) return
      mcp.server.listRoots().then((answer) => counts.roots.push(answer.roots), () => undefined)
    }
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (created) => void sessions.set(created, { transport, mcp }),
      onsessionclosed: (closed) => void sessions.delete(closed)
    })
    await mcp.connect(transport)
    return transport.handleRequest(req, res, body)
  })
  const base = yield* listenOnLoopback(server)
  return {
    url: `${base}/mcp`,
    counts,
    sessions: () => sessions.size,
    connections: () => new Promise((resolve) => server.getConnections((_, count) => resolve(count))),
    forgetSessions: () => sessions.clear(),
    toolListChanged: () => {
      for (const { mcp } of sessions.values()) mcp.sendToolListChanged()
    },
    answerNotificationsWithEmptyJson: () => {
      emptyJson = true
    },
    refuseStandaloneStream: () => {
      noStandalone = true
    },
    requireBearer: (token) => {
      bearer = token
    },
    holdStandaloneStream: (millis) => {
      holdStandalone = millis
    }
  }
})
