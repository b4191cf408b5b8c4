import { afterAll, beforeAll } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as ChildProcess from "node:child_process"
import type * as Http from "node:http"
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
 * Runs this Node with `args` and only PATH and `env` in its environment; the
 * scope's end sends SIGTERM (SIGKILL after 3 s) and waits for it to be gone.
 */
export const spawnNode = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  stdio: "ignore" | "pipe"
): Effect.Effect<ChildProcess.ChildProcess, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() =>
      ChildProcess.spawn(process.execPath, args, {
        env: { PATH: process.env.PATH ?? "", ...env },
        stdio: stdio === "ignore" ? "ignore" : ["ignore", "pipe", "pipe"]
      })
    ),
    (child) =>
      Effect.async<void>((resume) => {
        if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000)
        child.once("exit", () => {
          clearTimeout(timer)
          resume(Effect.void)
        })
        child.kill("SIGTERM")
      })
  )

/**
 * Starts a Node script that serves HTTP on the port in `PORT` (on loopback,
 * `HOST` is 127.0.0.1), and stops it (and waits for it to be gone) when the
 * scope closes.
 */
export const startHttpServer = (
  script: string,
  args: ReadonlyArray<string> = [],
  env: Record<string, string> = {}
): Effect.Effect<{ readonly port: number; readonly pid: number }, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const port = yield* freePort
    const child = yield* spawnNode(
      [script, ...args],
      { PORT: String(port), HOST: "127.0.0.1", ...env },
      "ignore"
    )
    yield* waitForPort(port, child)
    return { port, pid: child.pid! }
  })

/**
 * Runs `start` once for the enclosing describe block (its scope closed after
 * the block) and returns a getter for what it gave.
 */
export const useForBlock = <A>(start: Effect.Effect<A, Error, Scope.Scope>): () => A => {
  let value: A | undefined
  let scope: Scope.CloseableScope | undefined
  beforeAll(async () => {
    scope = await Effect.runPromise(Scope.make())
    value = await Effect.runPromise(Scope.extend(start, scope))
  })
  afterAll(async () => {
    if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
  })
  return () => value!
}

/** Makes an HTTP server listen on a free loopback port until the scope closes; gives its base URL. */
export const listenOnLoopback = (server: Http.Server): Effect.Effect<string, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<string>((resume) => {
      server.listen(
        0,
        "127.0.0.1",
        () => resume(Effect.succeed(`http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`))
      )
    }),
    () =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

/** Starts server-everything in an HTTP mode on a free port (see `startHttpServer`). */
export const startEverythingHttp = (
  mode: "streamableHttp" | "sse"
): Effect.Effect<{ readonly port: number; readonly url: string; readonly pid: number }, Error, Scope.Scope> =>
  Effect.map(startHttpServer(everythingPath, [mode]), ({ pid, port }) => ({
    port,
    pid,
    url: `http://127.0.0.1:${port}/${mode === "sse" ? "sse" : "mcp"}`
  }))

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
  const started = useForBlock(startEverythingHttp(mode))
  return () => started().url
}
