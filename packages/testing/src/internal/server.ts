/**
 * The scripted server: a small JSON-RPC responder on the server end of an
 * in-memory transport pair.
 *
 * @internal
 */
import { McpRpcError } from "@effect-mcp/client/McpError"
import * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Transport from "@effect-mcp/client/Transport"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import type * as McpTestServer from "../McpTestServer.js"

interface Session {
  readonly id: number
  readonly transport: Transport.Transport
  readonly pending: Map<string, Deferred.Deferred<unknown, McpRpcError>>
}

type Json = Record<string, unknown>

const asRecord = (u: unknown): Json => (typeof u === "object" && u !== null ? u as Json : {})

/** @internal */
export const make = (
  options: McpTestServer.Options = {}
): Effect.Effect<McpTestServer.TestServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const tools = options.tools ?? []
    const resources = options.resources ?? []
    const templates = options.resourceTemplates ?? []
    const prompts = options.prompts ?? []
    const capabilities: McpSchema.ServerCapabilities = options.capabilities ?? {
      logging: {},
      ...(tools.length > 0 ? { tools: { listChanged: true } } : {}),
      ...(resources.length + templates.length > 0 ? { resources: { subscribe: true, listChanged: true } } : {}),
      ...(prompts.length > 0 ? { prompts: { listChanged: true } } : {}),
      ...(options.complete === undefined ? {} : { completions: {} })
    }
    const log: Array<McpTestServer.LoggedMessage> = []
    const awaited = new Map<string, number>()
    const arrivals = yield* PubSub.unbounded<McpTestServer.LoggedMessage>()
    const sessions = new Map<number, Session>()
    let nextSession = 0
    let nextRequest = 0
    let loggingLevel: McpSchema.LoggingLevel | undefined
    const fibers = yield* FiberSet.make()
    // frames are handled in arrival order: each handler is forked, in order, from the callback
    const runFork = yield* FiberSet.runtime(fibers)<never>()

    const page = <A>(items: ReadonlyArray<A>, params: unknown, key: string): Json => {
      const size = options.pageSize
      if (size === undefined) return { [key]: items }
      const cursor = asRecord(params).cursor
      const start = typeof cursor === "string" ? Number(cursor) : 0
      const end = start + size
      return end < items.length ? { [key]: items.slice(start, end), nextCursor: String(end) } : {
        [key]: items.slice(start)
      }
    }

    const failure = (method: string, code: number, description: string) =>
      Effect.fail(new McpRpcError({ method, code, description }))

    const request = (session: Session, method: string, params?: Json) =>
      Effect.gen(function*() {
        const id = `server-${nextRequest++}`
        const deferred = yield* Deferred.make<unknown, McpRpcError>()
        session.pending.set(id, deferred)
        yield* session.transport.send({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) })
          .pipe(Effect.orDie)
        return yield* Deferred.await(deferred)
      })

    const handle = (session: Session, method: string, params: Json): Effect.Effect<unknown, McpRpcError> => {
      switch (method) {
        case "initialize": {
          const asked = typeof params.protocolVersion === "string" ? params.protocolVersion : undefined
          const protocolVersion = options.protocolVersion ??
            (asked !== undefined && McpSchema.SUPPORTED_PROTOCOL_VERSIONS.includes(asked)
              ? asked
              : McpSchema.LATEST_PROTOCOL_VERSION)
          return Effect.succeed({
            protocolVersion,
            capabilities,
            serverInfo: options.serverInfo ?? { name: "mcp-test-server", version: "0.0.0" },
            ...(options.instructions === undefined ? {} : { instructions: options.instructions })
          })
        }
        case "ping":
          return Effect.succeed({})
        case "logging/setLevel":
          loggingLevel = params.level as McpSchema.LoggingLevel
          return Effect.succeed({})
        case "tools/list":
          return Effect.succeed(page(
            tools.map(({ description, inputSchema, name, outputSchema }) => ({
              name,
              inputSchema: inputSchema ?? { type: "object" },
              ...(description === undefined ? {} : { description }),
              ...(outputSchema === undefined ? {} : { outputSchema })
            })),
            params,
            "tools"
          ))
        case "tools/call": {
          const tool = tools.find((t) => t.name === params.name)
          if (tool === undefined) {
            return failure(method, McpSchema.ErrorCode.InvalidParams, `Unknown tool: ${params.name}`)
          }
          const token = asRecord(params._meta).progressToken
          const context: McpTestServer.ToolContext = {
            progress: (progress, total, message) =>
              token === undefined ? Effect.void : session.transport.send({
                jsonrpc: "2.0",
                method: "notifications/progress",
                params: {
                  progressToken: token as McpSchema.ProgressToken,
                  progress,
                  ...(total === undefined ? {} : { total }),
                  ...(message === undefined ? {} : { message })
                }
              }).pipe(Effect.orDie),
            log: (level, data) =>
              session.transport.send({ jsonrpc: "2.0", method: "notifications/message", params: { level, data } })
                .pipe(Effect.orDie),
            request: (requestMethod, requestParams) => request(session, requestMethod, requestParams)
          }
          return tool.handler(asRecord(params.arguments), context)
        }
        case "resources/list":
          return Effect.succeed(
            page(
              resources.map(({ mimeType, name, uri }) => ({ uri, name, ...(mimeType ? { mimeType } : {}) })),
              params,
              "resources"
            )
          )
        case "resources/templates/list":
          return Effect.succeed(
            page(
              templates.map(({ mimeType, name, uriTemplate }) => ({
                uriTemplate,
                name,
                ...(mimeType ? { mimeType } : {})
              })),
              params,
              "resourceTemplates"
            )
          )
        case "resources/read": {
          const uri = String(params.uri)
          const exact = resources.find((r) => r.uri === uri)
          const template = exact === undefined
            ? templates.find((t) => uri.startsWith(t.uriTemplate.slice(0, t.uriTemplate.indexOf("{"))))
            : undefined
          const reader = exact ?? template
          return reader === undefined
            ? failure(method, McpSchema.ErrorCode.ResourceNotFound, `Resource not found: ${uri}`)
            : Effect.map(reader.read(uri), (contents) => ({ contents }))
        }
        case "resources/subscribe":
        case "resources/unsubscribe":
          return Effect.succeed({})
        case "prompts/list":
          return Effect.succeed(page(
            prompts.map(({ arguments: args, description, name }) => ({
              name,
              ...(description === undefined ? {} : { description }),
              ...(args === undefined ? {} : { arguments: args })
            })),
            params,
            "prompts"
          ))
        case "prompts/get": {
          const prompt = prompts.find((p) => p.name === params.name)
          return prompt === undefined
            ? failure(method, McpSchema.ErrorCode.InvalidParams, `Unknown prompt: ${params.name}`)
            : prompt.get(asRecord(params.arguments) as Record<string, string>)
        }
        case "completion/complete": {
          if (options.complete === undefined) {
            return failure(method, McpSchema.ErrorCode.MethodNotFound, "Completions are not supported")
          }
          const argument = asRecord(params.argument)
          return Effect.map(
            options.complete(params.ref as McpSchema.CompletionReference, {
              name: String(argument.name),
              value: String(argument.value)
            }),
            (values) => ({ completion: { values, total: values.length, hasMore: false } })
          )
        }
        default:
          return failure(method, McpSchema.ErrorCode.MethodNotFound, `Method not found: ${method}`)
      }
    }

    const onFrame = (session: Session, frame: unknown): Effect.Effect<void> => {
      const message = asRecord(frame)
      if (typeof message.method !== "string") {
        // an answer to one of our requests
        const deferred = session.pending.get(String(message.id))
        if (deferred === undefined) return Effect.void
        session.pending.delete(String(message.id))
        const error = asRecord(message.error)
        return "error" in message
          ? Deferred.fail(
            deferred,
            new McpRpcError({
              method: "(server request)",
              code: Number(error.code),
              description: String(error.message),
              data: error.data
            })
          )
          : Deferred.succeed(deferred, message.result)
      }
      const method = message.method
      const params = asRecord(message.params)
      const id = message.id as McpSchema.RequestId | undefined
      const entry: McpTestServer.LoggedMessage = id === undefined
        ? { session: session.id, method, params: message.params }
        : { session: session.id, method, params: message.params, id }
      log.push(entry)
      const published = PubSub.publish(arrivals, entry)
      if (id === undefined) return published
      const answer = handle(session, method, params).pipe(
        Effect.matchEffect({
          onSuccess: (result) => session.transport.send({ jsonrpc: "2.0", id, result: result as object }),
          onFailure: (error) =>
            session.transport.send({
              jsonrpc: "2.0",
              id,
              error: {
                code: error.code,
                message: error.description,
                ...(error.data === undefined ? {} : { data: error.data })
              }
            })
        }),
        Effect.ignore
      )
      // handlers run concurrently, as on a real server; a slow tool blocks no one
      return Effect.zipRight(published, answer)
    }

    const connect: Transport.Connect = Effect.gen(function*() {
      const [clientSide, serverSide] = yield* Transport.makeInMemoryPair
      const session: Session = { id: nextSession++, transport: serverSide, pending: new Map() }
      sessions.set(session.id, session)
      yield* Effect.addFinalizer(() => Effect.sync(() => sessions.delete(session.id)))
      yield* serverSide.run((frame) => runFork(onFrame(session, frame))).pipe(
        Effect.interruptible,
        Effect.ensuring(Effect.sync(() => sessions.delete(session.id))),
        Effect.forkScoped
      )
      return clientSide
    })

    const newest = () => {
      let last: Session | undefined
      for (const session of sessions.values()) last = session
      return last
    }

    return {
      connect,
      log: Effect.sync(() => log.slice()),
      received: (method) => Effect.sync(() => log.filter((entry) => entry.method === method)),
      awaitMessage: (method) =>
        Effect.scoped(
          Effect.flatMap(PubSub.subscribe(arrivals), (queue) => {
            const seen = awaited.get(method) ?? 0
            const take = (entry: McpTestServer.LoggedMessage) => {
              awaited.set(method, seen + 1)
              return Effect.succeed(entry)
            }
            const logged = log.filter((entry) => entry.method === method)[seen]
            if (logged !== undefined) return take(logged)
            const next: Effect.Effect<McpTestServer.LoggedMessage> = Effect.flatMap(
              Queue.take(queue),
              (entry) => (entry.method === method ? take(entry) : next)
            )
            return next
          })
        ),
      notify: (method, params) =>
        Effect.forEach(
          Array.from(sessions.values()),
          (session) =>
            Effect.ignore(
              session.transport.send(
                params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params }
              )
            ),
          { discard: true }
        ),
      request: (method, params) =>
        Effect.suspend(() => {
          const session = newest()
          return session === undefined
            ? Effect.fail(new McpRpcError({ method, code: -32000, description: "no client is connected" }))
            : request(session, method, params)
        }),
      openSessions: Effect.sync(() => sessions.size),
      loggingLevel: Effect.sync(() => loggingLevel)
    }
  })
