#!/usr/bin/env node
/**
 * The demo MCP server as a standalone stdio server:
 * `node dist/demo-server.js [--heartbeat <ms>]`. It ends when its stdin does.
 * (Run with `Effect.runFork` rather than `NodeRuntime.runMain`: it needs no
 * signal handling, and it starts faster without `@effect/platform-node`.)
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as DemoServer from "./DemoServer.js"

Effect.runFork(DemoServer.serveStdio(DemoServer.optionsFromArgv(process.argv.slice(2))))
