import type { Scope } from "effect"
import { Effect, Schedule } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { isAlive, startHttpServer, useForBlock } from "../../../client/test/utils/servers.js"

export { freePort } from "../../../client/test/utils/servers.js"

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

/** The entry point of `@modelcontextprotocol/server-filesystem`. */
export const filesystemPath: string = require.resolve("@modelcontextprotocol/server-filesystem/dist/index.js")

/** `-- node <demo-server.js> [args]`: the demo server as a stdio command. */
export const demoServer = (...args: Array<string>): Array<string> => ["--", process.execPath, demoServerPath, ...args]

/** `-- node <server-everything>`. */
export const everythingStdio: Array<string> = ["--", process.execPath, everythingPath]

/** The environment the CLI runs in: this one, without the CLI's own variables, and no colours. */
export const cliEnv = (extra: Record<string, string> = {}): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("MCP_") && key !== "COLUMNS") env[key] = value
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
  timeoutMillis = 30_000
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

/** Waits for a process to be gone (true) or gives up (false). */
export const gone = (pid: number, timeoutMillis = 5000): Effect.Effect<boolean> =>
  waitUntil(`pid ${pid} to exit`, () => !isAlive(pid) || undefined, timeoutMillis).pipe(
    Effect.as(true),
    Effect.catchAllDefect(() => Effect.succeed(false))
  )

/**
 * Starts an HTTP server script (see `startHttpServer`) once for the enclosing
 * describe block and returns a getter for its port.
 */
export const useHttpServer = (
  script: string,
  args: ReadonlyArray<string> = [],
  env: Record<string, string> = {}
): () => number => {
  const started = useForBlock(startHttpServer(script, args, env))
  return () => started().port
}
