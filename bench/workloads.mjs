// The measured workloads, shared by the runner and its smoke test. Each checks what it gets back,
// so a client cannot skip work.
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

export const serverPath = fileURLToPath(new URL("./server.mjs", import.meta.url))

const expect = (condition, what) => {
  if (!condition) throw new Error(`wrong result: ${what}`)
}

const textOf = (result) => result.content?.[0]?.text

export const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

export const median = (values) => percentile(values, 50)

/** Starts the HTTP server; returns its base URL and a stop function. */
export const startHttpServer = () =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverPath, "--http"], { stdio: ["ignore", "pipe", "inherit"] })
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

export const target = (kind, tools, http) =>
  kind === "inmemory"
    ? { kind, tools }
    : kind === "stdio"
    ? { kind, tools, command: process.execPath, args: [serverPath, "--stdio", "--tools", String(tools)] }
    : { kind, tools, url: `${http.base}/mcp?tools=${tools}` }

export const echo = async (session) => {
  const result = await session.callTool("echo", { text: "ping" })
  expect(textOf(result) === "ping", "echo")
}

/** Opens a session, calls add, closes: milliseconds. */
export const connectOnce = async (client, to) => {
  const started = performance.now()
  const session = await client.connect(to)
  const result = await session.callTool("add", { a: 2, b: 3 })
  expect(result.structuredContent?.sum === 5, "add")
  await session.close()
  return performance.now() - started
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
