// The measured workloads, shared by the runner and its smoke test. Each checks what it gets back,
// so a client cannot skip work.
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

export const serverPath = fileURLToPath(new URL("./server.mjs", import.meta.url))
/** The 2026-07-28 server (SDK v2, modern only), for the stateless transports. */
export const serverV2Path = fileURLToPath(new URL("./server-v2.mjs", import.meta.url))

/**
 * What the bench measures on: the handshake era (SDK v1 `McpServer`, server.mjs) in process, over stdio and
 * over stateful Streamable HTTP; revision 2026-07-28 (SDK v2 server, server-v2.mjs) over stateless
 * Streamable HTTP and over stdio.
 */
export const transports = ["inmemory", "stdio", "http", "stateless-http", "stateless-stdio"]
export const isStateless = (transport) => transport.startsWith("stateless-")
export const label = {
  inmemory: "in-memory (handshake era)",
  stdio: "stdio (handshake era)",
  http: "Streamable HTTP (handshake era, stateful)",
  "stateless-http": "stateless HTTP (2026-07-28)",
  "stateless-stdio": "stateless stdio (2026-07-28)"
}

const expect = (condition, what) => {
  if (!condition) throw new Error(`wrong result: ${what}`)
}

const textOf = (result) => result.content?.[0]?.text

export const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/** The median (of an even count: the mean of the middle two, so two rounds' ratios are not their worse one). */
export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Starts an HTTP server (server.mjs, or `script`); returns its base URL and a stop function. */
export const startHttpServer = (script = serverPath) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, "--http"], { stdio: ["ignore", "pipe", "inherit"] })
    child.once("error", reject)
    child.stdout.setEncoding("utf8")
    child.stdout.once("data", (line) => {
      const port = Number(/PORT (\d+)/.exec(line)?.[1])
      resolve({
        base: `http://127.0.0.1:${port}`,
        stop: () => new Promise((done) => (child.exitCode !== null ? done() : (child.once("exit", done), child.kill())))
      })
    })
  })

/** Starts the HTTP servers the given transports need: `{ http?, "stateless-http"? }`. */
export const startHttpServers = async (names) => {
  const servers = {}
  if (names.includes("http")) servers.http = await startHttpServer(serverPath)
  if (names.includes("stateless-http")) servers["stateless-http"] = await startHttpServer(serverV2Path)
  return servers
}

export const stopHttpServers = (servers) => Promise.all(Object.values(servers).map((server) => server.stop()))

/**
 * The target of a transport (see the shared harness's README), `stateless` for the 2026-07-28 ones;
 * `servers` are startHttpServers'. `variant` (stdio: an extra argument the server ignores; HTTP: a path under
 * /mcp) makes a server a different one for a client that keeps what it learnt per command line or URL.
 */
export const target = (transport, tools, servers, variant) => {
  const stateless = isStateless(transport)
  const kind = transport.replace("stateless-", "")
  if (kind === "inmemory") return { kind, stateless, tools }
  if (kind === "stdio") {
    return {
      kind,
      stateless,
      tools,
      command: process.execPath,
      args: [
        stateless ? serverV2Path : serverPath,
        "--stdio",
        "--tools",
        String(tools),
        ...(variant === undefined ? [] : ["--variant", String(variant)])
      ]
    }
  }
  const path = variant === undefined ? "/mcp" : `/mcp/${variant}`
  return { kind, stateless, tools, url: `${servers[transport].base}${path}?tools=${tools}` }
}

export const echo = async (session) => {
  const result = await session.callTool("echo", { text: "ping" })
  expect(textOf(result) === "ping", "echo")
}

/** Opens a session (`options`: the client's connect options), calls add, closes: milliseconds. */
export const connectOnce = async (client, to, options) => (await sessionOnce(client, to, options)).total

/** One session: connect, one call, close; the whole in milliseconds, and the close alone. */
export const sessionOnce = async (client, to, options) => {
  const started = performance.now()
  const session = await client.connect(to, options)
  const result = await session.callTool("add", { a: 2, b: 3 })
  expect(result.structuredContent?.sum === 5, "add")
  const closing = performance.now()
  await session.close()
  const ended = performance.now()
  return { total: ended - started, close: ended - closing }
}

/** Sequential echo calls: microseconds per call, each. */
export const latencies = async (session, calls) => {
  const times = []
  for (let i = 0; i < calls; i++) {
    const started = performance.now()
    await echo(session)
    times.push((performance.now() - started) * 1000)
  }
  return times
}

/** `calls` echo calls with `inFlight` at a time: calls per second. */
export const throughput = async (session, calls, inFlight) => {
  let left = calls
  const worker = async () => {
    while (left-- > 0) await echo(session)
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: inFlight }, worker))
  return calls / ((performance.now() - started) / 1000)
}

export const BLOB = 1 << 20

/** One 1 MiB result: milliseconds. */
export const blob = async (session) => {
  const started = performance.now()
  const result = await session.callTool("blob", { bytes: BLOB })
  const elapsed = performance.now() - started
  expect(textOf(result)?.length === BLOB, "blob length")
  return elapsed
}

/** tools/list: milliseconds. */
export const list = async (session, expected) => {
  const started = performance.now()
  const tools = await session.listTools()
  const elapsed = performance.now() - started
  expect(tools.length === expected, `tools/list count ${tools.length}, expected ${expected}`)
  return elapsed
}

/** A call that reports `steps` progress notifications: how many arrived before it returned. */
export const progress = async (session, steps) => {
  const seen = []
  const result = await session.callTool("slow", { ms: 50, steps }, { onProgress: (p) => seen.push(p.progress) })
  expect(textOf(result) === `${steps} steps`, "slow")
  return seen.length
}

/**
 * A stdio server that crashes (the `crash` tool: SIGKILL just after answering): milliseconds from its answer
 * to the next successful call. A client that recovers by itself is just called again; with `reconnect`
 * (the SDK, which does not), a failed call is followed by that hand-written reconnect, as its users write it.
 */
export const recovery = async (client, stdio, reconnect) => {
  const to = { ...stdio, args: [...stdio.args, "--crash"] }
  let session = await client.connect(to)
  try {
    await session.callTool("crash", {})
    const started = performance.now()
    for (let attempt = 1;; attempt++) {
      try {
        await echo(session)
        return performance.now() - started
      } catch (error) {
        if (attempt >= 100) throw error
        if (reconnect) {
          await session.close().catch(() => undefined)
          session = await client.connect(to)
        }
      }
    }
  } finally {
    await session.close().catch(() => undefined)
  }
}
