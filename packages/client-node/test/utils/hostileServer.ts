import { Effect } from "effect"
import type { Scope } from "effect"
import * as Http from "node:http"
import type * as Net from "node:net"
import { listenOnLoopback } from "../../../client/test/utils/servers.js"

/**
 * A hand-written Streamable HTTP MCP server (JSON answers, one session) on a
 * free loopback port, whose every answer a test can replace to misbehave:
 * hang, answer late, answer HTML, cut the body, send too much, refuse the
 * credentials and echo them back. It counts what the client did to it.
 */
export interface HostileServer {
  readonly url: string
  /** How each JSON-RPC method or notification (or tool, as `tools/call:<name>`) is answered; unset ones answer normally. */
  readonly on: (key: string, answer: Answer) => void
  /** How GET (the event stream) is answered (default 405). */
  readonly onGet: (answer: (req: Http.IncomingMessage, res: Http.ServerResponse) => void) => void
  /** Every request is refused with this answer (a 401, say) before anything else. */
  readonly refuseAll: (answer: ((req: Http.IncomingMessage, res: Http.ServerResponse) => void) | undefined) => void
  readonly counts: { gets: number; posts: number; initializes: number }
  /** Answers that were still being written, or held, when the client closed their connection. */
  readonly cutByClient: Array<string>
  /** What the server received in each request's headers. */
  readonly headers: Array<Http.IncomingHttpHeaders>
  /** Answers neither finished nor cut right now. */
  readonly active: () => number
  /** Sockets open right now. */
  readonly sockets: () => number
  /** Waits until no answer is in progress (at most `millis`); the number left. */
  readonly settled: (millis?: number) => Effect.Effect<number>
  /** Waits until no socket is open (at most `millis`); the number left. */
  readonly drained: (millis?: number) => Effect.Effect<number>
}

/** Answers one request; `body` is the parsed JSON-RPC message. */
export type Answer = (req: Http.IncomingMessage, res: Http.ServerResponse, body: any) => void

const sessionId = "hostile-session"

const json = (res: Http.ServerResponse, message: unknown) => {
  const text = JSON.stringify(message)
  res.writeHead(200, { "content-type": "application/json", "mcp-session-id": sessionId })
  res.end(text)
}

/** The normal answer to `body`: an echo tool, everything else an empty result. */
export const answer = (res: Http.ServerResponse, body: any) => {
  if (body.method === "initialize") {
    return json(res, {
      jsonrpc: "2.0",
      id: body.id,
      result: {
        protocolVersion: body.params.protocolVersion,
        capabilities: { tools: {} },
        serverInfo: { name: "hostile", version: "1.0.0" }
      }
    })
  }
  if (body.method === "tools/call") {
    return json(res, { jsonrpc: "2.0", id: body.id, result: { content: [{ type: "text", text: "echo" }] } })
  }
  if (body.method === "tools/list") {
    return json(res, {
      jsonrpc: "2.0",
      id: body.id,
      result: { tools: [{ name: "echo", inputSchema: { type: "object" } }] }
    })
  }
  return json(res, { jsonrpc: "2.0", id: body.id, result: {} })
}

export const startHostileServer: Effect.Effect<HostileServer, never, Scope.Scope> = Effect.gen(function*() {
  const answers = new Map<string, Answer>()
  let onGet: (req: Http.IncomingMessage, res: Http.ServerResponse) => void = (_, res) => {
    res.writeHead(405)
    res.end()
  }
  let refusal: ((req: Http.IncomingMessage, res: Http.ServerResponse) => void) | undefined
  const counts = { gets: 0, posts: 0, initializes: 0 }
  const cutByClient: Array<string> = []
  const headers: Array<Http.IncomingHttpHeaders> = []
  const sockets = new Set<Net.Socket>()
  const active = new Set<Http.ServerResponse>()

  const server = Http.createServer((req, res) => {
    headers.push(req.headers)
    active.add(res)
    res.on("close", () => active.delete(res))
    if (refusal !== undefined) return refusal(req, res)
    if (req.method === "GET") {
      counts.gets++
      return onGet(req, res)
    }
    if (req.method === "DELETE") {
      res.writeHead(200)
      return res.end()
    }
    if (req.method !== "POST") {
      res.writeHead(404)
      return res.end()
    }
    counts.posts++
    let text = ""
    req.setEncoding("utf8")
    req.on("data", (chunk) => (text += chunk))
    req.on("end", () => {
      const body = JSON.parse(text)
      if (body.id === undefined) {
        const custom = answers.get(body.method)
        if (custom !== undefined) return custom(req, res, body)
        res.writeHead(202)
        return res.end()
      }
      if (body.method === "initialize") counts.initializes++
      const key = body.method === "tools/call" ? `tools/call:${body.params.name}` : body.method
      res.on("close", () => {
        if (!res.writableFinished) cutByClient.push(key)
      })
      const custom = answers.get(key)
      if (custom !== undefined) return custom(req, res, body)
      answer(res, body)
    })
  })
  server.on("connection", (socket: Net.Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  const base = yield* listenOnLoopback(server)
  return {
    url: `${base}/mcp`,
    on: (key, custom) => void answers.set(key, custom),
    onGet: (custom) => {
      onGet = custom
    },
    refuseAll: (custom) => {
      refusal = custom
    },
    counts,
    cutByClient,
    headers,
    active: () => active.size,
    sockets: () => sockets.size,
    drained: (millis = 2000) =>
      Effect.gen(function*() {
        const until = Date.now() + millis
        while (sockets.size > 0 && Date.now() < until) yield* Effect.sleep("20 millis")
        return sockets.size
      }),
    settled: (millis = 2000) =>
      Effect.gen(function*() {
        const until = Date.now() + millis
        while (active.size > 0 && Date.now() < until) yield* Effect.sleep("20 millis")
        return active.size
      })
  }
})
