import { NodeMcpClient } from "@effect-mcp/client-node"
import { describe } from "@effect/vitest"
import { everythingSuite } from "./utils/everythingSuite.js"
import { everythingPath, useEverythingHttp } from "./utils/servers.js"

describe("server-everything over stdio", () => {
  everythingSuite(() => ({ command: process.execPath, args: [everythingPath] }))
})

describe("server-everything over Streamable HTTP", () => {
  const url = useEverythingHttp("streamableHttp")
  everythingSuite(() => url())
})

describe("server-everything over Streamable HTTP on node:http", () => {
  const url = useEverythingHttp("streamableHttp")
  everythingSuite(() => url(), NodeMcpClient.layerNode)
})

describe("server-everything over legacy SSE", () => {
  const url = useEverythingHttp("sse")
  everythingSuite(() => url())
})
