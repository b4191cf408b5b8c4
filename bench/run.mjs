// effect-mcp's benchmark: this library against the raw SDK client, interleaved in one run, over
// in-memory, stdio and Streamable HTTP, against the same server. Prints cost ratios (effect-mcp / sdk;
// for calls/s the inverse, so > 1 always means effect-mcp is slower) and writes JSON to bench/results/.
//
//   npm run bench                 full run (a few minutes)
//   npm run bench -- --quick      under a minute
//   npm run bench -- --transports stdio,http
import { execFile } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { clients } from "./clients.mjs"
import * as W from "./workloads.mjs"

const argv = process.argv.slice(2)
const quick = argv.includes("--quick")
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback)
const transports = option("--transports", "inmemory,stdio,http").split(",")
const size = quick
  ? { rounds: 2, connect: 2, latency: 300, throughput: 400, blob: 3, list: 2, memoryCalls: 2000 }
  : { rounds: 5, connect: 6, latency: 3000, throughput: 6000, blob: 6, list: 5, memoryCalls: 10000 }
const LIST_TOOLS = 500

const results = {}
const record = (transport, metric, client, value) => {
  results[transport] ??= {}
  results[transport][metric] ??= {}
  ;(results[transport][metric][client] ??= []).push(value)
}

const measureRound = async (client, transport, http) => {
  const plain = W.target(transport, 0, http)
  const connects = []
  for (let i = 0; i < size.connect; i++) connects.push(await W.connectOnce(client, plain))
  record(transport, "connect + first call (ms)", client.name, W.median(connects))

  const session = await client.connect(plain)
  try {
    await W.latencies(session, 200)
    const times = await W.latencies(session, size.latency)
    record(transport, "latency p50 (µs)", client.name, W.percentile(times, 50))
    record(transport, "latency p99 (µs)", client.name, W.percentile(times, 99))
    for (const inFlight of [1, 16, 64]) {
      record(
        transport,
        `calls/s, ${inFlight} in flight`,
        client.name,
        await W.throughput(session, size.throughput, inFlight)
      )
    }
    // effect-mcp from an Effect program against the SDK from Promise code (its only way)
    record(
      transport,
      "calls/s, 64, Effect program",
      client.name,
      session.effectThroughput === undefined
        ? await W.throughput(session, size.throughput, 64)
        : await session.effectThroughput(size.throughput, 64)
    )
    await W.blob(session)
    const blobs = []
    for (let i = 0; i < size.blob; i++) blobs.push(await W.blob(session))
    record(transport, "1 MiB result (ms)", client.name, W.median(blobs))
    record(transport, "progress delivered (of 10)", client.name, await W.progress(session, 10))
  } finally {
    await session.close()
  }

  const big = await client.connect(W.target(transport, LIST_TOOLS, http))
  try {
    await W.list(big, LIST_TOOLS + 4)
    const lists = []
    for (let i = 0; i < size.list; i++) lists.push(await W.list(big, LIST_TOOLS + 4))
    record(transport, "tools/list of 500 tools (ms)", client.name, W.median(lists))
  } finally {
    await big.close()
  }
}

const memoryWorker = fileURLToPath(new URL("./memory.mjs", import.meta.url))
const measureMemory = (client, transport, http) =>
  new Promise((resolve) => {
    const args = [
      "--expose-gc",
      "--no-warnings",
      memoryWorker,
      client.name,
      transport,
      String(size.memoryCalls),
      ...(http === undefined ? [] : [http.base])
    ]
    execFile(process.execPath, args, { timeout: 120_000 }, (error, stdout, stderr) => {
      if (error !== null) resolve({ error: `${error.message}\n${stderr}` })
      else resolve(JSON.parse(stdout.trim().split("\n").pop()))
    })
  })

const higherIsBetter = (metric) => metric.startsWith("calls/s") || metric.startsWith("progress")
const ratioOf = (metric, ours, theirs) => (higherIsBetter(metric) ? theirs / ours : ours / theirs)

// Node 20's fetch warns once per request past 1500 listeners on the SDK HTTP transport's shared
// AbortSignal; the memory workers count those per client, here they would only flood the output
process.removeAllListeners("warning")
const started = performance.now()
const http = transports.includes("http") ? await W.startHttpServer() : undefined
const memory = {}
try {
  for (const transport of transports) {
    for (let round = 0; round < size.rounds; round++) {
      // rotate who goes first, so drift on a shared machine hits both sides
      const order = round % 2 === 0 ? clients : [...clients].reverse()
      for (const client of order) await measureRound(client, transport, http)
    }
    for (const client of clients) (memory[transport] ??= {})[client.name] = await measureMemory(client, transport, http)
  }
} finally {
  await http?.stop()
}

const table = []
const lines = []
for (const transport of transports) {
  lines.push(`\n${transport}`)
  lines.push(`  ${"metric".padEnd(30)} ${"sdk".padStart(10)} ${"effect-mcp".padStart(11)} ${"ratio".padStart(7)}`)
  for (const [metric, byClient] of Object.entries(results[transport])) {
    const sdk = byClient["sdk"]
    const ours = byClient["effect-mcp"]
    const ratios = sdk.map((value, round) => ratioOf(metric, ours[round], value))
    const ratio = metric.startsWith("progress") ? W.median(ratios) : W.median(ratios)
    table.push({ transport, metric, sdk: W.median(sdk), effectMcp: W.median(ours), ratio })
    const show = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(2))
    lines.push(
      `  ${metric.padEnd(30)} ${show(W.median(sdk)).padStart(10)} ${show(W.median(ours)).padStart(11)} ${
        ratio.toFixed(2).padStart(7)
      }`
    )
  }
  for (const client of clients) {
    const m = memory[transport][client.name]
    lines.push(
      m.error !== undefined
        ? `  memory ${client.name}: failed: ${m.error.split("\n")[0]}`
        : `  memory ${client.name.padEnd(10)} heap +${
          m.heapGrowthMb.toFixed(1)
        } MB after ${m.calls} calls; after close: ` +
          `${m.handlesLeft.length} handles, ${m.childrenLeft} child processes, ${
            m.serverSessionsLeft ?? "-"
          } server sessions left; ${m.warnings} process warnings`
    )
  }
}
lines.push(`\nratio = effect-mcp / sdk (calls/s and progress inverted): > 1 means effect-mcp is slower`)
lines.push(`"Effect program": effect-mcp's calls made from one Effect program, the SDK's from Promise code as above`)
lines.push(
  `${((performance.now() - started) / 1000).toFixed(0)} s, node ${process.version}, ${quick ? "quick" : "full"} run`
)
console.log(lines.join("\n"))

const out = option(
  "--out",
  fileURLToPath(new URL(`./results/run-${new Date().toISOString().replace(/[:.]/g, "-")}.json`, import.meta.url))
)
mkdirSync(fileURLToPath(new URL("./results/", import.meta.url)), { recursive: true })
writeFileSync(
  out,
  JSON.stringify(
    { date: new Date().toISOString(), node: process.version, quick, size, table, results, memory },
    null,
    2
  )
)
console.log(`results: ${out}`)
