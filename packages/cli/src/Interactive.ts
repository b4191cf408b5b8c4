/**
 * What the CLI does on a terminal: a progress bar on stderr for calls that
 * report progress, server log messages at a chosen level, and the answers to
 * the server's sampling and elicitation requests (a form prompt), which are
 * declined with a clear message when stdin is not a terminal.
 *
 * @since 0.1.0
 */
import type * as McpClient from "@effect-mcp/client/McpClient"
import { HandlerError } from "@effect-mcp/client/McpError"
import * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Prompt from "@effect/cli/Prompt"
import type * as Terminal from "@effect/platform/Terminal"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Output from "./Output.js"

/**
 * MCP log levels, least severe first, and `off`.
 *
 * @since 0.1.0
 * @category logging
 */
export const logLevels: typeof McpSchema.LoggingLevel.literals = McpSchema.LoggingLevel.literals

/**
 * @since 0.1.0
 * @category logging
 */
export type LogThreshold = McpSchema.LoggingLevel | "off"

/**
 * Should a message at `level` be shown at `threshold`?
 *
 * @since 0.1.0
 * @category logging
 */
export const shows = (threshold: LogThreshold, level: McpSchema.LoggingLevel): boolean =>
  threshold !== "off" && logLevels.indexOf(level) >= logLevels.indexOf(threshold)

const levelColour = (level: McpSchema.LoggingLevel) =>
  level === "debug" ? Output.dim : level === "info" || level === "notice" ? Output.cyan : level === "warning"
    ? Output.yellow
    : Output.red

/**
 * A server log message as one line.
 *
 * @since 0.1.0
 * @category logging
 */
export const formatLog = (
  message: McpSchema.LoggingMessageNotificationParams,
  stream: Output.Stream = process.stderr
): string =>
  `${levelColour(message.level)(`[server ${message.level}]`, stream)} ${
    message.logger === undefined ? "" : `${message.logger}: `
  }${Output.logData(message.data)}`

/**
 * The terminal's state for one run: the progress bar on stderr, which gives
 * way to prompts.
 *
 * @since 0.1.0
 * @category models
 */
export interface Ui {
  /** stdin is a terminal: prompts can be answered. */
  readonly interactive: boolean
  /** stderr is a terminal: the progress bar can be drawn. */
  readonly bar: boolean
  /** A progress bar for one call, on stderr (nothing when stderr is not a terminal). */
  readonly progress: (label: string) => Effect.Effect<ProgressBar>
  /** Prints a line on stderr without tearing the progress bar. */
  readonly note: (text: string) => Effect.Effect<void>
  /** Runs a prompt with the progress bar out of the way. */
  readonly prompting: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ProgressBar {
  readonly update: (progress: McpSchema.Progress) => Effect.Effect<void>
  /** Clears the bar, leaving the line empty. */
  readonly done: Effect.Effect<void>
}

const barWidth = 30

/**
 * The bar's text: `label [█████░░░░░] 50% 5/10 message` (or without the
 * bar when the total is unknown).
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderBar = (label: string, progress: McpSchema.Progress, columns: number): string => {
  const { message, total } = progress
  const head = total !== undefined && total > 0
    ? (() => {
      const ratio = Math.max(0, Math.min(1, progress.progress / total))
      const filled = Math.round(ratio * barWidth)
      return `${label} [${"█".repeat(filled)}${"░".repeat(barWidth - filled)}] ${
        String(Math.round(ratio * 100)).padStart(3)
      }% ${progress.progress}/${total}`
    })()
    : `${label} ${progress.progress}`
  const text = message === undefined ? head : `${head} ${message}`
  return text.length < columns ? text : text.slice(0, Math.max(0, columns - 1))
}

const clearLine = "\r\u001b[2K"

/**
 * @since 0.1.0
 * @category constructors
 */
export const makeUi = (options: {
  /** Where `note` writes (default stderr). */
  readonly notes?: "stdout" | "stderr"
} = {}): Ui => {
  const interactive = process.stdin.isTTY === true
  const bar = process.stderr.isTTY === true
  // what the bar shows now; redrawn after a note or a prompt
  let shown: string | undefined
  let paused = 0
  const write = (text: string) => {
    process.stderr.write(text)
  }
  const draw = () => {
    if (bar && shown !== undefined && paused === 0) write(`${clearLine}${shown}`)
  }
  const hide = () => {
    if (bar && shown !== undefined) write(clearLine)
  }
  return {
    interactive,
    bar,
    progress: (label) =>
      Effect.sync(() => ({
        update: (progress) =>
          Effect.sync(() => {
            if (!bar) return
            shown = renderBar(label, progress, process.stderr.columns ?? 80)
            draw()
          }),
        done: Effect.sync(() => {
          hide()
          shown = undefined
        })
      })),
    note: (text) =>
      Effect.sync(() => {
        hide()
        if (options.notes === "stdout") process.stdout.write(`${text}\n`)
        else write(`${text}\n`)
        draw()
      }),
    prompting: (effect) =>
      Effect.acquireUseRelease(
        Effect.sync(() => {
          hide()
          paused++
        }),
        () => effect,
        () =>
          Effect.sync(() => {
            paused--
            draw()
          })
      )
  }
}

// -----------------------------------------------------------------------------
// elicitation
// -----------------------------------------------------------------------------

type Property = Readonly<Record<string, unknown>>
type Answer = string | number | boolean | ReadonlyArray<string>

interface Choice {
  readonly value: string
  readonly title: string
}

const choicesOf = (property: Property): ReadonlyArray<Choice> | undefined => {
  if (Array.isArray(property.enum)) {
    const names = Array.isArray(property.enumNames) ? property.enumNames : []
    return property.enum.map((value, index) => ({
      value: String(value),
      title: typeof names[index] === "string" ? names[index] : String(value)
    }))
  }
  const variants = Array.isArray(property.oneOf) ? property.oneOf : Array.isArray(property.anyOf) ? property.anyOf : []
  const choices = variants.flatMap((variant: Property) =>
    "const" in variant
      ? [{
        value: String(variant.const),
        title: typeof variant.title === "string" ? variant.title : String(variant.const)
      }]
      : []
  )
  return choices.length > 0 ? choices : undefined
}

// the field's text as the value the form expects, checked as the client checks an accepted answer
const checkField = (name: string, property: Property, numeric: boolean, text: string): string | undefined => {
  const value = !numeric ? text : text.trim() === "" ? Number.NaN : Number(text)
  return McpSchema.checkElicitField(name, property, Number.isFinite(value) || !numeric ? value : Number.NaN)
}

/** Asks for one field; `None` leaves an optional field out. */
const askField = (
  name: string,
  property: Property,
  required: boolean
): Effect.Effect<Option.Option<Answer>, Terminal.QuitException, Terminal.Terminal> => {
  const title = typeof property.title === "string" ? property.title : name
  const description = typeof property.description === "string" ? ` (${property.description})` : ""
  // a yes/no question always has an answer, so only other fields are marked optional
  const message = `${title}${description}${required || property.type === "boolean" ? "" : " [optional]"}`
  const fallback = "default" in property ? property.default : undefined
  const type = property.type
  const choices = type === "array" ? undefined : choicesOf(property)
  if (choices !== undefined) {
    const first = typeof fallback === "string" ? choices.filter((choice) => choice.value === fallback) : []
    const ordered = [...first, ...choices.filter((choice) => !first.includes(choice))]
    return Prompt.select<Option.Option<Answer>>({
      message,
      choices: [
        ...ordered.map((choice) => ({ title: choice.title, value: Option.some(choice.value) })),
        ...(required ? [] : [{ title: "(leave empty)", value: Option.none() }])
      ]
    })
  }
  if (type === "boolean") {
    return Prompt.confirm({ message, initial: fallback === true }).pipe(Effect.map(Option.some))
  }
  if (type === "array") {
    const items = typeof property.items === "object" && property.items !== null ? property.items as Property : {}
    const options = choicesOf(items) ?? []
    return Prompt.multiSelect({
      message,
      choices: options.map((choice) => ({ title: choice.title, value: choice.value })),
      ...(typeof property.minItems === "number" ? { min: property.minItems } : {}),
      ...(typeof property.maxItems === "number" ? { max: property.maxItems } : {})
    }).pipe(Effect.map((values) => Option.some(values)))
  }
  const numeric = type === "number" || type === "integer"
  return Prompt.text({
    message,
    ...(fallback === undefined ? {} : { default: String(fallback) }),
    validate: (value) => {
      if (value === "") return required ? Effect.fail("required") : Effect.succeed(value)
      const problem = checkField(name, property, numeric, value)
      return problem === undefined ? Effect.succeed(value) : Effect.fail(problem)
    }
  }).pipe(
    Effect.map((value) => (value === "" ? Option.none() : Option.some(numeric ? Number(value) : value)))
  )
}

/**
 * Fills a form elicitation on the terminal, field by field, then asks
 * whether to send it. Ctrl-C answers `cancel`.
 *
 * @since 0.1.0
 * @category elicitation
 */
export const askForm = (
  request: typeof McpSchema.ElicitFormParams.Type
): Effect.Effect<McpSchema.ElicitResult, never, Terminal.Terminal> =>
  Effect.gen(function*() {
    const required = request.requestedSchema.required ?? []
    const content: Record<string, Answer> = {}
    for (const [name, property] of Object.entries(request.requestedSchema.properties)) {
      const answer = yield* askField(name, property, required.includes(name))
      if (Option.isSome(answer)) content[name] = answer.value
    }
    const action = yield* Prompt.select<McpSchema.ElicitResult["action"]>({
      message: "Send this answer to the server?",
      choices: [
        { title: "accept: send it", value: "accept" },
        { title: "decline", value: "decline" },
        { title: "cancel", value: "cancel" }
      ]
    })
    return action === "accept" ? { action, content } : { action }
  }).pipe(Effect.catchTag("QuitException", () => Effect.succeed({ action: "cancel" as const })))

/**
 * The elicitation handler: a form prompt on a terminal, a declined request
 * (with a note on stderr) otherwise. URL elicitations show the URL and ask
 * whether the user opened it.
 *
 * @since 0.1.0
 * @category elicitation
 */
export const elicitation = (ui: Ui): McpClient.ElicitationHandler<Terminal.Terminal> => (request) =>
  Effect.gen(function*() {
    if (!ui.interactive) {
      yield* ui.note(
        `effect-mcp: declined the server's elicitation request ("${request.message}"): ` +
          "stdin is not a terminal, so nobody can answer it"
      )
      return { action: "decline" as const }
    }
    return yield* ui.prompting(Effect.gen(function*() {
      yield* Output.line(`\n${Output.bold("The server asks:")} ${request.message}`)
      if (request.mode === "url") {
        yield* Output.line(`Open this URL to continue: ${request.url}`)
        const opened = yield* Prompt.confirm({ message: "Did you complete it there?", initial: true }).pipe(
          Effect.catchTag("QuitException", () => Effect.succeed(false))
        )
        return { action: opened ? "accept" as const : "decline" as const }
      }
      return yield* askForm(request)
    }))
  })

// -----------------------------------------------------------------------------
// sampling
// -----------------------------------------------------------------------------

const samplingText = (content: unknown): string =>
  Array.isArray(content) ? Output.content(content) : Output.content([content])

/**
 * The sampling handler: on a terminal the user is the model (the messages
 * are shown, the reply is typed in; an empty reply declines); otherwise the
 * request is declined with a note on stderr.
 *
 * @since 0.1.0
 * @category sampling
 */
export const sampling = (ui: Ui): McpClient.SamplingHandler<Terminal.Terminal> => (request) =>
  Effect.gen(function*() {
    if (!ui.interactive) {
      yield* ui.note(
        "effect-mcp: declined the server's sampling request: stdin is not a terminal, so nobody can write the reply"
      )
      return yield* new HandlerError({
        code: -1,
        description: "The user declined the sampling request: effect-mcp is not attached to a terminal"
      })
    }
    const reply = yield* ui.prompting(Effect.gen(function*() {
      yield* Output.line(`\n${Output.bold("The server asks for a model reply")} (max ${request.maxTokens} tokens).`)
      if (request.systemPrompt !== undefined) yield* Output.line(`${Output.dim("system:")} ${request.systemPrompt}`)
      for (const message of request.messages) {
        yield* Output.line(`${Output.dim(`${message.role}:`)} ${samplingText(message.content)}`)
      }
      return yield* Prompt.text({ message: "Your reply as the assistant (empty declines)" }).pipe(
        Effect.catchTag("QuitException", () => Effect.succeed(""))
      )
    }))
    if (reply.trim() === "") {
      return yield* new HandlerError({ code: -1, description: "The user declined the sampling request" })
    }
    return {
      role: "assistant" as const,
      content: { type: "text" as const, text: reply },
      model: "effect-mcp-cli/human",
      stopReason: "endTurn"
    }
  })
