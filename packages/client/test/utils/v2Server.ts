import type { McpClient, StdioTransport } from "@effect-mcp/client"
import { Effect } from "effect"
import type { Scope } from "effect"
import * as Path from "node:path"
import { spawnNode } from "./servers.js"

/** The fixture server built on the official SDK v2 (`@modelcontextprotocol/server` 2.4.0). */
export const v2ServerPath: string = Path.join(import.meta.dirname, "..", "fixtures", "v2-server.mjs")

/** modern: 2026-07-28 only; legacy: the handshake era only; both: either. */
export type V2Mode = "modern" | "legacy" | "both"

/**
 * The fixture over stdio, as a connection source: the client spawns it.
 * `tag` is an extra argument the server ignores: it gives the command line
 * (the key of the client's process-wide protocol verdict) a value of its own.
 */
export const v2Stdio = (mode: V2Mode, tag: string): StdioTransport.StdioOptions => ({
  command: process.execPath,
  args: [v2ServerPath, `--tag=${tag}`],
  env: { MODE: mode, TRANSPORT: "stdio" }
})

/** A running HTTP fixture: its MCP endpoint and its process id. */
export interface V2Http {
  readonly url: string
  readonly pid: number
  /** Request counts by method since the start or the last `resetStats`. */
  readonly stats: Effect.Effect<Record<string, number>>
  readonly resetStats: Effect.Effect<void>
}

const statsUrl = (url: string) => new URL("/stats", url).href

/**
 * Starts the fixture over Streamable HTTP on a free loopback port (it prints
 * `LISTENING http://127.0.0.1:PORT/mcp`), and stops it, waiting for it to be
 * gone, when the scope closes.
 */
export const startV2Http = (mode: V2Mode): Effect.Effect<V2Http, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const child = yield* spawnNode([v2ServerPath], { MODE: mode, TRANSPORT: "http" }, "pipe")
    const stderr: Array<string> = []
    child.stderr!.on("data", (chunk) => stderr.push(String(chunk)))
    const url = yield* Effect.async<string, Error>((resume) => {
      let out = ""
      const onData = (chunk: Buffer) => {
        out += String(chunk)
        const match = /LISTENING (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(out)
        if (match !== null) {
          child.stdout!.off("data", onData)
          child.off("exit", onExit)
          resume(Effect.succeed(match[1]!))
        }
      }
      const onExit = (code: number | null) =>
        resume(Effect.fail(new Error(`the v2 fixture (${mode}) exited with ${code}: ${stderr.join("")}`)))
      child.stdout!.on("data", onData)
      child.once("exit", onExit)
      return Effect.sync(() => {
        child.stdout!.off("data", onData)
        child.off("exit", onExit)
      })
    }).pipe(
      Effect.timeoutFail({
        duration: "20 seconds",
        onTimeout: () => new Error(`the v2 fixture (${mode}) never listened`)
      })
    )
    // the pipe must keep being read, or a chatty server would block on it
    child.stdout!.resume()
    return {
      url,
      pid: child.pid!,
      stats: Effect.promise(() => fetch(statsUrl(url)).then((res) => res.json() as Promise<Record<string, number>>)),
      resetStats: Effect.promise(() => fetch(statsUrl(url), { method: "DELETE" }).then(() => undefined))
    }
  })

/** Request counts by method as the server behind `client` saw them (its `stats` tool, any transport). */
export const statsOf = (client: McpClient.Service): Effect.Effect<Record<string, number>, unknown> =>
  Effect.map(client.callTool("stats"), (result) => result.structuredContent as Record<string, number>)
