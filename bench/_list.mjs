import { clientsOn } from "./clients.mjs"
import * as W from "./workloads.mjs"
const transport = process.argv[2] ?? "stateless-http"
const servers = await W.startHttpServers([transport])
const stats = async () => servers[transport] ? (await (await fetch(`${servers[transport].base}/stats`)).json()).requests : 0
for (let rep = 0; rep < 2; rep++)
for (const client of clientsOn(transport).filter((c) => c.name !== "sdk")) {
  const s = await client.connect(W.target(transport, 500, servers))
  await W.list(s, 504)
  const r0 = await stats()
  const t = []
  for (let i = 0; i < 20; i++) t.push(await W.list(s, 504))
  console.log(client.name, "median ms", W.median(t).toFixed(2), "min", Math.min(...t).toFixed(2), "requests/list", ((await stats()) - r0) / 20)
  await s.close()
}
await W.stopHttpServers(servers)
