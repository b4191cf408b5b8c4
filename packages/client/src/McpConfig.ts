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
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as StdioTransport from "./StdioTransport.js"

const Strings = Schema.Record({ key: Schema.String, value: Schema.String })

/**
 * A server run as a child process, spoken to over stdio.
 *
 * @since 0.3.0
 * @category schemas
 */
export const StdioServer = Schema.Struct({
  command: Schema.String.pipe(Schema.nonEmptyString()),
  args: Schema.optional(Schema.Array(Schema.String)),
  env: Schema.optional(Strings),
  cwd: Schema.optional(Schema.String),
  type: Schema.optional(Schema.Literal("stdio"))
})

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
export const HttpServer = Schema.Struct({
  url: Schema.String.pipe(Schema.pattern(/^https?:\/\//i, { message: () => "an http(s) URL" })),
  type: Schema.optional(Schema.Literal("streamable-http", "streamableHttp", "http", "sse")),
  transport: Schema.optional(Schema.Literal("streamable-http", "http", "sse")),
  headers: Schema.optional(Strings)
})

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
export const Server = Schema.Union(StdioServer, HttpServer)

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
export const servers = (config: Config): Readonly<Record<string, Server>> =>
  "mcpServers" in config ? config.mcpServers : config.servers

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
export const decode = (u: unknown): Either.Either<Config, string> => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return Either.left("not a JSON object")
  const key = "mcpServers" in u ? "mcpServers" : "servers" in u ? "servers" : undefined
  if (key === undefined) return Either.left(`no "mcpServers" (or "servers") object`)
  const entries = (u as Record<string, unknown>)[key]
  if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
    return Either.left(`${key}: not an object of servers by name`)
  }
  const servers: Record<string, Server> = {}
  for (const [name, entry] of Object.entries(entries)) {
    const server = decodeServer(entry)
    if (Either.isLeft(server)) return Either.left(`${key}.${name}: ${server.left}`)
    servers[name] = server.right
  }
  return Either.right(key === "mcpServers" ? { mcpServers: servers } : { servers })
}

/**
 * Reads a config from the text of a file.
 *
 * @since 0.3.0
 * @category decoding
 */
export const parse = (text: string): Either.Either<Config, string> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return Either.left(`not JSON: ${(error as Error).message}`)
  }
  return decode(value)
}

/**
 * Reads one entry: a stdio server (it has a `command`) or an HTTP one (a
 * `url`).
 *
 * @since 0.3.0
 * @category decoding
 */
export const decodeServer = (u: unknown): Either.Either<Server, string> => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return Either.left("not an object")
  const schema = "command" in u ? StdioServer : "url" in u ? HttpServer : undefined
  if (schema === undefined) return Either.left(`needs a "command" (stdio) or a "url" (HTTP)`)
  return Either.mapLeft(
    Schema.decodeUnknownEither(schema as Schema.Schema<Server, unknown>, { errors: "first" })(u),
    // the first issue is the one to fix (the others are its echoes through optional fields)
    (error) => ParseResult.ArrayFormatter.formatErrorSync(error).slice(0, 1).map(describeIssue).join("; ")
  )
}

const describeIssue = (issue: ParseResult.ArrayFormatterIssue): string =>
  issue.path.length === 0 ? issue.message : `${issue.path.join(".")}: ${issue.message}`

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
