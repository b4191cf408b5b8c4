/**
 * The MCP messages as `effect/Schema`, defined here so that the engine can
 * decode with them; `McpSchema` (public) re-exports them.
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import * as Elicitation from "./elicitation.js"

// -----------------------------------------------------------------------------
// protocol versions
// -----------------------------------------------------------------------------

/**
 * The protocol revision this client asks for.
 *
 * @since 0.1.0
 * @category protocol versions
 */
export const LATEST_PROTOCOL_VERSION = "2025-11-25"

/**
 * Every protocol revision this client speaks, newest first.
 *
 * @since 0.1.0
 * @category protocol versions
 */
export const SUPPORTED_PROTOCOL_VERSIONS: ReadonlyArray<string> = [
  "2025-11-25",
  "2025-06-18",
  "2025-03-26",
  "2024-11-05"
]

/**
 * The stateless revision: no handshake; every request carries the protocol
 * version and the client's capabilities in `_meta`.
 *
 * @since 0.3.0
 * @category protocol versions
 */
export const STATELESS_PROTOCOL_VERSION = "2026-07-28"

/**
 * How the client picks the protocol revision. `"auto"` asks the server with
 * `server/discover` and falls back to the `initialize` handshake when it does
 * not speak the stateless revision; `"legacy"` only does the handshake (at
 * the newest revision the server accepts); a revision pins it (a handshake
 * revision is asked for in `initialize`, `"2026-07-28"` never sends one).
 *
 * @since 0.3.0
 * @category protocol versions
 */
export type ProtocolChoice =
  | "auto"
  | "legacy"
  | "2026-07-28"
  | "2025-11-25"
  | "2025-06-18"
  | "2025-03-26"
  | "2024-11-05"

/**
 * The `_meta` keys of the stateless revision.
 *
 * @since 0.3.0
 * @category protocol versions
 */
export const MetaKey = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  serverInfo: "io.modelcontextprotocol/serverInfo",
  logLevel: "io.modelcontextprotocol/logLevel"
} as const

// -----------------------------------------------------------------------------
// JSON-RPC
// -----------------------------------------------------------------------------

/**
 * A JSON-RPC request id: a string or a number.
 *
 * @since 0.1.0
 * @category json-rpc
 */
export const RequestId = Schema.Union(Schema.String, Schema.Number)

/**
 * @since 0.1.0
 * @category json-rpc
 */
export type RequestId = typeof RequestId.Type

/**
 * A JSON-RPC request: `method`, `params` and an `id` to answer.
 *
 * @since 0.1.0
 * @category json-rpc
 */
export const JsonRpcRequest = Schema.Struct({
  jsonrpc: Schema.Literal("2.0"),
  id: RequestId,
  method: Schema.String,
  params: Schema.optional(Schema.Unknown)
})

/**
 * @since 0.1.0
 * @category json-rpc
 */
export type JsonRpcRequest = typeof JsonRpcRequest.Type

/**
 * A JSON-RPC notification: a `method` and `params`, no answer expected.
 *
 * @since 0.1.0
 * @category json-rpc
 */
export const JsonRpcNotification = Schema.Struct({
  jsonrpc: Schema.Literal("2.0"),
  method: Schema.String,
  params: Schema.optional(Schema.Unknown)
})

/**
 * @since 0.1.0
 * @category json-rpc
 */
export type JsonRpcNotification = typeof JsonRpcNotification.Type

/**
 * A JSON-RPC answer with a `result`.
 *
 * @since 0.1.0
 * @category json-rpc
 */
export const JsonRpcSuccess = Schema.Struct({
  jsonrpc: Schema.Literal("2.0"),
  id: RequestId,
  result: Schema.Unknown
})

/**
 * @since 0.1.0
 * @category json-rpc
 */
export type JsonRpcSuccess = typeof JsonRpcSuccess.Type

/**
 * The `error` of a JSON-RPC error answer: `code`, `message`, `data`.
 *
 * @since 0.1.0
 * @category json-rpc
 */
export const JsonRpcErrorObject = Schema.Struct({
  code: Schema.Number,
  message: Schema.String,
  data: Schema.optional(Schema.Unknown)
})

/**
 * A JSON-RPC answer with an `error`.
 *
 * @since 0.1.0
 * @category json-rpc
 */
export const JsonRpcFailure = Schema.Struct({
  jsonrpc: Schema.Literal("2.0"),
  id: Schema.Union(RequestId, Schema.Null),
  error: JsonRpcErrorObject
})

/**
 * @since 0.1.0
 * @category json-rpc
 */
export type JsonRpcFailure = typeof JsonRpcFailure.Type

/**
 * Any JSON-RPC message: a request, a notification, or an answer.
 *
 * @since 0.1.0
 * @category json-rpc
 */
export const JsonRpcMessage = Schema.Union(JsonRpcRequest, JsonRpcNotification, JsonRpcSuccess, JsonRpcFailure)

/**
 * @since 0.1.0
 * @category json-rpc
 */
export type JsonRpcMessage = typeof JsonRpcMessage.Type

/**
 * Standard JSON-RPC error codes, and the MCP ones.
 *
 * @since 0.1.0
 * @category json-rpc
 */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ResourceNotFound: -32002,
  UrlElicitationRequired: -32042,
  /** 2026-07-28: an HTTP header disagrees with the message it came with. */
  HeaderMismatch: -32020,
  /** 2026-07-28: the request needs a client capability the client did not declare (`data.requiredCapabilities`). */
  MissingRequiredClientCapability: -32021,
  /** 2026-07-28: the server does not speak the request's protocol version (`data.supported`). */
  UnsupportedProtocolVersion: -32022
} as const

// -----------------------------------------------------------------------------
// common
// -----------------------------------------------------------------------------

const Meta = Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * An icon of a server, tool, resource or prompt: its `src` and, optionally, MIME type and sizes.
 *
 * @since 0.1.0
 * @category models
 */
export const Icon = Schema.Struct({
  src: Schema.String,
  mimeType: Schema.optional(Schema.String),
  sizes: Schema.optional(Schema.Array(Schema.String)),
  theme: Schema.optional(Schema.String)
})

/**
 * A client or server's name and version (`clientInfo`, `serverInfo`).
 *
 * @since 0.1.0
 * @category models
 */
export const Implementation = Schema.Struct({
  name: Schema.String,
  version: Schema.String,
  title: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  websiteUrl: Schema.optional(Schema.String),
  icons: Schema.optional(Schema.Array(Icon))
})

/**
 * @since 0.1.0
 * @category models
 */
export type Implementation = typeof Implementation.Type

/**
 * Hints about a content block or resource: its audience, priority, last modification.
 *
 * @since 0.1.0
 * @category models
 */
export const Annotations = Schema.Struct({
  audience: Schema.optional(Schema.Array(Schema.String)),
  priority: Schema.optional(Schema.Number),
  lastModified: Schema.optional(Schema.String)
})

// -----------------------------------------------------------------------------
// capabilities and initialize
// -----------------------------------------------------------------------------

/**
 * What the client tells the server it can do.
 *
 * @since 0.1.0
 * @category capabilities
 */
export const ClientCapabilities = Schema.Struct({
  experimental: Schema.optional(JsonObject),
  roots: Schema.optional(Schema.Struct({ listChanged: Schema.optional(Schema.Boolean) })),
  sampling: Schema.optional(JsonObject),
  elicitation: Schema.optional(JsonObject),
  tasks: Schema.optional(JsonObject),
  /** Extensions the client supports, by identifier, each with its settings (SEP-2133). */
  extensions: Schema.optional(Schema.Record({ key: Schema.String, value: JsonObject }))
})

/**
 * @since 0.1.0
 * @category capabilities
 */
export type ClientCapabilities = typeof ClientCapabilities.Type

const ListChanged = Schema.Struct({ listChanged: Schema.optional(Schema.Boolean) })

/**
 * What the server told the client it can do.
 *
 * @since 0.1.0
 * @category capabilities
 */
export const ServerCapabilities = Schema.Struct({
  experimental: Schema.optional(JsonObject),
  logging: Schema.optional(JsonObject),
  completions: Schema.optional(JsonObject),
  prompts: Schema.optional(ListChanged),
  resources: Schema.optional(Schema.Struct({
    subscribe: Schema.optional(Schema.Boolean),
    listChanged: Schema.optional(Schema.Boolean)
  })),
  tools: Schema.optional(ListChanged),
  tasks: Schema.optional(JsonObject),
  /**
   * Extensions the server supports, by identifier, each with its settings
   * (SEP-2133). Unchecked: a malformed declaration of one extension must not
   * fail the handshake for everything else.
   */
  extensions: Schema.optional(Schema.Unknown)
})

/**
 * @since 0.1.0
 * @category capabilities
 */
export type ServerCapabilities = typeof ServerCapabilities.Type

/**
 * The server's answer to `initialize` (the handshake era).
 *
 * @since 0.1.0
 * @category initialize
 */
export const InitializeResult = Schema.Struct({
  protocolVersion: Schema.String,
  capabilities: ServerCapabilities,
  serverInfo: Implementation,
  instructions: Schema.optional(Schema.String),
  _meta: Meta
})

/**
 * @since 0.1.0
 * @category initialize
 */
export type InitializeResult = typeof InitializeResult.Type

/**
 * The answer to `server/discover` (revision 2026-07-28). The server's name
 * and version, for display only, are in `_meta["io.modelcontextprotocol/serverInfo"]`.
 *
 * @since 0.3.0
 * @category initialize
 */
export const DiscoverResult = Schema.Struct({
  supportedVersions: Schema.Array(Schema.String),
  capabilities: ServerCapabilities,
  instructions: Schema.optional(Schema.String),
  resultType: Schema.optional(Schema.String),
  ttlMs: Schema.optional(Schema.Number),
  cacheScope: Schema.optional(Schema.String),
  _meta: Meta
})

/**
 * @since 0.3.0
 * @category initialize
 */
export type DiscoverResult = typeof DiscoverResult.Type

// -----------------------------------------------------------------------------
// content
// -----------------------------------------------------------------------------

/**
 * A text content block.
 *
 * @since 0.1.0
 * @category content
 */
export const TextContent = Schema.Struct({
  type: Schema.Literal("text"),
  text: Schema.String,
  annotations: Schema.optional(Annotations),
  _meta: Meta
})

/**
 * An image content block: base64 `data` and its `mimeType`.
 *
 * @since 0.1.0
 * @category content
 */
export const ImageContent = Schema.Struct({
  type: Schema.Literal("image"),
  data: Schema.String,
  mimeType: Schema.String,
  annotations: Schema.optional(Annotations),
  _meta: Meta
})

/**
 * An audio content block: base64 `data` and its `mimeType`.
 *
 * @since 0.1.0
 * @category content
 */
export const AudioContent = Schema.Struct({
  type: Schema.Literal("audio"),
  data: Schema.String,
  mimeType: Schema.String,
  annotations: Schema.optional(Annotations),
  _meta: Meta
})

/**
 * A resource's contents as text.
 *
 * @since 0.1.0
 * @category resources
 */
export const TextResourceContents = Schema.Struct({
  uri: Schema.String,
  mimeType: Schema.optional(Schema.String),
  text: Schema.String,
  _meta: Meta
})

/**
 * A resource's contents as a base64 blob.
 *
 * @since 0.1.0
 * @category resources
 */
export const BlobResourceContents = Schema.Struct({
  uri: Schema.String,
  mimeType: Schema.optional(Schema.String),
  blob: Schema.String,
  _meta: Meta
})

/**
 * A resource's contents: text or a blob.
 *
 * @since 0.1.0
 * @category resources
 */
export const ResourceContents = Schema.Union(TextResourceContents, BlobResourceContents)

/**
 * @since 0.1.0
 * @category resources
 */
export type ResourceContents = typeof ResourceContents.Type

/**
 * A content block holding a resource's contents.
 *
 * @since 0.1.0
 * @category content
 */
export const EmbeddedResource = Schema.Struct({
  type: Schema.Literal("resource"),
  resource: ResourceContents,
  annotations: Schema.optional(Annotations),
  _meta: Meta
})

/**
 * A resource a server lists: its `uri`, `name`, and optionally MIME type, size and description.
 *
 * @since 0.1.0
 * @category resources
 */
export const Resource = Schema.Struct({
  uri: Schema.String,
  name: Schema.String,
  title: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  mimeType: Schema.optional(Schema.String),
  size: Schema.optional(Schema.Number),
  annotations: Schema.optional(Annotations),
  icons: Schema.optional(Schema.Array(Icon)),
  _meta: Meta
})

/**
 * @since 0.1.0
 * @category resources
 */
export type Resource = typeof Resource.Type

/**
 * A content block pointing at a resource by URI.
 *
 * @since 0.1.0
 * @category content
 */
export const ResourceLink = Schema.extend(Resource, Schema.Struct({ type: Schema.Literal("resource_link") }))

/**
 * One part of a tool result or prompt message.
 *
 * @since 0.1.0
 * @category content
 */
export const ContentBlock = Schema.Union(TextContent, ImageContent, AudioContent, ResourceLink, EmbeddedResource)

/**
 * @since 0.1.0
 * @category content
 */
export type ContentBlock = typeof ContentBlock.Type

// -----------------------------------------------------------------------------
// tools
// -----------------------------------------------------------------------------

/**
 * A tool a server offers: its `name`, `description`, `inputSchema` (JSON Schema, as the server wrote it), `outputSchema` and annotations.
 *
 * @since 0.1.0
 * @category tools
 */
export const Tool = Schema.Struct({
  name: Schema.String,
  title: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  inputSchema: JsonObject,
  outputSchema: Schema.optional(JsonObject),
  annotations: Schema.optional(JsonObject),
  execution: Schema.optional(JsonObject),
  icons: Schema.optional(Schema.Array(Icon)),
  _meta: Meta
})

/**
 * @since 0.1.0
 * @category tools
 */
export type Tool = typeof Tool.Type

/**
 * One page of `tools/list`.
 *
 * @since 0.1.0
 * @category tools
 */
export const ListToolsResult = Schema.Struct({
  tools: Schema.Array(Tool),
  nextCursor: Schema.optional(Schema.String),
  _meta: Meta
})

/**
 * @since 0.1.0
 * @category tools
 */
export type ListToolsResult = typeof ListToolsResult.Type

/**
 * The result of `tools/call`: content blocks, structured content, and `isError`.
 *
 * @since 0.1.0
 * @category tools
 */
export const CallToolResult = Schema.Struct({
  content: Schema.optionalWith(Schema.Array(ContentBlock), { default: () => [] }),
  structuredContent: Schema.optional(Schema.Unknown),
  isError: Schema.optional(Schema.Boolean),
  _meta: Meta
})

/**
 * @since 0.1.0
 * @category tools
 */
export type CallToolResult = typeof CallToolResult.Type

// -----------------------------------------------------------------------------
// resources
// -----------------------------------------------------------------------------

/**
 * A resource template: a `uriTemplate` (RFC 6570) and a `name`.
 *
 * @since 0.1.0
 * @category resources
 */
export const ResourceTemplate = Schema.Struct({
  uriTemplate: Schema.String,
  name: Schema.String,
  title: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  mimeType: Schema.optional(Schema.String),
  annotations: Schema.optional(Annotations),
  icons: Schema.optional(Schema.Array(Icon)),
  _meta: Meta
})

/**
 * @since 0.1.0
 * @category resources
 */
export type ResourceTemplate = typeof ResourceTemplate.Type

/**
 * One page of `resources/list`.
 *
 * @since 0.1.0
 * @category resources
 */
export const ListResourcesResult = Schema.Struct({
  resources: Schema.Array(Resource),
  nextCursor: Schema.optional(Schema.String),
  _meta: Meta
})

/**
 * @since 0.1.0
 * @category resources
 */
export type ListResourcesResult = typeof ListResourcesResult.Type

/**
 * One page of `resources/templates/list`.
 *
 * @since 0.1.0
 * @category resources
 */
export const ListResourceTemplatesResult = Schema.Struct({
  resourceTemplates: Schema.Array(ResourceTemplate),
  nextCursor: Schema.optional(Schema.String),
  _meta: Meta
})

/**
 * @since 0.1.0
 * @category resources
 */
export type ListResourceTemplatesResult = typeof ListResourceTemplatesResult.Type

/**
 * The result of `resources/read`.
 *
 * @since 0.1.0
 * @category resources
 */
export const ReadResourceResult = Schema.Struct({
  contents: Schema.Array(ResourceContents),
  _meta: Meta
})

/**
 * @since 0.1.0
 * @category resources
 */
export type ReadResourceResult = typeof ReadResourceResult.Type

// -----------------------------------------------------------------------------
// prompts
// -----------------------------------------------------------------------------

/**
 * An argument a prompt takes.
 *
 * @since 0.1.0
 * @category prompts
 */
export const PromptArgument = Schema.Struct({
  name: Schema.String,
  title: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  required: Schema.optional(Schema.Boolean)
})

/**
 * A prompt a server offers: its `name`, `description` and arguments.
 *
 * @since 0.1.0
 * @category prompts
 */
export const Prompt = Schema.Struct({
  name: Schema.String,
  title: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  arguments: Schema.optional(Schema.Array(PromptArgument)),
  icons: Schema.optional(Schema.Array(Icon)),
  _meta: Meta
})

/**
 * @since 0.1.0
 * @category prompts
 */
export type Prompt = typeof Prompt.Type

/**
 * One page of `prompts/list`.
 *
 * @since 0.1.0
 * @category prompts
 */
export const ListPromptsResult = Schema.Struct({
  prompts: Schema.Array(Prompt),
  nextCursor: Schema.optional(Schema.String),
  _meta: Meta
})

/**
 * @since 0.1.0
 * @category prompts
 */
export type ListPromptsResult = typeof ListPromptsResult.Type

/**
 * A message of a prompt: a role and a content block.
 *
 * @since 0.1.0
 * @category prompts
 */
export const PromptMessage = Schema.Struct({
  role: Schema.Literal("user", "assistant"),
  content: ContentBlock
})

/**
 * The result of `prompts/get`: its messages.
 *
 * @since 0.1.0
 * @category prompts
 */
export const GetPromptResult = Schema.Struct({
  description: Schema.optional(Schema.String),
  messages: Schema.Array(PromptMessage),
  _meta: Meta
})

/**
 * @since 0.1.0
 * @category prompts
 */
export type GetPromptResult = typeof GetPromptResult.Type

// -----------------------------------------------------------------------------
// completion
// -----------------------------------------------------------------------------

/**
 * What a completion is for: a prompt's argument or a resource template's
 * variable.
 *
 * @since 0.1.0
 * @category completion
 */
export type CompletionReference =
  | { readonly type: "ref/prompt"; readonly name: string }
  | { readonly type: "ref/resource"; readonly uri: string }

/**
 * The result of `completion/complete`: the values offered.
 *
 * @since 0.1.0
 * @category completion
 */
export const CompleteResult = Schema.Struct({
  completion: Schema.Struct({
    values: Schema.Array(Schema.String),
    total: Schema.optional(Schema.Number),
    hasMore: Schema.optional(Schema.Boolean)
  }),
  _meta: Meta
})

/**
 * @since 0.1.0
 * @category completion
 */
export type CompleteResult = typeof CompleteResult.Type

// -----------------------------------------------------------------------------
// logging, progress, notifications
// -----------------------------------------------------------------------------

/**
 * The syslog severities MCP uses for log messages.
 *
 * @since 0.1.0
 * @category logging
 */
export const LoggingLevel = Schema.Literal(
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency"
)

/**
 * @since 0.1.0
 * @category logging
 */
export type LoggingLevel = typeof LoggingLevel.Type

/**
 * The token that ties progress notifications to their request.
 *
 * @since 0.1.0
 * @category notifications
 */
export const ProgressToken = Schema.Union(Schema.String, Schema.Number)

/**
 * @since 0.1.0
 * @category notifications
 */
export type ProgressToken = typeof ProgressToken.Type

/**
 * A progress notification: its token, progress, total and message.
 *
 * @since 0.1.0
 * @category notifications
 */
export const ProgressNotificationParams = Schema.Struct({
  progressToken: ProgressToken,
  progress: Schema.Number,
  total: Schema.optional(Schema.Number),
  message: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category notifications
 */
export type ProgressNotificationParams = typeof ProgressNotificationParams.Type

/**
 * Progress reported by the server for one request.
 *
 * @since 0.1.0
 * @category notifications
 */
export interface Progress {
  readonly progress: number
  readonly total?: number | undefined
  readonly message?: string | undefined
}

/**
 * A log message from the server: its level, logger and data.
 *
 * @since 0.1.0
 * @category notifications
 */
export const LoggingMessageNotificationParams = Schema.Struct({
  level: LoggingLevel,
  logger: Schema.optional(Schema.String),
  data: Schema.Unknown
})

/**
 * @since 0.1.0
 * @category notifications
 */
export type LoggingMessageNotificationParams = typeof LoggingMessageNotificationParams.Type

/**
 * A subscribed resource changed: its URI.
 *
 * @since 0.1.0
 * @category notifications
 */
export const ResourceUpdatedNotificationParams = Schema.Struct({
  uri: Schema.String
})

/**
 * A request was cancelled: its id and the reason.
 *
 * @since 0.1.0
 * @category notifications
 */
export const CancelledNotificationParams = Schema.Struct({
  requestId: Schema.optional(RequestId),
  reason: Schema.optional(Schema.String)
})

/**
 * A notification the server sent, as it arrived.
 *
 * @since 0.1.0
 * @category notifications
 */
export interface ServerNotification {
  readonly method: string
  readonly params?: unknown
}

// -----------------------------------------------------------------------------
// roots
// -----------------------------------------------------------------------------

/**
 * A directory or file the client exposes to the server.
 *
 * @since 0.1.0
 * @category roots
 */
export const Root = Schema.Struct({
  uri: Schema.String,
  name: Schema.optional(Schema.String),
  _meta: Meta
})

/**
 * @since 0.1.0
 * @category roots
 */
export type Root = typeof Root.Type

/**
 * The client's answer to `roots/list`.
 *
 * @since 0.1.0
 * @category roots
 */
export const ListRootsResult = Schema.Struct({
  roots: Schema.Array(Root)
})

// -----------------------------------------------------------------------------
// sampling
// -----------------------------------------------------------------------------

/**
 * A message in a sampling conversation. `content` is one block or, with tool
 * use in sampling, a list of blocks (text, image, audio, `tool_use`,
 * `tool_result`).
 *
 * @since 0.1.0
 * @category sampling
 */
export const SamplingMessage = Schema.Struct({
  role: Schema.Literal("user", "assistant"),
  content: Schema.Unknown,
  _meta: Meta
})

/**
 * @since 0.1.0
 * @category sampling
 */
export type SamplingMessage = typeof SamplingMessage.Type

/**
 * What the server asks of the client's model in `sampling/createMessage`.
 *
 * @since 0.1.0
 * @category sampling
 */
export const CreateMessageRequestParams = Schema.Struct({
  messages: Schema.Array(SamplingMessage),
  maxTokens: Schema.Number,
  systemPrompt: Schema.optional(Schema.String),
  includeContext: Schema.optional(Schema.Literal("none", "thisServer", "allServers")),
  temperature: Schema.optional(Schema.Number),
  stopSequences: Schema.optional(Schema.Array(Schema.String)),
  metadata: Schema.optional(JsonObject),
  modelPreferences: Schema.optional(JsonObject),
  /** Tools the model may call (tool use in sampling, 2025-11-25). */
  tools: Schema.optional(Schema.Array(Tool)),
  toolChoice: Schema.optional(JsonObject),
  _meta: Meta
})

/**
 * @since 0.1.0
 * @category sampling
 */
export type CreateMessageRequestParams = typeof CreateMessageRequestParams.Type

/**
 * The client's answer to `sampling/createMessage`.
 *
 * @since 0.1.0
 * @category sampling
 */
export interface CreateMessageResult {
  readonly role: "user" | "assistant"
  /** One block, or several (for instance `tool_use` blocks). */
  readonly content: ContentBlock | ReadonlyArray<unknown> | { readonly type: string; readonly [key: string]: unknown }
  readonly model: string
  readonly stopReason?: "endTurn" | "stopSequence" | "maxTokens" | "toolUse" | (string & {}) | undefined
  readonly _meta?: Record<string, unknown> | undefined
}

// -----------------------------------------------------------------------------
// elicitation
// -----------------------------------------------------------------------------

/**
 * A form elicitation: the server asks the user for values described by a flat
 * JSON schema of primitive properties.
 *
 * @since 0.1.0
 * @category elicitation
 */
export const ElicitFormParams = Schema.Struct({
  mode: Schema.optional(Schema.Literal("form")),
  message: Schema.String,
  requestedSchema: Schema.Struct({
    type: Schema.Literal("object"),
    properties: Schema.Record({ key: Schema.String, value: JsonObject }),
    required: Schema.optional(Schema.Array(Schema.String))
  }),
  _meta: Meta
})

/**
 * Why a value does not fit one property of a form elicitation's
 * `requestedSchema` (type, length, range, choices, format), in words
 * naming the field; `undefined` when it fits. The client checks every
 * accepted answer this way before it is sent.
 *
 * @since 0.3.0
 * @category elicitation
 */
export const checkElicitField: (
  name: string,
  property: Readonly<Record<string, unknown>>,
  value: unknown
) => string | undefined = Elicitation.checkValue

/**
 * A URL elicitation: the server asks the user to visit a URL (2025-11-25).
 *
 * @since 0.1.0
 * @category elicitation
 */
export const ElicitUrlParams = Schema.Struct({
  mode: Schema.Literal("url"),
  message: Schema.String,
  url: Schema.String,
  elicitationId: Schema.String,
  _meta: Meta
})

/**
 * An `elicitation/create` request from the server: a form with a schema, or a URL to open.
 *
 * @since 0.1.0
 * @category elicitation
 */
export const ElicitRequestParams = Schema.Union(ElicitUrlParams, ElicitFormParams)

/**
 * @since 0.1.0
 * @category elicitation
 */
export type ElicitRequestParams = typeof ElicitRequestParams.Type

/**
 * The user's answer: `accept` (with the form's values), `decline` or `cancel`.
 *
 * @since 0.1.0
 * @category elicitation
 */
export interface ElicitResult {
  readonly action: "accept" | "decline" | "cancel"
  readonly content?: Readonly<Record<string, string | number | boolean | ReadonlyArray<string>>> | undefined
}
