/**
 * Structural checks for the results on the hot path (`tools/call`,
 * `tools/list`). A result that passes is already the decoded value; one that
 * does not goes through the full Schema decode, which gives the error.
 *
 * @internal
 */
import type * as McpSchema from "../McpSchema.js"

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const optionalString = (u: unknown) => u === undefined || typeof u === "string"
const optionalObject = (u: unknown) => u === undefined || isObject(u)

const isResourceContents = (u: unknown): boolean =>
  isObject(u) && typeof u.uri === "string" && (typeof u.text === "string" || typeof u.blob === "string") &&
  optionalString(u.mimeType)

const isContentBlock = (u: unknown): boolean => {
  if (!isObject(u) || !optionalObject(u.annotations) || !optionalObject(u._meta)) return false
  switch (u.type) {
    case "text":
      return typeof u.text === "string"
    case "image":
    case "audio":
      return typeof u.data === "string" && typeof u.mimeType === "string"
    case "resource":
      return isResourceContents(u.resource)
    case "resource_link":
      return typeof u.uri === "string" && typeof u.name === "string"
    default:
      return false
  }
}

/** @internal */
export const callToolResult = (u: unknown): McpSchema.CallToolResult | undefined => {
  if (!isObject(u) || !optionalObject(u._meta)) return undefined
  if (u.isError !== undefined && typeof u.isError !== "boolean") return undefined
  const content = u.content
  if (content === undefined) return { ...u, content: [] } as McpSchema.CallToolResult
  if (!Array.isArray(content)) return undefined
  for (const block of content) if (!isContentBlock(block)) return undefined
  return u as McpSchema.CallToolResult
}

const isTool = (u: unknown): boolean =>
  isObject(u) && typeof u.name === "string" && isObject(u.inputSchema) && optionalObject(u.outputSchema) &&
  optionalString(u.title) && optionalString(u.description) && optionalObject(u.annotations) &&
  optionalObject(u.execution) && optionalObject(u._meta) && (u.icons === undefined || Array.isArray(u.icons))

/** @internal */
export const listToolsResult = (u: unknown): McpSchema.ListToolsResult | undefined => {
  if (!isObject(u) || !Array.isArray(u.tools) || !optionalString(u.nextCursor) || !optionalObject(u._meta)) {
    return undefined
  }
  for (const tool of u.tools) if (!isTool(tool)) return undefined
  return u as McpSchema.ListToolsResult
}
