/**
 * `effect-mcp prompts list` and `effect-mcp prompts get <prompt> [key=value...]`.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Arguments from "./Arguments.js"
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
  description: "List the server's prompts and their arguments",
  fetch: (client) => client.listPrompts,
  empty: "no prompts",
  columns: [
    { header: "prompt", get: (prompt) => prompt.name },
    {
      header: "arguments",
      get: (prompt) =>
        (prompt.arguments ?? []).map((arg) => `${arg.name}${arg.required === true ? "" : "?"}`).join(", ")
    },
    { header: "description", get: (prompt) => prompt.description ?? prompt.title ?? "", flexible: true }
  ]
})

/**
 * @since 0.1.0
 * @category commands
 */
export const get = Command.make("get", {
  ...Connection.options,
  prompt: Args.text({ name: "prompt" }).pipe(Args.withDescription("The prompt's name")),
  pairs: Args.text({ name: "key=value" }).pipe(Args.withDescription("The prompt's arguments"), Args.repeated),
  args: Options.text("args").pipe(
    Options.withDescription("Arguments as a JSON object of strings (key=value pairs override its entries)"),
    Options.optional
  )
}, (options) =>
  Connection.use(options, ({ client, json, requestOptions }) =>
    Effect.gen(function*() {
      const prompts = yield* client.listPrompts
      const prompt = prompts.find((candidate) => candidate.name === options.prompt)
      if (prompt === undefined) {
        return yield* new UsageError({
          message: `the server has no prompt named "${options.prompt}"`,
          details: `Its prompts: ${prompts.map((candidate) => candidate.name).join(", ") || "none"}`
        })
      }
      const args = yield* Arguments.forPrompt(prompt, options.pairs, Option.getOrUndefined(options.args))
      const result = yield* client.getPrompt(prompt.name, args, requestOptions)
      if (json) return yield* Output.json(result)
      if (result.description !== undefined) yield* Output.line(Output.dim(result.description))
      for (const message of result.messages) {
        yield* Output.line(`${Output.bold(`${message.role}:`)} ${Output.content([message.content])}`)
      }
    }))).pipe(
    Command.withDescription("Get a prompt's messages: effect-mcp prompts get explain topic=fibers -s <server>")
  )

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("prompts").pipe(
  Command.withDescription("The server's prompts"),
  Command.withSubcommands([list, get])
)
