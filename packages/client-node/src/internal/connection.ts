/**
 * The connection as the answer reader and the stream opener see it: its
 * state, its inbox, the requests the client waits for, and the means to send
 * and to describe failures that the transport keeps to itself (its agent,
 * headers and credentials). Passed explicitly, so that each part shows what
 * it uses and what it changes.
 *
 * @internal
 */
import type { ProtocolError, TransportError } from "@effect-mcp/client/McpError"
import type * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Transport from "@effect-mcp/client/Transport"
import type * as Http from "node:http"
import * as Bodies from "./bodies.js"

/** @internal The headers that carry the credentials of one request (`Authorization`, and `DPoP` with a bound token). */
export type Authorization = Readonly<Record<string, string>> | undefined

/**
 * One request the client waits for: its current HTTP request (the POST, or
 * the GET that resumes its event stream), until it is answered, failed, or
 * abandoned.
 *
 * @internal
 */
export interface Call {
  readonly id: McpSchema.RequestId
  outgoing: Http.ClientRequest | undefined
  over: boolean
  /** Lets a `send` still waiting to write return: the call ended first. */
  release: (() => void) | undefined
}

/**
 * What changes while the connection lives, in one place rather than in
 * variables of a closure: each part reads it when it acts, never a copy.
 *
 * @internal
 */
export interface State {
  /** False once the transport closes: nothing is sent, reported or opened again. */
  open: boolean
  sessionId: string | undefined
  protocolVersion: string | undefined
  /** The server's last `retry:`, which spaces the GETs of event streams. */
  retryMillis: number
  /** The event streams open in answer to notifications (bounded). */
  otherStreams: number
}

/**
 * One HTTP request on the transport's agent. `onWritten` runs once the whole
 * request is handed to the socket; `onRequest` with each request made (one
 * that went again on a new socket included).
 *
 * @internal
 */
export interface RequestOptions {
  readonly method: string
  readonly extra: Record<string, string>
  readonly onResponse: (response: Http.IncomingMessage) => void
  readonly onError: (error: NodeJS.ErrnoException) => void
  readonly onWritten?: (() => void) | undefined
  readonly onRequest?: ((outgoing: Http.ClientRequest) => void) | undefined
  readonly body?: string | undefined
  readonly authorization?: Authorization
}

/**
 * Made once per transport; its reading part (`Bodies.Reading`) counts the
 * bytes received and keeps the timers that close clears.
 *
 * @internal
 */
export interface Connection extends Bodies.Reading {
  /** The server's URL, for messages (without credentials). */
  readonly where: string
  /** `Transport.MaxMessageBytes` */
  readonly limit: number
  readonly state: State
  readonly inbox: Transport.Inbox
  /** Takes any credential out of a text from the server. */
  readonly redact: (text: string) => string
  /** Ends a call: answered, or no longer waited for. */
  readonly endCall: (call: Call) => void
  /**
   * That request's answer cannot come: it fails alone, the session lives on;
   * `resend`: it was lost on its way, and may be sent again.
   */
  readonly failCall: (call: Call, error: TransportError | ProtocolError, resend?: boolean) => void
  readonly request: (options: RequestOptions) => void
  /** Runs `go` with the provider's current token (none without an `authProvider`). */
  readonly withAuthorization: (method: string, go: (authorization: Authorization) => void) => void
  /** With an `authProvider`: after a refused token, true when the request may go again. */
  readonly recover:
    | ((status: number, response: Http.IncomingMessage, sent: Authorization) => Promise<boolean>)
    | undefined
  readonly authorizationFailed: (cause: unknown) => TransportError
  readonly describeNetworkError: (error: NodeJS.ErrnoException) => TransportError
  /** An HTTP error status, with its redirect, content type and a preview of its body. */
  readonly describeStatus: (response: Http.IncomingMessage, preview: string) => TransportError
}

/** @internal The revision spoken keeps no session (2026-07-28 and later). */
export const stateless = (state: State): boolean => Transport.isStateless(state.protocolVersion)

/** @internal The session the server named, while the revision spoken has sessions. */
export const session = (state: State): string | undefined => stateless(state) ? undefined : state.sessionId

/** @internal An HTTP error status described with the first bytes of its body. */
export const statusFailure = (
  connection: Connection,
  response: Http.IncomingMessage,
  done: (error: TransportError) => void
): void => Bodies.readPreview(connection, response, (preview) => done(connection.describeStatus(response, preview)))
