/**
 * The shape every `... list` subcommand shares: connect, fetch every page,
 * print JSON or a table.
 *
 * @since 0.1.0
 */
import type * as McpClient from "@effect-mcp/client/McpClient"
import type { McpError } from "@effect-mcp/client/McpError"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Connection from "./Connection.js"
import * as Output from "./Output.js"

/**
 * What a list command shows, and how to fetch it from one server.
 *
 * @since 0.3.0
 * @category models
 */
export interface ListOptions<A> {
  readonly name: string
  readonly description: string
  readonly fetch: (client: McpClient.Service) => Effect.Effect<ReadonlyArray<A>, McpError>
  readonly empty: string
  readonly columns: ReadonlyArray<Output.Column<A>>
}

/**
 * A list command's work on the one server the options name.
 *
 * @since 0.3.0
 * @category constructors
 */
export const run = <A>(options: ListOptions<A>) => (connection: Connection.ConnectionOptions) =>
  Connection.use(
    connection,
    ({ client, json }) =>
      Effect.flatMap(
        options.fetch(client),
        (items) => Output.list(items, { json, empty: options.empty, columns: options.columns })
      )
  )

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = <A>(options: ListOptions<A>) =>
  Command.make(options.name, Connection.options, run(options)).pipe(Command.withDescription(options.description))
