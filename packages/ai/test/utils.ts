import { LanguageModel, Tool } from "@effect/ai"
import type { Response } from "@effect/ai"
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js"
import { Effect, Layer, Stream } from "effect"
import { z } from "zod"

// a 1x1 PNG and a few bytes of "audio", as servers send them: base64
export const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
export const WAV = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAESsAACJWAAACABAAZGF0YQAAAAA="

/** A weather server: a forecast with a picture, and a tool that always reports an error. */
export const weatherServer = () => {
  const server = new McpServer({ name: "weather", version: "1.0.0" })
  server.registerTool(
    "forecast",
    {
      description: "The forecast for a city",
      inputSchema: { city: z.string().describe("Where"), days: z.number().int().min(1).max(7).optional() },
      annotations: { readOnlyHint: true }
    },
    ({ city, days }) => ({
      content: [
        { type: "text", text: `Sunny in ${city} for ${days ?? 1} day(s)` },
        { type: "image", data: PNG, mimeType: "image/png" }
      ]
    })
  )
  server.registerTool(
    "explode",
    { description: "Always fails", inputSchema: { why: z.string().optional() } },
    () => ({ isError: true, content: [{ type: "text", text: "the fuse blew" }], structuredContent: { code: 42 } })
  )
  return server
}

/** A media server: every kind of content in one result, and a tool whose name is not provider-safe. */
export const mediaServer = () => {
  const server = new McpServer({ name: "media", version: "1.0.0" })
  server.registerTool(
    "everything",
    { description: "Every kind of content", inputSchema: {}, outputSchema: { count: z.number() } },
    () => ({
      content: [
        { type: "text", text: "here it all is" },
        { type: "image", data: PNG, mimeType: "image/png" },
        { type: "audio", data: WAV, mimeType: "audio/wav" },
        { type: "resource", resource: { uri: "memo://one", mimeType: "text/plain", text: "an embedded memo" } },
        { type: "resource", resource: { uri: "blob://two", mimeType: "application/octet-stream", blob: "AAEC" } },
        { type: "resource_link", uri: "file:///tmp/report.pdf", name: "report", mimeType: "application/pdf" }
      ],
      structuredContent: { count: 6 }
    })
  )
  server.registerTool(
    "clip.cut",
    { description: "Cuts a clip", inputSchema: { from: z.number(), to: z.number() } },
    ({ from, to }) => ({ content: [{ type: "text", text: `cut ${from}-${to}` }] })
  )
  return server
}

/** A tool list as written by hand: `$defs`, a recursive `$ref`, no `type` on one of them. */
export const Plan = {
  type: "object",
  $defs: {
    step: {
      type: "object",
      properties: { title: { type: "string" }, next: { $ref: "#/$defs/step" } },
      required: ["title"],
      additionalProperties: false
    }
  },
  properties: { first: { $ref: "#/$defs/step" }, tags: { type: "array", items: { type: "string" } } },
  required: ["first"],
  additionalProperties: false
} as const

export const Untyped = { properties: { anything: {} } } as const

export const rawServer = () => {
  const server = new Server({ name: "raw", version: "1.0.0" }, { capabilities: { tools: {} } })
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [
      { name: "plan", description: "Makes a plan", inputSchema: Plan },
      { name: "untyped", inputSchema: Untyped as any }
    ]
  }))
  server.setRequestHandler(CallToolRequestSchema, (request) => ({
    content: [{
      type: "text",
      text: JSON.stringify({ name: request.params.name, arguments: request.params.arguments })
    }]
  }))
  return server
}

/** What the scripted model was shown in one turn. */
export interface Seen {
  readonly tools: ReadonlyArray<
    { readonly name: string; readonly description: string | undefined; readonly parameters: unknown }
  >
}

/**
 * A language model that answers each turn from a script: the turn's tool
 * calls (or text). It records the tools it was given, with the JSON Schema a
 * provider would send for each.
 */
export const scriptedModel = (
  turns: ReadonlyArray<(tools: ReadonlyArray<Tool.Any>) => Array<Response.PartEncoded>>
) => {
  const seen: Array<Seen> = []
  const layer = Layer.effect(
    LanguageModel.LanguageModel,
    LanguageModel.make({
      generateText: (options) =>
        Effect.sync(() => {
          seen.push({
            tools: options.tools.map((tool) => ({
              name: tool.name,
              description: Tool.getDescription(tool as any),
              parameters: Tool.getJsonSchema(tool as any)
            }))
          })
          const turn = turns[Math.min(seen.length, turns.length) - 1]
          return turn(options.tools)
        }),
      streamText: () => Stream.dieMessage("the scripted model does not stream")
    })
  )
  return { layer, seen }
}

export const call = (id: string, name: string, params: unknown): Response.PartEncoded => ({
  type: "tool-call",
  id,
  name,
  params
})
