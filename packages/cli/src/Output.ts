/**
 * Rendering for the terminal: tables, content blocks, JSON schemas, colours
 * (only on a terminal, and never with `NO_COLOR`), and JSON for `--json`.
 *
 * @since 0.1.0
 */
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Console from "effect/Console"
import type * as Effect from "effect/Effect"

/**
 * A stream that may be a terminal.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stream {
  readonly isTTY?: boolean | undefined
}

const colours = (stream: Stream) => stream.isTTY === true && process.env.NO_COLOR === undefined

const paint = (open: number, close: number) => (text: string, stream: Stream = process.stdout) =>
  colours(stream) ? `\u001b[${open}m${text}\u001b[${close}m` : text

/**
 * @since 0.1.0
 * @category colours
 */
export const bold = paint(1, 22)

/**
 * @since 0.1.0
 * @category colours
 */
export const dim = paint(2, 22)

/**
 * @since 0.1.0
 * @category colours
 */
export const red = paint(31, 39)

/**
 * @since 0.1.0
 * @category colours
 */
export const green = paint(32, 39)

/**
 * @since 0.1.0
 * @category colours
 */
export const yellow = paint(33, 39)

/**
 * @since 0.1.0
 * @category colours
 */
export const cyan = paint(36, 39)

/**
 * Prints a value as indented JSON on stdout.
 *
 * @since 0.1.0
 * @category printing
 */
export const json = (value: unknown): Effect.Effect<void> => Console.log(JSON.stringify(value, null, 2))

/**
 * @since 0.1.0
 * @category printing
 */
export const line = (text: string): Effect.Effect<void> => Console.log(text)

/**
 * A line on stderr.
 *
 * @since 0.1.0
 * @category printing
 */
export const note = (text: string): Effect.Effect<void> => Console.error(text)

/**
 * @since 0.1.0
 * @category models
 */
export interface Column<A> {
  readonly header: string
  readonly get: (row: A) => string
  /** Let this column shrink to fit the terminal. */
  readonly flexible?: boolean
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim()

const clip = (text: string, width: number) =>
  text.length <= width ? text : width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`

/**
 * A list, as `--json` asks: the items as JSON, or a table (or a note that
 * there are none).
 *
 * @since 0.1.0
 * @category rendering
 */
export const list = <A>(
  items: ReadonlyArray<A>,
  options: { readonly json: boolean; readonly empty: string; readonly columns: ReadonlyArray<Column<A>> }
): Effect.Effect<void> =>
  options.json ? json(items) : line(items.length === 0 ? `(${options.empty})` : table(items, options.columns))

/**
 * The width output is fitted to: the terminal's, else `$COLUMNS` when it is a
 * number, else 80.
 *
 * @since 0.4.0
 * @category rendering
 */
export const width = (): number => {
  if (process.stdout.isTTY === true && process.stdout.columns !== undefined) return process.stdout.columns
  const columns = Number(process.env.COLUMNS)
  return Number.isInteger(columns) && columns > 0 ? columns : 80
}

/**
 * A plain table: a header, a rule, one line per row. The flexible columns
 * shrink so that the table fits the width (see `width`).
 *
 * @since 0.1.0
 * @category rendering
 */
export const table = <A>(rows: ReadonlyArray<A>, columns: ReadonlyArray<Column<A>>): string => {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.get(row))))
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((cell) => cell[index]!.length))
  )
  const available = width()
  const total = () => widths.reduce((sum, width) => sum + width, 0) + 2 * (columns.length - 1)
  for (let index = columns.length - 1; index >= 0 && total() > available; index--) {
    if (columns[index]!.flexible === true) {
      widths[index] = Math.max(columns[index]!.header.length, 12, widths[index]! - (total() - available))
    }
  }
  const render = (values: ReadonlyArray<string>) =>
    values.map((value, index) =>
      index === values.length - 1 ? clip(value, widths[index]!) : clip(value, widths[index]!).padEnd(widths[index]!)
    ).join("  ").trimEnd()
  return [
    bold(render(columns.map((column) => column.header))),
    dim(widths.map((width) => "─".repeat(width)).join("  ")),
    ...cells.map(render)
  ].join("\n")
}

/**
 * `key: value` lines with the keys aligned.
 *
 * @since 0.1.0
 * @category rendering
 */
export const fields = (entries: ReadonlyArray<readonly [string, string]>): string => {
  const width = Math.max(0, ...entries.map(([key]) => key.length))
  return entries.map(([key, value]) => `${bold(`${key}:`.padEnd(width + 1))} ${value}`).join("\n")
}

const bytesOfBase64 = (data: string) => Math.floor(data.replace(/=+$/, "").length * 3 / 4)

/**
 * One resource's contents: its text, or a line describing a blob.
 *
 * @since 0.1.0
 * @category rendering
 */
export const resourceContents = (contents: McpSchema.ResourceContents): string =>
  "text" in contents
    ? contents.text
    : `[binary ${contents.mimeType ?? "data"}, ${bytesOfBase64(contents.blob)} bytes, base64]`

/**
 * Content blocks as text: text as it is, other kinds as a bracketed line.
 *
 * @since 0.1.0
 * @category rendering
 */
export const content = (blocks: ReadonlyArray<unknown>): string =>
  blocks.map((block) => {
    const part = block as McpSchema.ContentBlock
    switch (part.type) {
      case "text":
        return part.text
      case "image":
      case "audio":
        return `[${part.type} ${part.mimeType}, ${bytesOfBase64(part.data)} bytes]`
      case "resource_link":
        return `[link ${part.uri}${part.name === undefined ? "" : ` (${part.name})`}]`
      case "resource":
        return `[resource ${part.resource.uri}]\n${resourceContents(part.resource)}`
      default:
        return JSON.stringify(block)
    }
  }).join("\n")

type JsonSchema = Readonly<Record<string, unknown>>

/**
 * A JSON schema type in a few words: `string`, `number | null`, `"a" | "b"`, `array of string`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const schemaType = (schema: JsonSchema): string => {
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(" | ")
  const variants = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined
  if (variants !== undefined) {
    return variants.map((variant) =>
      typeof variant === "object" && variant !== null && "const" in variant
        ? JSON.stringify(variant.const)
        : schemaType(variant as JsonSchema)
    ).join(" | ")
  }
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : typeof schema.type === "string" ? schema.type : ""
  if (type === "array" && typeof schema.items === "object" && schema.items !== null) {
    return `array of ${schemaType(schema.items as JsonSchema)}`
  }
  return type.length > 0 ? type : "any"
}

const properties = (schema: JsonSchema): ReadonlyArray<readonly [string, JsonSchema]> =>
  typeof schema.properties === "object" && schema.properties !== null
    ? Object.entries(schema.properties as Record<string, JsonSchema>)
    : []

const requiredOf = (schema: JsonSchema): ReadonlyArray<string> =>
  Array.isArray(schema.required) ? schema.required.filter((name) => typeof name === "string") : []

/**
 * A tool's arguments in one line: `a: number, b?: string`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const argumentsLine = (schema: JsonSchema): string => {
  const required = requiredOf(schema)
  return properties(schema).map(([name, property]) =>
    `${name}${required.includes(name) ? "" : "?"}: ${schemaType(property)}`
  ).join(", ")
}

/**
 * A tool's arguments, one per line, with type, whether required, default and description.
 *
 * @since 0.1.0
 * @category rendering
 */
export const schemaHelp = (schema: JsonSchema): string => {
  const required = requiredOf(schema)
  const entries = properties(schema)
  if (entries.length === 0) return "  (no arguments)"
  return table(entries, [
    { header: "argument", get: ([name]) => name },
    { header: "type", get: ([, property]) => schemaType(property) },
    { header: "required", get: ([name]) => (required.includes(name) ? "yes" : "no") },
    { header: "default", get: ([, property]) => ("default" in property ? JSON.stringify(property.default) : "") },
    {
      header: "description",
      get: ([, property]) => (typeof property.description === "string" ? property.description : ""),
      flexible: true
    }
  ]).split("\n").map((row) => `  ${row}`).join("\n")
}

/**
 * A log message's data as one string.
 *
 * @since 0.1.0
 * @category rendering
 */
export const logData = (data: unknown): string => {
  if (typeof data === "string") return data
  if (typeof data !== "object" || data === null || Array.isArray(data)) return JSON.stringify(data)
  // structured logs (`{ msg, ...fields }`, as Python's and pino's loggers send them): the message first,
  // then the fields that say something
  const record = data as Record<string, unknown>
  const key = ["message", "msg", "text"].find((candidate) => typeof record[candidate] === "string")
  const fields = Object.entries(record)
    .filter(([name, value]) => name !== key && value !== null && value !== undefined)
    .map(([name, value]) => `${name}=${typeof value === "string" && !/\s/.test(value) ? value : JSON.stringify(value)}`)
  if (key === undefined) return fields.join(" ")
  return fields.length === 0 ? String(record[key]) : `${String(record[key])}  ${fields.join(" ")}`
}
