// An adapter for the shared benchmark harness (see its README), over the built packages:
//   npm run build && node ../shared/bench/run.mjs --adapter ./bench/adapter.mjs
// Every call goes through Effect.runPromise, as a Promise-facing caller's would.
import { NodeMcpClient } from "@effect-mcp/client-node"
import { Effect, Exit, Scope } from "effect"

export default {
  name: "effect-mcp",
  description: "@effect-mcp/client (NodeMcpClient: Node stdio transport, SDK HTTP transport)",
  transports: ["inmemory", "stdio", "http"],
  async connect(target) {
    const source = target.kind === "inmemory"
      ? target.createServer()
      : target.kind === "stdio"
      ? { command: target.command, args: target.args, env: target.env, inheritEnv: false, stderr: "ignore" }
      : target.url
    const scope = await Effect.runPromise(Scope.make())
    const client = await Effect.runPromise(Scope.extend(NodeMcpClient.make(source), scope)).catch(async (error) => {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      throw error
    })
    return {
      callTool: (name, args, opts) =>
        Effect.runPromise(
          client.callToolRaw(
            name,
            args,
            opts?.onProgress ? { onProgress: (progress) => Effect.sync(() => opts.onProgress(progress)) } : undefined
          )
        ),
      listTools: () => Effect.runPromise(client.listTools),
      close: () => Effect.runPromise(Scope.close(scope, Exit.void))
    }
  }
}
