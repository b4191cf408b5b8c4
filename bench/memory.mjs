// One client in a fresh process: heap after N echo calls (16 in flight), then what is left after
// closing that session and five more: handles, child processes, HTTP server sessions (none on the stateless
// server, by design). Prints JSON.
//   node --expose-gc --no-warnings bench/memory.mjs <client> <transport> <calls> [<HTTP server base URL>]
import { readdirSync, readFileSync } from "node:fs"
import { clients } from "./clients.mjs"
import * as W from "./workloads.mjs"

// run with --no-warnings: count them instead of printing them
let warnings = 0
process.on("warning", () => warnings++)

const [name, transport, callsArg, base] = process.argv.slice(2)
const client = clients.find((c) => c.name === name)
const calls = Number(callsArg)
const http = base === undefined ? undefined : { base }
const to = W.target(transport, 0, { [transport]: http })

const children = () =>
  readdirSync("/proc").filter((pid) => /^\d+$/.test(pid)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[1] === String(process.pid)
    } catch {
      return false
    }
  }).length

const heap = () => {
  globalThis.gc()
  return process.memoryUsage().heapUsed
}

const openSessions = async () => (http === undefined ? undefined : (await (await fetch(`${base}/stats`)).json()).open)

const before = heap()
const handlesBefore = process.getActiveResourcesInfo()
const sessionsBefore = await openSessions()
const session = await client.connect(to)
await W.throughput(session, calls, 16)
const heapGrowthMb = (heap() - before) / 1e6
await session.close()
for (let i = 0; i < 5; i++) await W.connectOnce(client, to)
await new Promise((resolve) => setTimeout(resolve, 300))
const handlesLeft = process.getActiveResourcesInfo()
for (const kind of handlesBefore) {
  const index = handlesLeft.indexOf(kind)
  if (index !== -1) handlesLeft.splice(index, 1)
}
const serverSessionsLeft = http === undefined ? undefined : (await openSessions()) - sessionsBefore
console.log(
  JSON.stringify({ calls, heapGrowthMb, handlesLeft, childrenLeft: children(), serverSessionsLeft, warnings })
)
