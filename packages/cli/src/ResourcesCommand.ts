/**
 * `effect-mcp resources list`, `resources templates` and `resources read <uri>`.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Connection from "./Connection.js"
import * as ListCommand from "./ListCommand.js"
import * as Output from "./Output.js"

/**
 * @since 0.1.0
 * @category commands
 */
export const list = ListCommand.make({
  name: "list",
  description: "List the server's resources",
  fetch: (client) => client.listResources,
  empty: "no resources",
  columns: [
    { header: "uri", get: (resource) => resource.uri },
    { header: "name", get: (resource) => resource.title ?? resource.name },
    { header: "type", get: (resource) => resource.mimeType ?? "" },
    { header: "description", get: (resource) => resource.description ?? "", flexible: true }
  ]
})

/**
 * @since 0.1.0
 * @category commands
 */
export const templates = ListCommand.make({
  name: "templates",
  description: "List the server's resource templates",
  fetch: (client) => client.listResourceTemplates,
  empty: "no resource templates",
  columns: [
    { header: "uri template", get: (template) => template.uriTemplate },
    { header: "name", get: (template) => template.title ?? template.name },
    { header: "type", get: (template) => template.mimeType ?? "" },
    { header: "description", get: (template) => template.description ?? "", flexible: true }
  ]
})

/**
 * @since 0.1.0
 * @category commands
 */
export const read = Command.make("read", {
  ...Connection.options,
  uri: Args.text({ name: "uri" }).pipe(Args.withDescription("The resource's URI"))
}, (options) =>
  Connection.use(options, ({ client, json, requestOptions }) =>
    Effect.gen(function*() {
      const result = yield* client.readResourceRaw(options.uri, requestOptions)
      if (json) return yield* Output.json(result)
      const many = result.contents.length > 1
      for (const contents of result.contents) {
        if (many) yield* Output.line(Output.dim(`--- ${contents.uri} (${contents.mimeType ?? "unknown type"})`))
        yield* Output.line(Output.resourceContents(contents))
      }
    }))).pipe(Command.withDescription("Read a resource: effect-mcp resources read demo://readme -s <server>"))

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("resources").pipe(
  Command.withDescription("The server's resources and resource templates"),
  Command.withSubcommands([list, templates, read])
)
