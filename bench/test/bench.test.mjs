// The bench's smoke test: a tiny workload through both clients on every transport, checking the
// results (the workloads throw on a wrong one) and what is left after close. No timing is asserted.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { clients } from "../clients.mjs"
import * as W from "../workloads.mjs"

let http
beforeAll(async () => {
  http = await W.startHttpServer()
})
afterAll(async () => {
  await http?.stop()
})

for (const transport of ["inmemory", "stdio", "http"]) {
  describe(`bench workloads over ${transport}`, () => {
    for (const client of clients) {
      it(`${client.name}: every workload returns the right result`, async () => {
        const to = W.target(transport, 0, http)
        assert.isAbove(await W.connectOnce(client, to), 0)
        const session = await client.connect(to)
        try {
          assert.strictEqual((await W.latencies(session, 5)).length, 5)
          assert.isAbove(await W.throughput(session, 32, 16), 0)
          if (session.effectThroughput !== undefined) assert.isAbove(await session.effectThroughput(32, 16), 0)
          assert.isAbove(await W.blob(session), 0)
          const delivered = await W.progress(session, 10)
          // the SDK client can drop the last notification (it arrives with the result); this library must not
          if (client.name === "effect-mcp") assert.strictEqual(delivered, 10)
          else assert.isAtLeast(delivered, 9)
        } finally {
          await session.close()
        }
        const big = await client.connect(W.target(transport, 20, http))
        try {
          assert.isAbove(await W.list(big, 24), 0)
        } finally {
          await big.close()
        }
      }, 30_000)
    }
  })
}

it("the HTTP server is left with no open session", async () => {
  const stats = await (await fetch(`${http.base}/stats`)).json()
  assert.strictEqual(stats.open, 0)
  assert.isAbove(stats.opened, 0)
})
