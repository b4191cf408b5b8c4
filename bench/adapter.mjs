// An adapter for the shared benchmark harness (see its README), over the built packages:
//   npm run build && node ../shared/bench/run.mjs --adapter ./bench/adapter.mjs
import { connectEffectMcp } from "./effect-mcp.mjs"

export default {
  name: "effect-mcp",
  description: "@effect-mcp/client (NodeMcpClient: stdio on node:child_process, Streamable HTTP on node:http)",
  transports: ["inmemory", "stdio", "http"],
  connect: (target) =>
    connectEffectMcp(
      target.kind === "inmemory"
        ? target.createServer()
        : target.kind === "stdio"
        ? { command: target.command, args: target.args, env: target.env, inheritEnv: false, stderr: "ignore" }
        : target.url
    )
}
