/**
 * The client: a reference-counted session over the protocol engine, and every
 * operation on top of it.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as RcMap from "effect/RcMap"
import * as Runtime from "effect/Runtime"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as McpClient from "../McpClient.js"
import type { McpRpcError, NotConnected, TransportError } from "../McpError.js"
import { ProtocolError, ToolError } from "../McpError.js"
import type { McpError } from "../McpError.js"
import * as McpSchema from "../McpSchema.js"
import * as Transport from "../Transport.js"
import * as FastDecode from "./fastDecode.js"
import * as Problems from "./problems.js"
import * as Protocol from "./protocol.js"
import * as Sessions from "./session.js"
import * as Traffic from "./traffic.js"

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
      return error.code !== McpSchema.ErrorCode.HeaderMismatch &&
        error.code !== McpSchema.ErrorCode.MissingRequiredClientCapability
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
        detail: `tool "${name}" returned no structuredContent to decode with the output schema`
      })
    )
  }
  return Schema.decodeUnknown(outputSchema)(result.structuredContent).pipe(
    Effect.mapError((error) =>
      new ProtocolError({
        reason: "InvalidResult",
        detail: `tool "${name}" returned structuredContent that does not match the output schema: ${error.message}`,
        cause: error
      })
    )
  )
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
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const onProblem = Problems.makeReporter(yield* Effect.clock, (log) => {
      runFork(log)
    })
    const traffic = yield* Traffic.make(options, context as Context.Context<RH>, onProblem)
    const requestTimeout = Duration.decode(options.requestTimeout ?? Duration.seconds(60))
    const initTimeout = Duration.decode(options.initTimeout ?? Duration.seconds(30))
    const clientInfo = options.clientInfo ?? { name: "effect-mcp", version: clientVersion }
    const autoConnect = options.autoConnect ?? true
    // unless given, the transports read Transport.MaxMessageBytes from the caller's context
    const maxMessageBytes = options.maxMessageBytes
    const maxPages = options.maxPages ?? defaultMaxPages

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

    const speak = (transport: Transport.Transport, protocol: Protocol.Protocol, version: string | undefined) => {
      transport.setProtocolVersion?.(version)
      protocol.setProtocolVersion(version)
      protocol.setEnvelope(version !== undefined && Transport.isStateless(version) ? envelope(version) : undefined)
    }

    const handshake = (
      transport: Transport.Transport,
      protocol: Protocol.Protocol,
      version: string,
      how: string
    ): Effect.Effect<Session, McpError> =>
      Effect.gen(function*() {
        speak(transport, protocol, undefined)
        const raw = yield* protocol.requestNoCancel("initialize", {
          protocolVersion: version,
          capabilities: traffic.capabilities(),
          clientInfo
        }, initTimeout)
        const initializeResult = yield* decodeInitialize(raw)
        if (!McpSchema.SUPPORTED_PROTOCOL_VERSIONS.includes(initializeResult.protocolVersion)) {
          return yield* new ProtocolError({
            reason: "VersionMismatch",
            detail: `the server answered "${initializeResult.protocolVersion}"; this client speaks ${
              McpSchema.SUPPORTED_PROTOCOL_VERSIONS.join(", ")
            }`
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
          era: { protocolVersion: initializeResult.protocolVersion, stateless: false, chosenBy: how }
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
      retried = false
    ): Effect.Effect<Session, McpError> =>
      Effect.gen(function*() {
        speak(transport, protocol, version)
        const raw = yield* protocol.request("server/discover", undefined, { timeout })
        const result = yield* decodeDiscover(raw)
        if (!result.supportedVersions.includes(version)) {
          return yield* new ProtocolError({
            reason: "VersionMismatch",
            detail: `the server speaks ${result.supportedVersions.join(", ") || "no version"}, not ${version}`
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
          era: { protocolVersion: version, stateless: true, chosenBy: how }
        } satisfies Session
      }).pipe(
        Effect.catchIf(
          (error): error is McpRpcError =>
            !retried && error._tag === "McpRpcError" &&
            error.code === McpSchema.ErrorCode.UnsupportedProtocolVersion &&
            sharedStateless(error.data) !== undefined,
          (error) => discover(transport, protocol, sharedStateless(error.data)!, timeout, how, true)
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
            "auto: the server answered server/discover"
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
        const transport = yield* (maxMessageBytes === undefined
          ? connect
          : Effect.provideService(connect, Transport.MaxMessageBytes, maxMessageBytes))
        const protocol = yield* Protocol.make({
          transport,
          requestTimeout,
          handlers: traffic.handlers,
          onNotification: traffic.onNotification,
          notificationsReceived: traffic.received,
          notificationsHandled: traffic.handled,
          onProblem,
          onClosed
        })
        switch (choice) {
          case "auto":
            return yield* negotiate(transport, protocol)
          case "legacy":
            return yield* handshake(transport, protocol, McpSchema.LATEST_PROTOCOL_VERSION, "legacy: the handshake")
          default:
            return Transport.isStateless(choice)
              ? yield* discover(transport, protocol, choice, initTimeout, `pinned to ${choice}`)
              : yield* handshake(transport, protocol, choice, `pinned to ${choice}`)
        }
      })

    // What was asked of the old session is asked of the new one; what fails is
    // logged (the session is usable all the same).
    const restore = (session: Session, stale: Session): Effect.Effect<void> =>
      Effect.gen(function*() {
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
      renewalWait: requestTimeout
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
            detail: `${session.server} did not advertise the "${capability}" capability${
              check === undefined ? "" : " for this"
            }, so "${operation}" is not available`
          })
        )
      })

    const traced = options.spans === true
      ? <A, E>(name: string, effect: Effect.Effect<A, E>, attributes?: Record<string, unknown>) =>
        Effect.withSpan(effect, `McpClient.${name}`, attributes === undefined ? undefined : { attributes })
      : <A, E>(_name: string, effect: Effect.Effect<A, E>) => effect

    const request = (
      method: string,
      params: Record<string, unknown> | undefined,
      capability: Capability | undefined,
      requestOptions?: Protocol.RequestOptions
    ) =>
      capability === undefined
        ? withSession(method, (session) => session.protocol.request(method, params, requestOptions))
        : withCapability(
          method,
          capability,
          (session) => session.protocol.request(method, params, requestOptions)
        )

    const listAll = <A, Page extends { readonly nextCursor?: string | undefined }>(
      method: string,
      capability: Capability,
      decode: (u: unknown) => Effect.Effect<Page, ProtocolError>,
      items: (page: Page) => ReadonlyArray<A>
    ): Effect.Effect<ReadonlyArray<A>, McpError> =>
      Effect.gen(function*() {
        const all: Array<A> = []
        const seen = new Set<string>()
        let cursor: string | undefined
        for (let page = 1;; page++) {
          const result = yield* Effect.flatMap(
            request(method, cursor === undefined ? undefined : { cursor }, capability),
            decode
          )
          for (const item of items(result)) all.push(item)
          cursor = result.nextCursor
          if (cursor === undefined) return all
          if (seen.has(cursor)) {
            return yield* new ProtocolError({
              reason: "CursorLoop",
              detail:
                `${method} returned cursor "${cursor}" a second time (page ${page}); stopped after ${all.length} items`
            })
          }
          if (page >= maxPages) {
            return yield* new ProtocolError({
              reason: "CursorLoop",
              detail:
                `${method} still had more after ${maxPages} pages; raise the client's maxPages if that is expected`
            })
          }
          seen.add(cursor)
        }
      })

    const page = (cursor: string | undefined) => cursor === undefined ? undefined : { cursor }

    // -- operations ------------------------------------------------------------

    const callToolRaw: McpClient.Service["callToolRaw"] = (name, args, callOptions) => {
      const call = Effect.flatMap(
        request("tools/call", args === undefined ? { name } : { name, arguments: args }, "tools", callOptions),
        decodeCallTool
      )
      // the attributes are built only when they are used: this is the hot path
      return options.spans === true ? traced("callTool", call, { "mcp.tool": name }) : call
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
              detail: `the session speaks ${session.protocolVersion}, which has no initialize handshake; ` +
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
      request: (method, params, requestOptions) => traced(method, request(method, params, undefined, requestOptions)),

      listTools: traced("listTools", listAll("tools/list", "tools", decodeListTools, (p) => p.tools)),
      listToolsRaw: (cursor) =>
        traced("listToolsRaw", Effect.flatMap(request("tools/list", page(cursor), "tools"), decodeListTools)),
      callTool,
      callToolRaw,

      listResources: traced(
        "listResources",
        listAll("resources/list", "resources", decodeListResources, (p) => p.resources)
      ),
      listResourcesRaw: (cursor) =>
        traced(
          "listResourcesRaw",
          Effect.flatMap(request("resources/list", page(cursor), "resources"), decodeListResources)
        ),
      listResourceTemplates: traced(
        "listResourceTemplates",
        listAll("resources/templates/list", "resources", decodeListTemplates, (p) => p.resourceTemplates)
      ),
      listResourceTemplatesRaw: (cursor) =>
        traced(
          "listResourceTemplatesRaw",
          Effect.flatMap(request("resources/templates/list", page(cursor), "resources"), decodeListTemplates)
        ),
      readResource: (uri, requestOptions) =>
        traced(
          "readResource",
          Effect.map(
            Effect.flatMap(request("resources/read", { uri }, "resources", requestOptions), decodeReadResource),
            (result) => result.contents
          ),
          { "mcp.uri": uri }
        ),
      readResourceRaw: (uri, requestOptions) =>
        traced(
          "readResourceRaw",
          Effect.flatMap(request("resources/read", { uri }, "resources", requestOptions), decodeReadResource),
          { "mcp.uri": uri }
        ),
      subscribe: (uri) =>
        traced(
          "subscribe",
          withCapability(
            "resources/subscribe",
            "resources",
            (session) => Effect.asVoid(session.protocol.request("resources/subscribe", { uri })),
            (caps) => caps.resources?.subscribe === true
          ),
          { "mcp.uri": uri }
        ),
      unsubscribe: (uri) =>
        traced(
          "unsubscribe",
          withCapability(
            "resources/unsubscribe",
            "resources",
            (session) => Effect.asVoid(session.protocol.request("resources/unsubscribe", { uri })),
            (caps) => caps.resources?.subscribe === true
          ),
          { "mcp.uri": uri }
        ),

      listPrompts: traced("listPrompts", listAll("prompts/list", "prompts", decodeListPrompts, (p) => p.prompts)),
      listPromptsRaw: (cursor) =>
        traced("listPromptsRaw", Effect.flatMap(request("prompts/list", page(cursor), "prompts"), decodeListPrompts)),
      getPrompt: (name, args, requestOptions) =>
        traced(
          "getPrompt",
          Effect.flatMap(
            request(
              "prompts/get",
              args === undefined ? { name } : { name, arguments: args },
              "prompts",
              requestOptions
            ),
            decodeGetPrompt
          ),
          { "mcp.prompt": name }
        ),

      complete: (reference, argument, completeOptions) =>
        traced(
          "complete",
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
      ping: traced("ping", Effect.asVoid(request("ping", undefined, undefined))),
      setLoggingLevel: (level) =>
        traced(
          "setLoggingLevel",
          Effect.zipRight(
            request("logging/setLevel", { level }, "logging"),
            Effect.sync(() => {
              loggingLevel = level
            })
          )
        ),
      sendRootsListChanged: withCurrent(
        "notifications/roots/list_changed",
        (session) => session.protocol.notify("notifications/roots/list_changed")
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
      notifications: traffic.notifications,
      progress: Stream.filterMap(traffic.notifications, Traffic.decodeProgressParams),
      logMessages: Stream.filterMap(traffic.notifications, Traffic.decodeLogParams),
      listChanged: Stream.filterMap(traffic.notifications, (notification) => {
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
          rootsVersion++
          const session = sessions.current()
          return session === undefined || session.protocol.closedWith() !== undefined
            ? Effect.void
            : session.protocol.notify("notifications/roots/list_changed")
        }),
      setSamplingHandler: (handler) => Effect.sync(() => traffic.setSampling(handler)),
      setElicitationHandler: (handler) => Effect.sync(() => traffic.setElicitation(handler)),
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
    return service
  })
