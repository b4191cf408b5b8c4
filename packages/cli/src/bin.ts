#!/usr/bin/env node
/**
 * The `effect-mcp` executable.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Cli from "./Cli.js"
import * as ExitCode from "./ExitCode.js"

NodeRuntime.runMain(Cli.main(process.argv).pipe(Effect.provide(Cli.layer)), {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  // every failure was reported already; exit once stdout has been flushed, even
  // if something (a terminal in raw mode, an HTTP keep-alive socket) would keep Node up
  teardown: (exit) => {
    // main reports every failure and returns the code; what is left is interruption (Ctrl-C)
    const code = Exit.isSuccess(exit) && typeof exit.value === "number" ? exit.value : ExitCode.interruptedCode()
    process.stdout.write("", () => process.exit(code))
  }
})
