// The bench's smoke test: a tiny workload through every client on every transport it runs on (the
// handshake-era server and the 2026-07-28 one), checking the results (the workloads throw on a wrong one)
// and what is left after close. No timing is asserted.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { clientsOn, effectMcp, sdk, sdkV2 } from "../clients.mjs"
import * as W from "../workloads.mjs"

let servers
beforeAll(async () => {
  servers = await W.startHttpServers(W.transports)
})
afterAll(async () => {
  if (servers !== undefined) await W.stopHttpServers(servers)
})

for (const transport of W.transports) {
  describe(`bench workloads over ${W.label[transport]}`, () => {
    for (const client of clientsOn(transport)) {
      it(`${client.name}: every workload returns the right result`, async () => {
        const to = W.target(transport, 0, servers)
        const once = await W.sessionOnce(client, to)
        assert.isAbove(once.close, 0)
        assert.isAbove(once.total, once.close)
        const session = await client.connect(to)
        try {
          assert.strictEqual((await W.latencies(session, 5)).length, 5)
          assert.isAbove(await W.throughput(session, 32, 16), 0)
          if (session.effectThroughput !== undefined) assert.isAbove(await session.effectThroughput(32, 16), 0)
          assert.isAbove(await W.blob(session), 0)
          const delivered = await W.progress(session, 10)
          // the SDK clients can drop the last notification (it arrives with the result); this library must not
          if (client.name.startsWith("effect-mcp")) assert.strictEqual(delivered, 10)
          else assert.isAtLeast(delivered, 9)
        } finally {
          await session.close()
        }
        const big = await client.connect(W.target(transport, 20, servers))
        try {
          assert.isAbove(await W.list(big, 24), 0)
        } finally {
          await big.close()
        }
      }, 30_000)
    }
  })
}

// the "connect (auto vs legacy)" row: probing clients against the handshake-era server, first (a server the
// client has not met) and again
for (const transport of ["stdio", "http"]) {
  it(`auto against the handshake-era server over ${transport}`, async () => {
    const fresh = W.target(transport, 0, servers, `test-${Date.now()}`)
    assert.isAbove(await W.connectOnce(effectMcp, fresh, { protocol: "auto" }), 0)
    assert.isAbove(await W.connectOnce(effectMcp, fresh, { protocol: "auto" }), 0)
    assert.isAbove(await W.connectOnce(sdkV2, W.target(transport, 0, servers), { protocol: "auto" }), 0)
  }, 30_000)
}

// the "recovery after a crash" row: the server dies after answering; the next call works (this library by
// itself, the SDK with the reconnect written by hand)
it("recovery after a stdio server's crash", async () => {
  const to = W.target("stdio", 0, servers)
  assert.isAbove(await W.recovery(effectMcp, to, false), 0)
  assert.isAbove(await W.recovery(sdk, to, true), 0)
}, 30_000)

it("the handshake-era HTTP server is left with no open session", async () => {
  const stats = await (await fetch(`${servers.http.base}/stats`)).json()
  assert.strictEqual(stats.open, 0)
  assert.isAbove(stats.opened, 0)
})

it("the stateless HTTP server was reached", async () => {
  const stats = await (await fetch(`${servers["stateless-http"].base}/stats`)).json()
  assert.isAbove(stats.requests, 0)
})
