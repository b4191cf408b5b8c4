import { McpClient, McpError, Transport } from "@effect-mcp/client"
import { McpTestServer } from "@effect-mcp/testing"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Fiber, Queue, TestClock } from "effect"

/** A server whose "stepper" tool reports progress when the test says so, and answers when told to. */
const makeServer = Effect.gen(function*() {
  const steps = yield* Queue.unbounded<number>()
  const finish = yield* Deferred.make<void>()
  const server = yield* McpTestServer.make({
    tools: [
      { name: "never", handler: () => Effect.never },
      {
        name: "stepper",
        handler: (_, context) =>
          Effect.raceFirst(
            Effect.forever(Effect.flatMap(Queue.take(steps), (step) => context.progress(step))),
            Deferred.await(finish)
          ).pipe(Effect.as(McpTestServer.text("done")))
      }
    ]
  })
  return { server, steps, finish }
})

describe("request deadlines", () => {
  it.scoped("a timeout fails with TimeoutError at the deadline and sends notifications/cancelled", () =>
    Effect.gen(function*() {
      const { server } = yield* makeServer
      const client = yield* McpClient.make(server.connect)
      const call = yield* Effect.fork(client.callTool("never", {}, { timeout: "5 seconds" }))
      const request = yield* server.awaitMessage("tools/call")
      yield* TestClock.adjust("4999 millis")
      assert.isNull(call.unsafePoll())
      yield* TestClock.adjust("1 milli")
      const error = yield* Effect.flip(Fiber.join(call))
      assert.instanceOf(error, McpError.TimeoutError)
      assert.strictEqual(error.method, "tools/call")
      assert.strictEqual(error.kind, "idle")
      assert.isTrue(Duration.equals(error.timeout, Duration.seconds(5)))
      const cancelled = yield* server.awaitMessage("notifications/cancelled")
      assert.deepStrictEqual(cancelled.params, { requestId: request.id, reason: "timeout" })
    }))

  it.scoped("the client default applies when a call sets none", () =>
    Effect.gen(function*() {
      const { server } = yield* makeServer
      const client = yield* McpClient.make(server.connect, { requestTimeout: "2 seconds" })
      const call = yield* Effect.fork(client.callTool("never"))
      yield* server.awaitMessage("tools/call")
      yield* TestClock.adjust("2 seconds")
      const error = yield* Effect.flip(Fiber.join(call))
      assert.strictEqual(error._tag, "TimeoutError")
    }))

  it.scoped("interruption sends notifications/cancelled and is not a timeout", () =>
    Effect.gen(function*() {
      const { server } = yield* makeServer
      const client = yield* McpClient.make(server.connect)
      const call = yield* Effect.fork(client.callTool("never"))
      const request = yield* server.awaitMessage("tools/call")
      const exit = yield* Fiber.interrupt(call)
      assert.isTrue(Exit.isInterrupted(exit))
      const cancelled = yield* server.awaitMessage("notifications/cancelled")
      assert.deepStrictEqual(cancelled.params, { requestId: request.id, reason: "interrupted" })
    }))

  it.scoped("Effect.timeout around a call interrupts it: one cancel, and the session goes on", () =>
    Effect.gen(function*() {
      const { server } = yield* makeServer
      const client = yield* McpClient.make(server.connect)
      const call = yield* Effect.fork(Effect.timeout(client.callTool("never"), "1 second"))
      const request = yield* server.awaitMessage("tools/call")
      yield* TestClock.adjust("1 second")
      const error = yield* Effect.flip(Fiber.join(call))
      assert.strictEqual(error._tag, "TimeoutException")
      const cancelled = yield* server.awaitMessage("notifications/cancelled")
      assert.deepStrictEqual(cancelled.params, { requestId: request.id, reason: "interrupted" })
      yield* client.ping
      assert.strictEqual((yield* server.received("notifications/cancelled")).length, 1)
    }))

  it.scoped("progress resets the idle deadline", () =>
    Effect.gen(function*() {
      const { finish, server, steps } = yield* makeServer
      const client = yield* McpClient.make(server.connect)
      const seen: Array<number> = []
      const call = yield* Effect.fork(client.callTool("stepper", {}, {
        timeout: "5 seconds",
        onProgress: (progress) => Effect.sync(() => seen.push(progress.progress))
      }))
      yield* server.awaitMessage("tools/call")
      for (let step = 1; step <= 3; step++) {
        yield* TestClock.adjust("4 seconds")
        yield* Queue.offer(steps, step)
        while (seen.length < step) yield* Effect.yieldNow()
      }
      // 12 seconds in: well past the 5 second idle limit, but progress kept it alive
      assert.isNull(call.unsafePoll())
      yield* Deferred.succeed(finish, void 0)
      const result = yield* Fiber.join(call)
      assert.deepStrictEqual(result.content, [{ type: "text", text: "done" }])
      assert.deepStrictEqual(seen, [1, 2, 3])
    }))

  it.scoped("a slow progress handler holds up neither the reader nor the handler's order; the call waits for it", () =>
    Effect.gen(function*() {
      const server = yield* McpTestServer.make({
        tools: [{
          name: "three-steps",
          handler: (_, context) =>
            Effect.forEach([1, 2, 3], (step) => context.progress(step), { discard: true }).pipe(
              Effect.as(McpTestServer.text("done"))
            )
        }]
      })
      const client = yield* McpClient.make(server.connect)
      const release = yield* Deferred.make<void>()
      const seen: Array<number> = []
      const call = yield* Effect.fork(client.callTool("three-steps", {}, {
        onProgress: (progress) =>
          Effect.zipRight(Deferred.await(release), Effect.sync(() => seen.push(progress.progress)))
      }))
      yield* server.awaitMessage("tools/call")
      // the handler is stuck on the first notification, yet other requests are answered
      yield* client.ping
      yield* Effect.yieldNow().pipe(Effect.repeatN(50))
      assert.isNull(call.unsafePoll())
      assert.deepStrictEqual(seen, [])
      yield* Deferred.succeed(release, void 0)
      const result = yield* Fiber.join(call)
      assert.deepStrictEqual(result.content, [{ type: "text", text: "done" }])
      assert.deepStrictEqual(seen, [1, 2, 3])
    }))

  it.scoped("interrupting a call stops its progress handler", () =>
    Effect.gen(function*() {
      const { server, steps } = yield* makeServer
      const client = yield* McpClient.make(server.connect)
      const handling = yield* Deferred.make<void>()
      const stopped = yield* Deferred.make<void>()
      const call = yield* Effect.fork(client.callTool("stepper", {}, {
        onProgress: () =>
          Effect.zipRight(Deferred.succeed(handling, void 0), Effect.never).pipe(
            Effect.onInterrupt(() => Deferred.succeed(stopped, void 0))
          )
      }))
      yield* server.awaitMessage("tools/call")
      yield* Queue.offer(steps, 1)
      yield* Deferred.await(handling)
      yield* Fiber.interrupt(call)
      yield* Deferred.await(stopped)
      yield* server.awaitMessage("notifications/cancelled")
    }))

  it.scoped("the total cap holds whatever progress arrives", () =>
    Effect.gen(function*() {
      const { server, steps } = yield* makeServer
      const client = yield* McpClient.make(server.connect)
      let seen = 0
      const call = yield* Effect.fork(client.callTool("stepper", {}, {
        timeout: "5 seconds",
        totalTimeout: "10 seconds",
        onProgress: () => Effect.sync(() => seen++)
      }))
      yield* server.awaitMessage("tools/call")
      for (let step = 1; step <= 2; step++) {
        yield* TestClock.adjust("4 seconds")
        yield* Queue.offer(steps, step)
        while (seen < step) yield* Effect.yieldNow()
      }
      yield* TestClock.adjust("2 seconds")
      const error = yield* Effect.flip(Fiber.join(call))
      assert.instanceOf(error, McpError.TimeoutError)
      assert.strictEqual(error.kind, "total")
      assert.isTrue(Duration.equals(error.timeout, Duration.seconds(10)))
    }))

  it.scoped("initialize is never cancelled: an init timeout fails the connect without a cancel", () =>
    Effect.gen(function*() {
      const [clientSide, serverSide] = yield* Transport.makeInMemoryPair
      const seen: Array<string> = []
      yield* serverSide.run((frame) => seen.push((frame as { method: string }).method)).pipe(Effect.forkScoped)
      const connecting = yield* Effect.fork(
        McpClient.make(Effect.succeed(clientSide), { initTimeout: "3 seconds", protocol: "legacy" })
      )
      yield* TestClock.adjust("3 seconds")
      const error = yield* Effect.flip(Fiber.join(connecting))
      assert.instanceOf(error, McpError.TimeoutError)
      assert.strictEqual(error.method, "initialize")
      yield* Effect.yieldNow()
      assert.deepStrictEqual(seen, ["initialize"])
    }))
})
