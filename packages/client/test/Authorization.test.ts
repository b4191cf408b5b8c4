import { type HttpTransport, McpAuth, McpClient, McpError } from "@effect-mcp/client"
import { NodeHttpTransport, NodeTokenStore } from "@effect-mcp/client-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Logger, Option, Redacted } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { type AuthServer, type AuthServerOptions, headlessProvider, startAuthServer } from "./utils/authServer.js"

const whoami = (client: McpClient.Service) => client.callTool("whoami")

const connectAndCall = (server: AuthServer, store?: McpAuth.TokenStoreService) =>
  Effect.scoped(Effect.gen(function*() {
    const client = yield* McpClient.make({ url: server.url, authProvider: yield* headlessProvider(store) })
    return yield* whoami(client)
  }))

/** The error of a refused authorization, with its cause the library's `AuthorizationError`. */
const refusal = (options: AuthServerOptions) =>
  Effect.gen(function*() {
    const server = yield* startAuthServer(options)
    const error = yield* Effect.flip(connectAndCall(server))
    assert.instanceOf(error, McpError.TransportError)
    assert.strictEqual(error.reason, "Unauthorized")
    const cause = findAuthorizationError(error)
    assert.isDefined(cause, `no AuthorizationError in ${error.message}`)
    return { server, error, cause: cause! }
  })

const findAuthorizationError = (error: unknown): McpAuth.AuthorizationError | undefined => {
  let at: unknown = error
  for (let depth = 0; depth < 6 && at !== undefined && at !== null; depth++) {
    if (at instanceof McpAuth.AuthorizationError) return at
    at = (at as { cause?: unknown }).cause
  }
  return undefined
}

const suite = (transports: Layer.Layer<never> | Layer.Layer<HttpTransport.Connector>) => {
  it.scopedLive("an authorization response with the recorded issuer's iss goes through", () =>
    Effect.gen(function*() {
      const server = yield* startAuthServer({ iss: { advertise: true, redirect: "correct" } })
      const result = yield* connectAndCall(server)
      assert.deepStrictEqual(result.content, [{ type: "text", text: "an authorized client" }])
      assert.strictEqual(server.counts.codeGrants, 1)
      // SEP-837: a loopback redirect is a native application
      assert.strictEqual(server.registrations[0]?.application_type, "native")
    }).pipe(Effect.provide(transports)))

  it.scopedLive("a response whose iss is another issuer is refused, its code never redeemed", () =>
    Effect.gen(function*() {
      const { cause, error, server } = yield* refusal({ iss: { advertise: true, redirect: "wrong" } })
      assert.strictEqual(cause.reason, "IssuerMismatch")
      assert.include(error.message, "https://evil.example.com")
      assert.include(error.message, server.issuer())
      assert.strictEqual(server.counts.codeGrants, 0)
      assert.notInclude(error.message, "code-1")
    }).pipe(Effect.provide(transports)))

  it.scopedLive("a response without the iss its server promised is refused", () =>
    Effect.gen(function*() {
      const { cause, server } = yield* refusal({ iss: { advertise: true, redirect: "omit" } })
      assert.strictEqual(cause.reason, "IssuerMissing")
      assert.strictEqual(server.counts.codeGrants, 0)
    }).pipe(Effect.provide(transports)))

  it.scopedLive("iss is compared as a string: the issuer with a trailing slash is another issuer", () =>
    Effect.gen(function*() {
      const { cause, server } = yield* refusal({ iss: { advertise: true, redirect: "trailing-slash" } })
      assert.strictEqual(cause.reason, "IssuerMismatch")
      assert.strictEqual(server.counts.codeGrants, 0)
    }).pipe(Effect.provide(transports)))

  it.scopedLive("an iss the server never promised is still compared, and refused when wrong", () =>
    Effect.gen(function*() {
      const { cause, server } = yield* refusal({ iss: { advertise: false, redirect: "wrong" } })
      assert.strictEqual(cause.reason, "IssuerMismatch")
      assert.strictEqual(server.counts.codeGrants, 0)
    }).pipe(Effect.provide(transports)))

  it.scopedLive("metadata naming another issuer is not used: no registration, authorization or token request", () =>
    Effect.gen(function*() {
      const { cause, error, server } = yield* refusal({ metadataIssuer: "https://attacker.example.com" })
      assert.strictEqual(cause.reason, "MetadataIssuerMismatch")
      assert.include(error.message, "https://attacker.example.com")
      assert.strictEqual(server.counts.registrations, 0)
      assert.strictEqual(server.counts.authorizations, 0)
      assert.strictEqual(server.seen.length, 0)
    }).pipe(Effect.provide(transports)))

  it.scopedLive("an authorization server whose answer never ends is cut at 1 MiB: a typed error, nothing kept", () =>
    Effect.gen(function*() {
      const server = yield* startAuthServer({ floodMetadata: true })
      const before = process.memoryUsage().heapUsed
      const error = yield* Effect.flip(connectAndCall(server))
      // TransportError Unauthorized on node:http, ProtocolError TooLarge through the SDK's transport
      assert.isTrue(McpError.isMcpError(error), String(error))
      assert.include(error.message, "an authorization server's answer is larger than 1 MiB")
      assert.strictEqual(server.counts.registrations, 0)
      assert.isBelow(process.memoryUsage().heapUsed - before, 32 * 1024 * 1024)
    }).pipe(Effect.provide(transports)))

  it.scopedLive("a server that moves to another authorization server: discovered, registered again, nothing reused", () =>
    Effect.gen(function*() {
      const server = yield* startAuthServer()
      const store = McpAuth.memoryStore()
      const client = yield* McpClient.make({ url: server.url, authProvider: yield* headlessProvider(store) })
      yield* whoami(client)
      const first = server.issuer()
      server.moveAuthorizationServer()
      yield* whoami(client)
      const second = server.issuer()
      assert.notStrictEqual(first, second)
      assert.strictEqual(server.counts.registrations, 2)
      const firstClients = new Set(
        server.seen.filter((s) => s.issuer === first && s.clientId !== undefined).map((s) => s.clientId)
      )
      const atSecond = server.seen.filter((s) => s.issuer === second)
      assert.isAbove(atSecond.length, 0)
      for (const request of atSecond) assert.isFalse(firstClients.has(request.clientId), JSON.stringify(request))
      // both registrations are kept, each under its issuer; the second is in use
      const stored = Option.getOrThrow(yield* store.load(new URL(server.url).href))
      // keyed by the authorization server as the resource metadata names it
      const [firstKey, secondKey] = [first, second]
      assert.strictEqual(stored.issuer, secondKey)
      assert.sameMembers(Object.keys(stored.issuers), [firstKey, secondKey])
      assert.notStrictEqual(
        stored.issuers[firstKey]?.clientInformation?.client_id,
        stored.issuers[secondKey]?.clientInformation?.client_id
      )
    }).pipe(Effect.provide(transports)))

  it.scopedLive("DPoP: every token and resource request carries a fresh proof the servers verify", () =>
    Effect.gen(function*() {
      const server = yield* startAuthServer({ dpop: {} })
      const client = yield* McpClient.make({ url: server.url, authProvider: yield* headlessProvider() })
      yield* whoami(client)
      yield* whoami(client)
      const atToken = server.proofs.filter((p) => p.at === "token")
      const atMcp = server.proofs.filter((p) => p.at === "mcp")
      assert.strictEqual(atToken.length, 1)
      assert.isAtLeast(atMcp.length, 3)
      for (const proof of server.proofs) assert.isUndefined(proof.error, JSON.stringify(proof))
      assert.strictEqual(new Set(server.proofs.map((p) => p.jti)).size, server.proofs.length)
    }).pipe(Effect.provide(transports)))

  it.scopedLive("DPoP nonces: the token and resource requests go again once with the server's nonce", () =>
    Effect.gen(function*() {
      const server = yield* startAuthServer({ dpop: { authorizationServerNonce: true, resourceServerNonce: true } })
      const client = yield* McpClient.make({ url: server.url, authProvider: yield* headlessProvider() })
      const result = yield* whoami(client)
      assert.deepStrictEqual(result.content, [{ type: "text", text: "an authorized client" }])
      const tokenProofs = server.proofs.filter((p) => p.at === "token").map((p) => p.error)
      assert.deepStrictEqual(tokenProofs, ["use_dpop_nonce", undefined])
      const mcpProofs = server.proofs.filter((p) => p.at === "mcp").map((p) => p.error)
      assert.strictEqual(mcpProofs[0], "use_dpop_nonce")
      // once given, the nonce goes with every later proof
      assert.deepStrictEqual(mcpProofs.slice(1).filter((e) => e !== undefined), [])
      assert.strictEqual(server.counts.codeGrants, 1)
    }).pipe(Effect.provide(transports)))

  it.scopedLive("the DPoP key is kept with the credentials: the next client uses the stored bound token", () =>
    Effect.gen(function*() {
      const server = yield* startAuthServer({ dpop: {} })
      const store = McpAuth.memoryStore()
      yield* connectAndCall(server, store)
      yield* connectAndCall(server, store)
      assert.strictEqual(server.counts.codeGrants, 1)
      assert.strictEqual(server.counts.refreshGrants, 0)
      for (const proof of server.proofs) assert.isUndefined(proof.error)
    }).pipe(Effect.provide(transports)))

  it.scopedLive("workload identity: a refused assertion is an error, asked once, the assertion in no error text", () =>
    Effect.gen(function*() {
      const server = yield* startAuthServer({ workloadToken: "the-right-workload-token" })
      const authProvider = McpAuth.workloadIdentity({
        clientId: "workload",
        assertion: Effect.succeed(Redacted.make("a-stale-workload-token"))
      })
      const error = yield* Effect.flip(McpClient.make({ url: server.url, authProvider }))
      assert.instanceOf(error, McpError.TransportError)
      assert.strictEqual(error.reason, "Unauthorized")
      assert.strictEqual(server.counts.jwtBearerGrants, 1)
      assert.notInclude(error.message + JSON.stringify(error), "a-stale-workload-token")
      const ok = yield* McpClient.make({
        url: server.url,
        authProvider: McpAuth.workloadIdentity({
          clientId: "workload",
          assertion: Effect.succeed(Redacted.make("the-right-workload-token"))
        })
      })
      yield* whoami(ok)
    }).pipe(Effect.provide(transports)))

  it.scopedLive("tokens and DPoP keys appear in no log line and no error after they were issued", () => {
    const lines: Array<string> = []
    const logger = Logger.make(({ annotations, message }) => {
      lines.push(`${JSON.stringify(message)} ${JSON.stringify(Array.from(annotations))}`)
    })
    return Effect.gen(function*() {
      const server = yield* startAuthServer({ dpop: {} })
      const store = McpAuth.memoryStore()
      const client = yield* McpClient.make({ url: server.url, authProvider: yield* headlessProvider(store) })
      yield* whoami(client)
      const stored = Option.getOrThrow(yield* store.load(new URL(server.url).href))
      const entry = Object.values(stored.issuers)[0]!
      const secrets = [entry.tokens!.access_token, entry.tokens!.refresh_token!, entry.dpopKey!.privateJwk.d!]
      server.revoke()
      const error = yield* Effect.flip(whoami(client))
      const texts = [error.message, String(error), JSON.stringify(error), ...lines]
      for (const text of texts) for (const secret of secrets) assert.notInclude(text, secret)
    }).pipe(
      Effect.provide(transports),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger))
    )
  })
}

describe("the token store", () => {
  it.effect("a store keeps the credentials of the 8 authorization servers written last, per MCP server", () =>
    Effect.gen(function*() {
      const store = McpAuth.memoryStore()
      const provider = (yield* headlessProvider(store)).forServer("https://mcp.example.com/mcp")
      for (let i = 0; i < 20; i++) {
        const issuer = `https://as${i}.example.com`
        yield* Effect.promise(() =>
          Promise.resolve(provider.saveClientInformation!({ client_id: `client-${i}`, issuer }))
        )
      }
      const stored = Option.getOrThrow(yield* store.load("https://mcp.example.com/mcp"))
      assert.deepStrictEqual(
        Object.keys(stored.issuers),
        Array.from({ length: 8 }, (_, i) => `https://as${i + 12}.example.com`)
      )
    }))
})

describe("Authorization for 2026 on the SDK's transport", () => {
  suite(Layer.empty)
})

describe("Authorization for 2026 on node:http", () => {
  suite(NodeHttpTransport.layer)

  it.scopedLive("the file store keeps each server's credentials by issuer, 0600, and the context's store is used", () =>
    Effect.gen(function*() {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-tokens-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true })))
      const path = Path.join(dir, "credentials.json")
      const one = yield* startAuthServer()
      const two = yield* startAuthServer()
      const call = (server: AuthServer) =>
        Effect.scoped(Effect.gen(function*() {
          // no store given: the context's
          const authProvider = yield* McpAuth.headless({
            redirectUrl: "http://127.0.0.1/callback",
            clientMetadata: { client_name: "t", redirect_uris: ["http://127.0.0.1/callback"] }
          })
          return yield* whoami(yield* McpClient.make({ url: server.url, authProvider }))
        })).pipe(Effect.provide(NodeTokenStore.layerFile(path)))
      yield* call(one)
      yield* call(two)
      yield* call(one)
      assert.strictEqual(Fs.statSync(path).mode & 0o777, 0o600)
      const onDisk = JSON.parse(Fs.readFileSync(path, "utf8"))
      assert.sameMembers(Object.keys(onDisk), [new URL(one.url).href, new URL(two.url).href])
      assert.strictEqual(one.counts.authorizations, 1)
      assert.strictEqual(two.counts.authorizations, 1)
      // no temporary file is left beside it
      assert.deepStrictEqual(Fs.readdirSync(dir), ["credentials.json"])
    }).pipe(Effect.provide(NodeHttpTransport.layer)))
})
