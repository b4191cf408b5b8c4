/**
 * `effect-mcp resources list`, `resources templates` and `resources read <uri>`.
 *
 * @since 0.1.0
 */
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Connection from "./Connection.js"
import { UsageError } from "./ExitCode.js"
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
  uri: Args.text({ name: "uri" }).pipe(Args.withDescription("The resource's URI")),
  out: Options.file("out").pipe(
    Options.withAlias("o"),
    Options.withDescription("Write the contents to this file (a blob as its bytes, text as UTF-8)"),
    Options.optional
  )
}, (options) =>
  Connection.use(options, ({ client, json, requestOptions }) =>
    Effect.gen(function*() {
      const result = yield* client.readResourceRaw(options.uri, requestOptions)
      if (Option.isSome(options.out)) {
        const written = yield* writeContents(result.contents, options.out.value)
        return yield* json ? Output.json(written) : Output.note(
          `wrote ${written.bytes} bytes of ${written.uri} (${written.mimeType ?? "unknown type"}) to ${written.file}`
        )
      }
      if (json) return yield* Output.json(result)
      const many = result.contents.length > 1
      for (const contents of result.contents) {
        if (many) yield* Output.line(Output.dim(`--- ${contents.uri} (${contents.mimeType ?? "unknown type"})`))
        yield* Output.line(Output.resourceContents(contents))
      }
    }))).pipe(Command.withDescription("Read a resource: effect-mcp resources read demo://readme -s <server>"))

// One resource's contents, as the bytes they stand for
const writeContents = (contents: ReadonlyArray<McpSchema.ResourceContents>, file: string) =>
  Effect.gen(function*() {
    if (contents.length !== 1) {
      return yield* new UsageError({
        message: `--out writes one resource's contents; the server sent ${contents.length}` +
          (contents.length === 0 ? "" : ` (${contents.map((part) => part.uri).join(", ")})`)
      })
    }
    const [part] = contents
    const bytes = "blob" in part ? Buffer.from(part.blob, "base64") : new TextEncoder().encode(part.text)
    const fs = yield* FileSystem.FileSystem
    yield* fs.writeFile(file, bytes).pipe(
      Effect.mapError((error) => new UsageError({ message: `cannot write ${file}: ${error.message}` }))
    )
    return { uri: part.uri, mimeType: part.mimeType, file, bytes: bytes.byteLength }
  })

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("resources").pipe(
  Command.withDescription("The server's resources and resource templates"),
  Command.withSubcommands([list, templates, read])
)
