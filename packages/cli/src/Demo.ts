/**
 * `effect-mcp demo`: starts the embedded demo server over stdio and walks
 * through every operation of the client, printing each call and its result.
 * The demo answers the server's elicitation and sampling requests itself, so
 * it runs to the end without input.
 *
 * @since 0.1.0
 */
import * as NodeMcpClient from "@effect-mcp/client-node/NodeMcpClient"
import type * as McpClient from "@effect-mcp/client/McpClient"
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Command from "@effect/cli/Command"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as ExitCode from "./ExitCode.js"
import * as InspectCommand from "./InspectCommand.js"
import * as Interactive from "./Interactive.js"
import * as Output from "./Output.js"
import * as Trace from "./Trace.js"

const relative = (path: string) => {
  const shorter = Path.relative(process.cwd(), path)
  return shorter.startsWith("..") ? path : shorter
}

const Sum = Schema.Struct({ sum: Schema.Number })

const indent = (text: string, by = "   ") => text.split("\n").map((row) => `${by}${row}`).join("\n")

/**
 * Runs the walk-through against a freshly started demo server.
 *
 * @since 0.1.0
 * @category running
 */
export const walkThrough = Effect.gen(function*() {
  const ui = Interactive.makeUi({ notes: "stdout" })
  let step = 0
  const title = (text: string) => Output.line(`\n${Output.bold(`${++step}. ${text}`)}`)
  const call = (code: string) => Output.line(Output.cyan(`   > ${code}`))
  // log messages are handled on the client's dispatcher fiber, which may still be printing
  // the ones a tool sent when its call returns: give it a moment, so the output reads in order
  const show = (text: string) => Effect.zipRight(Effect.sleep("20 millis"), Output.line(indent(text)))

  const server = { command: process.execPath, args: [fileURLToPath(new URL("./demo-server.js", import.meta.url))] }
  yield* Output.line(Output.bold("effect-mcp demo: the client, step by step, against the embedded demo server"))

  yield* title("Connect over stdio (the server is a child process; closing the client ends its process group)")
  yield* call(`NodeMcpClient.make({ command: "node", args: ["${server.args[0]}"] }, { elicitation, sampling, onLog })`)
  const client: McpClient.Service = yield* NodeMcpClient.make({ ...server, stderr: "ignore" }, {
    clientInfo: { name: "effect-mcp-demo", version: "0.1.0" },
    onLog: (message) => ui.note(indent(Interactive.formatLog(message, process.stdout))),
    elicitation: (request) =>
      Effect.gen(function*() {
        const content = { name: "Ada", colour: "green" }
        yield* ui.note(
          indent(`(elicitation) the server asks "${request.message}"; the demo answers ${JSON.stringify(content)}`)
        )
        return { action: "accept" as const, content }
      }),
    sampling: (request) =>
      Effect.gen(function*() {
        yield* ui.note(
          indent(`(sampling) the server asks for a reply to: ${
            Output.content(request.messages.map((message) => message.content))
          }`)
        )
        return {
          role: "assistant" as const,
          content: { type: "text" as const, text: "Effect makes programs typed, composable and safe." },
          model: "demo-model"
        }
      })
  })
  const notifications = { total: 0 }
  yield* Stream.runForEach(client.notifications, () => Effect.sync(() => notifications.total++)).pipe(
    Effect.forkScoped
  )
  const era = yield* client.era
  yield* show(Output.fields([
    ["server", InspectCommand.describeServer(Option.getOrUndefined(yield* client.serverInfo))],
    ["protocol", `${era.protocolVersion} (${era.chosenBy})`],
    ["capabilities", InspectCommand.describeCapabilities(yield* client.serverCapabilities)]
  ]))

  yield* title("Ping")
  yield* call("client.ping")
  const start = yield* Clock.currentTimeMillis
  yield* client.ping
  yield* show(`answered in ${(yield* Clock.currentTimeMillis) - start} ms`)

  yield* title("Ask for log messages at info and above")
  yield* call(`client.setLoggingLevel("info")`)
  yield* client.setLoggingLevel("info")
  yield* show("log messages now arrive through the onLog handler (and the client.logMessages stream)")

  yield* title("List the tools (every page)")
  yield* call("client.listTools")
  const tools = yield* client.listTools
  yield* show(Output.table(tools, [
    { header: "tool", get: (tool) => tool.name },
    { header: "arguments", get: (tool) => Output.argumentsLine(tool.inputSchema) },
    { header: "description", get: (tool) => tool.description ?? "", flexible: true }
  ]))

  yield* title("Call a tool with structured output, decoded with a Schema")
  yield* call(`client.callTool("add", { a: 2, b: 3 }, { outputSchema: Schema.Struct({ sum: Schema.Number }) })`)
  const sum = yield* client.callTool("add", { a: 2, b: 3 }, { outputSchema: Sum })
  yield* show(`→ ${JSON.stringify(sum)}`)

  yield* title("Call a tool that reports progress")
  yield* call(`client.callTool("long-task", { steps: 5, delayMs: 150 }, { onProgress })`)
  const bar = yield* ui.progress("   long-task")
  const onProgress = (progress: McpSchema.Progress) =>
    ui.bar
      ? bar.update(progress)
      : show(`progress ${progress.progress}/${progress.total ?? "?"} ${progress.message ?? ""}`)
  const long = yield* client.callTool("long-task", { steps: 5, delayMs: 150 }, { onProgress }).pipe(
    Effect.ensuring(bar.done)
  )
  yield* show(`→ ${Output.content(long.content)}`)

  yield* title("A tool that fails: isError becomes a typed ToolError")
  yield* call(`client.callTool("fail", { reason: "a demo failure" }).pipe(Effect.catchTag("ToolError", ...))`)
  const failure = yield* client.callTool("fail", { reason: "a demo failure" }).pipe(
    Effect.as("it did not fail!"),
    Effect.catchTag("ToolError", (error) => Effect.succeed(`${error._tag}: ${error.message}`))
  )
  yield* show(`→ ${failure}`)

  yield* title("Resources: list and read")
  yield* call("client.listResources")
  const resources = yield* client.listResources
  yield* show(Output.table(resources, [
    { header: "uri", get: (resource) => resource.uri },
    { header: "type", get: (resource) => resource.mimeType ?? "" },
    { header: "description", get: (resource) => resource.description ?? resource.title ?? "", flexible: true }
  ]))
  yield* call(`client.readResource("demo://config.json")`)
  const [config] = yield* client.readResource("demo://config.json")
  yield* show(`→ ${config === undefined ? "(nothing)" : Output.resourceContents(config)}`)

  yield* title("Resource templates: list, complete a variable, read")
  yield* call("client.listResourceTemplates")
  const templates = yield* client.listResourceTemplates
  yield* show(templates.map((template) => `${template.uriTemplate}  ${template.description ?? ""}`).join("\n"))
  yield* call(`client.complete({ type: "ref/resource", uri: "demo://greeting/{name}" }, { name: "name", value: "K" })`)
  const names = yield* client.complete({ type: "ref/resource", uri: "demo://greeting/{name}" }, {
    name: "name",
    value: "K"
  })
  yield* show(`→ ${names.values.join(", ")}`)
  yield* call(`client.readResource("demo://greeting/Katherine")`)
  const [greeting] = yield* client.readResource("demo://greeting/Katherine")
  yield* show(`→ ${greeting === undefined ? "(nothing)" : Output.resourceContents(greeting)}`)

  yield* title("Prompts: list, complete an argument, get")
  yield* call("client.listPrompts")
  const prompts = yield* client.listPrompts
  yield* show(
    prompts.map((prompt) =>
      `${prompt.name}(${(prompt.arguments ?? []).map((arg) => arg.name).join(", ")})  ${prompt.description ?? ""}`
    ).join("\n")
  )
  yield* call(`client.complete({ type: "ref/prompt", name: "review-code" }, { name: "language", value: "ty" })`)
  const languages = yield* client.complete({ type: "ref/prompt", name: "review-code" }, {
    name: "language",
    value: "ty"
  })
  yield* show(`→ ${languages.values.join(", ")}`)
  yield* call(`client.getPrompt("review-code", { language: "typescript", code: "const x = 1" })`)
  const prompt = yield* client.getPrompt("review-code", { language: "typescript", code: "const x = 1" })
  yield* show(prompt.messages.map((message) => `${message.role}: ${Output.content([message.content])}`).join("\n"))

  yield* title("Server log messages, at debug level and above")
  yield* call(`client.setLoggingLevel("debug"); client.callTool("log", { message: "hello" })`)
  yield* client.setLoggingLevel("debug")
  const logged = yield* client.callTool("log", { message: "hello" })
  yield* show(`→ ${Output.content(logged.content)}`)

  yield* title("Elicitation: the server asks the user for a form (the demo's handler answers)")
  yield* call(`client.callTool("ask-name")`)
  const asked = yield* client.callTool("ask-name")
  yield* show(`→ ${Output.content(asked.content)}`)

  yield* title("Sampling: the server asks the client's model (the demo's handler answers)")
  yield* call(`client.callTool("summarize")`)
  const summary = yield* client.callTool("summarize")
  yield* show(`→ ${Output.content(summary.content)}`)

  yield* title("Notifications are streams too")
  yield* show(`client.notifications delivered ${notifications.total} notifications so far (log messages, progress)`)

  yield* Output.line(`\n${Output.bold("Done.")} The session closes now and the server's process ends with it.`)
  const bin = `node ${relative(fileURLToPath(new URL("./bin.js", import.meta.url)))}`
  const demoServer = `-- node ${relative(server.args[0]!)}`
  yield* Output.line("Try the CLI on the same server (or any other), for example:")
  yield* Output.line(indent([
    `${bin} inspect ${demoServer}`,
    `${bin} tools call add a=2 b=3 ${demoServer}`,
    `${bin} tools call long-task steps=10 ${demoServer}`,
    `${bin} tools call ask-name ${demoServer}`,
    `${bin} tail --subscribe demo://clock -- node ${relative(server.args[0]!)} --heartbeat 1000`
  ].join("\n")))
}).pipe(Effect.scoped)

/**
 * @since 0.1.0
 * @category commands
 */
export const demo = Command.make(
  "demo",
  { trace: Trace.option },
  ({ trace }) => walkThrough.pipe(ExitCode.report(false), Trace.traced(trace))
).pipe(
  Command.withDescription("Walk through every operation against the embedded demo server")
)
