// An adapter for the shared benchmark harness (see its README), over the built packages:
//   npm run build && node ../shared/bench/run.mjs --adapter ./bench/adapter.mjs
// The harness's servers are handshake-era (SDK v1 McpServer): the client is pinned to protocol "legacy",
// the `initialize` handshake every other adapter there does, so its numbers stay comparable with runs made
// before the library spoke 2026-07-28 (with "auto", only a process's first connect to each server would differ:
// one refused server/discover).
import { connectEffectMcp } from "./effect-mcp.mjs"

export default {
  name: "effect-mcp",
  description:
    "@effect-mcp/client (NodeMcpClient: stdio on node:child_process, Streamable HTTP on node:http; protocol \"legacy\")",
  transports: ["inmemory", "stdio", "http"],
  connect: (target) =>
    connectEffectMcp(
      target.kind === "inmemory"
        ? target.createServer()
        : target.kind === "stdio"
        ? { command: target.command, args: target.args, env: target.env, inheritEnv: false, stderr: "ignore" }
        : target.url,
      { protocol: "legacy" }
    )
}
