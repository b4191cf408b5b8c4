/**
 * Structural checks for the results on the hot path (`tools/call`,
 * `tools/list`). A result that passes is already what the Schema decode
 * (`onExcessProperty: "preserve"`) would give; anything else, including
 * anything these checks are not sure of, goes through the full decode, which
 * gives the value or the error. `test/FastDecode.test.ts` holds them to that.
 *
 * Inputs are what `JSON.parse` makes: plain objects and arrays (no class
 * instances), no symbol keys, no accessors.
 *
 * @internal
 */
import type * as McpSchema from "./schema.js"

const hasOwn = Object.prototype.hasOwnProperty

// The decode copies a struct or record into a new plain object, key by key:
// an own "__proto__" key (JSON.parse makes one) would set the copy's
// prototype instead, and a null prototype would be lost. Such objects are left
// to the decode. (Comparing the prototype with Object.prototype, which also
// turns away class instances JSON.parse never makes, doubled the cost of a
// tools/list; `instanceof` costs next to nothing.)
const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u) && u instanceof Object && !hasOwn.call(u, "__proto__")

const optionalRecord = (u: unknown) => u === undefined || isRecord(u)
const optionalString = (u: unknown) => u === undefined || typeof u === "string"
const optionalNumber = (u: unknown) => u === undefined || typeof u === "number"

const optionalStrings = (u: unknown): boolean => {
  if (u === undefined) return true
  if (!Array.isArray(u)) return false
  for (let i = 0; i < u.length; i++) if (typeof u[i] !== "string") return false
  return true
}

const optionalAnnotations = (u: unknown): boolean =>
  u === undefined ||
  (isRecord(u) && optionalStrings(u.audience) && optionalNumber(u.priority) && optionalString(u.lastModified))

const isIcon = (u: unknown): boolean =>
  isRecord(u) && typeof u.src === "string" && optionalString(u.mimeType) && optionalStrings(u.sizes) &&
  optionalString(u.theme)

const optionalIcons = (u: unknown): boolean => {
  if (u === undefined) return true
  if (!Array.isArray(u)) return false
  for (let i = 0; i < u.length; i++) if (!isIcon(u[i])) return false
  return true
}

// the union tries text, then blob: either one fitting is enough
const isResourceContents = (u: unknown): boolean =>
  isRecord(u) && typeof u.uri === "string" && optionalString(u.mimeType) && optionalRecord(u._meta) &&
  (typeof u.text === "string" || typeof u.blob === "string")

const isResourceLink = (u: Record<string, unknown>): boolean =>
  typeof u.uri === "string" && typeof u.name === "string" && optionalString(u.title) &&
  optionalString(u.description) && optionalString(u.mimeType) && optionalNumber(u.size) &&
  optionalAnnotations(u.annotations) && optionalIcons(u.icons)

const isContentBlock = (u: unknown): boolean => {
  if (!isRecord(u) || !optionalRecord(u._meta)) return false
  switch (u.type) {
    case "text":
      return typeof u.text === "string" && optionalAnnotations(u.annotations)
    case "image":
    case "audio":
      return typeof u.data === "string" && typeof u.mimeType === "string" && optionalAnnotations(u.annotations)
    case "resource":
      return isResourceContents(u.resource) && optionalAnnotations(u.annotations)
    case "resource_link":
      return isResourceLink(u)
    default:
      return false
  }
}

/** @internal */
export const callToolResult = (u: unknown): McpSchema.CallToolResult | undefined => {
  if (!isRecord(u) || !optionalRecord(u._meta)) return undefined
  if (u.isError !== undefined && typeof u.isError !== "boolean") return undefined
  const content = u.content
  // the Schema's default for a missing (or undefined) content
  if (content === undefined) return { ...u, content: [] } as McpSchema.CallToolResult
  if (!Array.isArray(content)) return undefined
  for (let i = 0; i < content.length; i++) if (!isContentBlock(content[i])) return undefined
  return u as McpSchema.CallToolResult
}

const isTool = (u: unknown): boolean =>
  isRecord(u) && typeof u.name === "string" && isRecord(u.inputSchema) && optionalRecord(u.outputSchema) &&
  optionalString(u.title) && optionalString(u.description) && optionalRecord(u.annotations) &&
  optionalRecord(u.execution) && optionalRecord(u._meta) && optionalIcons(u.icons)

/** @internal */
export const listToolsResult = (u: unknown): McpSchema.ListToolsResult | undefined => {
  if (!isRecord(u) || !Array.isArray(u.tools) || !optionalString(u.nextCursor) || !optionalRecord(u._meta)) {
    return undefined
  }
  const tools = u.tools
  for (let i = 0; i < tools.length; i++) if (!isTool(tools[i])) return undefined
  return u as McpSchema.ListToolsResult
}
