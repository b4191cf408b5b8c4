// The clients the bench compares, behind one Promise interface:
//   connect(target, options?) -> { callTool(name, args, { onProgress }?), listTools(), close() } (the shared harness's)
// A target is { kind: "inmemory", tools } | { kind: "stdio", tools, command, args } | { kind: "http", url }, each
// with `stateless`: true for a 2026-07-28 server (server-v2.mjs), false for the handshake-era one (server.mjs).
//
// The era each client speaks follows the target: on the handshake-era rows every client does the
// `initialize` handshake (effect-mcp pinned to `protocol: "legacy"`, SDK v2 in its `legacy` negotiation
// mode), so those rows keep the meaning they had before the library spoke 2026-07-28 and stay comparable
// with earlier runs; on the stateless rows effect-mcp is pinned to "2026-07-28" and SDK v2 to
// `{ pin: "2026-07-28" }`. `options.protocol: "auto"` asks for the probing mode instead (the
// "connect (auto vs legacy)" row).
import {
  Client as ClientV2,
  InMemoryTransport as InMemoryTransportV2,
  StreamableHTTPClientTransport as StreamableHTTPClientTransportV2
} from "@modelcontextprotocol/client"
import { StdioClientTransport as StdioClientTransportV2 } from "@modelcontextprotocol/client/stdio"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { connectEffectMcp, memoryTracer } from "./effect-mcp.mjs"
import { makeServer } from "./server.mjs"

export const STATELESS = "2026-07-28"

/** The raw SDK v1 client, closed the way its docs show (plus terminateSession, so HTTP leaves no session). */
export const sdk = {
  name: "sdk",
  transports: ["inmemory", "stdio", "http"],
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

/**
 * The official SDK v2 client (`@modelcontextprotocol/client` 2.4.0), used directly. Its
 * `versionNegotiation.mode`: `legacy` (its default) on the handshake-era rows, `{ pin: "2026-07-28" }` on the
 * stateless ones. Pinned over its own stdio transport it asks `server/discover` on a short-lived sibling
 * process, then spawns the session's: what the SDK does, so what a connect costs there. In memory: its
 * `InMemoryTransport` against the same SDK v1 `McpServer` the other clients meet.
 */
export const sdkV2 = {
  name: "sdk-v2",
  transports: ["inmemory", "stdio", "http", "stateless-http", "stateless-stdio"],
  connect: async (target, options) => {
    const mode = options?.protocol === "auto" ? "auto" : target.stateless ? { pin: STATELESS } : "legacy"
    const client = new ClientV2({ name: "bench-sdk-v2", version: "1.0.0" }, { versionNegotiation: { mode } })
    let transport
    let server
    if (target.kind === "inmemory") {
      const [clientSide, serverSide] = InMemoryTransportV2.createLinkedPair()
      server = makeServer({ tools: target.tools })
      await server.connect(serverSide)
      transport = clientSide
    } else if (target.kind === "stdio") {
      transport = new StdioClientTransportV2({ command: target.command, args: target.args, stderr: "ignore" })
    } else {
      transport = new StreamableHTTPClientTransportV2(new URL(target.url))
    }
    await client.connect(transport)
    return {
      callTool: (name, args, opts) =>
        client.callTool({ name, arguments: args }, opts?.onProgress ? { onprogress: opts.onProgress } : undefined),
      listTools: async () => (await client.listTools()).tools,
      close: async () => {
        // a handshake-era HTTP session is ended (as for sdk); a stateless one has none
        if (target.kind === "http" && transport.sessionId !== undefined) await transport.terminateSession()
        await client.close()
        if (server !== undefined) await server.close()
      }
    }
  }
}

/** This library, called from Promise code. */
export const effectMcp = {
  name: "effect-mcp",
  transports: ["inmemory", "stdio", "http", "stateless-http", "stateless-stdio"],
  connect: (target, options) =>
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
        : target.url,
      { protocol: options?.protocol ?? (target.stateless ? STATELESS : "legacy") },
      options?.tracer
    )
}

/**
 * This library with tracing on: every call under an in-memory tracer (no export, no console), so the
 * client makes its spans, puts `traceparent` in each request and records its metrics.
 */
export const effectMcpTraced = {
  name: "effect-mcp traced",
  transports: ["inmemory", "stdio", "http"],
  connect: (target, options) => {
    const tracer = memoryTracer()
    return effectMcp.connect(target, { ...options, tracer })
  }
}

export const clients = [sdk, sdkV2, effectMcp, effectMcpTraced]

/** The clients that run on `transport` (a name of workloads.mjs's `transports`). */
export const clientsOn = (transport) => clients.filter((client) => client.transports.includes(transport))
