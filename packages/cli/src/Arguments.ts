/**
 * Tool and prompt arguments from the command line: `key=value` pairs typed by
 * the tool's input schema (`key:=<json>` for a literal JSON value, a repeated
 * key for an array), merged over `--args <json>`, and checked against the
 * schema before anything is sent.
 *
 * @since 0.1.0
 */
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Either from "effect/Either"
import { UsageError } from "./ExitCode.js"
import * as Output from "./Output.js"

type JsonSchema = Readonly<Record<string, unknown>>

interface Pair {
  readonly key: string
  readonly raw: string
  readonly isJson: boolean
}

const splitPair = (pair: string): Either.Either<Pair, string> => {
  const json = pair.indexOf(":=")
  const equals = pair.indexOf("=")
  if (json > 0 && json < equals) {
    return Either.right({ key: pair.slice(0, json), raw: pair.slice(json + 2), isJson: true })
  }
  if (equals > 0) return Either.right({ key: pair.slice(0, equals), raw: pair.slice(equals + 1), isJson: false })
  return Either.left(`"${pair}" is not key=value (or key:=<json>)`)
}

const parseJson = (raw: string): Either.Either<unknown, string> => {
  try {
    return Either.right(JSON.parse(raw))
  } catch (error) {
    return Either.left(`not valid JSON (${(error as Error).message})`)
  }
}

const typesOf = (schema: JsonSchema): ReadonlyArray<string> => {
  if (Array.isArray(schema.type)) return schema.type.filter((type) => typeof type === "string")
  if (typeof schema.type === "string") return [schema.type]
  const variants = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : []
  const nested = variants.flatMap((variant) => typesOf(variant as JsonSchema))
  if (nested.length > 0) return nested
  const values = Array.isArray(schema.enum)
    ? schema.enum
    : variants.flatMap((variant) =>
      typeof variant === "object" && variant !== null && "const" in variant ? [variant.const] : []
    )
  return [...new Set(values.map((value) => (value === null ? "null" : typeof value)))]
}

/** One command-line word as a value of the given schema; strings are the last resort. */
const coerce = (raw: string, schema: JsonSchema | undefined): Either.Either<unknown, string> => {
  const types = schema === undefined ? [] : typesOf(schema)
  if (types.length === 0) return Either.right(raw)
  // try the stricter types first, so "3" is a number where a number is allowed
  const order = ["null", "boolean", "integer", "number", "object", "array", "string"]
  for (const type of [...types].sort((a, b) => order.indexOf(a) - order.indexOf(b))) {
    switch (type) {
      case "null":
        if (raw === "null") return Either.right(null)
        break
      case "boolean":
        if (["true", "yes", "on", "1"].includes(raw.toLowerCase())) return Either.right(true)
        if (["false", "no", "off", "0"].includes(raw.toLowerCase())) return Either.right(false)
        break
      case "integer":
      case "number": {
        const value = raw.trim() === "" ? NaN : Number(raw)
        if (Number.isFinite(value) && (type === "number" || Number.isInteger(value))) return Either.right(value)
        break
      }
      case "object": {
        const value = parseJson(raw)
        if (Either.isRight(value) && typeof value.right === "object" && value.right !== null) return value
        break
      }
      case "array": {
        if (raw.trimStart().startsWith("[")) {
          const value = parseJson(raw)
          if (Either.isRight(value) && Array.isArray(value.right)) return value
          break
        }
        const items = typeof schema!.items === "object" && schema!.items !== null ? schema!.items as JsonSchema : {}
        const values = raw === "" ? [] : raw.split(",").map((item) => coerce(item.trim(), items))
        const wrong = values.find(Either.isLeft)
        if (wrong === undefined) {
          return Either.right(values.map((value) => (value as Either.Right<string, unknown>).right))
        }
        break
      }
      case "string":
        return Either.right(raw)
    }
  }
  return Either.left(`"${raw}" is not of type ${Output.schemaType(schema!)}`)
}

const propertiesOf = (schema: JsonSchema): Readonly<Record<string, JsonSchema>> =>
  typeof schema.properties === "object" && schema.properties !== null
    ? schema.properties as Record<string, JsonSchema>
    : {}

const describe = (value: unknown) => JSON.stringify(value)

/** What is wrong with one value, in the JSON schema subset tools use in practice. */
const check = (path: string, value: unknown, schema: JsonSchema): ReadonlyArray<string> => {
  const types = typesOf(schema)
  const typeOk = (type: string) => {
    switch (type) {
      case "null":
        return value === null
      case "integer":
        return typeof value === "number" && Number.isInteger(value)
      case "array":
        return Array.isArray(value)
      case "object":
        return typeof value === "object" && value !== null && !Array.isArray(value)
      default:
        return typeof value === type
    }
  }
  if (types.length > 0 && !types.some(typeOk)) {
    return [`"${path}" must be ${Output.schemaType(schema)} (got ${describe(value)})`]
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => describe(option) === describe(value))) {
    return [`"${path}" must be one of ${schema.enum.map(describe).join(", ")} (got ${describe(value)})`]
  }
  const problems: Array<string> = []
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) {
      problems.push(`"${path}" must be at least ${schema.minimum}`)
    }
    if (typeof schema.maximum === "number" && value > schema.maximum) {
      problems.push(`"${path}" must be at most ${schema.maximum}`)
    }
  }
  if (typeof value === "string") {
    if (typeof schema.minLength === "number" && value.length < schema.minLength) {
      problems.push(`"${path}" must have at least ${schema.minLength} characters`)
    }
    if (typeof schema.maxLength === "number" && value.length > schema.maxLength) {
      problems.push(`"${path}" must have at most ${schema.maxLength} characters`)
    }
  }
  if (Array.isArray(value) && typeof schema.items === "object" && schema.items !== null) {
    value.forEach((item, index) => problems.push(...check(`${path}[${index}]`, item, schema.items as JsonSchema)))
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value) && schema.properties !== undefined) {
    problems.push(...checkObject(path, value as Record<string, unknown>, schema))
  }
  return problems
}

const checkObject = (prefix: string, value: Readonly<Record<string, unknown>>, schema: JsonSchema) => {
  const problems: Array<string> = []
  const properties = propertiesOf(schema)
  const at = (key: string) => (prefix === "" ? key : `${prefix}.${key}`)
  for (const name of Array.isArray(schema.required) ? schema.required as ReadonlyArray<string> : []) {
    if (!(name in value)) problems.push(`"${at(name)}" is required`)
  }
  for (const [key, item] of Object.entries(value)) {
    const property = properties[key]
    if (property !== undefined) problems.push(...check(at(key), item, property))
    else if (schema.additionalProperties === false) {
      problems.push(`"${at(key)}" is not an argument (known: ${Object.keys(properties).join(", ") || "none"})`)
    }
  }
  return problems
}

/**
 * The problems of an arguments object against an input schema; empty when it fits.
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (args: Readonly<Record<string, unknown>>, schema: JsonSchema): ReadonlyArray<string> =>
  checkObject("", args, schema)

const fromJsonOption = (json: string | undefined): Either.Either<Record<string, unknown>, string> => {
  if (json === undefined) return Either.right({})
  const parsed = parseJson(json)
  if (Either.isLeft(parsed)) return Either.left(`--args is ${parsed.left}`)
  const value = parsed.right
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? Either.right({ ...value as Record<string, unknown> })
    : Either.left(`--args must be a JSON object (got ${describe(value)})`)
}

const badArguments = (what: string, problems: ReadonlyArray<string>, help: string, schema: unknown) =>
  new UsageError({
    message: `bad arguments for ${what}:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`,
    details: help,
    data: { problems, schema }
  })

/**
 * How a tool's arguments look: the table of its input schema and the schema itself.
 *
 * @since 0.1.0
 * @category rendering
 */
export const toolSchemaHelp = (tool: McpSchema.Tool): string =>
  `Arguments of tool "${tool.name}" (key=value, key:=<json>, or --args '<json object>'):\n` +
  `${Output.schemaHelp(tool.inputSchema)}\nInput schema: ${JSON.stringify(tool.inputSchema)}`

/**
 * A tool's arguments from `--args` and `key=value` pairs, typed by its input
 * schema and checked against it.
 *
 * @since 0.1.0
 * @category parsing
 */
export const forTool = (
  tool: McpSchema.Tool,
  pairs: ReadonlyArray<string>,
  json: string | undefined
): Either.Either<Record<string, unknown>, UsageError> => {
  const fail = (problems: ReadonlyArray<string>) =>
    Either.left(badArguments(`tool "${tool.name}"`, problems, toolSchemaHelp(tool), tool.inputSchema))
  const base = fromJsonOption(json)
  if (Either.isLeft(base)) return fail([base.left])
  const args = base.right
  const properties = propertiesOf(tool.inputSchema)
  const problems: Array<string> = []
  const repeated = new Set<string>()
  const unreadable = new Set<string>()
  for (const word of pairs) {
    const pair = splitPair(word)
    if (Either.isLeft(pair)) {
      problems.push(pair.left)
      continue
    }
    const { isJson, key, raw } = pair.right
    const property = properties[key]
    const value = isJson ? parseJson(raw) : coerce(raw, property)
    if (Either.isLeft(value)) {
      problems.push(`"${key}": ${value.left}`)
      unreadable.add(key)
      continue
    }
    // a repeated key builds an array, where the schema wants one
    if (repeated.has(key) && property !== undefined && typesOf(property).includes("array")) {
      const previous = args[key]
      args[key] = [...(Array.isArray(previous) ? previous : [previous]), ...[value.right].flat()]
    } else {
      args[key] = value.right
    }
    repeated.add(key)
  }
  // a value that could not be read is not also "required"
  problems.push(
    ...validate(args, tool.inputSchema).filter((problem) =>
      ![...unreadable].some((key) => problem === `"${key}" is required`)
    )
  )
  return problems.length === 0 ? Either.right(args) : fail(problems)
}

/**
 * How a prompt's arguments look.
 *
 * @since 0.1.0
 * @category rendering
 */
export const promptHelp = (prompt: McpSchema.Prompt): string => {
  const args = prompt.arguments ?? []
  if (args.length === 0) return `Prompt "${prompt.name}" takes no arguments.`
  return `Arguments of prompt "${prompt.name}" (key=value, or --args '<json object of strings>'):\n` +
    Output.table(args, [
      { header: "argument", get: (arg) => arg.name },
      { header: "required", get: (arg) => (arg.required === true ? "yes" : "no") },
      { header: "description", get: (arg) => arg.description ?? "", flexible: true }
    ]).split("\n").map((row) => `  ${row}`).join("\n")
}

/**
 * A prompt's arguments (all strings) from `--args` and `key=value` pairs,
 * checked against the arguments it declares.
 *
 * @since 0.1.0
 * @category parsing
 */
export const forPrompt = (
  prompt: McpSchema.Prompt,
  pairs: ReadonlyArray<string>,
  json: string | undefined
): Either.Either<Record<string, string>, UsageError> => {
  const fail = (problems: ReadonlyArray<string>) =>
    Either.left(badArguments(`prompt "${prompt.name}"`, problems, promptHelp(prompt), prompt.arguments ?? []))
  const base = fromJsonOption(json)
  if (Either.isLeft(base)) return fail([base.left])
  const problems: Array<string> = []
  const args: Record<string, string> = {}
  for (const [key, value] of Object.entries(base.right)) {
    if (typeof value === "string") args[key] = value
    else problems.push(`"${key}" must be a string (prompt arguments are strings)`)
  }
  for (const word of pairs) {
    const pair = splitPair(word)
    if (Either.isLeft(pair)) problems.push(pair.left)
    else args[pair.right.key] = pair.right.raw
  }
  const declared = prompt.arguments ?? []
  for (const arg of declared) {
    if (arg.required === true && !(arg.name in args)) problems.push(`"${arg.name}" is required`)
  }
  for (const key of Object.keys(args)) {
    if (!declared.some((arg) => arg.name === key)) {
      problems.push(`"${key}" is not an argument (known: ${declared.map((arg) => arg.name).join(", ") || "none"})`)
    }
  }
  return problems.length === 0 ? Either.right(args) : fail(problems)
}

/**
 * `key=value` pairs as a record of strings (for `complete --context`).
 *
 * @since 0.1.0
 * @category parsing
 */
export const stringPairs = (pairs: ReadonlyArray<string>): Either.Either<Record<string, string>, UsageError> => {
  const result: Record<string, string> = {}
  for (const word of pairs) {
    const pair = splitPair(word)
    if (Either.isLeft(pair)) return Either.left(new UsageError({ message: pair.left }))
    result[pair.right.key] = pair.right.raw
  }
  return Either.right(result)
}
