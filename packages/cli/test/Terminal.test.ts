import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { demoServer, gone } from "./utils/cli.js"
import { runInTmux, tmuxAvailable } from "./utils/tmux.js"

if (!tmuxAvailable) {
  // eslint-disable-next-line no-console
  console.warn("effect-mcp CLI terminal tests SKIPPED: tmux is not installed (apt-get install tmux)")
}

// The binary in a real pseudo-terminal (tmux): keys sent, the pane captured.
const describeTerminal = tmuxAvailable ? describe.concurrent : describe.skip

describeTerminal(
  `effect-mcp in a terminal (tmux)${tmuxAvailable ? "" : ": SKIPPED, tmux is not installed"}`,
  () => {
    it.scopedLive("a call that reports progress draws a bar, and the bar is gone when the result is printed", () =>
      Effect.gen(function*() {
        const pane = yield* runInTmux(["tools", "call", "long-task", "steps=8", "delayMs=250", ...demoServer()])
        const drawing = yield* pane.waitFor(/long-task \[█+░+\]\s+\d+% \d\/8 step \d of 8/)
        assert.notInclude(drawing, "Done")
        assert.strictEqual(yield* pane.exitCode, 0)
        const lines = pane.capture().split("\n")
        assert.include(lines, "Done: 8 steps of 250 ms")
        // no trace of the bar: it was cleared before the result was printed
        assert.isFalse(lines.some((line) => line.includes("░") || line.includes("█") || line.includes("%")))
        assert.strictEqual(lines.filter((line) => line.trim() !== "").length, 3, pane.capture())
      }))

    it.scopedLive("an elicitation is answered as a form", () =>
      Effect.gen(function*() {
        const pane = yield* runInTmux(["tools", "call", "ask-name", "--logs", "off", ...demoServer()])
        yield* pane.waitFor("The server asks: Who are you?")
        yield* pane.waitFor("Your name")
        yield* pane.send("Grace", "Enter")
        yield* pane.waitFor("Favourite colour")
        yield* pane.send("Down", "Enter") // red, then green
        yield* pane.waitFor("Subscribe to the newsletter")
        yield* pane.send("y")
        yield* pane.waitFor("Send this answer to the server?")
        yield* pane.send("Enter") // accept
        assert.strictEqual(yield* pane.exitCode, 0)
        assert.include(pane.capture(), "Hello, Grace, who likes green! (subscribed)")
      }))

    it.scopedLive("Ctrl-C in a form cancels the elicitation; the call still completes", () =>
      Effect.gen(function*() {
        const pane = yield* runInTmux(["tools", "call", "ask-name", "--logs", "off", ...demoServer()])
        yield* pane.waitFor("Your name")
        yield* pane.send("C-c")
        assert.strictEqual(yield* pane.exitCode, 0)
        assert.include(pane.capture(), "No answer: the user chose to cancel.")
      }))

    it.scopedLive("a sampling request is answered by the person at the terminal", () =>
      Effect.gen(function*() {
        const pane = yield* runInTmux(["tools", "call", "summarize", "--logs", "off", ...demoServer()])
        yield* pane.waitFor("The server asks for a model reply")
        yield* pane.waitFor("Your reply as the assistant")
        assert.include(pane.capture(), "user: Summarize in one sentence:")
        yield* pane.send("Typed by a human.", "Enter")
        assert.strictEqual(yield* pane.exitCode, 0)
        assert.include(pane.capture(), "The client's model (effect-mcp-cli/human) said: Typed by a human.")
      }))

    it.scopedLive("Ctrl-C stops tail with exit 0 and leaves no server process", () =>
      Effect.gen(function*() {
        const pane = yield* runInTmux(["tail", ...demoServer("--heartbeat", "100")])
        // heartbeats sent before tail set the log level are not shown: any one will do (a loaded machine
        // may start listening after the second)
        const shown = yield* pane.waitFor(/heartbeat \d+ \(pid \d+\)/)
        const pid = Number(/heartbeat \d+ \(pid (\d+)\)/.exec(shown)![1])
        yield* pane.send("C-c")
        assert.strictEqual(yield* pane.exitCode, 0)
        assert.isTrue(yield* gone(pid), `the demo server (pid ${pid}) is still running`)
      }))
  }
)
