import { McpClient } from "@effect-mcp/client"
import { NodeMcpClient } from "@effect-mcp/client-node"
import { NodeContext } from "@effect/platform-node"
import { describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { startV2Http, v2Stdio } from "./utils/v2Server.js"

const show = (label: string, e: Effect.Effect<any, any, any>) =>
  Effect.gen(function*() {
    const t = Date.now()
    const r = yield* Effect.either(e)
    console.log(label, Date.now() - t, "ms", r._tag === "Left" ? `${r.left._tag} ${r.left.message} ${JSON.stringify(r.left)}` : JSON.stringify(r.right))
  })

describe("explore", () => {
  it.scopedLive("pins", () =>
    Effect.gen(function*() {
      const modern = yield* startV2Http("modern")
      const legacy = yield* startV2Http("legacy")
      yield* show("legacy-pin vs modern http", Effect.scoped(Effect.flatMap(McpClient.make(modern.url, { protocol: "legacy" }), (c) => c.era)))
      yield* show("legacy-pin vs modern http node", Effect.scoped(Effect.flatMap(McpClient.make(modern.url, { protocol: "legacy" }), (c) => c.era)).pipe(Effect.provide(NodeMcpClient.layerNode)))
      yield* show("stateless-pin vs legacy http", Effect.scoped(Effect.flatMap(McpClient.make(legacy.url, { protocol: "2026-07-28" }), (c) => c.era)))
      yield* show("stateless-pin vs legacy http node", Effect.scoped(Effect.flatMap(McpClient.make(legacy.url, { protocol: "2026-07-28" }), (c) => c.era)).pipe(Effect.provide(NodeMcpClient.layerNode)))
      yield* show("legacy-pin vs modern stdio", Effect.scoped(Effect.flatMap(McpClient.make(v2Stdio("modern", "x1"), { protocol: "legacy" }), (c) => c.era)))
      yield* show("stateless-pin vs legacy stdio", Effect.scoped(Effect.flatMap(McpClient.make(v2Stdio("legacy", "x2"), { protocol: "2026-07-28" }), (c) => c.era)))
      yield* show("auto vs legacy stdio", Effect.scoped(Effect.flatMap(McpClient.make(v2Stdio("legacy", "x3")), (c) => Effect.all([c.era, c.serverInfo, c.instructions]))))
      yield* show("auto vs modern stdio", Effect.scoped(Effect.flatMap(McpClient.make(v2Stdio("modern", "x4")), (c) => Effect.all([c.era, c.serverInfo, c.instructions, c.serverCapabilities]))))
      yield* show("auto vs modern http", Effect.scoped(Effect.flatMap(McpClient.make(modern.url), (c) => Effect.all([c.era, c.serverInfo, c.instructions, c.serverCapabilities]))))
      yield* show("auto vs legacy http", Effect.scoped(Effect.flatMap(McpClient.make(legacy.url), (c) => Effect.all([c.era, c.serverInfo, c.instructions, c.serverCapabilities]))))
      yield* show("stats modern", modern.stats)
      yield* show("stats legacy", legacy.stats)
    }).pipe(Effect.provide(NodeContext.layer)))
})
