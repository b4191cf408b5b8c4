// effect-mcp's benchmark: this library against the official SDK clients (v1 `@modelcontextprotocol/sdk`
// and v2 `@modelcontextprotocol/client`), interleaved in one run, against the same servers:
//   handshake era (SDK v1 McpServer, server.mjs): in-memory, stdio, stateful Streamable HTTP; every client
//     does the `initialize` handshake there (effect-mcp pinned to protocol "legacy"), as in earlier runs
//   revision 2026-07-28 (SDK v2 server, server-v2.mjs, modern only): stateless Streamable HTTP and stdio;
//     effect-mcp pinned to "2026-07-28", SDK v2 to { pin: "2026-07-28" } (SDK v1 cannot speak it)
// Prints cost ratios effect-mcp / sdk and effect-mcp / sdk-v2 (for calls/s the inverse, so > 1 always
// means effect-mcp is slower) and writes JSON to bench/results/.
//
//   npm run bench                 full run (a few minutes)
//   npm run bench -- --quick      about a minute
//   npm run bench -- --transports stateless-http,http
import { execFile } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { loadavg } from "node:os"
import { fileURLToPath } from "node:url"
import { clientsOn, effectMcp, sdkV2 } from "./clients.mjs"
import * as W from "./workloads.mjs"

const argv = process.argv.slice(2)
const quick = argv.includes("--quick")
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback)
const transports = option("--transports", W.transports.join(",")).split(",")
for (const transport of transports) {
  if (!W.transports.includes(transport)) throw new Error(`unknown transport ${transport} (${W.transports.join(", ")})`)
}
// --quick leaves out the memory workers (a fresh process per client and transport) unless --memory
const withMemory = !quick || argv.includes("--memory")
// calls per latency / throughput sample by kind of transport (an HTTP call costs ~5x a stdio one, ~30x an
// in-memory one): the full run stays a few minutes with five transports and three clients
const perKind = (inmemory, stdio, http) => ({ inmemory, stdio, http })
const size = quick
  ? {
    rounds: 2,
    connect: 1,
    warmupConnect: false,
    probeRounds: 1,
    warmup: 50,
    latency: perKind(200, 200, 200),
    throughput: perKind(200, 200, 200),
    blob: 2,
    list: 2,
    probe: 1,
    memoryCalls: 1000
  }
  : {
    rounds: 4,
    connect: 4,
    warmupConnect: true,
    probeRounds: 4,
    warmup: 200,
    latency: perKind(3000, 2000, 1000),
    throughput: perKind(6000, 2000, 1000),
    blob: 6,
    list: 5,
    probe: 2,
    memoryCalls: 5000
  }
const LIST_TOOLS = 500

const results = {}
const record = (transport, metric, client, value) => {
  results[transport] ??= {}
  results[transport][metric] ??= {}
  ;(results[transport][metric][client] ??= []).push(value)
}

const measureRound = async (client, transport, servers, round) => {
  const plain = W.target(transport, 0, servers)
  const latencyCalls = size.latency[plain.kind]
  const throughputCalls = size.throughput[plain.kind]
  // one unrecorded session first: what a process pays once (lazy imports, JIT) is not a connect's cost
  if (round === 0 && size.warmupConnect) await W.connectOnce(client, plain)
  const sessions = []
  for (let i = 0; i < size.connect; i++) sessions.push(await W.sessionOnce(client, plain))
  record(transport, "connect + first call (ms)", client.name, W.median(sessions.map(({ total }) => total)))
  record(transport, "close (ms)", client.name, W.median(sessions.map(({ close }) => close)))

  const session = await client.connect(plain)
  try {
    await W.latencies(session, size.warmup)
    const times = await W.latencies(session, latencyCalls)
    record(transport, "latency p50 (µs)", client.name, W.percentile(times, 50))
    record(transport, "latency p99 (µs)", client.name, W.percentile(times, 99))
    for (const inFlight of [1, 16, 64]) {
      const cpu = process.cpuUsage()
      record(
        transport,
        `calls/s, ${inFlight} in flight`,
        client.name,
        await W.throughput(session, throughputCalls, inFlight)
      )
      if (inFlight === 64) {
        // what the calls cost this process (the client; in memory, the server too): the machine's other
        // load and the server's share of two cores weigh less on it than on calls/s
        const { system, user } = process.cpuUsage(cpu)
        record(transport, "client CPU µs/call, 64 in flight", client.name, (user + system) / throughputCalls)
      }
    }
    // effect-mcp from an Effect program against the SDKs from Promise code (their only way)
    record(
      transport,
      "calls/s, 64, Effect program",
      client.name,
      session.effectThroughput === undefined
        ? await W.throughput(session, throughputCalls, 64)
        : await session.effectThroughput(throughputCalls, 64)
    )
    await W.blob(session)
    const blobs = []
    for (let i = 0; i < size.blob; i++) blobs.push(await W.blob(session))
    record(transport, "1 MiB result (ms)", client.name, W.median(blobs))
    record(transport, "progress delivered (of 10)", client.name, await W.progress(session, 10))
  } finally {
    await session.close()
  }

  // the SDK with the reconnect its users write by hand, beside this library's own recovery
  if (transport === "stdio" && (client.name === "sdk" || client.name === "effect-mcp")) {
    record(
      transport,
      "recovery after a crash (ms)",
      client.name,
      await W.recovery(client, plain, client.name === "sdk")
    )
  }

  const big = await client.connect(W.target(transport, LIST_TOOLS, servers))
  try {
    await W.list(big, LIST_TOOLS + 4)
    const lists = []
    for (let i = 0; i < size.list; i++) lists.push(await W.list(big, LIST_TOOLS + 4))
    record(transport, "tools/list of 500 tools (ms)", client.name, W.median(lists))
  } finally {
    await big.close()
  }
}

// What `protocol: "auto"` costs effect-mcp against a handshake-era server (stdio, HTTP): a first connect
// to a server asks server/discover, is refused, then does the handshake; later connects of the process to
// the same server (command line, URL) go straight to the handshake. A fresh `variant` per first connect
// makes the server a new one to the client. SDK v2's `auto` (no verdict kept: every connect probes, on stdio
// on a sibling process of its own) beside it.
const PROBE = "connect (auto vs legacy)"
let variants = 0
const measureProbe = async (transport, servers) => {
  const plain = W.target(transport, 0, servers)
  const reused = W.target(transport, 0, servers, "reused")
  await W.connectOnce(effectMcp, reused, { protocol: "auto" })
  const times = { "effect-mcp legacy": [], "auto, first": [], "auto, verdict reused": [], "sdk-v2 auto": [] }
  for (let i = 0; i < size.probe; i++) {
    times["effect-mcp legacy"].push(await W.connectOnce(effectMcp, plain))
    times["auto, first"].push(
      await W.connectOnce(effectMcp, W.target(transport, 0, servers, `probe-${++variants}`), { protocol: "auto" })
    )
    times["auto, verdict reused"].push(await W.connectOnce(effectMcp, reused, { protocol: "auto" }))
    times["sdk-v2 auto"].push(await W.connectOnce(sdkV2, plain, { protocol: "auto" }))
  }
  for (const [what, values] of Object.entries(times)) record(transport, PROBE, what, W.median(values))
}

const memoryWorker = fileURLToPath(new URL("./memory.mjs", import.meta.url))
const measureMemory = (client, transport, servers) =>
  new Promise((resolve) => {
    const args = [
      "--expose-gc",
      "--no-warnings",
      memoryWorker,
      client.name,
      transport,
      String(size.memoryCalls),
      ...(servers[transport] === undefined ? [] : [servers[transport].base])
    ]
    execFile(process.execPath, args, { timeout: 120_000 }, (error, stdout, stderr) => {
      if (error !== null) resolve({ error: `${error.message}\n${stderr}` })
      else resolve(JSON.parse(stdout.trim().split("\n").pop()))
    })
  })

const higherIsBetter = (metric) => metric.startsWith("calls/s") || metric.startsWith("progress")
// paired cost ratio of one round: > 1 means `ours` is slower
const ratioOf = (metric, ours, theirs) => (higherIsBetter(metric) ? theirs / ours : ours / theirs)
const pairedRatio = (metric, ours, theirs) =>
  ours === undefined || theirs === undefined
    ? undefined
    : W.median(theirs.map((value, round) => ratioOf(metric, ours[round], value)))

// Node 20's fetch warns once per request past 1500 listeners on the SDK HTTP transport's shared
// AbortSignal; the memory workers count those per client, here they would only flood the output
process.removeAllListeners("warning")
const loadBefore = loadavg()
const started = performance.now()
const seconds = {}
const servers = await W.startHttpServers(transports)
const memory = {}
try {
  for (const transport of transports) {
    const since = performance.now()
    const clients = clientsOn(transport)
    for (let round = 0; round < size.rounds; round++) {
      // rotate who goes first, so drift on a shared machine hits every client alike
      const shift = round % clients.length
      const order = [...clients.slice(shift), ...clients.slice(0, shift)]
      for (const client of order) await measureRound(client, transport, servers, round)
      if ((transport === "stdio" || transport === "http") && round < size.probeRounds) {
        await measureProbe(transport, servers)
      }
    }
    if (withMemory) {
      for (const client of clients) {
        ;(memory[transport] ??= {})[client.name] = await measureMemory(client, transport, servers)
      }
    }
    seconds[transport] = (performance.now() - since) / 1000
  }
} finally {
  await W.stopHttpServers(servers)
}
const loadAfter = loadavg()

const show = (v) => (v === undefined || Number.isNaN(v) ? "-" : v >= 100 ? v.toFixed(0) : v.toFixed(2))
const table = []
const lines = []
const columns = ["sdk", "sdk-v2", "effect-mcp", "effect-mcp traced"]
for (const transport of transports) {
  lines.push(`\n${W.label[transport]}  (${seconds[transport].toFixed(0)} s)`)
  lines.push(
    `  ${"metric".padEnd(30)} ${columns.map((c) => c.replace("effect-mcp ", "").padStart(10)).join(" ")} ${
      "e/sdk".padStart(7)
    } ${"e/sdk-v2".padStart(8)} ${"traced/e".padStart(8)}`
  )
  for (const [metric, byClient] of Object.entries(results[transport])) {
    if (metric === PROBE) continue
    const ours = byClient["effect-mcp"]
    const vsSdk = pairedRatio(metric, ours, byClient["sdk"])
    const vsSdkV2 = pairedRatio(metric, ours, byClient["sdk-v2"])
    const traced = pairedRatio(metric, byClient["effect-mcp traced"], ours)
    const medians = Object.fromEntries(
      columns.map((c) => [c, byClient[c] === undefined ? undefined : W.median(byClient[c])])
    )
    table.push({
      transport,
      metric,
      ...medians,
      "effect-mcp/sdk": vsSdk,
      "effect-mcp/sdk-v2": vsSdkV2,
      "traced/effect-mcp": traced
    })
    lines.push(
      `  ${metric.padEnd(30)} ${columns.map((c) => show(medians[c]).padStart(10)).join(" ")} ${
        show(vsSdk).padStart(7)
      } ${show(vsSdkV2).padStart(8)} ${show(traced).padStart(8)}`
    )
  }
  const probe = results[transport][PROBE]
  if (probe !== undefined) {
    const legacy = probe["effect-mcp legacy"]
    const part = (what) => {
      const ratio = pairedRatio("", probe[what], legacy)
      return `${what} ${show(W.median(probe[what]))}${what === "effect-mcp legacy" ? "" : ` (x${show(ratio)})`}`
    }
    table.push({
      transport,
      metric: PROBE,
      ...Object.fromEntries(Object.entries(probe).map(([what, values]) => [what, W.median(values)]))
    })
    lines.push(`  ${`${PROBE}, ms`.padEnd(30)} ${Object.keys(probe).map(part).join(" | ")}`)
  }
  if (!withMemory) lines.push(`  memory: not measured in --quick (add --memory)`)
  else {
    for (const client of clientsOn(transport)) {
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
}
lines.push(`\ne/sdk, e/sdk-v2 = effect-mcp / sdk, effect-mcp / sdk-v2, the median over rounds of each round's ratio`)
lines.push(`  (calls/s and progress inverted): > 1 means effect-mcp is slower`)
lines.push(
  `traced = effect-mcp with tracing on (an in-memory tracer: spans, traceparent in _meta, metrics); ` +
    `traced/e = its cost ratio to effect-mcp with tracing off`
)
lines.push(`"Effect program": effect-mcp's calls made from one Effect program, the SDKs' from Promise code as above`)
lines.push(
  `${PROBE}: effect-mcp's connect + first call against the handshake-era server with protocol "legacy", with ` +
    `"auto" to a server it has not met (probe refused, then the handshake), with "auto" again (verdict reused); ` +
    `(x) = / legacy; sdk-v2 with mode "auto" for comparison`
)
const fixed = (values) => values.map((v) => v.toFixed(2)).join(" ")
lines.push(`load average before ${fixed(loadBefore)}, after ${fixed(loadAfter)}`)
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
    {
      date: new Date().toISOString(),
      node: process.version,
      quick,
      size,
      load: { before: loadBefore, after: loadAfter },
      seconds,
      table,
      results,
      memory
    },
    null,
    2
  )
)
console.log(`results: ${out}`)
