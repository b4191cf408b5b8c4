import { clientsOn } from "./clients.mjs"
import * as W from "./workloads.mjs"
const transport = process.argv[2] ?? "stateless-http"
const servers = await W.startHttpServers([transport])
const only = process.argv[3]
for (const client of clientsOn(transport).filter((c) => c.name !== "sdk" && (only === undefined || c.name === only))) {
  const s = await client.connect(W.target(transport, 0, servers))
  await W.throughput(s, 500, 16)
  const out = []
  for (const n of [1, 16, 64, 64, 16, 64]) out.push(`${n}:${(await W.throughput(s, 2000, n)).toFixed(0)}`)
  console.log(client.name, out.join(" "))
  await s.close()
}
await W.stopHttpServers(servers)
