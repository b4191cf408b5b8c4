import { afterAll, beforeAll } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as ChildProcess from "node:child_process"
import { createRequire } from "node:module"
import * as Net from "node:net"

const require = createRequire(import.meta.url)

/** The entry point of `@modelcontextprotocol/server-everything`. */
export const everythingPath: string = require.resolve("@modelcontextprotocol/server-everything/dist/index.js")

/** The entry point of `@modelcontextprotocol/server-filesystem`. */
export const filesystemPath: string = require.resolve("@modelcontextprotocol/server-filesystem/dist/index.js")

/** A port nobody listens on right now, on loopback. */
export const freePort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address() as Net.AddressInfo
    server.close(() => resume(Effect.succeed(address.port)))
  })
})

const waitForPort = (port: number, child: ChildProcess.ChildProcess): Effect.Effect<void, Error> =>
  Effect.async<void, Error>((resume) => {
    let done = false
    const onExit = (code: number | null) => {
      if (!done) {
        done = true
        resume(Effect.fail(new Error(`server exited with ${code} before listening on ${port}`)))
      }
    }
    child.once("exit", onExit)
    const attempt = () => {
      if (done) return
      const socket = Net.connect(port, "127.0.0.1")
      socket.once("connect", () => {
        socket.destroy()
        done = true
        child.off("exit", onExit)
        resume(Effect.void)
      })
      socket.once("error", () => {
        socket.destroy()
        setTimeout(attempt, 50)
      })
    }
    attempt()
    return Effect.sync(() => {
      done = true
    })
  }).pipe(Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => new Error(`nothing listened on ${port}`) }))

/**
 * Starts server-everything in an HTTP mode on a free port, and stops it
 * (and waits for it to be gone) when the scope closes.
 */
export const startEverythingHttp = (
  mode: "streamableHttp" | "sse"
): Effect.Effect<{ readonly port: number; readonly url: string; readonly pid: number }, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const port = yield* freePort
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        ChildProcess.spawn(process.execPath, [everythingPath, mode], {
          env: { PATH: process.env.PATH ?? "", PORT: String(port) },
          stdio: ["ignore", "ignore", "pipe"]
        })
      ),
      (child) =>
        Effect.async<void>((resume) => {
          if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
          child.once("exit", () => resume(Effect.void))
          child.kill("SIGTERM")
          const timer = setTimeout(() => child.kill("SIGKILL"), 3000)
          child.once("exit", () => clearTimeout(timer))
        })
    )
    yield* waitForPort(port, child)
    const path = mode === "sse" ? "sse" : "mcp"
    return { port, url: `http://127.0.0.1:${port}/${path}`, pid: child.pid! }
  })

/** Is a process with this pid alive? */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The pids of this process's direct children. */
export const childPids = (): Array<number> => {
  const ps = ChildProcess.spawnSync("ps", ["-o", "pid=", "--ppid", String(process.pid)], { encoding: "utf8" })
  return ps.stdout.split("\n").map((line) => Number(line.trim())).filter((pid) => pid > 0 && pid !== ps.pid)
}

/**
 * Starts server-everything in an HTTP mode once for the enclosing describe
 * block and stops it after the block; returns a getter for its URL.
 */
export const useEverythingHttp = (mode: "streamableHttp" | "sse"): () => string => {
  let url: string | undefined
  let scope: Scope.CloseableScope | undefined
  beforeAll(async () => {
    scope = await Effect.runPromise(Scope.make())
    const started = await Effect.runPromise(Scope.extend(startEverythingHttp(mode), scope))
    url = started.url
  })
  afterAll(async () => {
    if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
  })
  return () => url!
}
