import { McpClient, McpError, Transport } from "@effect-mcp/client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Logger, LogLevel, TestClock } from "effect"
import * as V8 from "node:v8"
import * as Vm from "node:vm"

// A server scripted message by message over an in-memory pair: it answers
// `initialize` (with the given revision) and hands every other message to
// `onMessage` with a `push` that delivers anything at all to the client.
type Push = (frame: unknown) => void
interface Script {
  readonly protocolVersion?: string
  readonly onMessage: (message: any, push: Push) => void
}

const scripted = (script: Script): Transport.Connect =>
  Effect.gen(function*() {
    const [client, server] = yield* Transport.makeInMemoryPair
    const push: Push = (frame) => Effect.runFork(server.send(frame as any))
    yield* server.run((message: any) => {
      if (message.method === "initialize") {
        push({
          jsonrpc: "2.0",
          id: message.id,
          result: {
            protocolVersion: script.protocolVersion ?? "2025-11-25",
            capabilities: { tools: {}, logging: {} },
            serverInfo: { name: "scripted", version: "1" }
          }
        })
      } else if (message.method === "server/discover") {
        // a server of the handshake era: the client falls back to initialize
        push({ jsonrpc: "2.0", id: message.id, error: { code: -32601, message: "Method not found" } })
      } else script.onMessage(message, push)
    }).pipe(Effect.forkScoped)
    return client
  })

const ok = (id: unknown, text = "ok") => ({
  jsonrpc: "2.0",
  id,
  result: { content: [{ type: "text", text }] }
})

const nested = (depth: number): unknown => {
  let value: unknown = 0
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

V8.setFlagsFromString("--expose-gc")
const gc = Vm.runInNewContext("gc") as () => void

const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ message }) => {
    lines.push(Array.isArray(message) ? message.join(" ") : String(message))
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

describe("a server that lies, floods and nests deep", () => {
  it.scoped("a result nested 100,000 deep fails that call with ProtocolError; the host and the session live", () =>
    Effect.gen(function*() {
      const client = yield* McpClient.make(scripted({
        onMessage: (message, push) => {
          if (message.method !== "tools/call") return
          if (message.params.name === "deep") {
            const deep = "[".repeat(100_000) + "0" + "]".repeat(100_000)
            push(Transport.parseJson(JSON.stringify(ok(message.id)).replace("\"ok\"", deep), "a line"))
          } else push(ok(message.id))
        }
      }))
      const error = yield* Effect.flip(client.callTool("deep"))
      assert.instanceOf(error, McpError.ProtocolError)
      assert.include(error.message, "nested deeper than 512 levels")
      assert.strictEqual(text(yield* client.callTool("fine")), "ok")
    }))

  it.scoped("frames of no known shape, however deep or large, are reported in at most 200 characters", () => {
    const { layer, lines } = captureLogs()
    return Effect.gen(function*() {
      const client = yield* McpClient.make(scripted({
        onMessage: (message, push) => {
          if (message.method !== "tools/call") return
          push(nested(100_000))
          push({ jsonrpc: "2.0", what: "x".repeat(10_000_000) })
          push({ jsonrpc: "2.0", id: 99_999, result: nested(5000) })
          push(ok(message.id))
        }
      }))
      assert.strictEqual(text(yield* client.callTool("any")), "ok")
      yield* Effect.yieldNow()
      assert.isAtLeast(lines.length, 3)
      for (const line of lines) assert.isBelow(line.length, 600)
    }).pipe(Effect.provide(layer))
  })

  it.scoped("an answer whose id comes back as a string is matched to its request", () =>
    Effect.gen(function*() {
      const client = yield* McpClient.make(scripted({
        onMessage: (message, push) => {
          if (message.method === "tools/call") push(ok(String(message.id), "by string"))
        }
      }))
      assert.strictEqual(text(yield* client.callTool("any")), "by string")
    }))

  it.scoped("a batch is accepted under revision 2025-03-26", () =>
    Effect.gen(function*() {
      const client = yield* McpClient.make(scripted({
        protocolVersion: "2025-03-26",
        onMessage: (message, push) => {
          if (message.method !== "tools/call") return
          push([
            { jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: "first" } },
            ok(message.id, "batched")
          ])
        }
      }))
      assert.strictEqual(text(yield* client.callTool("any")), "batched")
    }))

  it.scoped("a batch under a later revision is refused: the call it carried times out, the warning says why", () => {
    const { layer, lines } = captureLogs()
    return Effect.gen(function*() {
      const client = yield* McpClient.make(
        scripted({
          onMessage: (message, push) => {
            if (message.method === "tools/call") push([ok(message.id)])
          }
        }),
        { requestTimeout: "1 second" }
      )
      const call = yield* Effect.fork(client.callTool("any"))
      yield* TestClock.adjust("1 second")
      assert.instanceOf(yield* Effect.flip(Fiber.join(call)), McpError.TimeoutError)
      assert.isTrue(lines.some((line) => line.includes("batch, which the agreed revision does not allow")))
    }).pipe(Effect.provide(layer))
  })

  it.scoped(
    "progress reaches the client-level handler and resets the deadline, with no per-call handler",
    () =>
      Effect.gen(function*() {
        const seen: Array<number> = []
        const client = yield* McpClient.make(
          scripted({
            onMessage: (message, push) => {
              if (message.method !== "tools/call") return
              const token = message.params._meta?.progressToken
              let step = 0
              const tick = () => {
                step++
                push({
                  jsonrpc: "2.0",
                  method: "notifications/progress",
                  params: { progressToken: token, progress: step }
                })
                if (step < 5) setTimeout(tick, 600)
                else push(ok(message.id, "done"))
              }
              setTimeout(tick, 600)
            }
          }),
          {
            requestTimeout: "1 second",
            onProgress: (progress) => Effect.sync(() => seen.push(progress.progress))
          }
        )
        // 3 seconds of work against a 1 second idle limit: progress keeps it alive
        assert.strictEqual(text(yield* client.callTool("long")), "done")
        assert.deepStrictEqual(seen, [1, 2, 3, 4, 5])
      }),
    { timeout: 10_000 }
  )

  it.live("log messages sent before a result reach onLog before the call returns, even from a slow handler", () =>
    Effect.scoped(Effect.gen(function*() {
      const logged: Array<string> = []
      const client = yield* McpClient.make(
        scripted({
          onMessage: (message, push) => {
            if (message.method !== "tools/call") return
            for (let i = 0; i < 5; i++) {
              push({ jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: `line ${i}` } })
            }
            push(ok(message.id))
          }
        }),
        {
          onLog: (message) => Effect.delay(Effect.sync(() => logged.push(String(message.data))), "20 millis")
        }
      )
      yield* client.callTool("any")
      assert.deepStrictEqual(logged, ["line 0", "line 1", "line 2", "line 3", "line 4"])
    })))

  it.live("a handler that never ends holds a call up at most a second", () =>
    Effect.scoped(Effect.gen(function*() {
      const client = yield* McpClient.make(
        scripted({
          onMessage: (message, push) => {
            if (message.method !== "tools/call") return
            push({ jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: "x" } })
            push(ok(message.id))
          }
        }),
        { onLog: () => Effect.never }
      )
      const started = Date.now()
      yield* client.callTool("any")
      const elapsed = Date.now() - started
      assert.isBelow(elapsed, 2000)
    })))

  it.live("a call made from a notification handler does not wait for the handlers (it would wait for itself)", () =>
    Effect.scoped(Effect.gen(function*() {
      const took: Array<number> = []
      const self: { client?: McpClient.Service } = {}
      const client = yield* McpClient.make(
        scripted({
          onMessage: (message, push) => {
            if (message.method !== "tools/call") return
            if (message.params.name === "outer") {
              push({ jsonrpc: "2.0", method: "notifications/tools/list_changed" })
            }
            push(ok(message.id))
          }
        }),
        {
          onMessage: (notification) =>
            notification.method === "notifications/tools/list_changed"
              ? Effect.gen(function*() {
                const started = Date.now()
                yield* Effect.orDie(self.client!.callTool("inner"))
                took.push(Date.now() - started)
              })
              : Effect.void
        }
      )
      self.client = client
      yield* client.callTool("outer")
      // the outer call returned after its handler, which made the inner call
      assert.strictEqual(took.length, 1)
      assert.isBelow(took[0]!, 500)
    })))

  it.live("100,000 junk frames make at most 10 warnings a second and a count, not 100,000; the session answers", () => {
    const { layer, lines } = captureLogs()
    return Effect.scoped(Effect.gen(function*() {
      const client = yield* McpClient.make(scripted({
        onMessage: (message, push) => {
          if (message.method !== "tools/call") return
          for (let i = 0; i < 100_000; i++) push({ junk: i })
          push(ok(message.id))
        }
      }))
      assert.strictEqual(text(yield* client.callTool("any")), "ok")
      yield* Effect.sleep("1100 millis")
      // at most 10 a second, and a count of the rest
      assert.isBelow(lines.length, 200)
      assert.isTrue(lines.some((line) => /\d+ more problems with the MCP server were not logged/.test(line)))
    })).pipe(Effect.provide(layer), Effect.provide(Logger.minimumLogLevel(LogLevel.Warning)))
  })

  it.live("a flood of notifications behind a stuck handler is bounded: the newest are dropped, with a warning", () => {
    const { layer, lines } = captureLogs()
    return Effect.scoped(Effect.gen(function*() {
      const client = yield* McpClient.make(
        scripted({
          onMessage: (message, push) => {
            if (message.method !== "tools/call") return
            for (let i = 0; i < 20_000; i++) {
              push({
                jsonrpc: "2.0",
                method: "notifications/message",
                params: { level: "info", data: "y".repeat(1000) }
              })
            }
            push(ok(message.id))
          }
        }),
        { onMessage: () => Effect.never }
      )
      gc()
      const before = process.memoryUsage().heapUsed
      yield* client.callTool("any")
      gc()
      const grown = process.memoryUsage().heapUsed - before
      // 20,000 notifications of 1 KB would be 20 MB held; 4,096 at most are
      assert.isBelow(grown, 15 * 1024 * 1024)
      assert.isTrue(lines.some((line) => line.includes("notifications behind")))
    })).pipe(Effect.provide(layer))
  })

  it.live("a flood of server requests is refused past 256 in flight, and the client stays responsive", () =>
    Effect.scoped(Effect.gen(function*() {
      const answers: Array<any> = []
      const client = yield* McpClient.make(
        scripted({
          onMessage: (message, push) => {
            if ("result" in message || "error" in message) {
              answers.push(message)
              return
            }
            if (message.method !== "tools/call") return
            for (let i = 0; i < 1000; i++) {
              push({
                jsonrpc: "2.0",
                id: `s${i}`,
                method: "sampling/createMessage",
                params: { messages: [], maxTokens: 1 }
              })
            }
            push(ok(message.id))
          }
        }),
        { sampling: () => Effect.never }
      )
      yield* client.callTool("any")
      yield* Effect.sleep("100 millis")
      const refused = answers.filter((answer) => answer.error?.message?.includes("The client is busy"))
      assert.strictEqual(refused.length, 1000 - 256)
    })))

  it.live("a timed-out error does not keep the session (its buffers, its transport) alive", () =>
    Effect.gen(function*() {
      let held: unknown
      const ref = yield* Effect.scoped(Effect.gen(function*() {
        const connect = scripted({ onMessage: () => {} })
        let transport: Transport.Transport | undefined
        const client = yield* McpClient.make(Effect.tap(connect, (t) => Effect.sync(() => (transport = t))), {
          requestTimeout: "10 millis"
        })
        held = yield* Effect.flip(client.callTool("any"))
        return new WeakRef(transport!)
      }))
      yield* Effect.sleep("50 millis")
      gc()
      assert.instanceOf(held, McpError.TimeoutError)
      assert.isUndefined(ref.deref())
    }))
})

function text(result: { readonly content: ReadonlyArray<unknown> }): string {
  return (result.content[0] as { text: string }).text
}
