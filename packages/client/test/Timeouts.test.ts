import { McpClient, McpError, Transport } from "@effect-mcp/client"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Stream, TestClock } from "effect"
import { makeScriptedPeer } from "./utils/ScriptedPeer.js"

describe("request deadlines", () => {
  it.scoped("a timeout fails with TimeoutError and sends notifications/cancelled", () =>
    Effect.gen(function*() {
      const peer = yield* makeScriptedPeer()
      const client = yield* McpClient.make(peer.connect)
      yield* peer.next("notifications/initialized")
      const call = yield* Effect.fork(client.callTool("slow", {}, { timeout: "5 seconds" }))
      const request = yield* peer.next("tools/call")
      yield* TestClock.adjust("4999 millis")
      assert.isNull(call.unsafePoll())
      yield* TestClock.adjust("1 milli")
      const error = yield* Effect.flip(Fiber.join(call))
      assert.instanceOf(error, McpError.TimeoutError)
      assert.strictEqual(error.method, "tools/call")
      assert.strictEqual(error.kind, "idle")
      assert.isTrue(Duration.equals(error.timeout, Duration.seconds(5)))
      const cancelled = yield* peer.next("notifications/cancelled")
      assert.deepStrictEqual(cancelled.params, { requestId: request.id, reason: "timeout" })
    }))

  it.scoped("the client default applies when a call sets none", () =>
    Effect.gen(function*() {
      const peer = yield* makeScriptedPeer()
      const client = yield* McpClient.make(peer.connect, { requestTimeout: "2 seconds" })
      const call = yield* Effect.fork(client.ping)
      yield* peer.next("ping")
      yield* TestClock.adjust("2 seconds")
      const exit = yield* Fiber.await(call)
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(Fiber.join(call))
      assert.strictEqual(error._tag, "TimeoutError")
    }))

  it.scoped("interruption sends notifications/cancelled and is not a timeout", () =>
    Effect.gen(function*() {
      const peer = yield* makeScriptedPeer()
      const client = yield* McpClient.make(peer.connect)
      const call = yield* Effect.fork(client.callTool("slow"))
      const request = yield* peer.next("tools/call")
      const exit = yield* Fiber.interrupt(call)
      assert.isTrue(Exit.isInterrupted(exit))
      const cancelled = yield* peer.next("notifications/cancelled")
      assert.deepStrictEqual(cancelled.params, { requestId: request.id, reason: "interrupted" })
    }))

  it.scoped("progress resets the idle deadline; the total cap still holds", () =>
    Effect.gen(function*() {
      const peer = yield* makeScriptedPeer()
      const client = yield* McpClient.make(peer.connect)
      const seen: Array<number> = []
      const call = yield* Effect.fork(client.callTool("slow", {}, {
        timeout: "5 seconds",
        totalTimeout: "20 seconds",
        onProgress: (progress) => Effect.sync(() => seen.push(progress.progress))
      }))
      const request = yield* peer.next("tools/call")
      const token = (request.params as any)._meta.progressToken
      for (let step = 1; step <= 3; step++) {
        yield* TestClock.adjust("4 seconds")
        yield* peer.send({
          jsonrpc: "2.0",
          method: "notifications/progress",
          params: { progressToken: token, progress: step }
        })
        yield* Effect.yieldNow()
      }
      // 12 seconds in: well past the 5 second idle limit, but progress kept it alive
      assert.isNull(call.unsafePoll())
      yield* peer.send({ jsonrpc: "2.0", id: request.id!, result: { content: [{ type: "text", text: "done" }] } })
      const result = yield* Fiber.join(call)
      assert.deepStrictEqual(result.content, [{ type: "text", text: "done" }])
      assert.deepStrictEqual(seen, [1, 2, 3])

      const capped = yield* Effect.fork(client.callTool("slow", {}, {
        timeout: "5 seconds",
        totalTimeout: "10 seconds",
        onProgress: () => Effect.void
      }))
      const second = yield* peer.next("tools/call")
      const secondToken = (second.params as any)._meta.progressToken
      for (let step = 1; step <= 3; step++) {
        yield* TestClock.adjust("4 seconds")
        if (capped.unsafePoll() === null) {
          yield* peer.send({
            jsonrpc: "2.0",
            method: "notifications/progress",
            params: { progressToken: secondToken, progress: step }
          })
          yield* Effect.yieldNow()
        }
      }
      const error = yield* Effect.flip(Fiber.join(capped))
      assert.instanceOf(error, McpError.TimeoutError)
      assert.strictEqual(error.kind, "total")
      assert.isTrue(Duration.equals(error.timeout, Duration.seconds(10)))
    }))

  it.scoped("initialize is never cancelled: an init timeout fails the connect without a cancel", () =>
    Effect.gen(function*() {
      const [clientSide, serverSide] = yield* Transport.makeInMemoryPair
      const seen: Array<string> = []
      yield* serverSide.incoming.pipe(
        Stream.runForEach((frame) => Effect.sync(() => seen.push((frame as { method: string }).method))),
        Effect.forkScoped
      )
      const connecting = yield* Effect.fork(McpClient.make(Effect.succeed(clientSide), { initTimeout: "3 seconds" }))
      yield* TestClock.adjust("3 seconds")
      const error = yield* Effect.flip(Fiber.join(connecting))
      assert.instanceOf(error, McpError.TimeoutError)
      assert.strictEqual(error.method, "initialize")
      yield* Effect.yieldNow()
      assert.deepStrictEqual(seen, ["initialize"])
    }))
})
