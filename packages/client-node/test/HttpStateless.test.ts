import * as NodeHttpTransport from "@effect-mcp/client-node/NodeHttpTransport"
import type * as HttpTransport from "@effect-mcp/client/HttpTransport"
import { TransportError } from "@effect-mcp/client/McpError"
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Transport from "@effect-mcp/client/Transport"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Redacted, Scope } from "effect"
import type * as Http from "node:http"
import { startRecordingServer } from "./utils/recordingServer.js"

// The node:http Streamable HTTP transport in revision 2026-07-28 (no session,
// per-message headers, no resumption), and what it does in every revision
// with an HTTP error whose body is a JSON-RPC error. The transport is driven
// directly: what the client does with its frames is tested elsewhere.

const stateless = "2026-07-28"
const handshake = "2025-06-18"

/** A transport in a scope of its own (closed by the caller or the test), and every frame it pushed. */
const openTransport = (options: HttpTransport.HttpOptions) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void))
    const transport = yield* NodeHttpTransport.make(options).pipe(Scope.extend(scope))
    const frames: Array<unknown> = []
    yield* Effect.forkScoped(transport.run((frame) => frames.push(frame)))
    return { transport, frames, close: Scope.close(scope, Exit.void) }
  })

const request = (id: McpSchema.RequestId, method = "tools/call", params: unknown = { name: "echo" }) =>
  ({ jsonrpc: "2.0", id, method, params }) as const

/** Polls `done` every 10 ms, failing the test after `millis`. */
const waitFor = (what: string, done: () => boolean, millis = 3000) =>
  Effect.gen(function*() {
    const until = Date.now() + millis
    while (!done()) {
      if (Date.now() > until) return assert.fail(`timed out waiting for ${what}`)
      yield* Effect.sleep("10 millis")
    }
  })

/** The first frame that concerns request `id` (its answer, or a failure). */
const frameFor = (frames: Array<unknown>, id: McpSchema.RequestId) =>
  Effect.gen(function*() {
    const find = () =>
      frames.find((frame) =>
        frame instanceof Transport.RequestFailure
          ? frame.id === id
          : typeof frame === "object" && frame !== null && "id" in frame && frame.id === id
      )
    yield* waitFor(`a frame for request ${id}`, () => find() !== undefined)
    return find()
  })

const failureFor = (frames: Array<unknown>, id: McpSchema.RequestId) =>
  Effect.gen(function*() {
    const frame = yield* frameFor(frames, id)
    assert.instanceOf(frame, Transport.RequestFailure, JSON.stringify(frame))
    return frame as Transport.RequestFailure
  })

const eventStream = (res: Http.ServerResponse, headers: Record<string, string> = {}) =>
  res.writeHead(200, { "content-type": "text/event-stream", ...headers })

const event = (message: unknown, id?: string) =>
  `${id === undefined ? "" : `id: ${id}\n`}event: message\ndata: ${JSON.stringify(message)}\n\n`

const progress = { jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 1 } }

describe("node:http Streamable HTTP, revision 2026-07-28", () => {
  it.scopedLive("per-message headers go on that message's POST, never replacing the transport's own", () =>
    Effect.gen(function*() {
      const server = yield* startRecordingServer
      const { frames, transport } = yield* openTransport({
        url: server.url,
        bearer: Redacted.make("bearer-secret-token"),
        headers: { "X-Team": "blue", "Mcp-Param-Region": "from-the-options" }
      })
      assert.isTrue(transport.carriesHeaders)
      assert.isTrue(transport.cancelsByClosing)
      transport.setProtocolVersion!(stateless)
      yield* transport.send(request(1), {
        "Mcp-Method": "tools/call",
        "Mcp-Name": "echo",
        "Mcp-Param-Region": "eu-west",
        "Mcp-Param-Note": "=?base64?aMOpbGxv?=",
        Authorization: "Bearer forged",
        "MCP-Protocol-Version": "1999-01-01",
        "Mcp-Session-Id": "forged",
        Accept: "text/html",
        "Content-Type": "text/plain"
      })
      yield* frameFor(frames, 1)
      const [first] = server.posts()
      assert.strictEqual(first.headers["mcp-method"], "tools/call")
      assert.strictEqual(first.headers["mcp-name"], "echo")
      assert.strictEqual(first.headers["mcp-param-region"], "eu-west")
      assert.strictEqual(first.headers["mcp-param-note"], "=?base64?aMOpbGxv?=")
      assert.strictEqual(first.headers["x-team"], "blue")
      assert.strictEqual(first.headers.authorization, "Bearer bearer-secret-token")
      assert.strictEqual(first.headers["mcp-protocol-version"], stateless)
      assert.isUndefined(first.headers["mcp-session-id"])
      assert.strictEqual(first.headers.accept, "application/json, text/event-stream")
      assert.strictEqual(first.headers["content-type"], "application/json")

      // the headers are that message's only; a notification carries its own too
      yield* transport.send(request(2, "ping", {}))
      yield* frameFor(frames, 2)
      yield* transport.send({ jsonrpc: "2.0", method: "notifications/x" }, { "Mcp-Method": "notifications/x" })
      const [, second, third] = server.posts()
      assert.isUndefined(second.headers["mcp-method"])
      assert.strictEqual(second.headers["mcp-param-region"], "from-the-options")
      assert.strictEqual(third.headers["mcp-method"], "notifications/x")

      // a value HTTP cannot carry fails that send; nothing goes
      const refused = yield* Effect.flip(transport.send(request(3), { "Mcp-Name": "bad\r\nX-Injected: 1" }))
      assert.instanceOf(refused, TransportError)
      assert.strictEqual(refused.reason, "Write")
      assert.strictEqual(server.posts().length, 3)
    }))

  it.scopedLive("MCP-Protocol-Version: absent while no version is set, or after setProtocolVersion(undefined)", () =>
    Effect.gen(function*() {
      const server = yield* startRecordingServer
      const { frames, transport } = yield* openTransport({ url: server.url })
      const versions: Array<string | undefined> = []
      let id = 0
      for (const version of [undefined, handshake, undefined, stateless, undefined]) {
        if (id > 0) transport.setProtocolVersion!(version)
        id++
        yield* transport.send(request(id, "ping", {}))
        yield* frameFor(frames, id)
        versions.push(server.posts()[id - 1].headers["mcp-protocol-version"] as string | undefined)
      }
      assert.deepStrictEqual(versions, [undefined, handshake, undefined, stateless, undefined])
    }))

  it.scopedLive("no session: an id the server hands out is never sent back; no GET; ready at once; no DELETE", () =>
    Effect.gen(function*() {
      const server = yield* startRecordingServer
      server.setSessionId("server-session-1")
      // were the transport to open the GET stream, it would stay open
      server.onGet((_req, res) => {
        eventStream(res)
        res.write(": open\n\n")
      })

      // the same server in the handshake era: the session is kept, the GET opens, the DELETE goes
      const before = yield* openTransport({ url: server.url })
      before.transport.setProtocolVersion!(handshake)
      for (const id of [1, 2]) {
        yield* before.transport.send(request(id, "ping", {}))
        yield* frameFor(before.frames, id)
      }
      yield* before.transport.ready!
      yield* before.close
      // the GET opens as soon as the server names the session
      assert.deepStrictEqual(server.methods().sort(), ["DELETE", "GET", "POST", "POST"])
      assert.strictEqual(server.posts()[1].headers["mcp-session-id"], "server-session-1")
      server.received.length = 0

      const { close, frames, transport } = yield* openTransport({ url: server.url })
      transport.setProtocolVersion!(stateless)
      for (const id of [1, 2, 3]) {
        yield* transport.send(request(id, "tools/list", {}))
        yield* frameFor(frames, id)
      }
      yield* transport.send({ jsonrpc: "2.0", method: "notifications/y" })
      yield* transport.ready!.pipe(Effect.timeoutFail({ duration: "100 millis", onTimeout: () => "ready waited" }))
      yield* Effect.sleep("200 millis")
      yield* close
      yield* Effect.sleep("50 millis")
      assert.deepStrictEqual(server.methods(), ["POST", "POST", "POST", "POST"])
      for (const entry of server.received) assert.isUndefined(entry.headers["mcp-session-id"])
    }))

  for (
    const [name, cut] of [
      ["ends", (_req: Http.IncomingMessage, res: Http.ServerResponse) => res.end()],
      ["breaks off", (req: Http.IncomingMessage) => req.socket.destroy()]
    ] as const
  ) {
    it.scopedLive(`an answer stream that ${name} before the answer: RequestFailure with resend; not resumed`, () =>
      Effect.gen(function*() {
        const server = yield* startRecordingServer
        server.onGet((_req, res) => {
          eventStream(res)
          res.end(event({ jsonrpc: "2.0", id: 1, result: {} }))
        })
        server.onPost((req, res, body) => {
          eventStream(res)
          // an event id: in the handshake era, the stream would be resumed after it
          res.write(event({ ...progress, params: { progressToken: body.id, progress: 1 } }, "event-1"))
          setTimeout(() => cut(req, res), 20)
        })
        const { frames, transport } = yield* openTransport({ url: server.url })
        transport.setProtocolVersion!(stateless)
        yield* transport.send(request(1))
        const failure = yield* failureFor(frames, 1)
        assert.isTrue(failure.resend)
        assert.instanceOf(failure.error, TransportError)
        assert.strictEqual(failure.error.reason, "Read")
        assert.match(failure.error.message, /before answering it/)
        // the notification on the stream came first
        assert.strictEqual(frames.indexOf(failure), 1)
        assert.deepInclude(frames[0] as object, { method: "notifications/progress" })
        yield* Effect.sleep("700 millis")
        assert.deepStrictEqual(server.methods(), ["POST"])
        assert.isUndefined(server.received[0].headers["last-event-id"])
        assert.strictEqual(frames.length, 2)
      }))
  }

  it.scopedLive("in the handshake era an answer stream that ends without an event id is no resend", () =>
    Effect.gen(function*() {
      const server = yield* startRecordingServer
      server.onPost((_req, res) => {
        eventStream(res)
        res.end(event(progress))
      })
      const { frames, transport } = yield* openTransport({ url: server.url })
      transport.setProtocolVersion!(handshake)
      yield* transport.send(request(1))
      const failure = yield* failureFor(frames, 1)
      assert.isFalse(failure.resend)
    }))

  it.scopedLive("a request answered 202 fails at once: no stream is there for its answer", () =>
    Effect.gen(function*() {
      const server = yield* startRecordingServer
      server.onPost((_req, res) => {
        res.writeHead(202)
        res.end()
      })
      const { frames, transport } = yield* openTransport({ url: server.url })
      transport.setProtocolVersion!(stateless)
      yield* transport.send(request(1))
      const failure = yield* failureFor(frames, 1)
      assert.strictEqual(failure.error._tag, "ProtocolError")
      assert.isFalse(failure.resend)
    }))

  it.scopedLive("abandoning a request whose answer stream is open closes it: the server sees 'close'", () =>
    Effect.gen(function*() {
      const server = yield* startRecordingServer
      let closed = 0
      server.onPost((req, res, body) => {
        if (body.method !== "tools/call") {
          res.writeHead(200, { "content-type": "application/json" })
          return res.end(JSON.stringify({ jsonrpc: "2.0", id: body.id, result: {} }))
        }
        res.on("close", () => closed++)
        eventStream(res)
        res.write(event({ ...progress, params: { progressToken: body.id, progress: 1 } }))
        // and never answers
      })
      const { frames, transport } = yield* openTransport({ url: server.url })
      transport.setProtocolVersion!(stateless)
      yield* transport.send(request("slow"))
      yield* waitFor("the progress notification", () => frames.length === 1)
      assert.strictEqual(closed, 0)
      transport.abandon!("slow")
      yield* waitFor("the server to see the stream closed", () => closed === 1)
      assert.isTrue(server.received[0].cut)
      // the client stopped waiting: no failure is news to it
      yield* Effect.sleep("100 millis")
      assert.strictEqual(frames.length, 1)
      yield* transport.send(request(2, "ping", {}))
      assert.deepStrictEqual(yield* frameFor(frames, 2), { jsonrpc: "2.0", id: 2, result: {} })
    }))
})

describe("node:http Streamable HTTP: an HTTP error whose body is a JSON-RPC error", () => {
  const unsupported = {
    code: -32022,
    message: "Unsupported protocol version",
    data: { supported: ["2025-11-25"], requested: stateless }
  }
  const answers: ReadonlyArray<{
    readonly name: string
    readonly version: string
    readonly id: McpSchema.RequestId
    readonly status: number
    readonly body: unknown
    readonly error: unknown
  }> = [
    {
      name: "400, id null",
      version: stateless,
      id: 7,
      status: 400,
      body: { jsonrpc: "2.0", id: null, error: unsupported },
      error: unsupported
    },
    {
      name: "400, id null, a string request id",
      version: stateless,
      id: "req-a",
      status: 400,
      body: { jsonrpc: "2.0", id: null, error: { code: -32020, message: "Header mismatch" } },
      error: { code: -32020, message: "Header mismatch" }
    },
    {
      name: "404 method not found (a modern server), its own id",
      version: stateless,
      id: 8,
      status: 404,
      body: { jsonrpc: "2.0", id: 8, error: { code: -32601, message: "Method not found" } },
      error: { code: -32601, message: "Method not found" }
    },
    {
      name: "500 in the handshake era",
      version: handshake,
      id: 9,
      status: 500,
      body: { jsonrpc: "2.0", id: 9, error: { code: -32603, message: "Internal error" } },
      error: { code: -32603, message: "Internal error" }
    }
  ]
  for (const { body, error, id, name, status, version } of answers) {
    it.scopedLive(`${name}: the request's error answer`, () =>
      Effect.gen(function*() {
        const server = yield* startRecordingServer
        server.onPost((_req, res) => {
          res.writeHead(status, { "content-type": "application/json; charset=utf-8" })
          res.end(JSON.stringify(body))
        })
        const { frames, transport } = yield* openTransport({ url: server.url })
        transport.setProtocolVersion!(version)
        yield* transport.send(request(id))
        assert.deepStrictEqual(yield* frameFor(frames, id), { jsonrpc: "2.0", id, error })
        assert.strictEqual(frames.length, 1)
      }))
  }

  it.scopedLive("a credential the server echoes in the error is redacted", () =>
    Effect.gen(function*() {
      const server = yield* startRecordingServer
      server.onPost((req, res) => {
        res.writeHead(400, { "content-type": "application/json" })
        res.end(JSON.stringify({
          jsonrpc: "2.0",
          id: null,
          error: { code: -32602, message: `bad request from ${req.headers.authorization}`, data: [req.headers] }
        }))
      })
      const { frames, transport } = yield* openTransport({
        url: server.url,
        bearer: Redacted.make("very-secret-token")
      })
      transport.setProtocolVersion!(stateless)
      yield* transport.send(request(1))
      const frame = yield* frameFor(frames, 1)
      const text = JSON.stringify(frame)
      assert.notInclude(text, "very-secret-token")
      assert.include(text, "bad request from Bearer [redacted]")
      assert.include(text, "-32602")
    }))

  const refusals: ReadonlyArray<{
    readonly name: string
    readonly version: string
    readonly session?: string
    readonly status: number
    readonly type: string
    readonly body: string
    readonly reason: TransportError["reason"]
    readonly pattern: RegExp
  }> = [
    {
      name: "400 text/plain",
      version: stateless,
      status: 400,
      type: "text/plain",
      body: "bad request",
      reason: "Write",
      pattern: /HTTP 400.*bad request/
    },
    {
      name: "400 JSON that is not a JSON-RPC error",
      version: stateless,
      status: 400,
      type: "application/json",
      body: JSON.stringify({ error: "bad request" }),
      reason: "Write",
      pattern: /HTTP 400.*bad request/
    },
    {
      name: "400 a JSON-RPC error answering another request",
      version: stateless,
      status: 400,
      type: "application/json",
      body: JSON.stringify({ jsonrpc: "2.0", id: 99, error: { code: -32600, message: "nope" } }),
      reason: "Write",
      pattern: /HTTP 400/
    },
    {
      name: "503 with a body that is not JSON",
      version: handshake,
      status: 503,
      type: "application/json",
      body: "{ \"jsonrpc\": \"2.0\", oops",
      reason: "Write",
      pattern: /HTTP 503.*oops/
    },
    {
      name: "401 with a JSON-RPC error: refused credentials",
      version: stateless,
      status: 401,
      type: "application/json",
      body: JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "Unauthorized" } }),
      reason: "Unauthorized",
      pattern: /401/
    },
    {
      name: "404 for the session, in the handshake era: expired",
      version: handshake,
      session: "old-session",
      status: 404,
      type: "application/json",
      body: JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } }),
      reason: "SessionExpired",
      pattern: /old-session/
    }
  ]
  for (const { body, name, pattern, reason, session, status, type, version } of refusals) {
    it.scopedLive(`${name}: a TransportError, as before`, () =>
      Effect.gen(function*() {
        const server = yield* startRecordingServer
        server.onPost((_req, res, message) => {
          if (message.method === "initialize") {
            res.writeHead(200, {
              "content-type": "application/json",
              ...(session ? { "mcp-session-id": session } : {})
            })
            return res.end(JSON.stringify({ jsonrpc: "2.0", id: message.id, result: {} }))
          }
          res.writeHead(status, { "content-type": type })
          res.end(body)
        })
        const { frames, transport } = yield* openTransport({ url: server.url })
        if (session !== undefined) {
          yield* transport.send(request(0, "initialize", {}))
          yield* frameFor(frames, 0)
        }
        transport.setProtocolVersion!(version)
        yield* transport.send(request(1))
        const failure = yield* failureFor(frames, 1)
        assert.instanceOf(failure.error, TransportError)
        assert.strictEqual(failure.error.reason, reason)
        assert.match(failure.error.message, pattern)
        assert.isFalse(failure.resend)
      }))
  }
})
