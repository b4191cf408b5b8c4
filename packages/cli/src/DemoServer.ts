/**
 * The demo MCP server shipped with the CLI: a small SDK `McpServer` with a
 * tool of every kind (progress, structured output, an error case,
 * elicitation, sampling, logs), resources and a template, prompts and
 * completions. `effect-mcp demo` walks through it; `effect-mcp demo-server`
 * (or `node dist/demo-server.js`) serves it over stdio for anyone to poke.
 *
 * @since 0.1.0
 */
import { completable } from "@modelcontextprotocol/sdk/server/completable.js"
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from "@modelcontextprotocol/sdk/types.js"
import type { LoggingLevel } from "@modelcontextprotocol/sdk/types.js"
import * as Effect from "effect/Effect"
import { fileURLToPath } from "node:url"
import { z } from "zod"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Send an `info` log message (and a `demo://clock` update to subscribers) this often, in milliseconds. */
  readonly heartbeatMillis?: number | undefined
}

/**
 * The demo server's name, as it reports it in `initialize`.
 *
 * @since 0.1.0
 * @category constants
 */
export const serverName = "effect-mcp-demo"

/**
 * Where the built standalone entry point is (`dist/demo-server.js`).
 *
 * @since 0.1.0
 * @category constants
 */
export const entryPath = (): string => fileURLToPath(new URL("./demo-server.js", import.meta.url))

const names = ["Ada", "Alan", "Barbara", "Edsger", "Grace", "Katherine", "Ken", "Linus", "Margaret", "Niklaus"]
const languages = ["c", "go", "haskell", "python", "rust", "scala", "typescript"]
const topics = ["effects", "fibers", "layers", "schemas", "scopes", "streams"]

const startingWith = (list: ReadonlyArray<string>, prefix: string | undefined) =>
  list.filter((item) => item.toLowerCase().startsWith((prefix ?? "").toLowerCase()))

const sleep = (millis: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, millis)
    signal.addEventListener("abort", () => {
      clearTimeout(timer)
      reject(new Error("cancelled"))
    }, { once: true })
  })

const text = (value: string) => ({ type: "text" as const, text: value })

/**
 * Builds the demo server (not yet connected to any transport).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): McpServer => {
  const server = new McpServer(
    { name: serverName, version: "0.1.0", title: "effect-mcp demo server" },
    {
      capabilities: { logging: {}, resources: { subscribe: true, listChanged: true } },
      instructions: "A demo server for the effect-mcp CLI: try the add, long-task, fail, ask-name, summarize " +
        "and log tools, the demo:// resources and the review-code and explain prompts."
    }
  )
  const log = (level: LoggingLevel, logger: string, data: unknown) =>
    server.sendLoggingMessage({ level, logger, data }).catch(() => undefined)

  // --- tools ------------------------------------------------------------------

  server.registerTool("add", {
    title: "Add two numbers",
    description: "Adds a and b; the sum comes back as structured output too",
    inputSchema: { a: z.number().describe("the first addend"), b: z.number().describe("the second addend") },
    outputSchema: { sum: z.number() }
  }, async ({ a, b }) => {
    await log("debug", "add", `adding ${a} and ${b}`)
    return { content: [text(`${a} + ${b} = ${a + b}`)], structuredContent: { sum: a + b } }
  })

  server.registerTool("long-task", {
    title: "A task that reports progress",
    description: "Works through a number of steps, reporting progress after each (when the caller asks for it)",
    inputSchema: {
      steps: z.number().int().min(1).max(100).default(5).describe("how many steps"),
      delayMs: z.number().int().min(0).max(10_000).default(200).describe("milliseconds per step")
    }
  }, async ({ delayMs, steps }, extra) => {
    const progressToken = extra._meta?.progressToken
    for (let step = 1; step <= steps; step++) {
      await sleep(delayMs, extra.signal)
      // progress only for a caller that asked for it with a progress token
      if (progressToken !== undefined) {
        await extra.sendNotification({
          method: "notifications/progress",
          params: { progressToken, progress: step, total: steps, message: `step ${step} of ${steps}` }
        })
      }
    }
    await log("info", "long-task", `finished ${steps} steps`)
    return { content: [text(`Done: ${steps} steps of ${delayMs} ms`)] }
  })

  server.registerTool("fail", {
    title: "Always fails",
    description: "Reports a tool error (isError: true) with the given reason",
    inputSchema: { reason: z.string().default("something went wrong").describe("what to report") }
  }, async ({ reason }) => {
    await log("error", "fail", `failing on purpose: ${reason}`)
    return { isError: true, content: [text(`The tool failed: ${reason}`)] }
  })

  server.registerTool("sleep", {
    title: "Sleep",
    description: "Waits for the given number of milliseconds, without reporting progress",
    inputSchema: { ms: z.number().int().min(0).max(600_000).describe("milliseconds to wait") }
  }, async ({ ms }, extra) => {
    await sleep(ms, extra.signal)
    return { content: [text(`Slept ${ms} ms`)] }
  })

  server.registerTool("ask-name", {
    title: "Ask the user who they are",
    description: "Asks the client for a form (elicitation): name, favourite colour, newsletter"
  }, async () => {
    const answer = await server.server.elicitInput({
      mode: "form",
      message: "Who are you?",
      requestedSchema: {
        type: "object",
        properties: {
          name: { type: "string", title: "Your name", minLength: 1 },
          colour: { type: "string", title: "Favourite colour", enum: ["red", "green", "blue"] },
          newsletter: { type: "boolean", title: "Subscribe to the newsletter", default: false }
        },
        required: ["name"]
      }
    })
    if (answer.action !== "accept") return { content: [text(`No answer: the user chose to ${answer.action}.`)] }
    const content = answer.content ?? {}
    const colour = typeof content.colour === "string" ? `, who likes ${content.colour}` : ""
    const newsletter = content.newsletter === true ? " (subscribed)" : ""
    return {
      content: [text(`Hello, ${String(content.name)}${colour}!${newsletter}`)],
      structuredContent: content
    }
  })

  server.registerTool("summarize", {
    title: "Summarize with the client's model",
    description: "Asks the client's model (sampling) to summarize the text",
    inputSchema: { text: z.string().default("Effect is a TypeScript library for typed, composable programs.") }
  }, async (args) => {
    const reply = await server.server.createMessage({
      messages: [{ role: "user", content: text(`Summarize in one sentence: ${args.text}`) }],
      systemPrompt: "You are a terse assistant.",
      maxTokens: 100
    })
    const said = reply.content.type === "text" ? reply.content.text : `(${reply.content.type} content)`
    return { content: [text(`The client's model (${reply.model}) said: ${said}`)] }
  })

  server.registerTool("log", {
    title: "Send log messages",
    description: "Sends the message as a log message at each of debug, info, warning and error",
    inputSchema: { message: z.string().default("hello from the demo server") }
  }, async ({ message }) => {
    for (const level of ["debug", "info", "warning", "error"] as const) await log(level, "log-tool", message)
    return { content: [text("Sent 4 log messages (debug, info, warning, error)")] }
  })

  // --- resources --------------------------------------------------------------

  server.registerResource("readme", "demo://readme", {
    title: "About this server",
    description: "What the demo server offers",
    mimeType: "text/markdown"
  }, async (uri) => ({
    contents: [{
      uri: uri.href,
      mimeType: "text/markdown",
      text: "# effect-mcp demo server\n\nTools: add, long-task, fail, sleep, ask-name, summarize, log.\n" +
        "Resources: demo://readme, demo://config.json, demo://clock and the template demo://greeting/{name}.\n" +
        "Prompts: review-code, explain.\n"
    }]
  }))

  server.registerResource("config", "demo://config.json", {
    title: "A JSON document",
    mimeType: "application/json"
  }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify({ retries: 3, verbose: false }) }]
  }))

  server.registerResource("clock", "demo://clock", {
    title: "The server's clock",
    description: "The time on the server; subscribers get an update on every heartbeat",
    mimeType: "text/plain"
  }, async (uri) => ({ contents: [{ uri: uri.href, mimeType: "text/plain", text: new Date().toISOString() }] }))

  server.registerResource(
    "greeting",
    new ResourceTemplate("demo://greeting/{name}", {
      list: undefined,
      complete: { name: (value) => startingWith(names, value) }
    }),
    { title: "A greeting", description: "A greeting for anyone (the name completes)", mimeType: "text/plain" },
    async (uri, variables) => ({
      contents: [{ uri: uri.href, mimeType: "text/plain", text: `Hello, ${String(variables.name)}!` }]
    })
  )

  const subscribed = new Set<string>()
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    subscribed.add(request.params.uri)
    return {}
  })
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(request.params.uri)
    return {}
  })

  // --- prompts ----------------------------------------------------------------

  server.registerPrompt("review-code", {
    title: "Review code",
    description: "Asks for a review of a piece of code in a language (the language completes)",
    argsSchema: {
      language: completable(z.string().describe("the language"), (value) => startingWith(languages, value)),
      code: z.string().describe("the code to review")
    }
  }, ({ code, language }) => ({
    description: `Review of ${language} code`,
    messages: [{ role: "user", content: text(`Please review this ${language} code:\n\n${code}`) }]
  }))

  server.registerPrompt("explain", {
    title: "Explain a topic",
    description: "Asks for an explanation of an Effect topic (the topic completes)",
    argsSchema: { topic: completable(z.string().describe("the topic"), (value) => startingWith(topics, value)) }
  }, ({ topic }) => ({
    messages: [
      { role: "user", content: text(`Explain ${topic} in Effect, briefly.`) },
      { role: "assistant", content: text(`Here is a short explanation of ${topic}:`) }
    ]
  }))

  // --- heartbeat --------------------------------------------------------------

  if (options.heartbeatMillis !== undefined && options.heartbeatMillis > 0) {
    let beat = 0
    const timer = setInterval(() => {
      if (!server.isConnected()) return
      beat++
      void log("info", "heartbeat", `heartbeat ${beat} (pid ${process.pid})`)
      if (subscribed.has("demo://clock")) {
        server.server.sendResourceUpdated({ uri: "demo://clock" }).catch(() => undefined)
      }
    }, options.heartbeatMillis)
    timer.unref()
  }
  return server
}

/**
 * Serves the demo server over this process's stdin and stdout until stdin
 * ends (the client closed it).
 *
 * @since 0.1.0
 * @category running
 */
export const serveStdio = (options: Options = {}): Effect.Effect<void> =>
  Effect.acquireUseRelease(
    Effect.promise(async () => {
      const server = make(options)
      await server.connect(new StdioServerTransport())
      return server
    }),
    () =>
      Effect.async<void>((resume) => {
        const done = () => resume(Effect.void)
        process.stdin.once("end", done)
        process.stdin.once("close", done)
        return Effect.sync(() => {
          process.stdin.off("end", done)
          process.stdin.off("close", done)
        })
      }),
    (server) => Effect.promise(() => server.close().catch(() => undefined))
  )

/**
 * Parses the standalone entry's arguments (`--heartbeat <ms>`; anything else is ignored).
 *
 * @since 0.1.0
 * @category running
 */
export const optionsFromArgv = (argv: ReadonlyArray<string>): Options => {
  const index = argv.indexOf("--heartbeat")
  const value = index >= 0 ? Number(argv[index + 1]) : NaN
  return Number.isFinite(value) ? { heartbeatMillis: value } : {}
}
