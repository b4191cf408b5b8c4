import { type HttpTransport, McpAuth, McpClient, McpError } from "@effect-mcp/client"
import { NodeHttpTransport, NodeTokenStore } from "@effect-mcp/client-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Logger, Option, Redacted, Stream } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { headlessProvider, startAuthServer } from "./utils/authServer.js"

const whoami = (client: McpClient.Service) => client.callTool("whoami")

const oauthSuite = (transports: Layer.Layer<never> | Layer.Layer<HttpTransport.Connector>) => {
  it.scopedLive("a token store keeps the credentials across sessions: the second needs no authorization", () =>
    Effect.gen(function*() {
      const server = yield* startAuthServer()
      const store = McpAuth.memoryStore()
      yield* Effect.scoped(
        Effect.flatMap(
          Effect.flatMap(headlessProvider(store), (authProvider) => McpClient.make({ url: server.url, authProvider })),
          whoami
        )
      )
      assert.strictEqual(server.counts.authorizations, 1)
      assert.isTrue(Option.isSome(yield* store.load(new URL(server.url).href)))
      // a new client, a new provider: only the store is shared
      const result = yield* Effect.scoped(
        Effect.flatMap(
          Effect.flatMap(headlessProvider(store), (authProvider) => McpClient.make({ url: server.url, authProvider })),
          whoami
        )
      )
      assert.deepStrictEqual(result.content, [{ type: "text", text: "an authorized client" }])
      assert.strictEqual(server.counts.authorizations, 1)
      assert.strictEqual(server.counts.codeGrants, 1)
    }).pipe(Effect.provide(transports)))

  it.scopedLive("a file token store keeps the credentials for the next process", () =>
    Effect.gen(function*() {
      const server = yield* startAuthServer()
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-tokens-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true })))
      const path = Path.join(dir, "credentials.json")
      yield* Effect.scoped(
        Effect.flatMap(
          Effect.flatMap(
            Effect.flatMap(NodeTokenStore.file(path), headlessProvider),
            (authProvider) => McpClient.make({ url: server.url, authProvider })
          ),
          whoami
        )
      )
      assert.strictEqual(Fs.statSync(path).mode & 0o777, 0o600)
      // a store opened afresh on the same file, as the next run of a CLI would
      yield* Effect.scoped(
        Effect.flatMap(
          Effect.flatMap(Effect.flatMap(NodeTokenStore.file(path), headlessProvider), (authProvider) =>
            McpClient.make({ url: server.url, authProvider })),
          whoami
        )
      )
      assert.strictEqual(server.counts.authorizations, 1)
    }).pipe(Effect.provide(transports)))

  it.scopedLive("20 concurrent calls that meet an expired token refresh it once", () =>
    Effect.gen(function*() {
      const server = yield* startAuthServer()
      const client = yield* Effect.flatMap(headlessProvider(McpAuth.memoryStore()), (authProvider) =>
        McpClient.make({ url: server.url, authProvider }))
      yield* whoami(client)
      server.expireAccessTokens()
      const results = yield* Effect.all(
        Array.from({ length: 20 }, () =>
          whoami(client)),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.length, 20)
      assert.strictEqual(server.counts.refreshGrants, 1)
      assert.strictEqual(server.counts.authorizations, 1)
    }).pipe(Effect.provide(transports)))

  it.scopedLive("a revoked refresh token fails with TransportError Unauthorized that says what to do", () =>
    Effect.gen(function*() {
      const server = yield* startAuthServer()
      const client = yield* Effect.flatMap(
        headlessProvider(McpAuth.memoryStore()),
        (authProvider) => McpClient.make({ url: server.url, authProvider })
      )
      yield* whoami(client)
      server.revoke()
      const error = yield* Effect.flip(whoami(client))
      assert.instanceOf(error, McpError.TransportError)
      assert.strictEqual(error.reason, "Unauthorized")
      assert.include(error.message, "Sign in again")
    }).pipe(Effect.provide(transports)))

  it.scopedLive("a bearer token appears in no log line and no error message", () => {
    const secret = "super-secret-token-4242"
    const lines: Array<string> = []
    const logger = Logger.make(({ annotations, message }) => {
      lines.push(`${JSON.stringify(message)} ${JSON.stringify(Array.from(annotations))}`)
    })
    return Effect.gen(function*() {
      const server = yield* startAuthServer()
      const error = yield* Effect.flip(McpClient.make({ url: server.url, bearer: Redacted.make(secret) }))
      assert.instanceOf(error, McpError.TransportError)
      assert.strictEqual(error.reason, "Unauthorized")
      for (const text of [error.message, String(error), JSON.stringify(error), error.description]) {
        assert.notInclude(text, secret)
      }
      assert.isAbove(server.counts.mcpRequests, 0)
      for (const line of lines) assert.notInclude(line, secret)
    }).pipe(
      Effect.provide(transports),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Effect.annotateLogs("test", "bearer")
    )
  })
}

describe("OAuth over Streamable HTTP on the SDK's transport", () => {
  oauthSuite(Layer.empty)
})

describe("OAuth over Streamable HTTP on node:http", () => {
  oauthSuite(NodeHttpTransport.layer)

  it.scopedLive("an event stream refused for an expired token reopens as soon as the token is renewed", () =>
    Effect.gen(function*() {
      const server = yield* startAuthServer()
      const client = yield* Effect.flatMap(
        headlessProvider(McpAuth.memoryStore()),
        (authProvider) => McpClient.make({ url: server.url, authProvider })
      )
      yield* whoami(client)
      const changed = yield* Effect.fork(Stream.runHead(client.listChanged))
      server.expireAccessTokens()
      // the client opens the ended stream again after the retry delay (1 s), is refused, renews the token
      server.endEventStreams()
      yield* Effect.sleep("20 millis").pipe(
        Effect.repeat({ until: () => server.counts.refreshGrants > 0 }),
        Effect.timeout("5 seconds")
      )
      // well within a second retry delay
      yield* Effect.sleep("500 millis")
      yield* Effect.promise(() => server.announceToolListChanged())
      const kind = yield* Fiber.join(changed).pipe(Effect.timeout("2 seconds"))
      assert.deepStrictEqual(kind, Option.some("tools"))
    }).pipe(Effect.provide(NodeHttpTransport.layer)))
})
