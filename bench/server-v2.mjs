/* global AbortController, Buffer, Headers, Request */
// The benchmark's MCP server for revision 2026-07-28 (stateless: `server/discover`, no handshake, no
// session), on the SDK v2 server (`@modelcontextprotocol/server` 2.4.0), with the tools of server.mjs:
//
//   echo {text}      one text part equal to `text`
//   add {a, b}       structuredContent {sum}
//   blob {bytes}     one text part of exactly `bytes` characters
//   slow {ms, steps} waits `ms`, reporting `steps` progress notifications (if asked for progress)
//   tool_001...      `tools` filler tools, for the tools/list workload
//
// Modern only (`legacy: "reject"`): a handshake-era client is refused, so a row measured against this
// server is a 2026-07-28 row.
//
//   node bench/server-v2.mjs --stdio [--tools N]   serveStdio(factory, { legacy: "reject" })
//   node bench/server-v2.mjs --http     createMcpHandler(factory, { legacy: "reject" }) behind node:http on
//                                       127.0.0.1 and a free port: POST /mcp?tools=N, one POST per message
//                                       (a fresh McpServer per request, as the SDK intends);
//                                       GET /stats -> {open: 0, requests}; prints "PORT <n>"
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server"
import { serveStdio } from "@modelcontextprotocol/server/stdio"
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

// the schemas once per process: the HTTP leg builds a server per request
const shapes = {
  echo: { text: z.string() },
  add: { a: z.number(), b: z.number() },
  sum: { sum: z.number() },
  blob: { bytes: z.number() },
  slow: { ms: z.number(), steps: z.number() },
  filler: { value: z.string().optional() }
}

// McpServer converts every schema again on each tools/list (and the HTTP leg has a new server per
// request): answer each list once per process and tool count, as server.mjs does
const listed = new Map()

/** A fresh server; `tools` filler tools are added for the list workload. */
export const makeServer = ({ tools = 0 } = {}) => {
  const server = new McpServer({ name: "effect-mcp-bench-v2", version: "1.0.0" })
  server.registerTool("echo", { inputSchema: shapes.echo }, ({ text }) => ({ content: [{ type: "text", text }] }))
  server.registerTool(
    "add",
    { inputSchema: shapes.add, outputSchema: shapes.sum },
    ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }], structuredContent: { sum: a + b } })
  )
  server.registerTool("blob", { inputSchema: shapes.blob }, ({ bytes }) => ({
    content: [{ type: "text", text: textOf(bytes) }]
  }))
  server.registerTool("slow", { inputSchema: shapes.slow }, async ({ ms, steps }, ctx) => {
    const token = ctx.mcpReq._meta?.progressToken
    for (let step = 1; step <= steps; step++) {
      await wait(ms / steps)
      if (token !== undefined) {
        await ctx.mcpReq.notify({
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
      { description: `filler tool ${i}`, inputSchema: shapes.filler },
      () => ({ content: [{ type: "text", text: name }] })
    )
  }
  const handlers = server.server["_requestHandlers"]
  const list = handlers.get("tools/list")
  handlers.set("tools/list", async (request, ctx) => {
    let result = listed.get(tools)
    if (result === undefined) listed.set(tools, result = await list(request, ctx))
    return { ...result }
  })
  return server
}

const readBody = (req) =>
  new Promise((resolve, reject) => {
    const chunks = []
    req.on("data", (chunk) => chunks.push(chunk))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

// node:http in front of the handler's fetch face (what `@modelcontextprotocol/node`'s toNodeHandler does,
// without the package): the body is parsed here and handed over as `parsedBody`
const serveHttp = async () => {
  const handlers = new Map()
  const handlerFor = (tools) => {
    let handler = handlers.get(tools)
    if (handler === undefined) {
      handler = createMcpHandler(() => makeServer({ tools }), { legacy: "reject" })
      handlers.set(tools, handler)
    }
    return handler
  }
  let requests = 0
  const http = createHttpServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    if (url.pathname === "/stats") {
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ open: 0, requests }))
      return
    }
    if (url.pathname !== "/mcp" && !url.pathname.startsWith("/mcp/")) {
      res.writeHead(404).end()
      return
    }
    requests++
    try {
      const text = req.method === "POST" ? await readBody(req) : ""
      let parsedBody
      try {
        parsedBody = text.length === 0 ? undefined : JSON.parse(text)
      } catch {
        parsedBody = undefined
      }
      const headers = new Headers()
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1])
      const abort = new AbortController()
      res.on("close", () => {
        if (!res.writableFinished) abort.abort()
      })
      const request = new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers,
        signal: abort.signal,
        ...(parsedBody === undefined && text.length > 0 && { body: text })
      })
      const response = await handlerFor(Number(url.searchParams.get("tools") ?? 0)).fetch(
        request,
        parsedBody === undefined ? undefined : { parsedBody }
      )
      res.statusCode = response.status
      response.headers.forEach((value, key) => res.setHeader(key, value))
      if (response.body === null) {
        res.end()
      } else if (!(response.headers.get("content-type") ?? "").includes("text/event-stream")) {
        res.end(await response.text())
      } else {
        res.flushHeaders()
        const reader = response.body.getReader()
        res.on("close", () => reader.cancel().catch(() => {}))
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          res.write(value)
        }
        res.end()
      }
    } catch {
      if (res.headersSent) res.end()
      else res.writeHead(500).end()
    }
  })
  http.keepAliveTimeout = 60_000
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve))
  process.stdout.write(`PORT ${http.address().port}\n`)
}

const serveOverStdio = (tools) => {
  const handle = serveStdio(() => makeServer({ tools }), { legacy: "reject" })
  // the client closing stdin ends the server (timers would keep it alive otherwise)
  const end = () => handle.close().finally(() => process.exit(0))
  process.stdin.once("end", end)
  process.stdin.once("close", end)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const arg = (name) => process.argv[process.argv.indexOf(name) + 1]
  if (process.argv.includes("--http")) await serveHttp()
  else serveOverStdio(Number(process.argv.includes("--tools") ? arg("--tools") : 0))
}
