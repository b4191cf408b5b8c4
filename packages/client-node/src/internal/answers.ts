/**
 * What the server answers to a POST: a request's answer (JSON, or an event
 * stream resumed when it ends before it), an HTTP error that may carry a
 * JSON-RPC error, and what comes back to a message that expects no answer.
 *
 * @internal
 */
import { ProtocolError, TransportError } from "@effect-mcp/client/McpError"
import * as Transport from "@effect-mcp/client/Transport"
import type * as Http from "node:http"
import * as Bodies from "./bodies.js"
import { type Call, type Connection, session, stateless, statusFailure } from "./connection.js"
import * as Incoming from "./incoming.js"
import { isErrorAnswer, mapStrings, previewOf, refusedToken } from "./messages.js"
import * as Streams from "./streams.js"

const maxOtherStreams = 4
/** A refused answer's JSON body is read whole, up to this size (and `MaxMessageBytes`), for the JSON-RPC error it may carry. */
const maxErrorBodyBytes = 1024 * 1024
/** ... and for this long: a JSON error body that does not end by then is described with what came. */
const errorBodyWait = 1000

/**
 * A request refused with an HTTP error status: when the body is a JSON-RPC
 * error (in the stateless revision, -32022 for a version the server does not
 * speak, -32020 for headers that do not match the body, ...), that is the
 * request's answer (its id the request's when the server wrote null).
 * Refused credentials, and a session the server has forgotten, stay what
 * they are: a `TransportError` saying so.
 *
 * @internal
 */
export const refusal = (
  connection: Connection,
  response: Http.IncomingMessage,
  call: Call,
  done: (error: TransportError) => void
): void => {
  const status = response.statusCode ?? 0
  const expired = status === 404 && session(connection.state) !== undefined
  if (status < 400 || status > 599 || refusedToken(status) || expired) return statusFailure(connection, response, done)
  const json = /json/i.test(response.headers["content-type"] ?? "")
  Bodies.readShort(
    connection,
    response,
    json ? Math.min(connection.limit, maxErrorBodyBytes) : Bodies.maxPreviewBytes,
    json ? errorBodyWait : Bodies.previewWait,
    (text, whole) => {
      if (call.over) return
      const value = whole ? Transport.parseJson(text, "an error answer") : undefined
      if (
        isErrorAnswer(value) && (value.id === null || String(value.id) === String(call.id))
      ) {
        // the server may echo what the client sent, credentials included
        const error = mapStrings(value.error, connection.redact)
        connection.inbox.push({ jsonrpc: "2.0", id: call.id, error })
        return connection.endCall(call)
      }
      done(connection.describeStatus(response, previewOf(text.slice(0, Bodies.maxPreviewBytes))))
    }
  )
}

/**
 * The answer to a request's POST: JSON, or an event stream that may end
 * before the answer (resumed from its last event id when it has one; in the
 * stateless revision, which resumes nothing, the request is lost and the
 * client may send it again). Anything else fails the request, saying what
 * came.
 *
 * @internal
 */
export const readAnswer = (connection: Connection, response: Http.IncomingMessage, call: Call): void => {
  const { endCall, failCall, limit, redact, state, where } = connection
  const type = response.headers["content-type"] ?? ""
  const status = response.statusCode ?? 0
  if (type.startsWith("text/event-stream")) {
    return Incoming.readEvents(connection, response, call, (end) => {
      if (end.answered) return endCall(call)
      if (call.over || !state.open) return
      if (end.tooLarge) {
        return failCall(call, Transport.tooLarge(`an event of the answer to request ${call.id}`, limit))
      }
      if (stateless(state)) {
        return failCall(
          call,
          new TransportError({
            reason: "Read",
            description: `${where} ${end.clean ? "ended" : "broke off"} the event stream of request ${call.id} ` +
              `before answering it (revision ${state.protocolVersion} does not resume streams)`
          }),
          true
        )
      }
      if (end.lastEventId !== undefined) {
        return Streams.resume(connection, call, end.lastEventId)
      }
      failCall(
        call,
        new TransportError({
          reason: "Read",
          description: `${where} ${end.clean ? "ended" : "broke off"} the event stream of request ${call.id} ` +
            "before answering it"
        })
      )
    })
  }
  if (type.startsWith("application/json")) {
    return Bodies.readBody(connection, response, limit, ({ failure, text }) => {
      if (call.over) return
      if (failure === "TooLarge") {
        return failCall(call, Transport.tooLarge(`the answer to request ${call.id}`, limit))
      }
      if (failure === "Cut") {
        return failCall(
          call,
          new TransportError({
            reason: "Read",
            description: `${where} broke off the answer to request ${call.id} after ${
              Transport.formatBytes(Buffer.byteLength(text))
            } of JSON`
          })
        )
      }
      if (text.trim().length === 0) {
        return failCall(
          call,
          new ProtocolError({
            reason: "InvalidMessage",
            description: `${where} answered request ${call.id} with HTTP ${status} and an empty JSON body`
          })
        )
      }
      if (Incoming.pushJson(connection, text, `the answer to request ${call.id}`, call, call)) return endCall(call)
      if (call.over) return
      failCall(
        call,
        new ProtocolError({
          reason: "InvalidMessage",
          description: redact(
            `the JSON ${where} sent for request ${call.id} does not answer it: ${previewOf(text)}`
          )
        })
      )
    })
  }
  Bodies.readPreview(connection, response, (preview) =>
    failCall(
      call,
      new ProtocolError({
        reason: "InvalidMessage",
        description: redact(
          `${where} answered request ${call.id} with HTTP ${status} and content type ` +
            `"${type === "" ? "(none)" : type}"; expected application/json or text/event-stream` +
            (preview.length === 0 ? "" : `: ${preview}`)
        )
      })
    ))
}

/**
 * What the server said to a POST that expects no answer (a notification, or
 * the client's answer to a server request).
 * Event streams opened in answer to notifications (the specification says
 * 202): read, but only a few at once, or a server that never ends them would
 * take a socket for each notification.
 *
 * @internal
 */
export const readOther = (connection: Connection, response: Http.IncomingMessage): void => {
  const { inbox, limit, state } = connection
  const type = response.headers["content-type"] ?? ""
  if (type.startsWith("text/event-stream")) {
    if (state.otherStreams >= maxOtherStreams) {
      response.destroy()
      return inbox.push(
        new ProtocolError({
          reason: "InvalidMessage",
          description: `${connection.where} answered a notification with an event stream while ${maxOtherStreams} ` +
            "such streams were open; it was closed (a notification's answer is 202, with no body)"
        })
      )
    }
    state.otherStreams++
    response.once("close", () => {
      state.otherStreams--
    })
    return Incoming.readEvents(connection, response, undefined, (end) => {
      if (end.tooLarge) inbox.push(Transport.tooLarge("an event from the server", limit))
    })
  }
  if (type.startsWith("application/json")) {
    // some servers answer a notification with an empty 200 instead of 202
    return Bodies.readBody(connection, response, limit, ({ failure, text }) => {
      if (failure === "TooLarge") inbox.push(Transport.tooLarge("an answer to a notification", limit))
      else if (failure === undefined && text.trim().length > 0) {
        Incoming.pushJson(connection, text, "the answer to a notification")
      }
    })
  }
  response.resume()
}
