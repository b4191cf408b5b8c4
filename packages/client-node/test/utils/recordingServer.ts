import { Effect } from "effect"
import type { Scope } from "effect"
import * as Http from "node:http"
import type * as Net from "node:net"

/** One HTTP request the server received: its method, headers and (POST) parsed JSON body. */
export interface Received {
  readonly method: string
  readonly headers: Http.IncomingHttpHeaders
  body: any
  /** The client closed the connection before the answer was finished. */
  cut: boolean
}

/** Answers one POST; `body` is the parsed JSON-RPC message. */
export type PostAnswer = (req: Http.IncomingMessage, res: Http.ServerResponse, body: any) => void

/**
 * A bare Streamable HTTP endpoint on a free loopback port that records every
 * request (method, headers, body, whether the client cut it) and answers POSTs
 * as a test says: by default a JSON `{ result: {} }` (with an `Mcp-Session-Id`
 * when `sessionId` is set), GET with 405, DELETE with 200. Closed with the scope.
 */
export interface RecordingServer {
  readonly url: string
  readonly received: Array<Received>
  /** How POSTs are answered from now on (undefined: the default). */
  readonly onPost: (answer: PostAnswer | undefined) => void
  /** How GETs are answered from now on (undefined: 405). */
  readonly onGet: (answer: ((req: Http.IncomingMessage, res: Http.ServerResponse) => void) | undefined) => void
  /** The session id every answer names (undefined: none). */
  readonly setSessionId: (id: string | undefined) => void
  readonly methods: () => Array<string>
  readonly posts: () => Array<Received>
}

export const startRecordingServer: Effect.Effect<RecordingServer, never, Scope.Scope> = Effect.gen(function*() {
  const received: Array<Received> = []
  let post: PostAnswer | undefined
  let get: ((req: Http.IncomingMessage, res: Http.ServerResponse) => void) | undefined
  let sessionId: string | undefined
  const sessionHeader = (): Record<string, string> => sessionId === undefined ? {} : { "mcp-session-id": sessionId }

  const server = Http.createServer((req, res) => {
    const entry: Received = { method: req.method ?? "", headers: req.headers, body: undefined, cut: false }
    received.push(entry)
    res.on("close", () => {
      if (!res.writableFinished) entry.cut = true
    })
    if (req.method === "GET") {
      if (get !== undefined) return get(req, res)
      res.writeHead(405)
      return res.end()
    }
    if (req.method === "DELETE") {
      res.writeHead(200)
      return res.end()
    }
    let text = ""
    req.setEncoding("utf8")
    req.on("data", (chunk) => (text += chunk))
    req.on("end", () => {
      entry.body = JSON.parse(text)
      if (post !== undefined) return post(req, res, entry.body)
      if (entry.body.id === undefined) {
        res.writeHead(202, sessionHeader())
        return res.end()
      }
      res.writeHead(200, { "content-type": "application/json", ...sessionHeader() })
      res.end(JSON.stringify({ jsonrpc: "2.0", id: entry.body.id, result: {} }))
    })
  })
  const sockets = new Set<Net.Socket>()
  server.on("connection", (socket: Net.Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  const port = yield* Effect.acquireRelease(
    Effect.async<number>((resume) => {
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as Net.AddressInfo).port)))
    }),
    () =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  )
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    received,
    onPost: (answer) => {
      post = answer
    },
    onGet: (answer) => {
      get = answer
    },
    setSessionId: (id) => {
      sessionId = id
    },
    methods: () => received.map((entry) => entry.method),
    posts: () => received.filter((entry) => entry.method === "POST")
  }
})
