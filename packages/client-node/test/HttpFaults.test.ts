import { HttpTransport, McpAuth, McpClient, McpError, Transport } from "@effect-mcp/client"
import { NodeHttpTransport } from "@effect-mcp/client-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Logger, Redacted, Scope } from "effect"
import type * as Http from "node:http"
import { answer, type HostileServer, startHostileServer } from "./utils/hostileServer.js"

// Hostile servers against both Streamable HTTP transports: whatever a server
// does with an answer, that one call fails soon with a typed error that says
// what went wrong, the session lives on, nothing is held past the limit,
// nothing is left open, and no credential shows in any error or log line.

const transports = {
  "node:http": NodeHttpTransport.make,
  sdk: HttpTransport.makeSdk
} as const
type Kind = keyof typeof transports

/** Every log line, and the layer that collects them. */
const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ cause, message }) => {
    lines.push(`${Array.isArray(message) ? message.join(" ") : String(message)} ${String(cause)}`)
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

/** A client on `kind` in a scope of its own, closed by the caller (or the test). */
const clientOn = (
  kind: Kind,
  options: HttpTransport.HttpOptions,
  extra: { readonly maxMessageBytes?: number } = {}
) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void))
    const client = yield* McpClient.make(transports[kind](options), {
      initTimeout: "1 second",
      requestTimeout: "1 second",
      reconnect: false,
      ...(extra.maxMessageBytes === undefined ? {} : { maxMessageBytes: extra.maxMessageBytes })
    }).pipe(
      Effect.provideService(Transport.MaxMessageBytes, extra.maxMessageBytes ?? 16 * 1024 * 1024),
      Scope.extend(scope)
    )
    return { client, close: Scope.close(scope, Exit.void) }
  })

/** How long `effect` took, in milliseconds, and its failure. */
const timedFailure = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = Date.now()
    const error = yield* Effect.flip(effect).pipe(Effect.timeout("5 seconds"))
    return { error, millis: Date.now() - start }
  })

const text = (result: { readonly content: ReadonlyArray<{ readonly type: string }> }) =>
  result.content.map((part) => ("text" in part ? part.text : "")).join("")

/**
 * The client closed, the server has no request in progress and (node:http,
 * whose agent is the transport's own) no socket left. The SDK's `fetch`
 * keeps idle sockets in the process-wide pool, which closes them itself.
 */
const assertDrained = (kind: Kind, server: HostileServer, close: Effect.Effect<void>) =>
  Effect.gen(function*() {
    yield* close
    assert.strictEqual(yield* server.settled(), 0, "requests left in progress")
    if (kind === "node:http") assert.strictEqual(yield* server.drained(), 0, "sockets left open")
  })

for (const kind of Object.keys(transports) as Array<Kind>) {
  describe(`hostile Streamable HTTP servers (${kind})`, () => {
    it.scopedLive("a POST accepted and never answered: initialize times out at initTimeout; its connection is freed", () =>
      Effect.gen(function*() {
        const server = yield* startHostileServer
        server.on("initialize", (_req, _res) => undefined)
        const { error, millis } = yield* timedFailure(clientOn(kind, { url: server.url }))
        assert.instanceOf(error, McpError.TimeoutError)
        assert.isAtLeast(millis, 900)
        assert.isBelow(millis, 2000)
        assert.strictEqual(yield* server.settled(1000), 0)
        if (kind === "node:http") assert.strictEqual(yield* server.drained(1000), 0)
        assert.deepStrictEqual(server.cutByClient, ["initialize"])
      }))

    it.scopedLive("a tool call never answered (JSON mode, answer after 10 s) times out at 1 s; its socket closes", () =>
      Effect.gen(function*() {
        const server = yield* startHostileServer
        const timers: Array<ReturnType<typeof setTimeout>> = []
        yield* Effect.addFinalizer(() => Effect.sync(() => timers.forEach(clearTimeout)))
        server.on("tools/call:late", (_req, res, body) => void timers.push(setTimeout(() => answer(res, body), 10_000)))
        server.on("tools/call:hang", () => undefined)
        const { client, close } = yield* clientOn(kind, { url: server.url })
        for (const tool of ["late", "hang", "late"]) {
          const { error, millis } = yield* timedFailure(client.callTool(tool))
          assert.instanceOf(error, McpError.TimeoutError)
          assert.isBelow(millis, 1800)
        }
        // the server sees each one's connection closed at once, not after 10 s
        yield* Effect.sleep("100 millis")
        assert.deepStrictEqual(server.cutByClient, ["tools/call:late", "tools/call:hang", "tools/call:late"])
        // abandoned connections are gone, not kept by the agent (the SDK's pool may keep idle ones)
        assert.strictEqual(yield* server.settled(), 0)
        assert.isAtMost(server.sockets(), kind === "node:http" ? 2 : 4)
        assert.strictEqual(text(yield* client.callTool("echo")), "echo")
        yield* assertDrained(kind, server, close)
      }))

    const badAnswers: ReadonlyArray<
      readonly [
        string,
        Parameters<HostileServer["on"]>[1],
        "ProtocolError" | "TransportError",
        RegExp
      ]
    > = [
      [
        "text/html 200",
        (_req, res) => {
          res.writeHead(200, { "content-type": "text/html" })
          res.end("<html><body>Sign in to continue</body></html>")
        },
        "ProtocolError",
        /text\/html/
      ],
      [
        "text/plain 200",
        (_req, res) => {
          res.writeHead(200, { "content-type": "text/plain" })
          res.end("upstream busy")
        },
        "ProtocolError",
        /text\/plain/
      ],
      [
        "a JSON body that is not JSON",
        (_req, res) => {
          res.writeHead(200, { "content-type": "application/json" })
          res.end("{\"jsonrpc\": \"2.0\", oops")
        },
        "ProtocolError",
        /not JSON|JSON/
      ],
      [
        "a body cut mid-answer",
        (req, res, body) => {
          const whole = JSON.stringify({ jsonrpc: "2.0", id: body.id, result: { content: [] } })
          res.writeHead(200, { "content-type": "application/json", "content-length": whole.length })
          res.write(whole.slice(0, 20))
          setTimeout(() => req.socket.destroy(), 20)
        },
        "TransportError",
        /broke off|terminated|closed|socket/i
      ],
      [
        "an event stream that ends before its answer",
        (_req, res) => {
          res.writeHead(200, { "content-type": "text/event-stream" })
          res.end(
            "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"x\"}}\n\n"
          )
        },
        "TransportError",
        /ended the event stream|ended before its answer/
      ],
      [
        "HTTP 500 with a body that never ends",
        (_req, res) => {
          res.writeHead(500, { "content-type": "text/plain" })
          res.write("internal trouble")
        },
        "TransportError",
        /500/
      ]
    ]
    for (const [name, bad, type, pattern] of badAnswers) {
      it.scopedLive(`${name}: that call fails within 1 s saying so; the next call succeeds`, () =>
        Effect.gen(function*() {
          const server = yield* startHostileServer
          server.on("tools/call:bad", bad)
          const { client, close } = yield* clientOn(kind, { url: server.url })
          const { error, millis } = yield* timedFailure(client.callTool("bad"))
          assert.strictEqual(error._tag, type, String(error))
          assert.match(error.message, pattern)
          assert.isBelow(millis, 1000)
          assert.strictEqual(text(yield* client.callTool("echo")), "echo")
          assert.strictEqual(server.counts.initializes, 1)
          yield* assertDrained(kind, server, close)
        }))
    }

    it.scopedLive("a body over maxMessageBytes fails with TooLarge; the client stops reading it", () =>
      Effect.gen(function*() {
        const server = yield* startHostileServer
        let written = 0
        const total = 64 * 1024 * 1024
        server.on("tools/call:huge", (_req, res, body) => {
          res.writeHead(200, { "content-type": "application/json" })
          res.write(`{"jsonrpc":"2.0","id":${body.id},"result":{"content":[{"type":"text","text":"`)
          const chunk = "x".repeat(64 * 1024)
          const pump = () => {
            while (written < total) {
              written += chunk.length
              if (!res.write(chunk)) return void res.once("drain", pump)
            }
            res.end("\"}]}}")
          }
          res.on("close", () => {
            written = Math.min(written, total)
          })
          pump()
        })
        const { client, close } = yield* clientOn(kind, { url: server.url }, { maxMessageBytes: 256 * 1024 })
        const { error, millis } = yield* timedFailure(client.callTool("huge"))
        assert.instanceOf(error, McpError.ProtocolError)
        assert.strictEqual(error.reason, "TooLarge")
        assert.isBelow(millis, 1000)
        // only what the socket buffers took: the client stopped reading at the limit
        assert.isBelow(written, 16 * 1024 * 1024)
        assert.strictEqual(text(yield* client.callTool("echo")), "echo")
        yield* assertDrained(kind, server, close)
      }))

    it.scopedLive("an event over maxMessageBytes fails that call with TooLarge", () =>
      Effect.gen(function*() {
        const server = yield* startHostileServer
        server.on("tools/call:huge", (_req, res, body) => {
          res.writeHead(200, { "content-type": "text/event-stream" })
          const result = { content: [{ type: "text", text: "x".repeat(1024 * 1024) }] }
          res.end(`event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: body.id, result })}\n\n`)
        })
        const { client, close } = yield* clientOn(kind, { url: server.url }, { maxMessageBytes: 64 * 1024 })
        const { error, millis } = yield* timedFailure(client.callTool("huge"))
        assert.instanceOf(error, McpError.ProtocolError)
        assert.strictEqual(error.reason, "TooLarge")
        assert.isBelow(millis, 1000)
        assert.strictEqual(text(yield* client.callTool("echo")), "echo")
        yield* assertDrained(kind, server, close)
      }))

    it.scopedLive("an answer on an event stream with its id as a string is the answer: no failure is logged", () => {
      const { layer, lines } = captureLogs()
      return Effect.gen(function*() {
        const server = yield* startHostileServer
        server.on("tools/call:stringly", (_req, res, body) => {
          res.writeHead(200, { "content-type": "text/event-stream" })
          const result = { content: [{ type: "text", text: "by string" }] }
          res.end(`event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: String(body.id), result })}\n\n`)
        })
        const { client, close } = yield* clientOn(kind, { url: server.url })
        assert.strictEqual(text(yield* client.callTool("stringly")), "by string")
        yield* Effect.sleep("200 millis")
        assert.deepStrictEqual(lines.filter((line) => line.includes("before answering")), [])
        yield* assertDrained(kind, server, close)
      }).pipe(Effect.provide(layer))
    })

    it.scopedLive("an answer nested 100,000 deep is a ProtocolError; the host lives on", () =>
      Effect.gen(function*() {
        const server = yield* startHostileServer
        const depth = 100_000
        server.on("tools/call:deep", (_req, res, body) => {
          res.writeHead(200, { "content-type": "application/json" })
          res.end(`{"jsonrpc":"2.0","id":${body.id},"result":{"content":${"[".repeat(depth)}${"]".repeat(depth)}}}`)
        })
        const { client, close } = yield* clientOn(kind, { url: server.url })
        const { error, millis } = yield* timedFailure(client.callTool("deep"))
        assert.instanceOf(error, McpError.ProtocolError)
        assert.isBelow(millis, 1000)
        assert.strictEqual(text(yield* client.callTool("echo")), "echo")
        yield* assertDrained(kind, server, close)
      }))

    it.scopedLive("retry: 0 on the event stream makes no storm of GETs", () =>
      Effect.gen(function*() {
        const server = yield* startHostileServer
        let event = 0
        server.onGet((_req, res) => {
          res.writeHead(200, { "content-type": "text/event-stream" })
          res.end(`retry: 0\nid: ${++event}\ndata: \n\n`)
        })
        const { close } = yield* clientOn(kind, { url: server.url })
        yield* Effect.sleep("3 seconds")
        assert.isAtLeast(server.counts.gets, 1)
        assert.isAtMost(server.counts.gets, 8)
        yield* assertDrained(kind, server, close)
      }))

    it.scopedLive("a 401 echoing the credentials: Unauthorized, and no secret in any text, JSON or log", () => {
      const { layer, lines } = captureLogs()
      return Effect.gen(function*() {
        const server = yield* startHostileServer
        server.refuseAll((req, res) => {
          res.writeHead(401, { "content-type": "text/plain" })
          res.end(`refused: ${JSON.stringify(req.headers)} ${
            Buffer.from(
              (req.headers.authorization ?? "").replace(/^Basic /, ""),
              "base64"
            ).toString("utf8")
          }`)
        })
        const secrets = ["bearer-secret-token-1", "header-secret-value-2", "url-user", "url-pass-word-3"]
        const url = server.url.replace("http://", "http://url-user:url-pass-word-3@")
        const { error } = yield* timedFailure(
          clientOn(kind, {
            url: new URL(url),
            bearer: Redacted.make("bearer-secret-token-1"),
            headers: { "x-api-key": "header-secret-value-2" }
          })
        )
        assert.instanceOf(error, McpError.TransportError)
        assert.strictEqual(error.reason, "Unauthorized")
        assert.include(error.message, "Check the bearer token and headers you gave")
        // the server did get them, and echoed them
        assert.include(JSON.stringify(server.headers), "bearer-secret-token-1")
        const shown = [error.message, String(error), JSON.stringify(error), JSON.stringify(error.toJSON()), ...lines]
        for (const secret of secrets) {
          for (const text of shown) assert.notInclude(text, secret)
        }
        assert.include(error.message, "[redacted]")
      }).pipe(Effect.provide(layer))
    })

    it.scopedLive("the advice for a refusal fits what the client was given", () =>
      Effect.gen(function*() {
        const server = yield* startHostileServer
        server.refuseAll((_req, res) => {
          res.writeHead(401, { "content-type": "text/plain" })
          res.end("no entry")
        })
        const none = yield* timedFailure(clientOn(kind, { url: server.url }))
        assert.include(none.error.message, "none were given")
        const store = McpAuth.memoryStore()
        yield* store.save(new URL(server.url).href, {
          issuer: "http://127.0.0.1/as",
          issuers: { "http://127.0.0.1/as": { tokens: { access_token: "stored-secret-token", token_type: "bearer" } } }
        })
        const provider = yield* McpAuth.headless({
          store,
          clientMetadata: { client_name: "faults", redirect_uris: ["http://127.0.0.1/cb"] },
          redirectUrl: "http://127.0.0.1/cb"
        })
        const signedIn = yield* timedFailure(clientOn(kind, { url: server.url, authProvider: provider }))
        assert.instanceOf(signedIn.error, McpError.TransportError)
        assert.include(signedIn.error.message, "Sign in again")
        assert.notInclude(JSON.stringify(signedIn.error) + signedIn.error.message, "stored-secret-token")
      }))
  })
}

describe("hostile Streamable HTTP servers (node:http only)", () => {
  it.scopedLive("notifications answered with event streams that never end hold at most 4 connections", () => {
    const { layer, lines } = captureLogs()
    return Effect.gen(function*() {
      const server = yield* startHostileServer
      server.on("notifications/cancelled", (_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" })
        res.write(": never ends\n\n")
      })
      const { client, close } = yield* clientOn("node:http", { url: server.url })
      for (let i = 0; i < 20; i++) yield* client.cancel(i, "test")
      yield* Effect.sleep("200 millis")
      assert.isAtMost(server.sockets(), 4 + 2)
      assert.isTrue(lines.some((line) => line.includes("answered a notification with an event stream")))
      assert.strictEqual(text(yield* client.callTool("echo")), "echo")
      yield* assertDrained("node:http", server, close)
    }).pipe(Effect.provide(layer))
  })

  it.scopedLive("an event stream GET that keeps failing backs off", () =>
    Effect.gen(function*() {
      const server = yield* startHostileServer
      server.onGet((_req: Http.IncomingMessage, res: Http.ServerResponse) => {
        res.writeHead(503, { "content-type": "text/plain" })
        res.end("try later")
      })
      const { client, close } = yield* clientOn("node:http", { url: server.url })
      yield* Effect.sleep("3 seconds")
      // at 0, 1 s and 3 s at most (0.5 s doubled per failure)
      assert.isAtMost(server.counts.gets, 3)
      assert.strictEqual(text(yield* client.callTool("echo")), "echo")
      yield* assertDrained("node:http", server, close)
    }))
})
