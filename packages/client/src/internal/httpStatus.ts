/**
 * HTTP refusals as `TransportError`s, and credentials kept out of every error
 * text. Shared by the HTTP transports of this package and of the platform
 * packages (through `HttpTransport`) and by the SDK bridge.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Predicate from "effect/Predicate"
import type { Credentials } from "../HttpTransport.js"
import { isProtocolError, isTransportError, TransportError } from "./errors.js"

const minSecretLength = 4

/** @internal */
export const redact = (text: string, credentials: Credentials | undefined): string => {
  if (credentials === undefined || credentials.secrets.size === 0) return text
  let result = text
  for (const secret of credentials.secrets) {
    if (secret.length < minSecretLength) continue
    result = result.split(secret).join("[redacted]")
    const encoded = encodeURIComponent(secret)
    if (encoded !== secret) result = result.split(encoded).join("[redacted]")
  }
  return result
}

/** @internal */
export const redactCause = (cause: unknown, credentials: Credentials | undefined): unknown => {
  if (credentials === undefined || credentials.secrets.size === 0 || cause === undefined) return cause
  if (isProtocolError(cause) || isTransportError(cause)) return cause
  const text = cause instanceof Error ? `${describeCause(cause)}\n${cause.stack ?? ""}` : String(cause)
  if (redact(text, credentials) === text) return cause
  const copy = new Error(redact(describeCause(cause), credentials))
  copy.name = cause instanceof Error ? cause.name : "Error"
  copy.stack = `${copy.name}: ${copy.message}`
  return copy
}

// The JSON-RPC error in the text of a refused HTTP request (the SDK puts the
// body in its message), as the answer to request `id`.

/** @internal */
export const unauthorizedAdvice = (kind: Credentials["kind"] | undefined): string => {
  switch (kind) {
    case "provider":
      return "Sign in again (clear the client's stored tokens)"
    case "static":
      return "Check the bearer token and headers you gave the client"
    case "none":
      return "The server requires credentials; none were given (give a bearer token, headers or an auth provider)"
    default:
      return "Check the client's credentials"
  }
}

/** @internal */
export const httpStatusError = (options: {
  readonly status: number
  readonly detail: string
  readonly sessionId?: string | undefined
  readonly cause?: unknown
  readonly credentials?: Credentials | undefined
  /** The endpoint asked: a 404 at a server's root gets a hint toward the usual paths. */
  readonly url?: URL | undefined
}): TransportError => {
  const { credentials, sessionId, status } = options
  const detail = redact(options.detail, credentials)
  const cause = redactCause(options.cause, credentials)
  if (status === 401 || status === 403) {
    return new TransportError({
      reason: "Unauthorized",
      description: `${detail}. ${unauthorizedAdvice(credentials?.kind)}`,
      cause
    })
  }
  if (status === 404 && sessionId !== undefined) {
    return new TransportError({
      reason: "SessionExpired",
      description: `the server answered HTTP 404 for session ${sessionId}; start a new session`,
      cause
    })
  }
  const hint = status === 404 && options.url !== undefined && /^\/*$/.test(options.url.pathname)
    ? `. MCP servers usually answer at a path: try ${options.url.origin}/mcp (Streamable HTTP) or ` +
      `${options.url.origin}/sse (legacy SSE)`
    : ""
  return new TransportError({ reason: "Write", description: `${detail}${hint}`, cause })
}

// the SDK's UnauthorizedError, its OAuth errors (invalid_grant, ...), a refused authorization

/** @internal */
export const describeCause = (cause: unknown): string => {
  if (Cause.isCause(cause)) return Cause.pretty(cause)
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? ` (${describeCause(cause.cause)})` : ""
    const code = Predicate.hasProperty(cause, "code") && typeof cause.code === "string" ? ` [${cause.code}]` : ""
    return `${cause.message}${code}${inner}`
  }
  return String(cause)
}
