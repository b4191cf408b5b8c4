/**
 * The `mcp.json` format MCP hosts keep their servers in (`mcpServers`, or
 * `servers` as VS Code writes it), as a Schema: one reading of it for the
 * library and the CLI. Keys a host adds of its own (`disabled`,
 * `autoApprove`, ...) are ignored.
 *
 * @example
 * ```ts
 * import { McpClient, McpConfig } from "@effect-mcp/client"
 * import { Either } from "effect"
 *
 * const text = `{
 *   "mcpServers": {
 *     "files": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "."] },
 *     "docs": { "url": "http://127.0.0.1:3000/sse" }
 *   }
 * }`
 *
 * const config = Either.getOrThrow(McpConfig.parse(text)) // Left: one line saying what is wrong and where
 * const servers = McpConfig.servers(config)
 * assert.deepStrictEqual(Object.keys(servers), ["files", "docs"])
 * const docs = servers.docs
 * assert.ok(docs !== undefined && !McpConfig.isStdio(docs) && McpConfig.httpTransport(docs) === "sse")
 *
 * // a client of one of its servers (McpGroup.layer takes the whole file)
 * const DocsLive = McpClient.layer({ ...config, server: "docs" })
 * ```
 *
 * @since 0.3.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as internal from "./internal/config.js"
import type * as StdioTransport from "./StdioTransport.js"

/**
 * A server run as a child process, spoken to over stdio.
 *
 * @since 0.3.0
 * @category schemas
 */
export const StdioServer: typeof internal.StdioServer = internal.StdioServer

/**
 * @since 0.3.0
 * @category schemas
 */
export type StdioServer = typeof StdioServer.Type

/**
 * A server reached over HTTP: Streamable HTTP unless `type` (or
 * `transport`) says `"sse"`, or the path ends in `/sse`.
 *
 * @since 0.3.0
 * @category schemas
 */
export const HttpServer: typeof internal.HttpServer = internal.HttpServer

/**
 * @since 0.3.0
 * @category schemas
 */
export type HttpServer = typeof HttpServer.Type

/**
 * One entry of the file.
 *
 * @since 0.3.0
 * @category schemas
 */
export const Server: typeof internal.Server = internal.Server

/**
 * @since 0.3.0
 * @category schemas
 */
export type Server = typeof Server.Type

/**
 * The file: `mcpServers` (Claude Desktop, Cursor, Claude Code) or `servers`
 * (VS Code).
 *
 * @since 0.3.0
 * @category schemas
 */
export const Config = Schema.Union(
  Schema.Struct({ mcpServers: Schema.Record({ key: Schema.String, value: Server }) }),
  Schema.Struct({ servers: Schema.Record({ key: Schema.String, value: Server }) })
)

/**
 * @since 0.3.0
 * @category schemas
 */
export type Config = typeof Config.Type

/**
 * The servers of a config, by name, whichever key it used.
 *
 * @since 0.3.0
 * @category accessors
 */
export const servers: (config: Config) => Readonly<Record<string, Server>> = internal.servers

/**
 * Reads a config from a parsed JSON value; the error says, in a line, what
 * is wrong and where (`mcpServers.files.args: Expected ReadonlyArray<string>,
 * actual "x"`).
 *
 * @example
 * ```ts
 * import { McpConfig } from "@effect-mcp/client"
 * import { Either } from "effect"
 *
 * const result = McpConfig.decode({ mcpServers: { files: { command: "npx", args: "-y" } } })
 * assert.ok(Either.isLeft(result) && result.left.includes("mcpServers.files"))
 * ```
 *
 * @since 0.3.0
 * @category decoding
 */
export const decode = (u: unknown): Either.Either<Config, string> =>
  Either.flatMap(decodeEntries(u), (entries) => {
    const wrong = entries.names.find((name) => name in entries.misconfigured)
    if (wrong !== undefined) return Either.left(`${entries.key}.${wrong}: ${entries.misconfigured[wrong]}`)
    return Either.right(
      entries.key === "mcpServers" ? { mcpServers: entries.servers } : { servers: entries.servers }
    )
  })

/**
 * A config read entry by entry (see `decodeEntries`).
 *
 * @since 0.3.0
 * @category models
 */
export interface Entries {
  /** The key the file keeps its servers under. */
  readonly key: "mcpServers" | "servers"
  /** Every server name, in the file's order. */
  readonly names: ReadonlyArray<string>
  /** The entries that are servers. */
  readonly servers: Readonly<Record<string, Server>>
  /** Why each of the other entries is not a server (see `decodeServer`). */
  readonly misconfigured: Readonly<Record<string, string>>
}

/**
 * Reads a config from a parsed JSON value entry by entry, so that one entry
 * that is not a server does not hide the others; it fails only when the
 * value is no list of servers at all.
 *
 * @since 0.3.0
 * @category decoding
 */
export const decodeEntries = (u: unknown): Either.Either<Entries, string> => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return Either.left("not a JSON object")
  const key = "mcpServers" in u ? "mcpServers" : "servers" in u ? "servers" : undefined
  if (key === undefined) return Either.left(`no "mcpServers" (or "servers") object`)
  const entries = (u as Record<string, unknown>)[key]
  if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
    return Either.left(`${key}: not an object of servers by name`)
  }
  const servers: Record<string, Server> = {}
  const misconfigured: Record<string, string> = {}
  for (const [name, entry] of Object.entries(entries)) {
    const server = decodeServer(entry)
    if (Either.isLeft(server)) misconfigured[name] = server.left
    else servers[name] = server.right
  }
  return Either.right({ key, names: Object.keys(entries), servers, misconfigured })
}

/**
 * Reads a config from the text of a file.
 *
 * @since 0.3.0
 * @category decoding
 */
export const parse = (text: string): Either.Either<Config, string> => Either.flatMap(parseJson(text), decode)

/**
 * Reads a config from the text of a file, entry by entry (see `decodeEntries`).
 *
 * @since 0.3.0
 * @category decoding
 */
export const parseEntries = (text: string): Either.Either<Entries, string> =>
  Either.flatMap(parseJson(text), decodeEntries)

const parseJson = (text: string): Either.Either<unknown, string> => {
  try {
    return Either.right(JSON.parse(text))
  } catch (error) {
    return Either.left(`not JSON: ${(error as Error).message}`)
  }
}

/**
 * Reads one entry: a stdio server (it has a `command`) or an HTTP one (a
 * `url`).
 *
 * @since 0.3.0
 * @category decoding
 */
export const decodeServer: (u: unknown) => Either.Either<Server, string> = internal.decodeServer

/**
 * Whether an entry is a stdio server.
 *
 * @since 0.3.0
 * @category guards
 */
export const isStdio = (server: Server): server is StdioServer => "command" in server

/**
 * An HTTP entry's transport: `"sse"` when it says so (or its path ends in
 * `/sse`), else Streamable HTTP.
 *
 * @since 0.3.0
 * @category accessors
 */
export const httpTransport = (server: HttpServer): "streamable-http" | "sse" => {
  const declared = server.transport ?? server.type
  if (declared === "sse") return "sse"
  if (declared !== undefined) return "streamable-http"
  try {
    return new URL(server.url).pathname.replace(/\/+$/, "").endsWith("/sse") ? "sse" : "streamable-http"
  } catch {
    return "streamable-http"
  }
}

/**
 * A stdio entry as the stdio transport's options.
 *
 * @since 0.3.0
 * @category conversions
 */
export const stdioOptions = (server: StdioServer): StdioTransport.StdioOptions => ({
  command: server.command,
  ...(server.args === undefined ? {} : { args: server.args }),
  ...(server.env === undefined ? {} : { env: server.env }),
  ...(server.cwd === undefined ? {} : { cwd: server.cwd })
})
