import { afterAll, beforeAll } from "@effect/vitest"
import { Effect, Exit, Schedule, Scope } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Net from "node:net"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const require = createRequire(import.meta.url)
const here = Path.dirname(fileURLToPath(import.meta.url))

/** The package's root and its built files: the tests run what `tsc -b` built. */
export const packageRoot: string = Path.resolve(here, "..", "..")
export const binPath: string = Path.join(packageRoot, "dist", "bin.js")
export const demoServerPath: string = Path.join(packageRoot, "dist", "demo-server.js")
export const fixturesPath: string = Path.join(here, "..", "fixtures")

if (!Fs.existsSync(binPath) || !Fs.existsSync(demoServerPath)) {
  throw new Error(`${binPath} is missing: build first (npm test runs tsc -b before vitest)`)
}

/** The entry point of `@modelcontextprotocol/server-everything`. */
export const everythingPath: string = require.resolve("@modelcontextprotocol/server-everything/dist/index.js")

/** `-- node <demo-server.js> [args]`: the demo server as a stdio command. */
export const demoServer = (...args: Array<string>): Array<string> => ["--", process.execPath, demoServerPath, ...args]

/** `-- node <server-everything>`. */
export const everythingStdio: Array<string> = ["--", process.execPath, everythingPath]

/** The environment the CLI runs in: this one, without the CLI's own variables, and no colours. */
export const cliEnv = (extra: Record<string, string> = {}): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("MCP_")) env[key] = value
  }
  return { ...env, NO_COLOR: "1", ...extra }
}

export interface Run {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  readonly env?: Record<string, string>
  readonly timeoutMillis?: number
  readonly cwd?: string
}

/** A started CLI process (stdin is not a terminal) with its output so far. */
export interface Running {
  readonly pid: number
  readonly output: () => { readonly stdout: string; readonly stderr: string }
  readonly exit: Effect.Effect<Run>
  readonly signal: (signal: NodeJS.Signals) => Effect.Effect<void>
}

/** Starts `node dist/bin.js <args>`; the process is killed if the scope closes first. */
export const startCli = (
  args: ReadonlyArray<string>,
  options: RunOptions = {}
): Effect.Effect<Running, never, Scope.Scope> =>
  Effect.gen(function*() {
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        ChildProcess.spawn(process.execPath, [binPath, ...args], {
          env: options.env ?? cliEnv(),
          cwd: options.cwd ?? packageRoot,
          stdio: ["ignore", "pipe", "pipe"]
        })
      ),
      (child) =>
        Effect.sync(() => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
        })
    )
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const exit = Effect.async<Run>((resume) => {
      const done = () => resume(Effect.succeed({ code: child.exitCode, signal: child.signalCode, stdout, stderr }))
      if (child.exitCode !== null || child.signalCode !== null) done()
      else child.once("close", done)
    })
    return {
      pid: child.pid!,
      output: () => ({ stdout, stderr }),
      exit,
      signal: (signal) => Effect.sync(() => void child.kill(signal))
    }
  })

/** Runs the CLI to the end and returns its exit code and output. */
export const runCli = (args: ReadonlyArray<string>, options: RunOptions = {}): Effect.Effect<Run> =>
  Effect.scoped(Effect.gen(function*() {
    const running = yield* startCli(args, options)
    return yield* running.exit.pipe(
      Effect.timeoutFail({
        duration: options.timeoutMillis ?? 20_000,
        onTimeout: () => new Error(`effect-mcp ${args.join(" ")} did not finish: ${JSON.stringify(running.output())}`)
      }),
      Effect.orDie
    )
  }))

/** Adds an option before the `--` that starts a server command, if any. */
export const withOption = (args: ReadonlyArray<string>, ...option: Array<string>): Array<string> => {
  const split = args.indexOf("--")
  return split < 0 ? [...args, ...option] : [...args.slice(0, split), ...option, ...args.slice(split)]
}

/** Runs the CLI with `--json` and parses its stdout. */
export const runJson = (args: ReadonlyArray<string>, options: RunOptions = {}) =>
  Effect.map(runCli(withOption(args, "--json"), options), (run) => {
    try {
      return { ...run, json: JSON.parse(run.stdout) as any }
    } catch {
      throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`)
    }
  })

/** Polls until `check` holds, or fails after `timeoutMillis`. */
export const waitUntil = <A>(
  what: string,
  probe: () => A | undefined,
  timeoutMillis = 10_000
): Effect.Effect<A> =>
  Effect.suspend(() => {
    const value = probe()
    return value === undefined || value === false
      ? Effect.fail(new Error(`still waiting for ${what}`))
      : Effect.succeed(value)
  }).pipe(
    Effect.retry({ schedule: Schedule.spaced("50 millis"), while: () => true }),
    Effect.timeoutFail({ duration: timeoutMillis, onTimeout: () => new Error(`timed out waiting for ${what}`) }),
    Effect.orDie
  )

/** Is a process with this pid alive? */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Waits for a process to be gone (true) or gives up (false). */
export const gone = (pid: number, timeoutMillis = 5000): Effect.Effect<boolean> =>
  waitUntil(`pid ${pid} to exit`, () => !isAlive(pid) || undefined, timeoutMillis).pipe(
    Effect.as(true),
    Effect.catchAllDefect(() => Effect.succeed(false))
  )

/** A port nobody listens on right now, on loopback. */
export const freePort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address() as Net.AddressInfo
    server.close(() => resume(Effect.succeed(address.port)))
  })
})

const waitForPort = (port: number) =>
  Effect.async<void, Error>((resume) => {
    let done = false
    const attempt = () => {
      if (done) return
      const socket = Net.connect(port, "127.0.0.1")
      socket.once("connect", () => {
        socket.destroy()
        done = true
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
 * Starts a Node script that serves HTTP on the port in `PORT` (on loopback),
 * and stops it when the scope closes.
 */
export const startHttpServer = (
  script: string,
  args: ReadonlyArray<string> = [],
  env: Record<string, string> = {}
): Effect.Effect<{ readonly port: number; readonly pid: number }, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const port = yield* freePort
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        ChildProcess.spawn(process.execPath, [script, ...args], {
          env: { PATH: process.env.PATH ?? "", PORT: String(port), HOST: "127.0.0.1", ...env },
          stdio: ["ignore", "ignore", "ignore"]
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
    yield* waitForPort(port)
    return { port, pid: child.pid! }
  })

/**
 * Starts an HTTP server once for the enclosing describe block (stopped
 * after it) and returns a getter for its port.
 */
export const useHttpServer = (
  script: string,
  args: ReadonlyArray<string> = [],
  env: Record<string, string> = {}
): () => number => {
  let port: number | undefined
  let scope: Scope.CloseableScope | undefined
  beforeAll(async () => {
    scope = await Effect.runPromise(Scope.make())
    port = (await Effect.runPromise(Scope.extend(startHttpServer(script, args, env), scope))).port
  })
  afterAll(async () => {
    if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
  })
  return () => port!
}
