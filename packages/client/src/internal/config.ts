/**
 * The entries of an `mcp.json` file, as Schemas, and how one is read: shared
 * by `McpConfig` and the connection sources.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

const Strings = Schema.Record({ key: Schema.String, value: Schema.String })

/** @internal */
export const StdioServer = Schema.Struct({
  command: Schema.String.pipe(Schema.nonEmptyString()),
  args: Schema.optional(Schema.Array(Schema.String)),
  env: Schema.optional(Strings),
  cwd: Schema.optional(Schema.String),
  type: Schema.optional(Schema.Literal("stdio"))
})

/** @internal */
export const HttpServer = Schema.Struct({
  url: Schema.String.pipe(Schema.pattern(/^https?:\/\//i, { message: () => "an http(s) URL" })),
  type: Schema.optional(Schema.Literal("streamable-http", "streamableHttp", "http", "sse")),
  transport: Schema.optional(Schema.Literal("streamable-http", "http", "sse")),
  headers: Schema.optional(Strings)
})

/** @internal */
export const Server = Schema.Union(StdioServer, HttpServer)

type Server = typeof Server.Type

/** @internal */
export const servers = (
  config: { readonly mcpServers: Readonly<Record<string, Server>> } | {
    readonly servers: Readonly<Record<string, Server>>
  }
): Readonly<Record<string, Server>> => "mcpServers" in config ? config.mcpServers : config.servers

/** @internal */
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
