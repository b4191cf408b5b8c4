/**
 * The client: a reference-counted session over the protocol engine, and every
 * operation on top of it.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as RcMap from "effect/RcMap"
import * as Runtime from "effect/Runtime"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as McpClient from "../McpClient.js"
import type { NotConnected, TransportError } from "../McpError.js"
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
}

const decodeInitialize = Protocol.decodeResult(McpSchema.InitializeResult, "initialize")
const decodeListTools = Protocol.decodeResult(McpSchema.ListToolsResult, "tools/list", FastDecode.listToolsResult)
const decodeCallTool = Protocol.decodeResult(McpSchema.CallToolResult, "tools/call", FastDecode.callToolResult)
const decodeListResources = Protocol.decodeResult(McpSchema.ListResourcesResult, "resources/list")
const decodeListTemplates = Protocol.decodeResult(McpSchema.ListResourceTemplatesResult, "resources/templates/list")
const decodeReadResource = Protocol.decodeResult(McpSchema.ReadResourceResult, "resources/read")
const decodeListPrompts = Protocol.decodeResult(McpSchema.ListPromptsResult, "prompts/list")
const decodeGetPrompt = Protocol.decodeResult(McpSchema.GetPromptResult, "prompts/get")
const decodeComplete = Protocol.decodeResult(McpSchema.CompleteResult, "completion/complete")

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
  options: McpClient.Options<RH> = {}
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

    const handshake = (onClosed: (error: TransportError) => void): Effect.Effect<Session, McpError, Scope.Scope | R> =>
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
        const raw = yield* protocol.requestNoCancel("initialize", {
          protocolVersion: McpSchema.LATEST_PROTOCOL_VERSION,
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
        transport.setProtocolVersion?.(initializeResult.protocolVersion)
        protocol.setProtocolVersion(initializeResult.protocolVersion)
        if (transport.ready !== undefined) yield* transport.ready
        yield* protocol.notify("notifications/initialized")
        const { serverInfo } = initializeResult
        return {
          protocol,
          initializeResult,
          server: `${serverInfo.name} ${serverInfo.version}`,
          rootsVersion
        }
      })

    // What was asked of the old session is asked of the new one; what fails is
    // logged (the session is usable all the same).
    const restore = (session: Session, stale: Session): Effect.Effect<void> =>
      Effect.gen(function*() {
        const caps = session.initializeResult.capabilities
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
      open: handshake,
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
        const caps = session.initializeResult.capabilities
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
      initializeResult: withCurrent("initializeResult", (session) => Effect.succeed(session.initializeResult)),
      serverCapabilities: withCurrent(
        "serverCapabilities",
        (session) => Effect.succeed(session.initializeResult.capabilities)
      ),
      fresh: Effect.mapInputContext(
        make(connect, options),
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
