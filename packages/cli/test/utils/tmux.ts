import { Effect } from "effect"
import type { Scope } from "effect"
import * as ChildProcess from "node:child_process"
import { binPath, cliEnv, packageRoot, waitUntil } from "./cli.js"

/** Is tmux installed? The terminal tests need it, and are skipped (saying so) without it. */
export const tmuxAvailable: boolean = ChildProcess.spawnSync("tmux", ["-V"]).status === 0

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`

let sessions = 0

export interface Pane {
  /** The pane's text now (trailing blank lines dropped). */
  readonly capture: () => string
  /** `tmux send-keys` (key names such as `Enter`, `Down`, `C-c`, or literal text). */
  readonly send: (...keys: Array<string>) => Effect.Effect<void>
  /** Waits until the pane shows `text` (or matches the pattern); returns the pane. */
  readonly waitFor: (text: string | RegExp, timeoutMillis?: number) => Effect.Effect<string>
  /** Waits for the CLI to end; its exit code. */
  readonly exitCode: Effect.Effect<number>
}

/**
 * Runs `node dist/bin.js <args>` in a real pseudo-terminal: a detached tmux
 * session, 120x40, on a tmux server of its own (its own socket), killed when
 * the scope closes. After the CLI ends the pane shows `EXIT=<code>`.
 */
export const runInTmux = (args: ReadonlyArray<string>): Effect.Effect<Pane, never, Scope.Scope> =>
  Effect.gen(function*() {
    const socket = `effect-mcp-test-${process.pid}-${++sessions}-${Math.random().toString(36).slice(2, 8)}`
    const tmux = (...tmuxArgs: Array<string>) =>
      ChildProcess.spawnSync("tmux", ["-L", socket, ...tmuxArgs], { encoding: "utf8", env: cliEnv() })
    const command = [process.execPath, binPath, ...args].map(quote).join(" ")
    // bash waits for the CLI and then says how it ended; the pane stays for capture
    const script = `cd ${quote(packageRoot)} && ${command}; echo EXIT=$?; sleep 120`
    yield* Effect.acquireRelease(
      Effect.sync(() => {
        const started = tmux("new-session", "-d", "-s", "test", "-x", "120", "-y", "40", "bash", "-c", script)
        if (started.status !== 0) throw new Error(`tmux new-session failed: ${started.stderr}`)
      }),
      () => Effect.sync(() => void tmux("kill-server"))
    )
    const capture = () => tmux("capture-pane", "-p", "-t", "test").stdout.replace(/\n+$/, "")
    const waitFor = (text: string | RegExp, timeoutMillis = 10_000) =>
      waitUntil(
        `the pane to show ${String(text)}`,
        () => {
          const pane = capture()
          return (typeof text === "string" ? pane.includes(text) : text.test(pane)) ? pane : undefined
        },
        timeoutMillis
      ).pipe(Effect.catchAllDefect((defect) => Effect.dieMessage(`${String(defect)}; the pane shows:\n${capture()}`)))
    return {
      capture,
      send: (...keys) => Effect.sync(() => void tmux("send-keys", "-t", "test", ...keys)),
      waitFor,
      exitCode: Effect.map(waitFor(/EXIT=\d+/, 15_000), (pane) => Number(/EXIT=(\d+)/.exec(pane)![1]))
    }
  })
