/**
 * `effect-mcp tools list` and `effect-mcp tools call <tool> [key=value...]`.
 *
 * @since 0.1.0
 */
import type { ToolError } from "@effect-mcp/client/McpError"
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
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
  description: "List the server's tools and their arguments",
  fetch: (client) => client.listTools,
  empty: "no tools",
  columns: [
    { header: "tool", get: (tool) => tool.name },
    { header: "arguments", get: (tool) => Output.argumentsLine(tool.inputSchema), flexible: true },
    { header: "description", get: (tool) => tool.description ?? tool.title ?? "", flexible: true }
  ]
})

/**
 * Finds a tool by name, or says which tools there are.
 *
 * @since 0.1.0
 * @category helpers
 */
export const findTool = (
  tools: ReadonlyArray<McpSchema.Tool>,
  name: string
): Either.Either<McpSchema.Tool, UsageError> => {
  const tool = tools.find((candidate) => candidate.name === name)
  return tool !== undefined
    ? Either.right(tool)
    : Either.left(
      new UsageError({
        message: `the server has no tool named "${name}"`,
        details: `Its tools: ${tools.map((candidate) => candidate.name).join(", ") || "none"}`
      })
    )
}

/** Is the text the structured content again, as JSON? Then it need not be shown twice. */
const sameJson = (text: string, value: unknown) => {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(value)
  } catch {
    return false
  }
}

const printResult = (result: McpSchema.CallToolResult) =>
  Effect.gen(function*() {
    const text = Output.content(result.content)
    if (text.length > 0) yield* Output.line(text)
    if (result.structuredContent !== undefined && !sameJson(text, result.structuredContent)) {
      yield* Output.line(`${Output.dim("structured content:")}\n${JSON.stringify(result.structuredContent, null, 2)}`)
    }
  })

/**
 * @since 0.1.0
 * @category commands
 */
export const call = Command.make("call", {
  ...Connection.options,
  tool: Args.text({ name: "tool" }).pipe(Args.withDescription("The tool's name")),
  pairs: Args.text({ name: "key=value" }).pipe(
    Args.withDescription("Arguments, typed by the tool's input schema (key:=<json> for a JSON value)"),
    Args.repeated
  ),
  args: Options.text("args").pipe(
    Options.withDescription("Arguments as a JSON object (key=value pairs override its entries)"),
    Options.optional
  )
}, (options) =>
  Connection.use(options, ({ client, json, requestOptions, ui }) =>
    Effect.gen(function*() {
      const tools = yield* client.listTools
      const tool = yield* findTool(tools, options.tool)
      const args = yield* Arguments.forTool(tool, options.pairs, Option.getOrUndefined(options.args))
      const bar = yield* ui.progress(tool.name)
      const result = yield* client.callTool(tool.name, args, {
        ...requestOptions,
        // ask for progress only where it can be shown
        ...(ui.bar ? { onProgress: bar.update } : {})
      }).pipe(
        Effect.ensuring(bar.done),
        // the server refused the arguments (the SDK reports that as a tool error): show the schema
        Effect.catchTag("ToolError", (error): Effect.Effect<never, UsageError | ToolError> =>
          /input validation error|invalid arguments/i.test(error.text)
            ? Effect.fail(
              new UsageError({
                message: `the server refused the arguments of "${tool.name}": ${error.text}`,
                details: Arguments.toolSchemaHelp(tool),
                data: { content: error.content, schema: tool.inputSchema }
              })
            )
            : Effect.fail(error))
      )
      if (json) return yield* Output.json(result)
      yield* printResult(result)
    }))).pipe(Command.withDescription("Call a tool: effect-mcp tools call add a=1 b=2 -s <server>"))

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("tools").pipe(
  Command.withDescription("The server's tools"),
  Command.withSubcommands([list, call])
)
