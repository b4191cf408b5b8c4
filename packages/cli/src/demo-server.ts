#!/usr/bin/env node
/**
 * The demo MCP server as a standalone stdio server:
 * `node dist/demo-server.js [--heartbeat <ms>]`.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as DemoServer from "./DemoServer.js"

NodeRuntime.runMain(DemoServer.serveStdio(DemoServer.optionsFromArgv(process.argv.slice(2))), {
  disablePrettyLogger: true
})
