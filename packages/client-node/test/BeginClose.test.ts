// A closing client starts the server's wind-down first (stdin ended, DELETE sent): that must reach the
// server while the client still runs its other finalizers, not once they are done. The servers here run in
// child processes and note when they saw the end; the client then keeps its event loop busy on purpose.
import { NodeHttpTransport, NodeStdioTransport } from "@effect-mcp/client-node"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { freePort } from "../../client/test/utils/servers.js"

/** A scratch file the server writes the time it saw the end to; removed with the scope. */
const markFile = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-close-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
).pipe(Effect.map((dir) => Path.join(dir, "ended")))

/** The client's work after beginClose, standing for its other finalizers: the event loop cannot turn. */
const busyFor = (millis: number) => {
  const until = Date.now() + millis
  while (Date.now() < until) {
    // busy on purpose
  }
  return until
}

const endedAt = (file: string) =>
  Effect.gen(function*() {
    for (let tries = 0; tries < 200 && !Fs.existsSync(file); tries++) yield* Effect.sleep("10 millis")
    return Number(Fs.readFileSync(file, "utf8"))
  })

describe("beginClose", () => {
  it.scopedLive("stdio: the server's input is ended when beginClose completes", () =>
    Effect.gen(function*() {
      const file = yield* markFile
      const script = "process.stdout.write(JSON.stringify({ jsonrpc: '2.0', method: 'ready' }) + '\\n');" +
        "process.stdin.on('end', () => { require('fs').writeFileSync(process.argv[1], String(Date.now())); process.exit(0) });" +
        "process.stdin.resume()"
      const transport = yield* NodeStdioTransport.make({
        command: process.execPath,
        args: ["-e", script, file],
        stderr: "ignore"
      })
      const ready = yield* Deferred.make<void>()
      yield* Effect.forkScoped(transport.run(() => Deferred.unsafeDone(ready, Exit.void)))
      yield* Deferred.await(ready)
      yield* transport.beginClose!
      const busyUntil = busyFor(300)
      assert.isBelow(yield* endedAt(file), busyUntil, "the server saw its input end only after the client's work")
    }))

  it.scopedLive("Streamable HTTP: the DELETE is sent when beginClose completes", () =>
    Effect.gen(function*() {
      const file = yield* markFile
      const port = yield* freePort
      const script = "const fs = require('fs');" +
        "require('http').createServer((req, res) => {" +
        "  req.resume();" +
        "  if (req.method === 'DELETE') { fs.writeFileSync(process.argv[2], String(Date.now())); return res.writeHead(200).end() }" +
        "  if (req.method === 'GET') return res.writeHead(405).end();" +
        "  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's1' })" +
        "    .end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: {} })));" +
        "}).listen(Number(process.argv[1]), '127.0.0.1', () => console.log('listening'))"
      const server = yield* Effect.acquireRelease(
        Effect.async<ChildProcess.ChildProcess>((resume) => {
          const child = ChildProcess.spawn(process.execPath, ["-e", script, String(port), file], {
            stdio: ["ignore", "pipe", "ignore"]
          })
          child.stdout.once("data", () => resume(Effect.succeed(child)))
        }),
        (child) => Effect.sync(() => child.kill())
      )
      assert.isDefined(server.pid)
      const transport = yield* NodeHttpTransport.make({ url: `http://127.0.0.1:${port}/mcp` })
      const answered = yield* Deferred.make<void>()
      yield* Effect.forkScoped(transport.run(() => Deferred.unsafeDone(answered, Exit.void)))
      yield* transport.send({ jsonrpc: "2.0", id: 1, method: "ping" })
      yield* Deferred.await(answered)
      yield* transport.beginClose!
      const busyUntil = busyFor(300)
      assert.isBelow(yield* endedAt(file), busyUntil, "the server got the DELETE only after the client's work")
    }))
})
