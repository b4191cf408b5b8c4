/**
 * The typed errors of an MCP client, defined here so that the engine can make
 * them; `McpError` (public) re-exports them.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@effect-mcp/client/McpError")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

// The fields are typed wherever an error is made, so checking them again with
// Schema on construction only costs time (0.4 ms for the first error of a
// process, 19 µs each while the checker is cold). Decoding an error with its
// schema still checks them.
//
// The stack is formatted at once: until it is, V8 keeps the frames it was
// made in, with their closures, and an error a caller holds would keep the
// whole session alive (its transport, its buffers).
const unchecked = <C extends new(...args: Array<any>) => object>(Base: C): C =>
  class extends Base {
    constructor(...args: Array<any>) {
      super(args[0], args[1] ?? true)
      void (this as { stack?: string }).stack
    }
  }

/**
 * An operation was called while the client holds no session: it was closed, or
 * it was built for explicit connection and nobody has connected yet.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotConnected extends unchecked(
  Schema.TaggedError<NotConnected>("@effect-mcp/client/NotConnected")(
    "NotConnected",
    {
      operation: Schema.String,
      hint: Schema.String
    }
  )
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId

  /** @since 0.1.0 */
  override get message(): string {
    return `Cannot run "${this.operation}": the MCP client is not connected. ${this.hint}`
  }
}

/**
 * `tools/call` was answered with `isError: true`: the tool ran and reported a
 * failure (as opposed to the server rejecting the request).
 *
 * @since 0.1.0
 * @category errors
 */
export class ToolError extends unchecked(
  Schema.TaggedError<ToolError>("@effect-mcp/client/ToolError")("ToolError", {
    tool: Schema.String,
    content: Schema.Array(Schema.Unknown),
    structuredContent: Schema.optional(Schema.Unknown)
  })
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId

  /**
   * The text parts of the tool's result, joined by newlines.
   *
   * @since 0.1.0
   */
  get text(): string {
    return this.content
      .flatMap((part) =>
        Predicate.hasProperty(part, "type") && part.type === "text" && Predicate.hasProperty(part, "text") &&
          typeof part.text === "string"
          ? [part.text]
          : []
      )
      .join("\n")
  }

  /** @since 0.1.0 */
  override get message(): string {
    const text = this.text
    return `Tool "${this.tool}" reported an error${text.length > 0 ? `: ${text}` : " (no text content)"}`
  }
}

/**
 * The server answered a request with a JSON-RPC error.
 *
 * @since 0.1.0
 * @category errors
 */
export class McpRpcError extends unchecked(
  Schema.TaggedError<McpRpcError>("@effect-mcp/client/McpRpcError")("McpRpcError", {
    method: Schema.String,
    code: Schema.Number,
    description: Schema.String,
    data: Schema.optional(Schema.Unknown)
  })
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId

  /** @since 0.1.0 */
  override get message(): string {
    return `The server rejected "${this.method}" with JSON-RPC error ${this.code} (${
      rpcErrorName(this.code)
    }): ${this.description}${rpcErrorAdvice(this.code, this.data)}`
  }
}

// what a person can do about the errors of revision 2026-07-28
const rpcErrorAdvice = (code: number, data: unknown): string => {
  const record = typeof data === "object" && data !== null ? data as Record<string, unknown> : {}
  switch (code) {
    case -32021: {
      const required = record.requiredCapabilities
      return required === undefined
        ? ". Give the client the handler for the capability the server needs"
        : `. The server needs the client capabilities ${
          JSON.stringify(required)
        }: give the client the matching handler (sampling, elicitation, roots)`
    }
    case -32022:
      return Array.isArray(record.supported)
        ? `. The server speaks ${record.supported.join(", ")}; choose one with the client's "protocol" option`
        : ""
    case -32020:
      return ". A header the client sent disagrees with the message; the tool's definition may have changed"
    default:
      return ""
  }
}

const rpcErrorName = (code: number): string => {
  switch (code) {
    case -32700:
      return "parse error"
    case -32600:
      return "invalid request"
    case -32601:
      return "method not found"
    case -32602:
      return "invalid params"
    case -32603:
      return "internal error"
    case -32002:
      return "resource not found"
    case -32042:
      return "URL elicitation required"
    case -32020:
      return "header mismatch"
    case -32021:
      return "missing required client capability"
    case -32022:
      return "unsupported protocol version"
    default:
      return "server error"
  }
}

/**
 * A request passed its deadline. The client sent `notifications/cancelled`
 * for it (except for `initialize`, which the specification forbids cancelling).
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeoutError extends unchecked(
  Schema.TaggedError<TimeoutError>("@effect-mcp/client/TimeoutError")("TimeoutError", {
    method: Schema.String,
    timeout: Schema.Duration,
    kind: Schema.Literal("idle", "total")
  })
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId

  /** @since 0.1.0 */
  override get message(): string {
    const limit = Duration.format(this.timeout)
    return this.kind === "idle"
      ? `"${this.method}" got no response or progress within ${limit}; the request was cancelled. ` +
        `Raise the timeout for this call (option "timeout") if the server needs longer.`
      : `"${this.method}" did not finish within its total limit of ${limit}; the request was cancelled.`
  }
}

/**
 * Why a transport failed.
 *
 * @since 0.1.0
 * @category models
 */
export type TransportErrorReason =
  | "Spawn"
  | "Connect"
  | "Write"
  | "Read"
  | "Closed"
  | "SessionExpired"
  | "Unauthorized"

/**
 * The connection to the server failed: it could not be started or reached, a
 * write or read failed, it closed, or an HTTP session expired. For a stdio
 * server, `stderr` holds the last lines it printed.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends unchecked(
  Schema.TaggedError<TransportError>("@effect-mcp/client/TransportError")(
    "TransportError",
    {
      reason: Schema.Literal("Spawn", "Connect", "Write", "Read", "Closed", "SessionExpired", "Unauthorized"),
      description: Schema.String,
      stderr: Schema.optional(Schema.Array(Schema.String)),
      cause: Schema.optional(Schema.Defect)
    }
  )
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId

  /** @since 0.1.0 */
  override get message(): string {
    const tail = this.stderr !== undefined && this.stderr.length > 0
      ? `\nLast lines the server wrote to stderr:\n  ${this.stderr.join("\n  ")}`
      : ""
    return `${transportReasonText[this.reason]}: ${this.description}${tail}`
  }
}

const transportReasonText: Record<TransportErrorReason, string> = {
  Spawn: "Could not start the MCP server",
  Connect: "Could not connect to the MCP server",
  Write: "Could not send a message to the MCP server",
  Read: "Could not read from the MCP server",
  Closed: "The connection to the MCP server closed",
  SessionExpired: "The MCP server no longer knows this session",
  Unauthorized: "The MCP server refused the client's credentials"
}

/**
 * Why the server's messages broke the protocol.
 *
 * @since 0.1.0
 * @category models
 */
export type ProtocolErrorReason =
  | "Parse"
  | "InvalidMessage"
  | "InvalidResult"
  | "VersionMismatch"
  | "Unsupported"
  | "CursorLoop"
  | "TooLarge"
  | "InputRequired"

/**
 * The server broke the protocol: malformed JSON, a message of no known shape
 * (or nested too deep), a result that fails its schema, a protocol version
 * the client does not speak, an operation the server did not advertise, a
 * list cursor that repeats, or a message larger than `maxMessageBytes`.
 *
 * @since 0.1.0
 * @category errors
 */
export class ProtocolError extends unchecked(
  Schema.TaggedError<ProtocolError>("@effect-mcp/client/ProtocolError")(
    "ProtocolError",
    {
      reason: Schema.Literal(
        "Parse",
        "InvalidMessage",
        "InvalidResult",
        "VersionMismatch",
        "Unsupported",
        "CursorLoop",
        "TooLarge",
        "InputRequired"
      ),
      description: Schema.String,
      cause: Schema.optional(Schema.Defect)
    }
  )
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId

  /** @since 0.1.0 */
  override get message(): string {
    return `${protocolReasonText[this.reason]}: ${this.description}`
  }
}

const protocolReasonText: Record<ProtocolErrorReason, string> = {
  Parse: "The MCP server sent data that is not JSON",
  InvalidMessage: "The MCP server sent a message that is not valid JSON-RPC",
  InvalidResult: "The MCP server sent a result of the wrong shape",
  VersionMismatch: "The MCP server speaks an unsupported protocol version",
  Unsupported: "The MCP server does not support this operation",
  CursorLoop: "The MCP server's pagination does not advance",
  TooLarge: "The MCP server sent a message larger than the client accepts",
  InputRequired: "The MCP server asked for input the client cannot give"
}

/**
 * The failure of a handler for a server request (sampling, elicitation,
 * roots): it becomes the JSON-RPC error answer the server receives. It is not
 * an `McpError`: client operations never fail with it.
 *
 * @since 0.1.0
 * @category errors
 */
export class HandlerError extends unchecked(
  Schema.TaggedError<HandlerError>("@effect-mcp/client/HandlerError")("HandlerError", {
    /** JSON-RPC error code (default -32603, internal error; the spec uses -1 for a user who declined sampling). */
    code: Schema.optionalWith(Schema.Number, { default: () => -32603 }),
    description: Schema.String,
    data: Schema.optional(Schema.Unknown)
  })
) {
  /**
   * Takes the text as `description`, or as `message` (as plain JavaScript
   * builds errors): either way it is the `message` of the JSON-RPC error.
   */
  constructor(
    props:
      & { readonly code?: number | undefined; readonly data?: unknown }
      & ({ readonly description: string } | { readonly message: string }),
    disableValidation?: boolean
  ) {
    super(handlerErrorProps(props), disableValidation)
  }

  /** @since 0.3.0 */
  readonly [TypeId]: TypeId = TypeId

  /** @since 0.1.0 */
  override get message(): string {
    return this.description
  }
}

// `message` becomes `description`: an own `message` would hide the getter
const handlerErrorProps = (props: object): any => {
  if (props === null || typeof props !== "object" || !("message" in props)) return props
  const { message, ...rest } = props as { readonly message: unknown; readonly description?: unknown }
  return rest.description === undefined ? { ...rest, description: message } : rest
}

/**
 * Why a call by catalogue name could not be routed (see `McpGroup`).
 *
 * @since 0.3.0
 * @category models
 */
export type GroupErrorReason = "UnknownEntry" | "UnknownServer" | "Unavailable" | "Collision"

/**
 * A group of servers could not route a call: no entry (or server) of that
 * name, a server that could not be connected (with the failure as `cause`),
 * or two entries whose catalogue names collide under the `"fail"` policy.
 * Failures of the call itself are the single client's errors, unchanged.
 *
 * @since 0.3.0
 * @category errors
 */
export class GroupError extends unchecked(
  Schema.TaggedError<GroupError>("@effect-mcp/client/GroupError")("GroupError", {
    reason: Schema.Literal("UnknownEntry", "UnknownServer", "Unavailable", "Collision"),
    description: Schema.String,
    server: Schema.optional(Schema.String),
    cause: Schema.optional(Schema.Defect)
  })
) {
  /** @since 0.3.0 */
  readonly [TypeId]: TypeId = TypeId

  /** @since 0.3.0 */
  override get message(): string {
    const cause = this.cause
    const why = cause instanceof Error ? `: ${cause.message}` : ""
    return `${groupReasonText[this.reason]}: ${this.description}${why}`
  }
}

const groupReasonText: Record<GroupErrorReason, string> = {
  UnknownEntry: "No such entry in the catalogue",
  UnknownServer: "No such server in the group",
  Unavailable: "The MCP server is unavailable",
  Collision: "Two catalogue entries have the same name"
}

/**
 * Any error an MCP client operation can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type McpError = NotConnected | ToolError | McpRpcError | TimeoutError | TransportError | ProtocolError

/**
 * @since 0.1.0
 * @category schemas
 */
export const McpError: Schema.Union<
  [
    typeof NotConnected,
    typeof ToolError,
    typeof McpRpcError,
    typeof TimeoutError,
    typeof TransportError,
    typeof ProtocolError
  ]
> = Schema.Union(NotConnected, ToolError, McpRpcError, TimeoutError, TransportError, ProtocolError)

/**
 * @since 0.1.0
 * @category guards
 */
export const isMcpError = (u: unknown): u is McpError =>
  Predicate.hasProperty(u, TypeId) && mcpErrorTags.has((u as { readonly _tag?: unknown })._tag as string)

const mcpErrorTags: ReadonlySet<string> = new Set([
  "NotConnected",
  "ToolError",
  "McpRpcError",
  "TimeoutError",
  "TransportError",
  "ProtocolError"
])

const hasTag = (u: unknown, tag: string): boolean =>
  Predicate.hasProperty(u, TypeId) && (u as { readonly _tag?: unknown })._tag === tag

/**
 * @since 0.3.0
 * @category guards
 */
export const isNotConnected = (u: unknown): u is NotConnected => hasTag(u, "NotConnected")

/**
 * @since 0.3.0
 * @category guards
 */
export const isToolError = (u: unknown): u is ToolError => hasTag(u, "ToolError")

/**
 * @since 0.3.0
 * @category guards
 */
export const isMcpRpcError = (u: unknown): u is McpRpcError => hasTag(u, "McpRpcError")

/**
 * @since 0.3.0
 * @category guards
 */
export const isTimeoutError = (u: unknown): u is TimeoutError => hasTag(u, "TimeoutError")

/**
 * @since 0.1.0
 * @category guards
 */
export const isTransportError = (u: unknown): u is TransportError => hasTag(u, "TransportError")

/**
 * @since 0.1.0
 * @category guards
 */
export const isProtocolError = (u: unknown): u is ProtocolError => hasTag(u, "ProtocolError")

/**
 * @since 0.3.0
 * @category guards
 */
export const isHandlerError = (u: unknown): u is HandlerError => hasTag(u, "HandlerError")

/**
 * @since 0.3.0
 * @category guards
 */
export const isGroupError = (u: unknown): u is GroupError => hasTag(u, "GroupError")

/**
 * Whether `resources/read` failed because the server has no such resource:
 * `-32602` in revision 2026-07-28, `-32002` before it.
 *
 * @since 0.3.0
 * @category guards
 */
export const isResourceNotFound = (u: unknown): u is McpRpcError =>
  isMcpRpcError(u) && u.method === "resources/read" && (u.code === -32602 || u.code === -32002)
