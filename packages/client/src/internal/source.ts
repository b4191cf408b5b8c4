/**
 * Turns a connection source (URL, script path, config object, transport,
 * SDK server) into an effect that opens a transport.
 *
 * @internal
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js"
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js"
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import type { Transport as SdkTransport } from "@modelcontextprotocol/sdk/shared/transport.js"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as McpAuth from "../McpAuth.js"
import { TransportError } from "../McpError.js"
import * as StdioTransport from "../StdioTransport.js"
import * as Transport from "../Transport.js"

/** An HTTP MCP server. */
export interface HttpSource {
  readonly url: string | URL
  /** `"streamable-http"` (the default) or legacy `"sse"`; inferred from a path ending in `/sse`. */
  readonly transport?: "streamable-http" | "http" | "sse" | undefined
  /** The same, under the name `mcp.json` files use. */
  readonly type?: "streamable-http" | "streamableHttp" | "http" | "sse" | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** A bearer token, sent as `Authorization: Bearer ...` and never logged. */
  readonly bearer?: Redacted.Redacted<string> | undefined
  /** OAuth, through the SDK's provider interface (`McpAuth.headless`, or the SDK's client-credentials providers). */
  readonly authProvider?: OAuthClientProvider | undefined
}

/** Anything with the SDK server's `connect(transport)` and `close()`. */
export interface SdkServerLike {
  readonly connect: (transport: SdkTransport) => Promise<void>
  readonly close: () => Promise<void>
}

/** An `mcp.json` style config (`mcpServers`, or `servers` as VS Code writes it). */
export type ServersConfig =
  & (
    | { readonly mcpServers: Readonly<Record<string, StdioTransport.StdioOptions | HttpSource>> }
    | { readonly servers: Readonly<Record<string, StdioTransport.StdioOptions | HttpSource>> }
  )
  & {
    /** Which server to use when the config names more than one. */
    readonly server?: string | undefined
  }

/** @internal */
export type Source =
  | string
  | URL
  | StdioTransport.StdioOptions
  | HttpSource
  | ServersConfig
  | SdkServerLike
  | Transport.Connect<any>

/** @internal */
export type SourceContext<S> = S extends `http://${string}` | `https://${string}` | URL | HttpSource | SdkServerLike
  ? never
  : S extends Transport.Connect<infer R> ? R
  : CommandExecutor.CommandExecutor

const isHttpUrl = (value: string) => /^https?:\/\//i.test(value)

const isSdkServer = (u: unknown): u is SdkServerLike =>
  Predicate.hasProperty(u, "connect") && typeof u.connect === "function" &&
  Predicate.hasProperty(u, "close") && typeof u.close === "function"

/** @internal */
export const scriptCommand = (path: string): StdioTransport.StdioOptions | undefined => {
  const lower = path.toLowerCase()
  if (lower.endsWith(".js") || lower.endsWith(".mjs") || lower.endsWith(".cjs")) {
    // the Node running this client, when there is one
    const node = typeof globalThis.process?.execPath === "string" && globalThis.process.release?.name === "node"
      ? globalThis.process.execPath
      : "node"
    return { command: node, args: [path] }
  }
  if (lower.endsWith(".ts") || lower.endsWith(".mts")) return { command: "npx", args: ["--no-install", "tsx", path] }
  if (lower.endsWith(".py")) return { command: "python3", args: [path] }
  return undefined
}

const connectHttp = (source: HttpSource): Transport.Connect => {
  const url = typeof source.url === "string" ? new URL(source.url) : source.url
  const declared = source.transport ?? source.type
  const kind = declared === undefined
    ? (url.pathname.replace(/\/+$/, "").endsWith("/sse") ? "sse" : "streamable-http")
    : declared === "sse"
    ? "sse"
    : "streamable-http"
  const headers = source.bearer === undefined
    ? source.headers
    : { ...source.headers, Authorization: `Bearer ${Redacted.value(source.bearer)}` }
  const sdkOptions = {
    ...(headers === undefined ? {} : { requestInit: { headers } }),
    ...(source.authProvider === undefined
      ? {}
      : { authProvider: source.authProvider, fetch: McpAuth.singleFlightRefresh() })
  }
  if (kind === "sse") {
    return Transport.fromSdk(() => new SSEClientTransport(url, sdkOptions))
  }
  return Effect.gen(function*() {
    const sdk = new StreamableHTTPClientTransport(url, sdkOptions)
    const transport = finishingAuth(yield* Transport.fromSdk(() => sdk), sdk, source.authProvider)
    // end the server-side session too, so nothing stays open on the server
    yield* Effect.addFinalizer(() =>
      sdk.sessionId === undefined
        ? Effect.void
        : Effect.promise(() => sdk.terminateSession().catch(() => undefined)).pipe(
          Effect.interruptible,
          Effect.timeoutOption(Duration.seconds(5))
        )
    )
    return transport
  })
}

const maxAuthorizations = 3

// A request the server refused for its credentials never ran, so it can go
// again, a bounded number of times: after a headless provider got the code
// (the SDK sent the user to the authorization page: finish the flow first),
// or after another request refreshed the token meanwhile (the SDK's transport
// re-authorizes once for all requests, and fails the others that met the old
// token).
const finishingAuth = (
  transport: Transport.Transport,
  sdk: StreamableHTTPClientTransport,
  provider: OAuthClientProvider | undefined
): Transport.Transport => {
  if (provider === undefined) return transport
  const send = (
    message: Parameters<Transport.Transport["send"]>[0],
    attempt: number
  ): Effect.Effect<void, TransportError> =>
    Effect.catchIf(
      transport.send(message),
      (error) => error.reason === "Unauthorized" && attempt < maxAuthorizations,
      (error) => {
        const code = McpAuth.isHeadlessProvider(provider) ? provider.takeAuthorizationCode() : undefined
        if (code === undefined) {
          return error.cause instanceof UnauthorizedError ? Effect.fail(error) : send(message, attempt + 1)
        }
        return Effect.tryPromise({
          try: () => sdk.finishAuth(code),
          catch: (cause) =>
            new TransportError({
              reason: "Unauthorized",
              description: `the authorization could not be completed: ${describe(cause)}`,
              cause
            })
        }).pipe(Effect.zipRight(send(message, attempt + 1)))
      }
    )
  return Transport.make({ ...transport, send: (message) => send(message, 0) })
}

const describe = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

const connectSdkServer = (server: SdkServerLike): Transport.Connect =>
  Effect.gen(function*() {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => server.connect(serverSide),
        catch: (cause) =>
          new TransportError({ reason: "Connect", description: `the in-process server did not start: ${cause}`, cause })
      }),
      () => Effect.promise(() => server.close().catch(() => undefined))
    )
    return yield* Transport.fromSdk(() => clientSide)
  })

const fail = (description: string): Transport.Connect =>
  Effect.fail(new TransportError({ reason: "Connect", description }))

/** @internal */
export const toConnect = <S extends Source>(source: S): Transport.Connect<SourceContext<S>> =>
  resolve(source) as Transport.Connect<SourceContext<S>>

const resolve = (source: Source): Transport.Connect<any> => {
  if (Effect.isEffect(source)) return source
  if (typeof source === "string") {
    if (isHttpUrl(source)) return connectHttp({ url: source })
    const script = scriptCommand(source)
    return script === undefined
      ? fail(
        `cannot tell how to run "${source}": give an http(s) URL, a .js/.mjs/.ts/.py script, ` +
          `or a { command, args } object`
      )
      : StdioTransport.make(script)
  }
  if (source instanceof URL) return connectHttp({ url: source })
  if (isSdkServer(source)) return connectSdkServer(source)
  if ("mcpServers" in source || "servers" in source) {
    const servers = "mcpServers" in source ? source.mcpServers : source.servers
    const names = Object.keys(servers)
    const name = source.server ?? (names.length === 1 ? names[0] : undefined)
    if (name === undefined) {
      return fail(
        names.length === 0
          ? "the config names no servers"
          : `the config names ${names.length} servers (${names.join(", ")}); choose one with the "server" field`
      )
    }
    const entry = servers[name]
    return entry === undefined
      ? fail(`the config has no server named "${name}" (it has: ${names.join(", ")})`)
      : resolve(entry)
  }
  if ("command" in source) return StdioTransport.make(source)
  if ("url" in source) return connectHttp(source)
  return fail("unrecognised connection source")
}
