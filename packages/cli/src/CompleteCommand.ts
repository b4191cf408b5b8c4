/**
 * `effect-mcp complete`: what the server suggests for a prompt's argument or
 * a resource template's variable.
 *
 * @since 0.1.0
 */
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Arguments from "./Arguments.js"
import * as Connection from "./Connection.js"
import { UsageError } from "./ExitCode.js"
import * as Output from "./Output.js"

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("complete", {
  ...Connection.options,
  prompt: Options.text("prompt").pipe(
    Options.withDescription("Complete an argument of this prompt"),
    Options.optional
  ),
  resource: Options.text("resource").pipe(
    Options.withDescription("Complete a variable of this resource template (its URI template)"),
    Options.optional
  ),
  context: Options.text("context").pipe(
    Options.withDescription("An argument already chosen, key=value (repeatable)"),
    Options.repeated
  ),
  argument: Args.text({ name: "argument" }).pipe(Args.withDescription("The argument or variable to complete")),
  value: Args.text({ name: "value" }).pipe(
    Args.withDescription("What has been typed so far (default: nothing)"),
    Args.withDefault("")
  )
}, (options) =>
  Connection.use(options, ({ client, json }) =>
    Effect.gen(function*() {
      const reference: McpSchema.CompletionReference | undefined = Option.isSome(options.prompt)
        ? (Option.isSome(options.resource) ? undefined : { type: "ref/prompt", name: options.prompt.value })
        : Option.isSome(options.resource)
        ? { type: "ref/resource", uri: options.resource.value }
        : undefined
      if (reference === undefined) {
        return yield* new UsageError({
          message: "say what to complete with exactly one of --prompt <name> or --resource <uri template>"
        })
      }
      const context = yield* Arguments.stringPairs(options.context)
      const completion = yield* client.complete(
        reference,
        { name: options.argument, value: options.value },
        Object.keys(context).length === 0 ? {} : { context }
      )
      if (json) return yield* Output.json(completion)
      if (completion.values.length === 0) return yield* Output.line("(no suggestions)")
      yield* Output.line(completion.values.join("\n"))
      if (completion.hasMore === true || (completion.total ?? 0) > completion.values.length) {
        yield* Output.note(
          Output.dim(`(${completion.total ?? "more"} in all; type more to narrow them)`, process.stderr)
        )
      }
    }))).pipe(Command.withDescription(
      "Ask for completions: effect-mcp complete --prompt explain topic f -s <server>"
    ))
