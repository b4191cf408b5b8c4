/**
 * Turns a connection source (URL, script path, config object, transport,
 * SDK server) into an effect that opens a transport.
 *
 * @internal
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type { Transport as SdkTransportLike } from "@modelcontextprotocol/sdk/shared/transport.js"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Predicate from "effect/Predicate"
import * as Scope from "effect/Scope"
import type * as HttpTransport from "../HttpTransport.js"
import type { ConnectionSource } from "../McpClient.js"
import type * as StdioTransport from "../StdioTransport.js"
import type * as Transport from "../Transport.js"
import * as InternalConfig from "./config.js"
import { TransportError } from "./errors.js"
import * as Host from "./host.js"
import * as InternalSdkTransport from "./sdkTransport.js"
import * as InternalTransport from "./transport.js"

/** An HTTP MCP server. */
export interface HttpSource extends HttpTransport.HttpOptions {
  /** `"streamable-http"` (the default) or legacy `"sse"`; inferred from a path ending in `/sse`. */
  readonly transport?: "streamable-http" | "http" | "sse" | undefined
  /** The same, under the name `mcp.json` files use. */
  readonly type?: "streamable-http" | "streamableHttp" | "http" | "sse" | undefined
}

/** Anything with the SDK server's `connect(transport)` and `close()`. */
export interface SdkServerLike {
  readonly connect: (transport: SdkTransportLike) => Promise<void>
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
    const host = Host.hostProcess()
    const node = typeof host?.execPath === "string" && host.release?.name === "node" ? host.execPath : "node"
    return { command: node, args: [path] }
  }
  if (lower.endsWith(".ts") || lower.endsWith(".mts")) return { command: "npx", args: ["--no-install", "tsx", path] }
  if (lower.endsWith(".py")) return { command: "python3", args: [path] }
  return undefined
}

/**
 * What a source asks for. The public `McpClient.transportFor` opens it: the
 * transports are public modules the engine does not import.
 *
 * @internal
 */
export type Plan =
  | { readonly _tag: "Http"; readonly options: HttpSource & { readonly url: URL } }
  | { readonly _tag: "Sse"; readonly options: HttpSource & { readonly url: URL } }
  | { readonly _tag: "Stdio"; readonly options: StdioTransport.StdioOptions }
  | { readonly _tag: "Connect"; readonly connect: Transport.Connect<any> }

const planHttp = (source: HttpSource): Plan => {
  const url = typeof source.url === "string" ? new URL(source.url) : source.url
  const declared = source.transport ?? source.type
  const sse = declared === undefined ? url.pathname.replace(/\/+$/, "").endsWith("/sse") : declared === "sse"
  return { _tag: sse ? "Sse" : "Http", options: { ...source, url } }
}

/**
 * The legacy SSE transport, the SDK's: loaded when used, as it brings the
 * SDK's zod schemas (4.5 MB of heap).
 *
 * @internal
 */
export const connectSse = (
  url: URL,
  options: ReturnType<typeof HttpTransport.sdkOptions>
): Transport.Connect =>
  InternalSdkTransport.fromSdk(Effect.map(
    Effect.promise(() => import("@modelcontextprotocol/sdk/client/sse.js")),
    ({ SSEClientTransport }) => new SSEClientTransport(url, options)
  ))

// The server gets an SDK transport of ours whose messages land straight in
// the client's inbox, and the client's messages reach the server in a
// microtask: no Promise between them (the SDK's in-memory pair costs a
// suspension per message on the client side).
const connectSdkServer = (server: SdkServerLike): Transport.Connect =>
  Effect.gen(function*() {
    const ended = yield* Deferred.make<void, TransportError>()
    const inbox = new InternalTransport.Inbox(ended)
    let open = true
    const serverSide: SdkTransportLike = {
      start: () => Promise.resolve(),
      send: (message, sendOptions) => {
        if (open) {
          // the server says which of the client's requests this one is for (traces use it)
          if (sendOptions?.relatedRequestId !== undefined && "method" in message && "id" in message) {
            InternalTransport.markRelated(message, sendOptions.relatedRequestId)
          }
          inbox.push(message)
        }
        return Promise.resolve()
      },
      close: () => {
        if (open) {
          open = false
          serverSide.onclose?.()
          Deferred.unsafeDone(ended, Exit.void)
        }
        return Promise.resolve()
      }
    }
    const scope = yield* Effect.scope
    yield* Effect.tryPromise({
      try: () => server.connect(serverSide),
      catch: (cause) =>
        new TransportError({ reason: "Connect", description: `the in-process server did not start: ${cause}`, cause })
    }).pipe(
      Effect.zipRight(Scope.addFinalizer(
        scope,
        Effect.promise(() => server.close().catch(() => undefined).then(() => serverSide.close()))
      )),
      Effect.uninterruptible
    )
    return InternalTransport.make({
      send: (message) =>
        Effect.suspend(() => {
          if (!open) {
            return Effect.fail(new TransportError({ reason: "Closed", description: "the in-process server is closed" }))
          }
          queueMicrotask(() => serverSide.onmessage?.(message as Parameters<SdkTransportLike["send"]>[0]))
          return Effect.void
        }),
      run: (onFrame) => inbox.run(onFrame)
    })
  })

const fail = (description: string): Plan => ({
  _tag: "Connect",
  connect: Effect.fail(new TransportError({ reason: "Connect", description }))
})

/**
 * What identifies a server for the protocol-era verdict the client keeps for
 * the life of the process: the command line of a stdio server, the URL (less
 * its query) of an HTTP one, else the source object itself (a transport
 * effect, an in-process server).
 *
 * @internal
 */
export const verdictKey = (source: ConnectionSource): string | object => {
  // the same transport effect or in-process server object is the same server
  if (Effect.isEffect(source) || isSdkServer(source)) return source
  if (typeof source === "string") {
    if (isHttpUrl(source)) return httpKey(new URL(source))
    const script = scriptCommand(source)
    return script === undefined ? source : stdioKey(script)
  }
  if (source instanceof URL) return httpKey(source)
  if ("mcpServers" in source || "servers" in source) {
    const servers = "mcpServers" in source ? source.mcpServers : source.servers
    const names = Object.keys(servers)
    const name = source.server ?? (names.length === 1 ? names[0] : undefined)
    const entry = name === undefined ? undefined : servers[name]
    return entry === undefined ? source : verdictKey(entry)
  }
  if ("command" in source) return stdioKey(source)
  if ("url" in source) return httpKey(typeof source.url === "string" ? new URL(source.url) : source.url)
  return source
}

const httpKey = (url: URL) => `http ${url.origin}${url.pathname}`
const stdioKey = (options: StdioTransport.StdioOptions) =>
  `stdio ${JSON.stringify([options.command, ...(options.args ?? []), options.cwd ?? ""])}`

/** @internal */
export const plan = (source: ConnectionSource): Plan => {
  if (Effect.isEffect(source)) return { _tag: "Connect", connect: source }
  if (typeof source === "string") {
    if (isHttpUrl(source)) return planHttp({ url: source })
    const script = scriptCommand(source)
    return script === undefined
      ? fail(
        `cannot tell how to run "${source}": give an http(s) URL, a .js/.mjs/.ts/.py script, ` +
          `or a { command, args } object`
      )
      : { _tag: "Stdio", options: script }
  }
  if (source instanceof URL) return planHttp({ url: source })
  if (isSdkServer(source)) return { _tag: "Connect", connect: connectSdkServer(source) }
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
    if (entry === undefined) return fail(`the config has no server named "${name}" (it has: ${names.join(", ")})`)
    const checked = InternalConfig.decodeServer(entry)
    return Either.isLeft(checked)
      ? fail(`the config entry "${name}" is not a server: ${checked.left}`)
      : plan(entry)
  }
  if ("command" in source) return { _tag: "Stdio", options: source }
  if ("url" in source) return planHttp(source)
  return fail("unrecognised connection source")
}
