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
 * @since 0.1.0
 * @category constructors
 */
export const make = <A>(options: {
  readonly name: string
  readonly description: string
  readonly fetch: (client: McpClient.Service) => Effect.Effect<ReadonlyArray<A>, McpError>
  readonly empty: string
  readonly columns: ReadonlyArray<Output.Column<A>>
}) =>
  Command.make(
    options.name,
    Connection.options,
    (connection) =>
      Connection.use(
        connection,
        ({ client, json }) =>
          Effect.flatMap(
            options.fetch(client),
            (items) => Output.list(items, { json, empty: options.empty, columns: options.columns })
          )
      )
  ).pipe(Command.withDescription(options.description))
