// The two clients the bench compares, behind one Promise interface:
//   connect(target) -> { callTool(name, args, { onProgress }?), listTools(), close() } (the shared harness's)
// A target is { kind: "inmemory", tools } | { kind: "stdio", tools, command, args } | { kind: "http", url }.
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { connectEffectMcp } from "./effect-mcp.mjs"
import { makeServer } from "./server.mjs"

/** The raw SDK client, closed the way its docs show (plus terminateSession, so HTTP leaves no session). */
export const sdk = {
  name: "sdk",
  connect: async (target) => {
    const client = new Client({ name: "bench-sdk", version: "1.0.0" })
    let transport
    let server
    if (target.kind === "inmemory") {
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
      server = makeServer({ tools: target.tools })
      await server.connect(serverSide)
      transport = clientSide
    } else if (target.kind === "stdio") {
      transport = new StdioClientTransport({ command: target.command, args: target.args, stderr: "ignore" })
    } else {
      transport = new StreamableHTTPClientTransport(new URL(target.url))
    }
    await client.connect(transport)
    return {
      callTool: (name, args, opts) =>
        client.callTool(
          { name, arguments: args },
          undefined,
          opts?.onProgress ? { onprogress: opts.onProgress } : undefined
        ),
      listTools: async () => (await client.listTools()).tools,
      close: async () => {
        if (target.kind === "http") await transport.terminateSession()
        await client.close()
        if (server !== undefined) await server.close()
      }
    }
  }
}

/** This library, called from Promise code. */
export const effectMcp = {
  name: "effect-mcp",
  connect: (target) =>
    connectEffectMcp(
      target.kind === "inmemory"
        ? makeServer({ tools: target.tools })
        : target.kind === "stdio"
        // the environment the SDK gives its servers: an inherited NODE_EXTRA_CA_CERTS alone costs a Node
        // server 30 ms to start on these machines
        ? {
          command: target.command,
          args: target.args,
          env: getDefaultEnvironment(),
          inheritEnv: false,
          stderr: "ignore"
        }
        : target.url
    )
}

export const clients = [sdk, effectMcp]
