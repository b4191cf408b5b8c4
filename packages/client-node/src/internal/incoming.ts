/**
 * What the server sends, into the client's inbox: the JSON-RPC messages of a
 * body or of an event stream's events, with any echoed secret taken out, and
 * noticed when one answers the request waited for.
 *
 * @internal
 */
import { isProtocolError, ProtocolError, type TransportError } from "@effect-mcp/client/McpError"
import * as Transport from "@effect-mcp/client/Transport"
import * as Predicate from "effect/Predicate"
import type * as Http from "node:http"
import type { Call, Connection } from "./connection.js"
import * as Events from "./events.js"
import { answers } from "./messages.js"

// the error texts of what `parseJson` refused, with any echoed secret taken out
const redactFrame = (frame: unknown, redact: (text: string) => string): unknown => {
  if (isProtocolError(frame)) {
    const detail = redact(frame.description)
    return detail === frame.description
      ? frame
      : new ProtocolError({ reason: frame.reason, description: detail, cause: frame.cause })
  }
  if (frame instanceof Transport.RequestFailure) {
    const error = redactFrame(frame.error, redact) as ProtocolError | TransportError
    return error === frame.error ? frame : new Transport.RequestFailure(frame.id, error, frame.resend)
  }
  return frame
}

// a request of the server's on a request's answer stream is that request's (for traces)
const relate = (message: unknown, call: Call) => {
  if (Predicate.isRecord(message) && typeof message.method === "string" && "id" in message) {
    Transport.markRelated(message, call.id)
  }
}

/**
 * Pushes the JSON-RPC messages in `text`; true when one answers `watch`.
 * Text that is not JSON is reported (one bad event of a stream may be
 * followed by the answer), or fails `failing`, a request whose whole body it
 * is.
 *
 * @internal
 */
export const pushJson = (
  connection: Connection,
  text: string,
  what: string,
  watch?: Call,
  failing?: Call
): boolean => {
  const inbox = connection.inbox
  const value = redactFrame(Transport.parseJson(text, what), connection.redact)
  if (isProtocolError(value)) {
    if (failing === undefined) inbox.push(value)
    else connection.failCall(failing, value)
    return false
  }
  if (value instanceof Transport.RequestFailure) {
    inbox.push(value)
    return watch !== undefined && value.id === watch.id
  }
  if (!Array.isArray(value)) {
    if (watch !== undefined) relate(value, watch)
    inbox.push(value)
    return watch !== undefined && answers(value, watch.id)
  }
  let answered = false
  for (const message of value) {
    if (watch !== undefined) {
      if (answers(message, watch.id)) answered = true
      relate(message, watch)
    }
    inbox.push(message)
  }
  return answered
}

/**
 * An event stream whose message events are JSON-RPC messages, pushed as they
 * come; its `retry:` spaces the GETs of every event stream after it.
 *
 * @internal
 */
export const readEvents = (
  connection: Connection,
  response: Http.IncomingMessage,
  watch: Call | undefined,
  onEnd: (end: Events.End) => void
): void =>
  Events.readEvents(connection, response, {
    limit: connection.limit,
    onMessage: (data) => pushJson(connection, data, "an event from the server", watch),
    onRetry: (millis) => {
      connection.state.retryMillis = millis
    }
  }, onEnd)
