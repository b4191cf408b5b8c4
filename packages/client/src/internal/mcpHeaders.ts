/**
 * The request headers the Streamable HTTP transport of MCP 2026-07-28 mirrors
 * from the JSON-RPC body so that load balancers and gateways can route
 * without parsing it (SEP-2243): `Mcp-Method`, `Mcp-Name`, and one
 * `Mcp-Param-{Name}` per tool argument the server annotated with
 * `x-mcp-header`.
 *
 * Spec: `basic/transports/streamable-http.mdx` §Request Metadata and
 * `server/tools.mdx` §x-mcp-header. Pure: the transport sets the headers, the
 * session drops the tools `toolHeaders` finds invalid.
 *
 * @internal
 */
import * as Encoding from "effect/Encoding"

const sentinelPrefix = "=?base64?"
const sentinelSuffix = "?="

// space and visible ASCII only: HTAB (0x09) is a control character, encoded like the others
const plainAscii = /^[\x20-\x7e]*$/

/**
 * The value as is when it survives an HTTP field unchanged, else
 * `=?base64?{standard Base64 of its UTF-8}?=`. An empty value is sent empty.
 *
 * @internal
 */
export const encodeHeaderValue = (value: string): string =>
  isPlain(value) ? value : `${sentinelPrefix}${Encoding.encodeBase64(value)}${sentinelSuffix}`

const isPlain = (value: string): boolean =>
  // §Value Encoding: non-ASCII and control characters (0x00-0x1F, 0x7F) are encoded
  plainAscii.test(value) &&
  // §Value Encoding: HTTP parsers strip leading and trailing whitespace
  !value.startsWith(" ") && !value.endsWith(" ") &&
  // §Value Encoding: a literal that looks like the sentinel is encoded too, or a reader would decode it
  !(value.startsWith(sentinelPrefix) && value.endsWith(sentinelSuffix))

// §Standard Request Headers (tools/call, prompts/get, resources/read); the
// tasks/* rows are the Tasks extension's (SEP-2663 §Streamable HTTP: Routing Headers)
const nameSources: ReadonlyMap<string, string> = new Map([
  ["tools/call", "name"],
  ["prompts/get", "name"],
  ["resources/read", "uri"],
  ["tasks/get", "taskId"],
  ["tasks/update", "taskId"],
  ["tasks/cancel", "taskId"]
])

/**
 * `Mcp-Method` for every request, and `Mcp-Name` from the body field the spec
 * names for `method` (`params.name`, `params.uri` or `params.taskId`),
 * encoded when it is not header-safe.
 *
 * @internal
 */
export const methodHeaders = (method: string, params: unknown): Record<string, string> => {
  // the sentinel is allowed only on Mcp-Name and Mcp-Param-*: the method is ours and is sent as is
  const headers: Record<string, string> = { "Mcp-Method": method }
  const field = nameSources.get(method)
  if (field === undefined || typeof params !== "object" || params === null) return headers
  const name = (params as Record<string, unknown>)[field]
  // without its name the request is malformed: the server says so, better than a made-up header
  if (typeof name === "string") headers["Mcp-Name"] = encodeHeaderValue(name)
  return headers
}

/**
 * An `Mcp-Param-{Name}` header and where its value sits in the arguments.
 *
 * @internal
 */
export interface ParamHeader {
  /** The full header name, `Mcp-Param-` then the annotation as the server spelled it. */
  readonly header: string
  /** The `properties` keys from the arguments root to the value: nested properties may be annotated. */
  readonly path: ReadonlyArray<string>
}

const annotation = "x-mcp-header"

// RFC 9110 §5.6.2: token = 1*tchar
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// eslint-disable-next-line no-control-regex
const controlCharacter = /[\x00-\x1f\x7f]/
const headerTypes: ReadonlySet<unknown> = new Set(["string", "integer", "boolean"])

// JSON Schema 2020-12 applicators other than `properties` (plus their draft-07
// spellings): a subschema under any of them is off the `properties`-only chain.
// Instance data (`default`, `examples`, `const`, `enum`) holds no annotations,
// and `$ref` is never followed: its local targets live under `$defs`, which is walked.
const oneSchema: ReadonlySet<string> = new Set([
  "items",
  "additionalItems",
  "contains",
  "unevaluatedItems",
  "additionalProperties",
  "unevaluatedProperties",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
  "contentSchema"
])
const schemaList: ReadonlySet<string> = new Set(["allOf", "anyOf", "oneOf", "prefixItems", "items"])
const schemaMap: ReadonlySet<string> = new Set([
  "patternProperties",
  "dependentSchemas",
  "dependencies",
  "$defs",
  "definitions"
])

// how a schema was reached from its parent, kept as a link to it: a path
// copied at every level would cost quadratic time in a deep schema
interface Step {
  readonly parent: Step | undefined
  /** The JSON Pointer segments from the parent, for messages. */
  readonly segments: ReadonlyArray<string>
  /** The property name when the step went through `properties`. */
  readonly property: string | undefined
}

interface Position {
  readonly schema: object
  readonly step: Step | undefined
  /** Whether every step from the root went through `properties`. */
  readonly reachable: boolean
}

const subschemas = (at: Position): Array<Position> => {
  const children: Array<Position> = []
  const push = (schema: unknown, segments: ReadonlyArray<string>, property?: string) => {
    if (typeof schema === "object" && schema !== null && !Array.isArray(schema)) {
      const step = { parent: at.step, segments, property }
      children.push({ schema, step, reachable: at.reachable && property !== undefined })
    }
  }
  for (const [keyword, value] of Object.entries(at.schema)) {
    if (typeof value !== "object" || value === null) continue
    if (keyword === "properties" && !Array.isArray(value)) {
      for (const [name, schema] of Object.entries(value)) push(schema, [keyword, name], name)
    } else if (Array.isArray(value)) {
      if (schemaList.has(keyword)) value.forEach((schema, i) => push(schema, [keyword, String(i)]))
    } else if (oneSchema.has(keyword)) {
      push(value, [keyword])
    } else if (schemaMap.has(keyword)) {
      for (const [name, schema] of Object.entries(value)) push(schema, [keyword, name])
    }
  }
  return children
}

const stepsTo = (step: Step | undefined): Array<Step> => {
  const steps: Array<Step> = []
  for (let s = step; s !== undefined; s = s.parent) steps.push(s)
  return steps.reverse()
}

const pointerTo = (step: Step | undefined): string =>
  stepsTo(step).flatMap((s) => s.segments).reduce(
    (pointer, segment) => `${pointer}/${segment.replaceAll("~", "~0").replaceAll("/", "~1")}`,
    "#"
  )

const describeType = (type: unknown): string => type === undefined ? "no type" : `type ${JSON.stringify(type)}`

/**
 * The `Mcp-Param-*` headers a tool's `inputSchema` asks for, or why the tool
 * must be left out of `tools/list`: every `x-mcp-header` annotation must be a
 * non-empty, case-insensitively unique RFC 9110 token without control
 * characters, on a `string`, `integer` or `boolean` property reachable from
 * the root through `properties` alone.
 *
 * @internal
 */
export const toolHeaders = (
  tool: { readonly name: string; readonly inputSchema?: unknown }
): { readonly headers: ReadonlyArray<ParamHeader> } | { readonly invalid: string } => {
  const root = tool.inputSchema
  if (typeof root !== "object" || root === null) return { headers: [] }
  const headers: Array<ParamHeader> = []
  const seen = new Map<string, string>()
  // a stack, not recursion: the schema comes from the server and may be nested arbitrarily deep
  const stack: Array<Position> = [{ schema: root, step: undefined, reachable: true }]
  while (stack.length > 0) {
    const at = stack.pop()!
    // children pushed last-first, so the first problem reported is the first in the document
    const children = subschemas(at)
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i])
    if (!Object.hasOwn(at.schema, annotation)) continue
    const schema = at.schema as Record<string, unknown>
    const name = schema[annotation]
    const reject = (where: string, rule: string) => ({
      invalid: `tool ${JSON.stringify(tool.name)}: ${annotation} ${JSON.stringify(name)} ${where} ${rule}`
    })
    // §Schema Extension: only on properties statically reachable through `properties` keys
    if (!at.reachable || at.step === undefined) {
      return reject(
        `at ${pointerTo(at.step)}`,
        "is not on a property reachable from the root through \"properties\" alone " +
          "(not through items, oneOf/anyOf/allOf/not, if/then/else, $ref or $defs)"
      )
    }
    const path = stepsTo(at.step).map((s) => s.property!)
    const property = path.join(".")
    const onProperty = `on property ${JSON.stringify(property)}`
    // §Schema Extension: a value that could become a header name must at least be a string
    if (typeof name !== "string") return reject(onProperty, "must be a string")
    // §Schema Extension: MUST NOT be empty
    if (name.length === 0) return reject(onProperty, "must not be empty")
    // §Schema Extension: MUST NOT contain control characters, CR and LF included
    if (controlCharacter.test(name)) return reject(onProperty, "must not contain control characters")
    // §Schema Extension: MUST match field-name token syntax (1*tchar, RFC 9110)
    if (!token.test(name)) {
      return reject(onProperty, "is not an HTTP token (RFC 9110 tchar: no spaces, delimiters or non-ASCII)")
    }
    // §Schema Extension: only integer, string or boolean; `number` is not permitted
    if (!headerTypes.has(schema.type)) {
      return reject(
        onProperty,
        `must be on a "string", "integer" or "boolean" property (it has ${describeType(schema.type)})`
      )
    }
    // §Schema Extension: MUST be case-insensitively unique within the inputSchema
    const other = seen.get(name.toLowerCase())
    if (other !== undefined) {
      return reject(onProperty, `duplicates the one on property ${JSON.stringify(other)} (compared case-insensitively)`)
    }
    seen.set(name.toLowerCase(), property)
    headers.push({ header: `Mcp-Param-${name}`, path })
  }
  return { headers }
}

const valueAt = (args: unknown, path: ReadonlyArray<string>): unknown => {
  let value = args
  for (const key of path) {
    // own keys only: a property named "constructor" must not find Object's
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) {
      return undefined
    }
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

// §Value Encoding, type conversion. A value of another type than the schema's
// is still mirrored as the body carries it, so the header matches the body and
// the server can reject the arguments themselves, rather than answer -32020
const headerText = (value: unknown): string | undefined => {
  switch (typeof value) {
    case "string":
      return value
    case "boolean":
      return value ? "true" : "false"
    case "number":
      // NaN and Infinity reach the body as null, so there is no value to mirror
      if (!Number.isFinite(value)) return undefined
      // decimal digits even from 1e21 on, where String() switches to exponent notation
      return Number.isInteger(value) ? BigInt(value).toString() : String(value)
    default:
      // objects and arrays have no header form (annotations are on primitives only)
      return undefined
  }
}

/**
 * The `Mcp-Param-*` headers for one `tools/call`: for each annotated argument
 * present, strings as is, integers in decimal, booleans as `true` / `false`,
 * encoded when not header-safe. A null or absent argument has no header.
 *
 * @internal
 */
export const paramHeaders = (
  params: ReadonlyArray<ParamHeader>,
  args: Readonly<Record<string, unknown>> | undefined
): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const { header, path } of params) {
    const text = headerText(valueAt(args, path))
    if (text !== undefined) headers[header] = encodeHeaderValue(text)
  }
  return headers
}
