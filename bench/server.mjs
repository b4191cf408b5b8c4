// The benchmark's MCP server, on the SDK's McpServer, for every transport the bench measures.
//
//   echo {text}      one text part equal to `text`
//   add {a, b}       structuredContent {sum}
//   blob {bytes}     one text part of exactly `bytes` characters
//   slow {ms, steps} waits `ms`, reporting `steps` progress notifications (if asked for progress)
//   tool_001...      `tools` filler tools, for the tools/list workload
//
//   node bench/server.mjs --stdio [--tools N]
//   node bench/server.mjs --http      stateful Streamable HTTP on 127.0.0.1 and a free port: POST/GET/DELETE
//                                     /mcp?tools=N (or /mcp/<anything>?tools=N), GET /stats -> {open, opened,
//                                     closed}; prints "PORT <n>"
//   import { makeServer } from "./server.mjs"   in process
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import { randomUUID } from "node:crypto"
import { createServer as createHttpServer } from "node:http"
import { pathToFileURL } from "node:url"
import { z } from "zod"

const texts = new Map()
const textOf = (bytes) => {
  let text = texts.get(bytes)
  if (text === undefined) {
    text = "m".repeat(bytes)
    texts.set(bytes, text)
  }
  return text
}

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** A fresh server; `tools` filler tools are added for the list workload. */
export const makeServer = ({ tools = 0 } = {}) => {
  const server = new McpServer({ name: "effect-mcp-bench", version: "1.0.0" })
  server.registerTool("echo", { inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: "text", text }]
  }))
  server.registerTool("add", {
    inputSchema: { a: z.number(), b: z.number() },
    outputSchema: { sum: z.number() }
  }, ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }], structuredContent: { sum: a + b } }))
  server.registerTool("blob", { inputSchema: { bytes: z.number() } }, ({ bytes }) => ({
    content: [{ type: "text", text: textOf(bytes) }]
  }))
  server.registerTool("slow", { inputSchema: { ms: z.number(), steps: z.number() } }, async ({ ms, steps }, extra) => {
    const token = extra._meta?.progressToken
    for (let step = 1; step <= steps; step++) {
      await wait(ms / steps)
      if (token !== undefined) {
        await extra.sendNotification({
          method: "notifications/progress",
          params: { progressToken: token, progress: step, total: steps }
        })
      }
    }
    return { content: [{ type: "text", text: `${steps} steps` }] }
  })
  for (let i = 1; i <= tools; i++) {
    const name = `tool_${String(i).padStart(3, "0")}`
    server.registerTool(
      name,
      { description: `filler tool ${i}`, inputSchema: { value: z.string().optional() } },
      () => ({
        content: [{ type: "text", text: name }]
      })
    )
  }
  // McpServer converts every schema again on each tools/list, which would dwarf what a client spends;
  // answer the list once per server
  const list = server.server["_requestHandlers"].get("tools/list")
  let listed
  server.server["_requestHandlers"].set("tools/list", async (request, extra) => (listed ??= await list(request, extra)))
  return server
}

const serveHttp = async () => {
  const sessions = new Map()
  const stats = { opened: 0, closed: 0 }
  const http = createHttpServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    if (url.pathname === "/stats") {
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ open: sessions.size, ...stats }))
      return
    }
    // any path under /mcp is the same server (a client may key what it learns by the path)
    if (url.pathname !== "/mcp" && !url.pathname.startsWith("/mcp/")) {
      res.writeHead(404).end()
      return
    }
    const id = req.headers["mcp-session-id"]
    let transport = typeof id === "string" ? sessions.get(id) : undefined
    if (transport === undefined) {
      if (req.method !== "POST" || id !== undefined) {
        res.writeHead(id === undefined ? 400 : 404).end()
        return
      }
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (sessionId) => {
          sessions.set(sessionId, transport)
          stats.opened++
        }
      })
      transport.onclose = () => {
        if (transport.sessionId !== undefined && sessions.delete(transport.sessionId)) stats.closed++
      }
      await makeServer({ tools: Number(url.searchParams.get("tools") ?? 0) }).connect(transport)
    }
    await transport.handleRequest(req, res)
  })
  http.keepAliveTimeout = 60_000
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve))
  process.stdout.write(`PORT ${http.address().port}\n`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const arg = (name) => process.argv[process.argv.indexOf(name) + 1]
  if (process.argv.includes("--http")) await serveHttp()
  else {
    const server = makeServer({ tools: Number(process.argv.includes("--tools") ? arg("--tools") : 0) })
    // the recovery workload (--crash): the process dies once its answer is written, before anything else can be
    if (process.argv.includes("--crash")) {
      server.registerTool("crash", {}, () => {
        setImmediate(() => process.stdout.write("", () => process.kill(process.pid, "SIGKILL")))
        return { content: [{ type: "text", text: "crashing" }] }
      })
    }
    await server.connect(new StdioServerTransport())
  }
}
