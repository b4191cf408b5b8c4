/**
 * The client: a reference-counted session over the protocol engine, and every
 * operation on top of it.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberMap from "effect/FiberMap"
import * as FiberRef from "effect/FiberRef"
import * as FiberSet from "effect/FiberSet"
import { dual } from "effect/Function"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as RcMap from "effect/RcMap"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as McpClient from "../McpClient.js"
import type * as ResponseCache from "../ResponseCache.js"
import type * as Transport from "../Transport.js"
import type { McpRpcError, NotConnected, TransportError } from "./errors.js"
import { ProtocolError, ToolError } from "./errors.js"
import type { McpError } from "./errors.js"
import * as FastDecode from "./fastDecode.js"
import * as Json from "./json.js"
import * as McpHeaders from "./mcpHeaders.js"
import * as Problems from "./problems.js"
import * as Protocol from "./protocol.js"
import * as InternalResponseCache from "./responseCache.js"
import * as McpSchema from "./schema.js"
import * as Sessions from "./session.js"
import * as Telemetry from "./telemetry.js"
import * as Traffic from "./traffic.js"
import * as InternalTransport from "./transport.js"

/** @internal */
export const TypeId: McpClient.TypeId = "~@effect-mcp/client/McpClient"

/** @internal */
export const clientVersion = "0.1.0"

interface Session extends Sessions.Session {
  /** Which roots the server was told of: a new session after `setRoots` tells it they changed. */
  readonly rootsVersion: number
  /** Revision 2026-07-28 or later: no handshake, no session on the server. */
  readonly stateless: boolean
  readonly capabilities: McpSchema.ServerCapabilities
  readonly serverInfo: McpSchema.Implementation | undefined
  readonly instructions: string | undefined
  /** Only for a session opened with the handshake. */
  readonly initializeResult: McpSchema.InitializeResult | undefined
  readonly era: McpClient.Era
  /** Stateless revision: the `x-mcp-header` arguments of each tool, from the latest `tools/list`. */
  readonly toolHeaders: Map<string, ReadonlyArray<McpHeaders.ParamHeader>>
  /** The HTTP session id, where the transport has one. */
  readonly sessionId?: (() => string | undefined) | undefined
  /** The bytes the transport counted, where it counts them. */
  readonly bytes?: (() => Transport.ByteCount) | undefined
}

// What `"auto"` learnt of each server (stdio command line, HTTP URL, source
// object) in this process: a server that needed the handshake is not asked
// `server/discover` again until the handshake fails.
type Verdict = "stateless" | "handshake"
const verdictsByName = new Map<string, Verdict>()
const verdictsBySource = new WeakMap<object, Verdict>()
const verdicts = {
  get: (key: string | object) => typeof key === "string" ? verdictsByName.get(key) : verdictsBySource.get(key),
  set: (key: string | object, verdict: Verdict) => {
    if (typeof key === "string") verdictsByName.set(key, verdict)
    else verdictsBySource.set(key, verdict)
  },
  delete: (key: string | object) => {
    if (typeof key === "string") verdictsByName.delete(key)
    else verdictsBySource.delete(key)
  }
}

const decodeInitialize = Protocol.decodeResult(McpSchema.InitializeResult, "initialize")
const decodeDiscover = Protocol.decodeResult(McpSchema.DiscoverResult, "server/discover")

// FastMCP and the Python SDK give the probe 10 seconds
const probeTimeout = Duration.seconds(10)
const decodeListTools = Protocol.decodeResult(McpSchema.ListToolsResult, "tools/list", FastDecode.listToolsResult)
const decodeCallTool = Protocol.decodeResult(McpSchema.CallToolResult, "tools/call", FastDecode.callToolResult)
const decodeListResources = Protocol.decodeResult(McpSchema.ListResourcesResult, "resources/list")
const decodeListTemplates = Protocol.decodeResult(McpSchema.ListResourceTemplatesResult, "resources/templates/list")
const decodeReadResource = Protocol.decodeResult(McpSchema.ReadResourceResult, "resources/read")
const decodeListPrompts = Protocol.decodeResult(McpSchema.ListPromptsResult, "prompts/list")
const decodeGetPrompt = Protocol.decodeResult(McpSchema.GetPromptResult, "prompts/get")
const decodeComplete = Protocol.decodeResult(McpSchema.CompleteResult, "completion/complete")

const discoveredServerInfo = (result: McpSchema.DiscoverResult): McpSchema.Implementation | undefined => {
  // the revision puts it in `_meta`; some servers still put it in the body
  const info = result._meta?.[McpSchema.MetaKey.serverInfo] ?? (result as { readonly serverInfo?: unknown }).serverInfo
  return Predicate.isRecord(info) && typeof info.name === "string"
    ? { ...info, name: info.name, version: typeof info.version === "string" ? info.version : "" }
    : undefined
}

// the stateless revision this client speaks among those a -32022 names
const sharedStateless = (data: unknown): string | undefined => {
  const supported = Predicate.isRecord(data) && Array.isArray(data.supported) ? data.supported : []
  return supported.includes(McpSchema.STATELESS_PROTOCOL_VERSION) ? McpSchema.STATELESS_PROTOCOL_VERSION : undefined
}

// A probe failure that says "this server does not speak the stateless
// revision" (any error answer but the revision's own, a timeout, an HTTP
// refusal, a result that is not a discover result), as against one that
// says the server cannot be used at all (unreachable, credentials refused).
const fallsBack = (error: McpError): boolean => {
  switch (error._tag) {
    case "McpRpcError":
      // the revision's own errors come from a server that speaks it; -32022
      // names the versions it speaks, the handshake's among them or not
      return error.code !== McpSchema.ErrorCode.HeaderMismatch &&
        error.code !== McpSchema.ErrorCode.MissingRequiredClientCapability &&
        !(error.code === McpSchema.ErrorCode.UnsupportedProtocolVersion && sharedStateless(error.data) !== undefined)
    case "TransportError":
      return error.reason === "Write" || error.reason === "Read"
    case "TimeoutError":
    case "ProtocolError":
      return true
    default:
      return false
  }
}

const describeProbeFailure = (error: McpError): string => {
  switch (error._tag) {
    case "McpRpcError":
      return `error ${error.code}`
    case "TimeoutError":
      return "no answer"
    case "TransportError":
      return error.reason === "Write" ? "refused" : "unreadable answer"
    default:
      return "not a discover result"
  }
}

// the stateless revision's input requests, and the capability each needs
const inputCapabilities: Record<string, "elicitation" | "sampling" | "roots"> = {
  "elicitation/create": "elicitation",
  "sampling/createMessage": "sampling",
  "roots/list": "roots"
}
const inputMethods: ReadonlySet<string> = new Set(["tools/call", "prompts/get", "resources/read"])
// a server that asks for more at once is refused rather than given a fiber each
const maxInputsPerRound = 64

type Capability = "tools" | "resources" | "prompts" | "logging" | "completions"

const defaultMaxPages = 1000

/**
 * What `callTool` makes of a result: `isError` becomes `ToolError`; with an
 * output schema, the decoded `structuredContent`.
 *
 * @internal
 */
export const interpretToolResult = <A, I>(
  name: string,
  result: McpSchema.CallToolResult,
  outputSchema: Schema.Schema<A, I> | undefined
): Effect.Effect<unknown, ToolError | ProtocolError> => {
  if (result.isError === true) {
    return Effect.fail(
      new ToolError({
        tool: name,
        content: result.content,
        ...(result.structuredContent === undefined ? {} : { structuredContent: result.structuredContent })
      })
    )
  }
  if (outputSchema === undefined) return Effect.succeed(result)
  if (result.structuredContent === undefined) {
    return Effect.fail(
      new ProtocolError({
        reason: "InvalidResult",
        description: `tool "${name}" returned no structuredContent to decode with the output schema`
      })
    )
  }
  return Schema.decodeUnknown(outputSchema)(result.structuredContent).pipe(
    Effect.mapError((error) =>
      new ProtocolError({
        reason: "InvalidResult",
        description:
          `tool "${name}" returned structuredContent that does not match the output schema: ${error.message}`,
        cause: error
      })
    )
  )
}

/** @internal */
export const currentCacheMode: FiberRef.FiberRef<ResponseCache.Mode> = FiberRef.unsafeMake<ResponseCache.Mode>("use")

/** @internal */
export const withCache = dual<
  (mode: ResponseCache.Mode) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
  <A, E, R>(self: Effect.Effect<A, E, R>, mode: ResponseCache.Mode) => Effect.Effect<A, E, R>
>(2, (self, mode) => Effect.locally(self, currentCacheMode, mode))

let clientCount = 0
const sourceIds = new WeakMap<object, string>()

// what names the server in a shared cache: its command line or URL, or its source object
const serverIdentity = (key: string | object | undefined): string => {
  if (typeof key === "string") return key
  if (key === undefined) return `client ${++clientCount}`
  let id = sourceIds.get(key)
  if (id === undefined) sourceIds.set(key, id = `source ${++clientCount}`)
  return id
}

/** @internal */
export const make = <R, RH = never>(
  connect: Transport.Connect<R>,
  options: McpClient.Options<RH> = {},
  verdictKey?: string | object | undefined
): Effect.Effect<McpClient.Service, McpError, Scope.Scope | R | RH> =>
  Effect.gen(function*() {
    // the caller's services, without its scope: a session lives in a scope of its own
    const context = Context.omit(Scope.Scope)(yield* Effect.context<R | RH>()) as Context.Context<R | RH>
    // problem logs and cache updates started from callbacks: interrupted when the client's scope closes
    const runFork = yield* FiberSet.makeRuntime<never, unknown, unknown>()
    const onProblem = Problems.makeReporter(yield* Effect.clock, (log) => {
      runFork(log)
    })
    const traffic = yield* Traffic.make(options, context as Context.Context<RH>, onProblem)
    const requestTimeout = Duration.decode(options.requestTimeout ?? Duration.seconds(60))
    const initTimeout = Duration.decode(options.initTimeout ?? Duration.seconds(30))
    const clientInfo = options.clientInfo ?? { name: "effect-mcp", version: clientVersion }
    const autoConnect = options.autoConnect ?? true
    // unless given, the transports read InternalTransport.MaxMessageBytes from the caller's context
    const maxMessageBytes = options.maxMessageBytes
    const maxPages = options.maxPages ?? defaultMaxPages
    const tracing = yield* Telemetry.resolve(options.tracing, options.spans)
    const metrics = options.metrics ?? tracing === "full"
    const serverAttributes = tracing === "full" || metrics ? Telemetry.serverAttributes(verdictKey ?? "") : {}

    // the session's facts, read when a span starts (a session may be renewed between two operations)
    const sessionAttributes = (): Record<string, unknown> => {
      const session = sessions.current()
      if (session === undefined) return serverAttributes
      const attributes: Record<string, unknown> = {
        ...serverAttributes,
        "mcp.protocol.version": session.protocolVersion
      }
      const sessionId = session.sessionId?.()
      if (sessionId !== undefined) attributes["mcp.session.id"] = sessionId
      return attributes
    }

    // What the session's transport counted since the last operation, into the bytes metric
    let counted: { of: Transport.ByteCount; sent: number; received: number } | undefined
    // looked up in the metric registry on first use: a client that keeps no metrics never does
    let counters: readonly [sent: Metric.Metric.Counter<number>, received: Metric.Metric.Counter<number>] | undefined
    const countBytes = Effect.suspend(() => {
      const count = sessions.current()?.bytes?.()
      if (count === undefined) return Effect.void
      const [bytesSent, bytesReceived] = counters ??= [bytesOf("transmit"), bytesOf("receive")]
      // a new session's transport counts from zero
      if (counted?.of !== count) counted = { of: count, sent: 0, received: 0 }
      const sent = count.sent - counted.sent
      const received = count.received - counted.received
      counted.sent = count.sent
      counted.received = count.received
      return Effect.zipRight(
        sent > 0 ? Metric.incrementBy(bytesSent, sent) : Effect.void,
        received > 0 ? Metric.incrementBy(bytesReceived, received) : Effect.void
      )
    })
    const bytesOf = (direction: string) =>
      Telemetry.taggedCounter(
        "mcp.client.transport.bytes",
        Telemetry.transportBytesDescription,
        serverAttributes["network.transport"] === undefined
          ? { "network.io.direction": direction }
          : { "network.io.direction": direction, "network.transport": String(serverAttributes["network.transport"]) }
      )

    // An operation, traced and measured as asked: off, it is the operation itself.
    const observed = tracing !== "full" && !metrics
      ? <A, E>(_method: string, effect: Effect.Effect<A, E>, _target?: Telemetry.Target) => effect
      : <A, E>(
        method: string,
        effect: Effect.Effect<A, E>,
        target?: Telemetry.Target,
        failedResult?: (a: A) => string | undefined
      ): Effect.Effect<A, E> => {
        const measured = metrics
          ? Effect.ensuring(Telemetry.measure(method, target, effect, failedResult), countBytes)
          : effect
        return tracing === "full"
          ? Effect.suspend(() => Telemetry.traceOperation(method, target, measured, sessionAttributes(), failedResult))
          : measured
      }
    const toolFailed = (result: McpSchema.CallToolResult) => (result.isError === true ? "tool_error" : undefined)

    // a part of connecting or recovering, as a span of its own
    const phase = tracing === "full"
      ? <A, E, R>(name: string, effect: Effect.Effect<A, E, R>, attributes?: Record<string, unknown>) =>
        Effect.withSpan(effect, name, {
          captureStackTrace: false,
          attributes: attributes === undefined ? serverAttributes : { ...serverAttributes, ...attributes }
        })
      : <A, E, R>(_name: string, effect: Effect.Effect<A, E, R>) => effect

    // the response cache (stateless revision), when asked for
    const cache = options.cache === true
      ? yield* Effect.flatMap(
        Effect.serviceOption(InternalResponseCache.ResponseCache),
        (store) =>
          Effect.flatMap(
            Option.isSome(store) ? Effect.succeed(store.value) : InternalResponseCache.makeMemory(),
            (store) =>
              InternalResponseCache.make(store, {
                server: serverIdentity(verdictKey),
                partition: options.cachePartition ?? `client ${++clientCount}`
              })
          )
      )
      : undefined
    // stale entries go before anyone hears of the change (a listener may list again at once)
    const onNotification = cache === undefined ?
      traffic.onNotification :
      (notification: McpSchema.ServerNotification) => {
        runFork(cache.onNotification(notification))
        traffic.onNotification(notification)
      }

    // A request of the stateless revision, through the cache when there is one.
    const ask = (
      session: Session,
      method: string,
      params: Record<string, unknown> | undefined,
      requestOptions?: Protocol.RequestOptions
    ): Effect.Effect<unknown, McpError> => {
      const asked = session.protocol.request(method, params, requestOptions)
      if (cache === undefined || !session.stateless) return asked
      return Effect.flatMap(FiberRef.get(currentCacheMode), (mode) =>
        cache.through(method, params, mode, asked).pipe(
          // a cursor the server no longer knows: every page of that list is stale
          Effect.tapError((error) =>
            error._tag === "McpRpcError" && error.code === McpSchema.ErrorCode.InvalidParams &&
              params?.cursor !== undefined
              ? cache.onInvalidCursor(method)
              : Effect.void
          )
        ))
    }

    let loggingLevel: McpSchema.LoggingLevel | undefined
    let rootsVersion = 0

    // -- the session -----------------------------------------------------------

    const choice = options.protocol ?? "auto"

    // the envelope every request carries in the stateless revision
    const envelope = (version: string): Record<string, unknown> => {
      const meta: Record<string, unknown> = {
        [McpSchema.MetaKey.protocolVersion]: version,
        [McpSchema.MetaKey.clientCapabilities]: traffic.capabilities(),
        [McpSchema.MetaKey.clientInfo]: clientInfo
      }
      if (loggingLevel !== undefined) meta[McpSchema.MetaKey.logLevel] = loggingLevel
      return meta
    }

    // what later requests of a stateless session carry, after a change to the log level or the handlers
    const refreshEnvelope = () => {
      const session = sessions.current()
      if (session?.stateless === true) session.protocol.setEnvelope(envelope(session.protocolVersion))
    }

    const speak = (transport: Transport.Transport, protocol: Protocol.Protocol, version: string | undefined) => {
      transport.setProtocolVersion?.(version)
      protocol.setProtocolVersion(version)
      protocol.setEnvelope(
        version !== undefined && InternalTransport.isStateless(version) ? envelope(version) : undefined
      )
    }

    const handshake = (
      transport: Transport.Transport,
      protocol: Protocol.Protocol,
      version: string,
      how: string,
      pinned = false
    ): Effect.Effect<Session, McpError> =>
      Effect.gen(function*() {
        speak(transport, protocol, undefined)
        const raw = yield* observed(
          "initialize",
          protocol.requestNoCancel("initialize", {
            protocolVersion: version,
            capabilities: traffic.capabilities(),
            clientInfo
          }, initTimeout)
        )
        const initializeResult = yield* decodeInitialize(raw)
        if (!McpSchema.SUPPORTED_PROTOCOL_VERSIONS.includes(initializeResult.protocolVersion)) {
          return yield* new ProtocolError({
            reason: "VersionMismatch",
            description: `the server answered "${initializeResult.protocolVersion}"; this client speaks ${
              McpSchema.SUPPORTED_PROTOCOL_VERSIONS.join(", ")
            }`
          })
        }
        if (pinned && initializeResult.protocolVersion !== version) {
          return yield* new ProtocolError({
            reason: "VersionMismatch",
            description:
              `the client is pinned to ${version}, and the server answered "${initializeResult.protocolVersion}"; ` +
              `use protocol "legacy" to take the newest the server speaks`
          })
        }
        speak(transport, protocol, initializeResult.protocolVersion)
        if (transport.ready !== undefined) yield* transport.ready
        yield* protocol.notify("notifications/initialized")
        const { serverInfo } = initializeResult
        return {
          protocol,
          protocolVersion: initializeResult.protocolVersion,
          server: `${serverInfo.name} ${serverInfo.version}`,
          rootsVersion,
          stateless: false,
          capabilities: initializeResult.capabilities,
          serverInfo,
          instructions: initializeResult.instructions,
          initializeResult,
          era: { protocolVersion: initializeResult.protocolVersion, stateless: false, chosenBy: how },
          toolHeaders: new Map()
        }
      })

    // `server/discover` at `version`; -32022 naming another stateless version
    // this client speaks is tried once more at that one
    const discover = (
      transport: Transport.Transport,
      protocol: Protocol.Protocol,
      version: string,
      timeout: Duration.Duration,
      how: string,
      retried = false,
      probe = false
    ): Effect.Effect<Session, McpError> =>
      Effect.gen(function*() {
        speak(transport, protocol, version)
        const asked = protocol.request("server/discover", undefined, { timeout })
        // a probe refused by a server of the handshake era is the expected way to the handshake,
        // not a failure to show in a trace: its span says so and ends well
        const raw = yield* probe
          ? Effect.flatMap(
            observed(
              "server/discover",
              asked.pipe(
                Effect.map(Either.right),
                Effect.catchIf(fallsBack, (error) =>
                  Effect.as(
                    Effect.annotateCurrentSpan("mcp.discover.fallback", describeProbeFailure(error)),
                    Either.left(error)
                  ))
              )
            ),
            (result) => result
          )
          : observed("server/discover", asked)
        const result = yield* decodeDiscover(raw)
        if (!result.supportedVersions.includes(version)) {
          return yield* new ProtocolError({
            reason: "VersionMismatch",
            description: `the server speaks ${result.supportedVersions.join(", ") || "no version"}, not ${version}`
          })
        }
        const serverInfo = discoveredServerInfo(result)
        return {
          protocol,
          protocolVersion: version,
          server: serverInfo === undefined ? "the server" : `${serverInfo.name} ${serverInfo.version}`,
          rootsVersion,
          stateless: true,
          capabilities: result.capabilities,
          serverInfo,
          instructions: result.instructions,
          initializeResult: undefined,
          era: { protocolVersion: version, stateless: true, chosenBy: how },
          toolHeaders: new Map()
        } satisfies Session
      }).pipe(
        Effect.catchIf(
          (error): error is McpRpcError =>
            !retried && error._tag === "McpRpcError" &&
            error.code === McpSchema.ErrorCode.UnsupportedProtocolVersion &&
            sharedStateless(error.data) !== undefined,
          (error) => discover(transport, protocol, sharedStateless(error.data)!, timeout, how, true, probe)
        )
      )

    // "auto": the stateless revision if the server speaks it, else the handshake
    const negotiate = (
      transport: Transport.Transport,
      protocol: Protocol.Protocol
    ): Effect.Effect<Session, McpError> =>
      Effect.gen(function*() {
        const known = verdictKey === undefined ? undefined : verdicts.get(verdictKey)
        if (known === "handshake") {
          const legacy = yield* Effect.either(
            handshake(
              transport,
              protocol,
              McpSchema.LATEST_PROTOCOL_VERSION,
              "auto: this server needed the handshake before"
            )
          )
          if (Either.isRight(legacy)) return legacy.right
          // the server may have changed: ask it again
          if (legacy.left._tag !== "McpRpcError") return yield* Effect.fail(legacy.left)
          verdicts.delete(verdictKey!)
        }
        const probed = yield* Effect.either(
          discover(
            transport,
            protocol,
            McpSchema.STATELESS_PROTOCOL_VERSION,
            Duration.min(initTimeout, probeTimeout),
            "auto: the server answered server/discover",
            false,
            true
          )
        )
        if (Either.isRight(probed)) {
          if (verdictKey !== undefined) verdicts.set(verdictKey, "stateless")
          return probed.right
        }
        if (!fallsBack(probed.left)) return yield* Effect.fail(probed.left)
        const session = yield* handshake(
          transport,
          protocol,
          McpSchema.LATEST_PROTOCOL_VERSION,
          `auto: server/discover failed (${describeProbeFailure(probed.left)}), so the handshake`
        )
        if (verdictKey !== undefined) verdicts.set(verdictKey, "handshake")
        return session
      })

    const open = (onClosed: (error: TransportError) => void): Effect.Effect<Session, McpError, Scope.Scope | R> =>
      Effect.gen(function*() {
        const transport = yield* phase(
          serverAttributes["network.transport"] === "pipe" ? "McpClient.spawn" : "McpClient.openTransport",
          maxMessageBytes === undefined
            ? connect
            : Effect.provideService(connect, InternalTransport.MaxMessageBytes, maxMessageBytes)
        )
        const protocol = yield* Protocol.make({
          transport,
          tracing,
          requestTimeout,
          handlers: traffic.handlers,
          onNotification,
          notificationsReceived: traffic.received,
          notificationsHandled: traffic.handled,
          onProblem,
          onClosed
        })
        const session = yield* agree(transport, protocol)
        return transport.sessionId === undefined && transport.bytes === undefined
          ? session
          : { ...session, sessionId: transport.sessionId, bytes: transport.bytes }
      })

    const agree = (transport: Transport.Transport, protocol: Protocol.Protocol): Effect.Effect<Session, McpError> =>
      Effect.gen(function*() {
        switch (choice) {
          case "auto":
            return yield* negotiate(transport, protocol)
          case "legacy":
            return yield* handshake(transport, protocol, McpSchema.LATEST_PROTOCOL_VERSION, "legacy: the handshake")
          default:
            return InternalTransport.isStateless(choice)
              ? yield* discover(transport, protocol, choice, initTimeout, `pinned to ${choice}`).pipe(
                Effect.mapError((error) =>
                  fallsBack(error)
                    ? new ProtocolError({
                      reason: "VersionMismatch",
                      description: `the client is pinned to ${choice}, and the server does not seem to speak it ` +
                        `(server/discover: ${error.message}); use protocol "auto" or "legacy" for it`,
                      cause: error
                    })
                    : error
                )
              )
              : yield* handshake(transport, protocol, choice, `pinned to ${choice}`, true)
        }
      })

    // What was asked of the old session is asked of the new one; what fails is
    // logged (the session is usable all the same).
    const restore = (session: Session, stale: Session): Effect.Effect<void> =>
      Effect.gen(function*() {
        // the stateless revision keeps nothing on the server: the log level
        // rides every request, the listen streams open again by themselves
        if (session.stateless) return
        const caps = session.capabilities
        const asks: Array<Effect.Effect<unknown, McpError>> = []
        if (loggingLevel !== undefined && caps.logging !== undefined) {
          asks.push(session.protocol.request("logging/setLevel", { level: loggingLevel }))
        }
        const uris = yield* RcMap.keys(subscriptions)
        if (uris.length > 0 && caps.resources?.subscribe === true) {
          for (const uri of uris) asks.push(session.protocol.request("resources/subscribe", { uri }))
        }
        if (rootsVersion !== stale.rootsVersion) asks.push(session.protocol.notify("notifications/roots/list_changed"))
        yield* Effect.forEach(
          asks,
          (ask) => Effect.catchAll(ask, (error) => Effect.sync(() => onProblem(error))),
          { concurrency: "unbounded", discard: true }
        )
      })

    const sessions = yield* Sessions.make<Session, R>({
      open,
      context: context as Context.Context<R>,
      reconnect: options.reconnect === undefined
        ? Sessions.defaultReconnect
        : options.reconnect,
      idleTimeToLive: options.idleTimeToLive,
      autoConnect,
      restore,
      listening: () => traffic.listeners() > 0,
      renewalWait: requestTimeout,
      observe: tracing !== "full" && !metrics ? undefined : {
        span: phase,
        opened: (how) =>
          metrics ? Metric.increment(Metric.tagged(Telemetry.sessions, "mcp.session.how", how)) : Effect.void,
        attempt: metrics ? Metric.increment(Telemetry.reconnectAttempts) : Effect.void
      }
    })

    // the session as it is: for session facts and notifications
    const withCurrent = <A, E>(
      operation: string,
      f: (session: Session) => Effect.Effect<A, E>
    ): Effect.Effect<A, E | NotConnected> =>
      Effect.suspend((): Effect.Effect<A, E | NotConnected> => {
        const session = sessions.current()
        return session === undefined
          ? Effect.fail(sessions.notConnected(operation))
          : f(session)
      })

    const withSession = sessions.use

    const withCapability = <A, E>(
      operation: string,
      capability: Capability,
      f: (session: Session) => Effect.Effect<A, E>,
      check?: (capabilities: McpSchema.ServerCapabilities) => boolean
    ): Effect.Effect<A, E | McpError> =>
      withSession(operation, (session): Effect.Effect<A, E | ProtocolError> => {
        const caps = session.capabilities
        const ok = check === undefined ? caps[capability] !== undefined : check(caps)
        return ok ? f(session) : Effect.fail(
          new ProtocolError({
            reason: "Unsupported",
            description: `${session.server} did not advertise the "${capability}" capability${
              check === undefined ? "" : " for this"
            }, so "${operation}" is not available`
          })
        )
      })

    // -- input-required rounds (stateless revision) ------------------------------

    const maxInputRounds = options.maxInputRounds ?? 10

    // Answers one round's input requests with the handlers the client has for
    // the server requests of the handshake era.
    const answerInputs = (
      method: string,
      requests: unknown
    ): Effect.Effect<Record<string, unknown>, ProtocolError> =>
      Effect.suspend(() => {
        if (requests === undefined) return Effect.succeed({})
        if (!Predicate.isRecord(requests)) {
          return Effect.fail(
            new ProtocolError({
              reason: "InvalidResult",
              description: `${method}: inputRequests is not an object: ${Json.preview(requests)}`
            })
          )
        }
        const entries = Object.entries(requests)
        if (entries.length > maxInputsPerRound) {
          return Effect.fail(
            new ProtocolError({
              reason: "InputRequired",
              description:
                `${method}: the server asked for ${entries.length} inputs in one round; the client answers at ` +
                `most ${maxInputsPerRound}`
            })
          )
        }
        const declared = traffic.capabilities()
        for (const [key, input] of entries) {
          const kind = Predicate.isRecord(input) && typeof input.method === "string" ? input.method : undefined
          const capability = kind === undefined ? undefined : inputCapabilities[kind]
          if (capability === undefined) {
            return Effect.fail(
              new ProtocolError({
                reason: "InputRequired",
                description: `${method}: input "${key}" is ${
                  kind === undefined ? `not a request: ${Json.preview(input)}` : `"${kind}"`
                }; the client answers elicitation/create, sampling/createMessage and roots/list`
              })
            )
          }
          if (declared[capability] === undefined) {
            return Effect.fail(
              new ProtocolError({
                reason: "InputRequired",
                description: `${method}: the server needs the "${capability}" capability (input "${key}", ${kind}); ` +
                  `give the client a ${capability} handler`
              })
            )
          }
        }
        return Effect.map(
          Effect.forEach(entries, ([key, input]) => {
            const { method: kind, params } = input as { readonly method: string; readonly params?: unknown }
            const handler = traffic.handlers.get(kind)!(params)
            // a server span under the round, as the server's requests of the handshake era get
            return (tracing === "full"
              ? Telemetry.handlerSpan(kind, handler, "current", { "mcp.input.key": key })
              : handler)
              .pipe(
                Effect.map((answer) => [key, answer] as const),
                Effect.mapError((error) =>
                  new ProtocolError({
                    reason: "InputRequired",
                    description: `${method}: the client's ${
                      inputCapabilities[kind]
                    } handler failed on input "${key}": ${error.message}`
                  })
                )
              )
          }, { concurrency: "unbounded" }),
          Object.fromEntries
        )
      })

    // The stateless revision asks for input in the result: the request is sent
    // again, under a new id, with the answers and the server's state echoed;
    // each call keeps its own, never shared with another.
    const withInputRounds = (
      session: Session,
      method: string,
      params: Record<string, unknown> | undefined,
      requestOptions: Protocol.RequestOptions | undefined
    ): Effect.Effect<unknown, McpError> => {
      const round = (n: number, current: Record<string, unknown> | undefined): Effect.Effect<unknown, McpError> =>
        Effect.flatMap(ask(session, method, current, requestOptions), (result) => {
          if (!Predicate.isRecord(result) || result.resultType !== "input_required") return Effect.succeed(result)
          if (n >= maxInputRounds) {
            return Effect.fail(
              new ProtocolError({
                reason: "InputRequired",
                description: `${method}: the server still asked for input after ${maxInputRounds} rounds ` +
                  `(raise the client's maxInputRounds if it needs more)`
              })
            )
          }
          return Effect.flatMap(
            phase("McpClient.inputRound", answerInputs(method, result.inputRequests), {
              "mcp.method.name": method,
              "mcp.input_round": n + 1
            }),
            (inputResponses) =>
              round(n + 1, {
                ...params,
                inputResponses,
                ...(result.requestState === undefined ? {} : { requestState: result.requestState })
              })
          )
        })
      return round(0, params)
    }

    const send = (
      session: Session,
      method: string,
      params: Record<string, unknown> | undefined,
      requestOptions: Protocol.RequestOptions | undefined
    ) =>
      !session.stateless
        ? session.protocol.request(method, params, requestOptions)
        : inputMethods.has(method)
        ? withInputRounds(session, method, params, requestOptions)
        : ask(session, method, params, requestOptions)

    const request = (
      method: string,
      params: Record<string, unknown> | undefined,
      capability: Capability | undefined,
      requestOptions?: Protocol.RequestOptions
    ) =>
      capability === undefined
        ? withSession(method, (session) => send(session, method, params, requestOptions))
        : withCapability(method, capability, (session) => send(session, method, params, requestOptions))

    const listAll = <A, Page extends { readonly nextCursor?: string | undefined }>(
      method: string,
      fetchPage: (cursor: string | undefined) => Effect.Effect<Page, McpError>,
      items: (page: Page) => ReadonlyArray<A>
    ): Effect.Effect<ReadonlyArray<A>, McpError> =>
      Effect.gen(function*() {
        const all: Array<A> = []
        const seen = new Set<string>()
        let cursor: string | undefined
        for (let page = 1;; page++) {
          const result = yield* fetchPage(cursor)
          for (const item of items(result)) all.push(item)
          cursor = result.nextCursor
          if (cursor === undefined) return all
          if (seen.has(cursor)) {
            return yield* new ProtocolError({
              reason: "CursorLoop",
              description:
                `${method} returned cursor "${cursor}" a second time (page ${page}); stopped after ${all.length} items`
            })
          }
          if (page >= maxPages) {
            return yield* new ProtocolError({
              reason: "CursorLoop",
              description:
                `${method} still had more after ${maxPages} pages; raise the client's maxPages if that is expected`
            })
          }
          seen.add(cursor)
        }
      })

    const page = (cursor: string | undefined) => cursor === undefined ? undefined : { cursor }

    const listPage = <Page>(
      method: string,
      capability: Capability,
      decode: (u: unknown) => Effect.Effect<Page, ProtocolError>
    ) =>
    (cursor: string | undefined): Effect.Effect<Page, McpError> =>
      Effect.flatMap(request(method, page(cursor), capability), decode)

    // Stateless revision: a tool whose `x-mcp-header` annotations break the
    // rules is left out (a call to it could never carry valid headers), with
    // a warning; the others' annotated arguments are remembered for calls.
    const screenTools = (session: Session, result: McpSchema.ListToolsResult): McpSchema.ListToolsResult => {
      let kept: Array<McpSchema.Tool> | undefined
      result.tools.forEach((tool, index) => {
        const headers = McpHeaders.toolHeaders(tool)
        if ("invalid" in headers) {
          onProblem(
            new ProtocolError({ reason: "InvalidResult", description: `tools/list: left out ${headers.invalid}` })
          )
          kept ??= result.tools.slice(0, index)
          return
        }
        if (headers.headers.length > 0) session.toolHeaders.set(tool.name, headers.headers)
        else session.toolHeaders.delete(tool.name)
        kept?.push(tool)
      })
      return kept === undefined ? result : { ...result, tools: kept }
    }

    const toolsPage = (cursor: string | undefined): Effect.Effect<McpSchema.ListToolsResult, McpError> =>
      withCapability("tools/list", "tools", (session) =>
        Effect.flatMap(ask(session, "tools/list", page(cursor)), (raw) =>
          session.stateless
            ? Effect.map(decodeListTools(raw), (result) =>
              screenTools(session, result))
            : decodeListTools(raw)))

    // the stateless revision over HTTP: the annotated arguments go in headers
    // too; a server that finds them wrong (-32020: the tool changed) gets the
    // list read again and the call once more
    const callStateless = (
      session: Session,
      name: string,
      params: Record<string, unknown>,
      callOptions: Protocol.RequestOptions | undefined
    ): Effect.Effect<unknown, McpError> => {
      const attempt = () => {
        const annotated = session.toolHeaders.get(name)
        return withInputRounds(
          session,
          "tools/call",
          params,
          annotated === undefined
            ? callOptions
            : { ...callOptions, headers: McpHeaders.paramHeaders(annotated, params.arguments as any) }
        )
      }
      return Effect.catchIf(
        attempt(),
        (error) =>
          error._tag === "McpRpcError" && error.code === McpSchema.ErrorCode.HeaderMismatch,
        () =>
          Effect.zipRight(listAll("tools/list", toolsPage, (p) => p.tools), Effect.suspend(attempt))
      )
    }

    // -- subscriptions/listen (stateless revision) ------------------------------

    // The revision has no resources/subscribe and no unasked notifications:
    // a listen request stays open, and the notifications it asked for come
    // on it. One listen per target (the lists; each subscribed resource),
    // each on a fiber of the client that listens again, with a backoff, when
    // its stream or session ends, until the target is let go.
    const listens = yield* FiberMap.make<string>()
    const ackTimeout = Duration.min(requestTimeout, Duration.seconds(10))
    const relisten = Schedule.exponential(Duration.millis(500)).pipe(
      Schedule.modifyDelay((delay) => Duration.min(delay, Duration.seconds(30)))
    )

    const listFilter = (session: Session): Record<string, unknown> | undefined => {
      const caps = session.capabilities
      const filter: Record<string, boolean> = {}
      if (caps.tools?.listChanged === true) filter.toolsListChanged = true
      if (caps.prompts?.listChanged === true) filter.promptsListChanged = true
      if (caps.resources?.listChanged === true) filter.resourcesListChanged = true
      return Object.keys(filter).length === 0 ? undefined : filter
    }

    // One listen request on the session: `first` gets what the server
    // honours, once; the effect fails when no acknowledgement comes in time,
    // and ends when the stream does.
    const listenOn = (
      session: Session,
      filter: Record<string, unknown>,
      first: Deferred.Deferred<Record<string, unknown>, McpError>
    ): Effect.Effect<void, McpError> =>
      Effect.gen(function*() {
        const acknowledged = yield* Deferred.make<Record<string, unknown>, McpError>()
        const stream = yield* Effect.fork(session.protocol.request("subscriptions/listen", { notifications: filter }, {
          timeout: Duration.infinity,
          onNotification: (notification) => {
            if (notification.method !== "notifications/subscriptions/acknowledged") return
            const params = notification.params
            const honoured = Predicate.isRecord(params) && Predicate.isRecord(params.notifications)
              ? params.notifications
              : {}
            Deferred.unsafeDone(acknowledged, Exit.succeed(honoured))
            Deferred.unsafeDone(first, Exit.succeed(honoured))
          }
        }))
        const acked = yield* Deferred.await(acknowledged).pipe(
          Effect.timeoutFail({
            duration: ackTimeout,
            onTimeout: () =>
              new ProtocolError({
                reason: "InvalidMessage",
                description: `subscriptions/listen was not acknowledged within ${Duration.format(ackTimeout)}`
              })
          }),
          Effect.raceFirst(Effect.flatMap(Fiber.join(stream), () =>
            Effect.fail(
              new ProtocolError({
                reason: "InvalidMessage",
                description: "subscriptions/listen ended before the server acknowledged it"
              })
            ))),
          Effect.either
        )
        if (Either.isLeft(acked)) {
          yield* Fiber.interrupt(stream)
          return yield* Effect.fail(acked.left)
        }
        yield* Fiber.join(stream)
      })

    // Listens for `target` until interrupted; `first` gets the first
    // acknowledgement, or, with `failFirst`, the first failure (and then the
    // loop ends: the caller who asked hears of it). Later failures are
    // reported and the loop listens again.
    const listenLoop = (
      target: string,
      filterFor: (session: Session) => Record<string, unknown> | undefined,
      first: Deferred.Deferred<Record<string, unknown>, McpError>,
      failFirst: boolean
    ): Effect.Effect<void> => {
      const once: Effect.Effect<void, McpError> = Effect.flatMap(
        withSession("subscriptions/listen", Effect.succeed),
        (session) => {
          const filter = session.stateless ? filterFor(session) : undefined
          if (filter === undefined) {
            // nothing to listen for (the handshake era sends them unasked)
            Deferred.unsafeDone(first, Exit.succeed({}))
            return Effect.never
          }
          return listenOn(session, filter, first)
        }
      )
      return once.pipe(
        Effect.catchAll((error) =>
          Effect.flatMap(Deferred.isDone(first), (established) => {
            if (!established && failFirst) return Effect.zipRight(Deferred.fail(first, error), Effect.fail(error))
            // no session yet (the user connects when it suits): try again later, nothing to report
            if (error._tag === "NotConnected") return Deferred.succeed(first, {})
            // a server without subscriptions/listen will not have it the next time either
            if (error._tag === "McpRpcError" && error.code === McpSchema.ErrorCode.MethodNotFound) {
              onProblem(
                new ProtocolError({
                  reason: "Unsupported",
                  description: `the server has no subscriptions/listen, so ${target} will not be heard of`
                })
              )
              return Effect.zipRight(Deferred.succeed(first, {}), Effect.fail(error))
            }
            onProblem(
              error._tag === "ProtocolError" || error._tag === "TransportError" ? error : new ProtocolError({
                reason: "InvalidMessage",
                description: `listening for ${target} failed: ${error.message}`
              })
            )
            return Effect.void
          })
        ),
        Effect.repeat(relisten),
        Effect.ignore
      )
    }

    const listen = (
      target: string,
      filterFor: (session: Session) => Record<string, unknown> | undefined
    ): Effect.Effect<Record<string, unknown>, McpError> =>
      Effect.gen(function*() {
        const first = yield* Deferred.make<Record<string, unknown>, McpError>()
        yield* FiberMap.run(listens, target, listenLoop(target, filterFor, first, true))
        return yield* Deferred.await(first).pipe(
          Effect.tapError(() => FiberMap.remove(listens, target))
        )
      })

    const subscribeStateless = (uri: string): Effect.Effect<void, McpError> =>
      Effect.flatMap(
        listen(`resource ${uri}`, () => ({ resourceSubscriptions: [uri] })),
        (honoured) => {
          const uris = honoured.resourceSubscriptions
          return Array.isArray(uris) && uris.includes(uri) ? Effect.void : Effect.zipRight(
            FiberMap.remove(listens, `resource ${uri}`),
            Effect.fail(
              new ProtocolError({
                reason: "Unsupported",
                description: `the server did not take the subscription to ${uri} (it acknowledged ${
                  Json.preview(honoured)
                })`
              })
            )
          )
        }
      )

    // the list notifications are listened for while someone reads them
    const listsListen = yield* RcMap.make({
      lookup: (_: "lists") =>
        Effect.acquireRelease(
          Effect.flatMap(Deferred.make<Record<string, unknown>, McpError>(), (first) =>
            Effect.as(
              FiberMap.run(listens, "lists", listenLoop("list changes", listFilter, first, false)),
              first
            )),
          () => FiberMap.remove(listens, "lists")
        )
    })
    // subscribed before the listen starts, so that nothing it brings is missed
    const listedNotifications: Stream.Stream<McpSchema.ServerNotification> = Stream.unwrapScoped(
      Effect.gen(function*() {
        const queue = yield* traffic.subscribe
        const acknowledged = yield* RcMap.get(listsListen, "lists")
        // the stream starts once the server listens (or could not be heard from in time)
        yield* Deferred.await(acknowledged).pipe(Effect.timeout(ackTimeout), Effect.ignore)
        return Stream.fromQueue(queue)
      })
    )

    // -- operations ------------------------------------------------------------

    const callToolRaw: McpClient.Service["callToolRaw"] = (name, args, callOptions) => {
      const params = args === undefined ? { name } : { name, arguments: args }
      const call = Effect.flatMap(
        withCapability("tools/call", "tools", (session) =>
          session.stateless
            ? callStateless(session, name, params, callOptions)
            : session.protocol.request("tools/call", params, callOptions)),
        decodeCallTool
      )
      // the target is built only when it is used: this is the hot path
      return tracing === "off" && !metrics ? call : observed("tools/call", call, { tool: name }, toolFailed)
    }

    const callTool =
      ((name: string, args?: Record<string, unknown>, callOptions?: McpClient.CallToolOptions<any, any>) =>
        Effect.flatMap(
          callToolRaw(name, args, callOptions),
          (result) => interpretToolResult(name, result, callOptions?.outputSchema)
        )) as McpClient.Service["callTool"]

    const service: McpClient.Service = {
      [TypeId]: TypeId,
      connect: sessions.connect,
      isConnected: Effect.sync(() => {
        const session = sessions.current()
        return session !== undefined && session.protocol.closedWith() === undefined
      }),
      connectionState: sessions.state,
      connectionStates: sessions.states,
      initializeResult: withCurrent("initializeResult", (session) =>
        session.initializeResult === undefined
          ? Effect.fail(
            new ProtocolError({
              reason: "Unsupported",
              description: `the session speaks ${session.protocolVersion}, which has no initialize handshake; ` +
                `use protocolVersion, serverInfo, serverCapabilities and instructions, which work in every revision`
            })
          )
          : Effect.succeed(session.initializeResult)),
      serverCapabilities: withCurrent("serverCapabilities", (session) => Effect.succeed(session.capabilities)),
      protocolVersion: withCurrent("protocolVersion", (session) => Effect.succeed(session.protocolVersion)),
      serverInfo: withCurrent("serverInfo", (session) => Effect.succeed(Option.fromNullable(session.serverInfo))),
      instructions: withCurrent("instructions", (session) => Effect.succeed(Option.fromNullable(session.instructions))),
      era: withCurrent("era", (session) => Effect.succeed(session.era)),
      fresh: Effect.mapInputContext(
        make(connect, options, verdictKey),
        (callerContext: Context.Context<Scope.Scope>) => Context.merge(context, callerContext)
      ),
      request: (method, params, requestOptions) => observed(method, request(method, params, undefined, requestOptions)),

      listTools: observed("tools/list", listAll("tools/list", toolsPage, (p) => p.tools)),
      listToolsRaw: (cursor) => observed("tools/list", toolsPage(cursor)),
      callTool,
      callToolRaw,

      listResources: observed(
        "resources/list",
        listAll("resources/list", listPage("resources/list", "resources", decodeListResources), (p) => p.resources)
      ),
      listResourcesRaw: (cursor) =>
        observed(
          "resources/list",
          Effect.flatMap(request("resources/list", page(cursor), "resources"), decodeListResources)
        ),
      listResourceTemplates: observed(
        "resources/templates/list",
        listAll(
          "resources/templates/list",
          listPage("resources/templates/list", "resources", decodeListTemplates),
          (p) => p.resourceTemplates
        )
      ),
      listResourceTemplatesRaw: (cursor) =>
        observed(
          "resources/templates/list",
          Effect.flatMap(request("resources/templates/list", page(cursor), "resources"), decodeListTemplates)
        ),
      readResource: (uri, requestOptions) =>
        observed(
          "resources/read",
          Effect.map(
            Effect.flatMap(request("resources/read", { uri }, "resources", requestOptions), decodeReadResource),
            (result) => result.contents
          ),
          { uri }
        ),
      readResourceRaw: (uri, requestOptions) =>
        observed(
          "resources/read",
          Effect.flatMap(request("resources/read", { uri }, "resources", requestOptions), decodeReadResource),
          { uri }
        ),
      subscribe: (uri) =>
        observed(
          "resources/subscribe",
          withCapability(
            "resources/subscribe",
            "resources",
            (session) =>
              session.stateless
                ? subscribeStateless(uri)
                : Effect.asVoid(session.protocol.request("resources/subscribe", { uri })),
            (caps) => caps.resources?.subscribe === true
          ),
          { uri }
        ),
      unsubscribe: (uri) =>
        observed(
          "resources/unsubscribe",
          withCapability(
            "resources/unsubscribe",
            "resources",
            (session) =>
              session.stateless
                ? FiberMap.remove(listens, `resource ${uri}`)
                : Effect.asVoid(session.protocol.request("resources/unsubscribe", { uri })),
            (caps) => caps.resources?.subscribe === true
          ),
          { uri }
        ),

      listPrompts: observed(
        "prompts/list",
        listAll("prompts/list", listPage("prompts/list", "prompts", decodeListPrompts), (p) => p.prompts)
      ),
      listPromptsRaw: (cursor) =>
        observed("prompts/list", Effect.flatMap(request("prompts/list", page(cursor), "prompts"), decodeListPrompts)),
      getPrompt: (name, args, requestOptions) =>
        observed(
          "prompts/get",
          Effect.flatMap(
            request(
              "prompts/get",
              args === undefined ? { name } : { name, arguments: args },
              "prompts",
              requestOptions
            ),
            decodeGetPrompt
          ),
          { prompt: name }
        ),

      complete: (reference, argument, completeOptions) =>
        observed(
          "completion/complete",
          Effect.map(
            Effect.flatMap(
              request(
                "completion/complete",
                completeOptions?.context === undefined
                  ? { ref: reference, argument }
                  : { ref: reference, argument, context: { arguments: completeOptions.context } },
                "completions"
              ),
              decodeComplete
            ),
            (result) => result.completion
          )
        ),
      // the stateless revision has no ping: discovery is the cheapest request that proves the server answers
      ping: observed(
        "ping",
        withSession(
          "ping",
          (session) =>
            Effect.asVoid(session.protocol.request(session.stateless ? "server/discover" : "ping", undefined))
        )
      ),
      // the stateless revision has no logging/setLevel: every request carries the level
      setLoggingLevel: (level) =>
        observed(
          "logging/setLevel",
          withCapability("logging/setLevel", "logging", (session) =>
            session.stateless
              ? Effect.sync(() => {
                loggingLevel = level
                refreshEnvelope()
              })
              : Effect.zipRight(
                session.protocol.request("logging/setLevel", { level }),
                Effect.sync(() => {
                  loggingLevel = level
                })
              ))
        ),
      // the stateless revision asks for roots with each request that needs them
      sendRootsListChanged: withCurrent(
        "notifications/roots/list_changed",
        (session) => session.stateless ? Effect.void : session.protocol.notify("notifications/roots/list_changed")
      ),
      cancel: (requestId, reason) =>
        withCurrent(
          "notifications/cancelled",
          (session) =>
            session.protocol.notify(
              "notifications/cancelled",
              reason === undefined ? { requestId } : { requestId, reason }
            )
        ),
      notifications: listedNotifications,
      progress: Stream.filterMap(traffic.notifications, Traffic.decodeProgressParams),
      logMessages: Stream.filterMap(traffic.notifications, Traffic.decodeLogParams),
      listChanged: Stream.filterMap(listedNotifications, (notification) => {
        switch (notification.method) {
          case "notifications/tools/list_changed":
            return Option.some("tools" as const)
          case "notifications/resources/list_changed":
            return Option.some("resources" as const)
          case "notifications/prompts/list_changed":
            return Option.some("prompts" as const)
          default:
            return Option.none()
        }
      }),
      resourceUpdates: (uri) =>
        Stream.unwrapScoped(Effect.gen(function*() {
          // listen before subscribing, so no update sent in between is lost
          const queue = yield* traffic.subscribe
          yield* RcMap.get(subscriptions, uri)
          return Stream.fromQueue(queue).pipe(
            Stream.filterMap((notification) =>
              notification.method === "notifications/resources/updated" &&
                Predicate.isRecord(notification.params) && notification.params.uri === uri
                ? Option.some({ uri })
                : Option.none()
            )
          )
        })),
      setRoots: (roots) =>
        Effect.suspend(() => {
          traffic.setRoots(roots)
          refreshEnvelope()
          rootsVersion++
          const session = sessions.current()
          return session === undefined || session.stateless || session.protocol.closedWith() !== undefined
            ? Effect.void
            : session.protocol.notify("notifications/roots/list_changed")
        }),
      setSamplingHandler: (handler) =>
        Effect.sync(() => {
          traffic.setSampling(handler)
          refreshEnvelope()
        }),
      setElicitationHandler: (handler) =>
        Effect.sync(() => {
          traffic.setElicitation(handler)
          refreshEnvelope()
        }),
      sendProgress: (progressToken, progress) =>
        withCurrent(
          "notifications/progress",
          (session) =>
            session.protocol.notify("notifications/progress", {
              progressToken,
              progress: progress.progress,
              ...(progress.total === undefined ? {} : { total: progress.total }),
              ...(progress.message === undefined ? {} : { message: progress.message })
            })
        )
    }

    const subscriptions = yield* RcMap.make({
      lookup: (uri: string) =>
        Effect.acquireRelease(service.subscribe(uri), () => Effect.ignore(service.unsubscribe(uri)))
    })

    if (autoConnect) yield* sessions.connect
    // a handler of every notification hears the list changes for the client's lifetime, as in the handshake era
    if (options.onMessage !== undefined) yield* RcMap.get(listsListen, "lists")
    return service
  })
