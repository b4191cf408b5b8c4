/**
 * The pieces of HTTP messages the Node transport reads and writes: the
 * headers it sends, the statuses and JSON-RPC answers it recognises, previews
 * of bodies it cannot use.
 *
 * @internal
 */
import { TransportError } from "@effect-mcp/client/McpError"
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Predicate from "effect/Predicate"
import * as Http from "node:http"

/** @internal */
export const headerValue = (value: string | ReadonlyArray<string> | undefined): string | undefined =>
  typeof value === "string" ? value : value?.[0]

/** @internal A token refused: missing or expired (401), or without the scope the request needs (403). */
export const refusedToken = (status: number): boolean => status === 401 || status === 403

// Headers the transport sets itself: per-message headers never replace them
// (the credentials, the framing, the session and the version the transport
// was told).
const ownHeaders = new Set([
  "authorization",
  "dpop",
  "content-type",
  "accept",
  "mcp-session-id",
  "mcp-protocol-version",
  "last-event-id",
  "content-length",
  "transfer-encoding",
  "connection",
  "host"
])

// The per-message headers `send` was given, lower-cased, without those the
// transport sets itself; a name or value HTTP cannot carry is an error (the
// client sends such values in their `=?base64?...?=` form).
/** @internal */
export const messageHeaders = (
  given: Readonly<Record<string, string>> | undefined
): Record<string, string> | TransportError => {
  const result: Record<string, string> = {}
  if (given === undefined) return result
  for (const [name, value] of Object.entries(given)) {
    if (typeof value !== "string") continue
    const key = name.toLowerCase()
    if (ownHeaders.has(key)) continue
    try {
      Http.validateHeaderName(key)
      Http.validateHeaderValue(key, value)
    } catch (cause) {
      return new TransportError({
        reason: "Write",
        description: `the header ${JSON.stringify(name)} cannot be sent over HTTP: ${previewOf(JSON.stringify(value))}`,
        cause
      })
    }
    result[key] = value
  }
  return result
}

// A JSON-RPC error answer (`id` may be null when the server could not tell
// which request it refused)
/** @internal */
export const isErrorAnswer = (value: unknown): value is {
  readonly id: McpSchema.RequestId | null
  readonly error: { readonly code: number; readonly message: string }
} =>
  Predicate.isRecord(value) && value.jsonrpc === "2.0" && !("result" in value) &&
  (value.id === null || typeof value.id === "string" || typeof value.id === "number") &&
  Predicate.isRecord(value.error) && typeof value.error.code === "number" && Number.isInteger(value.error.code) &&
  typeof value.error.message === "string"

// every string of `value` passed through `f` (a parsed JSON value: no cycles, depth already bounded)
/** @internal */
export const mapStrings = (value: unknown, f: (text: string) => string): unknown => {
  if (typeof value === "string") return f(value)
  if (Array.isArray(value)) return value.map((inner) => mapStrings(inner, f))
  if (Predicate.isRecord(value)) {
    const result: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) result[key] = mapStrings(inner, f)
    return result
  }
  return value
}

// a server may send the id back as a string, or the answer inside a batch
/** @internal */
export const answers = (message: unknown, id: McpSchema.RequestId): boolean =>
  Array.isArray(message)
    ? message.some((inner) => answers(inner, id))
    : Predicate.isRecord(message) && (message.id === id || String(message.id) === String(id)) &&
      ("result" in message || "error" in message)

// a bounded, one-line preview of a body the client could not use
/** @internal */
export const previewOf = (text: string): string => {
  const line = text.replace(/\s+/g, " ").trim()
  return line.length > 300 ? `${line.slice(0, 300)}…` : line
}
