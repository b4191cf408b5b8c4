// The client the official conformance suite drives: `node scripts/conformance-client.mjs <serverUrl>`,
// with the scenario in MCP_CONFORMANCE_SCENARIO (and MCP_CONFORMANCE_CONTEXT for credentials). It uses
// this library's client only (the built packages: run `npm run build` first), with the Node layer, so
// Streamable HTTP goes over node:http (and OAuth sources over the SDK's transport).
import { McpAuth, McpClient } from "@effect-mcp/client"
import { NodeMcpClient } from "@effect-mcp/client-node"
import { Console, Effect, Redacted } from "effect"

const url = process.argv[process.argv.length - 1]
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? ""
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}")

// the suite names the revision a scenario runs at; the client follows it (else it negotiates: "auto")
const wire = process.env.MCP_CONFORMANCE_PROTOCOL_VERSION
const protocol = wire === undefined ? "auto" : wire === "2026-07-28" ? "2026-07-28" : "legacy"
const connect = (options = {}) => McpClient.make(url, { protocol, ...options })

const headless = () =>
  McpAuth.headless({
    redirectUrl: "http://localhost:3000/callback",
    clientMetadataUrl: "https://conformance-test.local/client-metadata.json",
    clientMetadata: {
      client_name: "effect-mcp conformance client",
      redirect_uris: ["http://localhost:3000/callback"],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"]
    },
    ...(context.client_id === undefined ? {} : {
      clientInformation: {
        client_id: context.client_id,
        ...(context.client_secret === undefined ? {} : { client_secret: context.client_secret })
      }
    })
  })

const providerFor = (name) => {
  if (name === "auth/client-credentials-basic") {
    return Effect.succeed(McpAuth.clientCredentials({
      clientId: context.client_id,
      clientSecret: Redacted.make(context.client_secret)
    }))
  }
  if (name === "auth/client-credentials-jwt") {
    return Effect.succeed(McpAuth.privateKeyJwt({
      clientId: context.client_id,
      privateKey: Redacted.make(context.private_key_pem),
      algorithm: context.signing_algorithm
    }))
  }
  if (name === "auth/wif-jwt-bearer") {
    return Effect.succeed(McpAuth.workloadIdentity({
      clientId: context.client_id,
      assertion: Effect.succeed(Redacted.make(context.valid_jwt))
    }))
  }
  if (name === "auth/enterprise-managed-authorization") {
    return Effect.succeed(McpAuth.enterpriseManaged({
      idToken: Redacted.make(context.idp_id_token),
      identityProvider: { tokenEndpoint: context.idp_token_endpoint, clientId: context.idp_client_id },
      client: { id: context.client_id, secret: Redacted.make(context.client_secret) }
    }))
  }
  return headless()
}

/** List the tools and call each: what every authorization scenario wants to see done with a token. */
const authorized = (name) =>
  Effect.gen(function*() {
    const client = yield* McpClient.make({ url, authProvider: yield* providerFor(name) }, { protocol })
    for (const tool of yield* client.listTools) yield* client.callTool(tool.name, {})
  })

const notYet = (name) => Effect.fail(new Error(`unknown scenario "${name}"`))

const scenarios = {
  // this test server answers tools/list without advertising tools, which listTools refuses: ask raw
  initialize: Effect.gen(function*() {
    const client = yield* connect()
    yield* client.request("tools/list")
  }),
  tools_call: Effect.gen(function*() {
    const client = yield* connect()
    const tools = yield* client.listTools
    for (const tool of tools.filter((t) => t.name === "add_numbers")) {
      yield* client.callTool(tool.name, { a: 5, b: 3 })
    }
  }),
  // the client fills in the form's defaults for the fields the answer leaves out (SEP-1034)
  "elicitation-sep1034-client-defaults": Effect.gen(function*() {
    const client = yield* connect({
      elicitation: () => Effect.succeed({ action: "accept", content: {} })
    })
    for (const tool of yield* client.listTools) yield* client.callTool(tool.name, {})
  }),
  "sse-retry": Effect.gen(function*() {
    const client = yield* connect()
    for (const tool of yield* client.listTools) yield* client.callTool(tool.name, {})
  }),

  // -- revision 2026-07-28 ----------------------------------------------------

  // the first request is refused with -32022 whatever it says: the client asks again at the version offered
  "request-metadata": Effect.gen(function*() {
    const client = yield* connect()
    yield* client.request("tools/list")
  }),
  // every method the scenario scores carries Mcp-Method (and Mcp-Name where it names something)
  "http-standard-headers": Effect.gen(function*() {
    const client = yield* connect()
    const tools = yield* client.listTools
    for (const tool of tools) yield* client.callToolRaw(tool.name, {})
    for (const resource of yield* client.listResources) yield* client.readResource(resource.uri)
    for (const prompt of yield* client.listPrompts) yield* client.getPrompt(prompt.name)
  }),
  // the calls to make are in the context; annotated arguments are mirrored into Mcp-Param-* headers
  "http-custom-headers": Effect.gen(function*() {
    const client = yield* connect()
    yield* client.listTools
    for (const call of context.toolCalls ?? []) yield* client.callToolRaw(call.name, call.arguments)
  }),
  // tools with invalid x-mcp-header annotations are left out of the list: only the valid one is called
  "http-invalid-tool-headers": Effect.gen(function*() {
    const client = yield* connect()
    for (const tool of yield* client.listTools) yield* client.callToolRaw(tool.name, { region: "us-west1" })
  }),
  // a $ref to the network is kept as written, never fetched
  "json-schema-ref-no-deref": Effect.gen(function*() {
    const client = yield* connect()
    yield* client.listTools
  }),
  // the input schema comes back verbatim: echoed to the server, every 2020-12 keyword intact
  "json-schema-2020-12-preservation": Effect.gen(function*() {
    const client = yield* connect()
    const tools = yield* client.listTools
    const tool = tools.find((t) => t.name === "json_schema_2020_12_tool")
    if (tool !== undefined) yield* client.callToolRaw("json_schema_echo", { schema: tool.inputSchema })
  }),
  // input-required rounds: answered with the elicitation handler, requestState echoed as received
  "sep-2322-client-request-state": Effect.gen(function*() {
    const client = yield* connect({
      elicitation: () => Effect.succeed({ action: "accept", content: { confirmed: true } })
    })
    for (const tool of yield* client.listTools) yield* client.callToolRaw(tool.name, {})
  })
}

scenarios["auth/cross-app-access-complete-flow"] = Effect.gen(function*() {
  const bearer = yield* McpAuth.crossAppAccess({
    serverUrl: url,
    idToken: Redacted.make(context.idp_id_token),
    identityProvider: { tokenEndpoint: context.idp_token_endpoint, clientId: context.idp_client_id },
    client: { id: context.client_id, secret: Redacted.make(context.client_secret) }
  })
  const client = yield* McpClient.make({ url, bearer })
  for (const tool of yield* client.listTools) yield* client.callTool(tool.name, {})
})

// SEP-2640: list the skills, and read none of their files
scenarios["sep-2640-client-no-prefetch"] = Effect.gen(function*() {
  const { McpSkills } = yield* Effect.promise(() => import("@effect-mcp/client"))
  const client = yield* connect({ capabilities: McpSkills.capabilities() })
  yield* McpSkills.list(client)
})

// SEP-2640: load each skill, then read its other files as an agent would; the served SKILL.md is tampered
// with, so the load is refused (the client exits non-zero) and no further file is read
scenarios["sep-2640-client-verify-digest"] = Effect.gen(function*() {
  const { McpSkills } = yield* Effect.promise(() => import("@effect-mcp/client"))
  const client = yield* connect({ capabilities: McpSkills.capabilities() })
  for (const skill of yield* McpSkills.list(client)) {
    yield* McpSkills.load(client, skill)
    for (const file of skill.resources === "dynamic" ? [] : skill.resources) {
      if (file.uri !== skill.uri) yield* McpSkills.readFile(client, skill, file.uri)
    }
  }
})
scenarios["sep-2640-client-verify-size"] = scenarios["sep-2640-client-verify-digest"]
scenarios["sep-2640-client-verify-frontmatter"] = scenarios["sep-2640-client-verify-digest"]

const program = (scenarios[scenario] ??
  (scenario.startsWith("auth/") ? authorized(scenario) : notYet(scenario))).pipe(
    Effect.scoped,
    Effect.provide(NodeMcpClient.layerNode),
    Effect.tapError((error) => Console.error(`conformance client: ${error.message}`))
  )

Effect.runPromiseExit(program).then((exit) => process.exit(exit._tag === "Success" ? 0 : 1))
