import type { StdioTransport } from "@effect-mcp/client"
import { NodeMcpClient } from "@effect-mcp/client-node"
import type { CommandExecutor } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import type { Layer } from "effect"

/** The two ways the client runs stdio servers; the stdio tests run against both. */
export const launchers: ReadonlyArray<{
  readonly name: string
  readonly layer:
    | Layer.Layer<CommandExecutor.CommandExecutor | StdioTransport.Launcher>
    | Layer.Layer<
      CommandExecutor.CommandExecutor
    >
}> = [
  { name: "Command", layer: NodeContext.layer },
  { name: "node:child_process", layer: NodeMcpClient.layerNode }
]
