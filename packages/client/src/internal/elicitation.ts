/**
 * Checks a form elicitation answer against the server's requested schema (a
 * flat object of primitive properties) and fills in defaults.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type * as McpSchema from "./schema.js"

type Value = string | number | boolean | ReadonlyArray<string>
type Property = Readonly<Record<string, unknown>>

const enumValues = (property: Property): ReadonlyArray<unknown> | undefined => {
  if (Array.isArray(property.enum)) return property.enum
  const options = Array.isArray(property.oneOf) ? property.oneOf : Array.isArray(property.anyOf) ? property.anyOf : []
  const consts = options.flatMap((option: unknown) =>
    typeof option === "object" && option !== null && "const" in option ? [(option as { const: unknown }).const] : []
  )
  return consts.length > 0 ? consts : undefined
}

/** @internal */
export const checkValue = (name: string, property: Property, value: unknown): string | undefined => {
  const type = property.type
  if (type === "string") {
    if (typeof value !== "string") return `"${name}" must be a string`
    if (typeof property.minLength === "number" && value.length < property.minLength) {
      return `"${name}" must have at least ${property.minLength} characters`
    }
    if (typeof property.maxLength === "number" && value.length > property.maxLength) {
      return `"${name}" must have at most ${property.maxLength} characters`
    }
    const allowed = enumValues(property)
    if (allowed !== undefined && !allowed.includes(value)) return `"${name}" must be one of ${allowed.join(", ")}`
    if (property.format === "email" && !/^[^@\s]+@[^@\s]+$/.test(value)) return `"${name}" must be an email address`
    if (property.format === "uri" && !URL.canParse(value)) return `"${name}" must be a URI`
    if ((property.format === "date" || property.format === "date-time") && Number.isNaN(Date.parse(value))) {
      return `"${name}" must be a ${property.format}`
    }
    return undefined
  }
  if (type === "number" || type === "integer") {
    if (typeof value !== "number" || Number.isNaN(value)) return `"${name}" must be a number`
    if (type === "integer" && !Number.isInteger(value)) return `"${name}" must be an integer`
    if (typeof property.minimum === "number" && value < property.minimum) {
      return `"${name}" must be at least ${property.minimum}`
    }
    if (typeof property.maximum === "number" && value > property.maximum) {
      return `"${name}" must be at most ${property.maximum}`
    }
    return undefined
  }
  if (type === "boolean") return typeof value === "boolean" ? undefined : `"${name}" must be true or false`
  if (type === "array") {
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
      return `"${name}" must be a list of strings`
    }
    const items = typeof property.items === "object" && property.items !== null ? property.items as Property : {}
    const allowed = enumValues(items)
    const wrong = allowed === undefined ? undefined : value.find((item) => !allowed.includes(item))
    if (wrong !== undefined) return `"${name}" has "${wrong}", which is not one of ${allowed!.join(", ")}`
    if (typeof property.minItems === "number" && value.length < property.minItems) {
      return `"${name}" needs at least ${property.minItems} choices`
    }
    if (typeof property.maxItems === "number" && value.length > property.maxItems) {
      return `"${name}" allows at most ${property.maxItems} choices`
    }
    return undefined
  }
  return undefined
}

/**
 * The accepted content with defaults applied, or why it does not fit.
 *
 * @internal
 */
export const checkAnswer = (
  schema: (typeof McpSchema.ElicitFormParams.Type)["requestedSchema"],
  content: Readonly<Record<string, unknown>>
): Either.Either<Record<string, Value>, string> => {
  const problems: Array<string> = []
  const result: Record<string, Value> = {}
  const required = new Set(schema.required ?? [])
  for (const name of Object.keys(content)) {
    if (!(name in schema.properties)) problems.push(`"${name}" is not a field of the form`)
  }
  for (const [name, property] of Object.entries(schema.properties)) {
    const value = content[name] ?? property.default
    if (value === undefined) {
      if (required.has(name)) problems.push(`"${name}" is required`)
      continue
    }
    const problem = checkValue(name, property, value)
    if (problem !== undefined) problems.push(problem)
    else result[name] = value as Value
  }
  return problems.length === 0 ? Either.right(result) : Either.left(problems.join("; "))
}
