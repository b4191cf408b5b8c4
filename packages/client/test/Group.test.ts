import { McpClient, McpError, McpGroup } from "@effect-mcp/client"
import { McpTestServer } from "@effect-mcp/testing"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js"
import { Chunk, Effect, Exit, Fiber, Option, Schedule, Scope, Stream } from "effect"
import { randomUUID } from "node:crypto"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import { z } from "zod"
import { everythingPath, filesystemPath } from "./utils/servers.js"

const providerSafe = /^[a-zA-Z0-9_-]{1,64}$/

/**
 * A stateful Streamable HTTP server (the SDK's, one `McpServer` per session)
 * whose tools can grow while clients are connected, and which can be killed:
 * the listener closes and every connection is cut.
 */
const webServer = Effect.gen(function*() {
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; mcp: McpServer }>()
  const extraTools: Array<string> = []
  const register = (mcp: McpServer, name: string) =>
    mcp.registerTool(name, { description: `the ${name} tool` }, () => ({ content: [{ type: "text", text: name }] }))
  const newServer = () => {
    const mcp = new McpServer({ name: "web", version: "1.0.0" }, { capabilities: { tools: { listChanged: true } } })
    mcp.registerTool(
      "greet",
      { description: "Greets", inputSchema: { who: z.string() } },
      ({ who }) => ({ content: [{ type: "text", text: `hello ${who}` }] })
    )
    mcp.registerPrompt("welcome", { description: "A welcome" }, () => ({
      messages: [{ role: "user", content: { type: "text", text: "welcome!" } }]
    }))
    for (const name of extraTools) register(mcp, name)
    return mcp
  }
  const http = Http.createServer(async (req, res) => {
    const id = req.headers["mcp-session-id"]
    const existing = typeof id === "string" ? sessions.get(id) : undefined
    if (existing !== undefined) return existing.transport.handleRequest(req, res)
    if (typeof id === "string") {
      res.writeHead(404)
      return res.end()
    }
    const mcp = newServer()
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (sessionId) => void sessions.set(sessionId, { transport, mcp })
    })
    await mcp.connect(transport)
    await transport.handleRequest(req, res)
  })
  const url = yield* Effect.acquireRelease(
    Effect.async<string>((resume) => {
      http.listen(0, "127.0.0.1", () => {
        const address = http.address() as { port: number }
        resume(Effect.succeed(`http://127.0.0.1:${address.port}/mcp`))
      })
    }),
    () => kill
  )
  const kill = Effect.async<void>((resume) => {
    for (const { mcp } of sessions.values()) void mcp.close()
    sessions.clear()
    http.closeAllConnections()
    if (!http.listening) return resume(Effect.void)
    http.close(() => resume(Effect.void))
  })
  return {
    url,
    kill,
    addTool: (name: string) => {
      extraTools.push(name)
      for (const { mcp } of sessions.values()) register(mcp, name)
    }
  }
})

const tempDir = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-mcp-group-"))
    Fs.writeFileSync(Path.join(dir, "notes.txt"), "group notes")
    return Fs.realpathSync(dir)
  }),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

const waitFor = <A>(stream: Stream.Stream<A, unknown>, predicate: (a: A) => boolean) =>
  stream.pipe(
    Stream.filter(predicate),
    Stream.runHead,
    Effect.map(Option.getOrThrow),
    Effect.timeout("20 seconds")
  )

const textOf = (result: { readonly content: ReadonlyArray<unknown> }) =>
  result.content.map((part) => (part as { text?: string }).text ?? "").join("\n")

describe("McpGroup: three real servers", () => {
  it.scopedLive(
    "one catalogue, calls routed to each, live list changes, a killed server",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const web = yield* webServer
        const group = yield* McpGroup.make({
          mcpServers: {
            everything: { command: process.execPath, args: [everythingPath, "stdio"] },
            files: { command: process.execPath, args: [filesystemPath, dir] },
            web: { url: web.url }
          }
        }, {
          client: { requestTimeout: "20 seconds" },
          clients: { web: { reconnect: Schedule.recurs(1) } }
        })

        const catalogue = yield* group.catalogue
        assert.deepStrictEqual(
          Object.values(catalogue.servers).map((state) => state._tag),
          ["Ready", "Ready", "Ready"]
        )
        // complete: every server's own list, every entry prefixed and provider-safe
        for (const server of group.names) {
          const own = yield* Effect.scoped(Effect.flatMap(group.client(server), (client) => client.listTools))
          const entries = catalogue.tools.filter((entry) => entry.server === server)
          assert.deepStrictEqual(entries.map((entry) => entry.original), own.map((tool) => tool.name))
          for (const entry of entries) {
            assert.strictEqual(entry.name, `${server}_${entry.original}`)
            assert.match(entry.name, providerSafe)
            assert.isTrue(entry.available)
          }
        }
        assert.isAbove(catalogue.tools.filter((entry) => entry.server === "everything").length, 5)
        assert.isAbove(catalogue.resources.length, 0)
        assert.isAbove(catalogue.resourceTemplates.length, 0)
        assert.include(catalogue.prompts.map((entry) => entry.name), "web_welcome")

        // routed, with the original names
        assert.include(textOf(yield* group.callTool("everything_echo", { message: "hi" })), "hi")
        assert.include(textOf(yield* group.callTool("files_list_directory", { path: dir })), "notes.txt")
        assert.strictEqual(textOf(yield* group.callTool("web_greet", { who: "group" })), "hello group")
        const welcome = yield* group.getPrompt("web_welcome")
        assert.deepStrictEqual(welcome.messages[0].content, { type: "text", text: "welcome!" })
        const resource = catalogue.resources.find((entry) => entry.server === "everything")!
        const [byName, byUri] = yield* Effect.all([
          group.readResource(resource.name),
          group.readResource(resource.original)
        ])
        assert.strictEqual(byName.contents[0].uri, resource.original)
        assert.deepStrictEqual(byUri, byName)
        // a single client's typed errors, unchanged
        const failed = yield* Effect.flip(group.callTool("web_greet", { who: 42 }))
        assert.isTrue(failed instanceof McpError.ToolError || failed instanceof McpError.McpRpcError, String(failed))
        const unknown = yield* Effect.flip(group.callTool("web_nothing"))
        assert.instanceOf(unknown, McpError.GroupError)
        assert.strictEqual((unknown as McpError.GroupError).reason, "UnknownEntry")

        // a tool added on the web server shows up without a restart
        web.addTool("added")
        const grown = yield* waitFor(
          group.catalogueChanges,
          (next) => next.tools.some((entry) => entry.name === "web_added")
        )
        assert.strictEqual(grown.tools.length, catalogue.tools.length + 1)
        assert.strictEqual(textOf(yield* group.callTool("web_added")), "added")

        // the web server dies: the others keep answering, its entries say why they are unavailable
        yield* web.kill
        // found out by the next call (an HTTP server holds no connection the client would see close)
        assert.instanceOf(yield* Effect.flip(group.callTool("web_greet", { who: "x" })), McpError.TransportError)
        const states = yield* waitFor(group.stateChanges, (all) => all.web._tag === "Failed")
        assert.strictEqual(states.everything._tag, "Ready")
        const after = yield* group.catalogue
        const webEntries = after.tools.filter((entry) => entry.server === "web")
        assert.isAbove(webEntries.length, 0)
        assert.isTrue(webEntries.every((entry) => !entry.available))
        const cause = after.servers.web
        assert.isTrue(cause._tag === "Failed" && cause.cause instanceof McpError.TransportError)
        assert.isTrue(after.tools.filter((entry) => entry.server !== "web").every((entry) => entry.available))
        assert.include(textOf(yield* group.callTool("everything_echo", { message: "still" })), "still")
        assert.include(
          textOf(yield* group.callTool("files_read_text_file", { path: `${dir}/notes.txt` })),
          "group notes"
        )
      }).pipe(Effect.provide(NodeContext.layer)),
    { timeout: 90_000 }
  )
})

const sdkServer = (name: string, tools: ReadonlyArray<string>) => {
  const server = new McpServer({ name, version: "1.0.0" })
  for (const tool of tools) {
    server.registerTool(tool, { description: `${tool} on ${name}` }, () => ({
      content: [{ type: "text", text: `${tool}@${name}` }]
    }))
  }
  return server
}

describe("McpGroup: names", () => {
  it.scoped("a collision fails the catalogue with both entries named, or gets a deterministic suffix", () =>
    Effect.gen(function*() {
      const bare = (_server: string, name: string) => name
      const failing = yield* McpGroup.make(
        { alpha: sdkServer("alpha", ["echo", "alone"]), beta: sdkServer("beta", ["echo"]) },
        { naming: bare }
      )
      const error = yield* Effect.flip(failing.catalogue)
      assert.strictEqual(error.reason, "Collision")
      assert.include(error.message, `"echo" of server "beta"`)
      assert.include(error.message, `"echo" of server "alpha"`)
      const collided = (yield* Effect.flip(failing.callTool("alone"))) as McpError.GroupError
      assert.strictEqual(collided.reason, "Collision")

      const suffixed = yield* McpGroup.make(
        { alpha: sdkServer("alpha", ["echo"]), beta: sdkServer("beta", ["echo"]), gamma: sdkServer("gamma", ["echo"]) },
        { naming: bare, collisions: "suffix" }
      )
      const catalogue = yield* suffixed.catalogue
      assert.deepStrictEqual(
        catalogue.tools.map((entry) => [entry.name, entry.server, entry.original]),
        [["echo", "alpha", "echo"], ["echo_2", "beta", "echo"], ["echo_3", "gamma", "echo"]]
      )
      assert.strictEqual(textOf(yield* suffixed.callTool("echo_2")), "echo@beta")
      assert.strictEqual(textOf(yield* suffixed.callTool("echo_3")), "echo@gamma")
    }))

  it.scoped("names every provider accepts, and calls that reach the original name", () =>
    Effect.gen(function*() {
      const long = `very.${"long".repeat(20)}`
      const group = yield* McpGroup.make(
        { "my server": sdkServer("odd", ["weird.name/with spaces", long, "ok-name"]) },
        { separator: "__" }
      )
      const catalogue = yield* group.catalogue
      const names = catalogue.tools.map((entry) => entry.name)
      for (const name of names) assert.match(name, providerSafe)
      assert.strictEqual(names[0], "my_server__weird_name_with_spaces")
      assert.strictEqual(names[2], "my_server__ok-name")
      assert.strictEqual(names[1].length, 64)
      assert.strictEqual(McpGroup.safeName(`my server__${long}`), names[1])
      assert.strictEqual(textOf(yield* group.callTool(names[0])), "weird.name/with spaces@odd")
      assert.strictEqual(textOf(yield* group.callTool(names[1])), `${long}@odd`)
    }))
})

describe("McpGroup: servers that are down or misconfigured", () => {
  it.scopedLive(
    "never fail the others; their state says why; unknown names are typed errors",
    () =>
      Effect.gen(function*() {
        const group = yield* McpGroup.make({
          mcpServers: {
            good: { command: process.execPath, args: [everythingPath, "stdio"] },
            broken: { command: "" },
            missing: { command: "/nonexistent/effect-mcp-test-server" }
          }
        }, { client: { reconnect: false } })
        const states = yield* group.connectAll
        assert.strictEqual(states.good._tag, "Ready")
        assert.strictEqual(states.broken._tag, "Failed")
        assert.strictEqual(states.missing._tag, "Failed")
        assert.include(states.broken._tag === "Failed" ? states.broken.cause.message : "", "misconfigured")
        const missingCause = states.missing._tag === "Failed" ? states.missing.cause : undefined
        assert.instanceOf(missingCause, McpError.TransportError)
        const catalogue = yield* group.catalogue
        assert.isTrue(catalogue.tools.every((entry) => entry.server === "good" && entry.available))
        assert.include(textOf(yield* group.callTool("good_echo", { message: "ok" })), "ok")
        const unavailable = (yield* Effect.flip(group.callTool("missing_anything"))) as McpError.GroupError
        assert.strictEqual(unavailable.reason, "Unavailable")
        assert.strictEqual(unavailable.server, "missing")
        assert.include(unavailable.message, "effect-mcp-test-server")
        const unknownServer = yield* Effect.flip(Effect.scoped(group.client("nope")))
        assert.strictEqual(unknownServer.reason, "UnknownServer")
        assert.include(unknownServer.message, "good, broken, missing")
      }).pipe(Effect.provide(NodeContext.layer)),
    { timeout: 60_000 }
  )
})

describe("McpGroup: a server that floods list_changed", () => {
  it.scopedLive("every page is read, and a flood of notifications costs a read or two, not one each", () =>
    Effect.gen(function*() {
      const tools = Array.from({ length: 7 }, (_, i) => ({
        name: `t${i}`,
        handler: () => Effect.succeed(McpTestServer.text(`t${i}`))
      }))
      const server = yield* McpTestServer.make({ tools, pageSize: 2 })
      const group = yield* McpGroup.make({ paged: server.connect })
      const catalogue = yield* group.catalogue
      assert.deepStrictEqual(catalogue.tools.map((entry) => entry.name), tools.map((tool) => `paged_${tool.name}`))
      const listsBefore = (yield* server.received("tools/list")).length
      assert.strictEqual(listsBefore, 4)
      yield* Effect.forEach(
        Array.from({ length: 200 }),
        () => server.notify("notifications/tools/list_changed"),
        { discard: true }
      )
      yield* Effect.sleep("300 millis")
      const reads = ((yield* server.received("tools/list")).length - listsBefore) / 4
      assert.isAtLeast(reads, 1)
      assert.isAtMost(reads, 3)
    }))
})

describe("McpGroup: resources", () => {
  const docs = (server: string) =>
    McpTestServer.make({
      resources: [{
        uri: `${server}://readme`,
        name: "readme",
        read: (uri) => Effect.succeed([{ uri, text: `readme of ${server}` }])
      }, {
        uri: `${server}://other`,
        name: "readme",
        read: (uri) => Effect.succeed([{ uri, text: `other of ${server}` }])
      }],
      resourceTemplates: [{
        uriTemplate: `${server}://pages/{page}`,
        name: "page",
        read: (uri) => Effect.succeed([{ uri, text: `${uri} on ${server}` }])
      }]
    })

  it.scoped("read by catalogue name, by a listed URI, or by a URI a template matches", () =>
    Effect.gen(function*() {
      const [a, b] = yield* Effect.all([docs("a"), docs("b")])
      const group = yield* McpGroup.make({ a: a.connect, b: b.connect })
      const catalogue = yield* group.catalogue
      // two resources of one server may share a name: suffixed, not a collision
      assert.deepStrictEqual(
        catalogue.resources.map((entry) => [entry.name, entry.original]),
        [["a_readme", "a://readme"], ["a_readme_2", "a://other"], ["b_readme", "b://readme"], [
          "b_readme_2",
          "b://other"
        ]]
      )
      assert.deepStrictEqual(catalogue.resourceTemplates.map((entry) => entry.name), ["a_page", "b_page"])
      const text = (result: { readonly contents: ReadonlyArray<unknown> }) =>
        (result.contents[0] as { text: string }).text
      assert.strictEqual(text(yield* group.readResource("b_readme")), "readme of b")
      assert.strictEqual(text(yield* group.readResource("a_readme_2")), "other of a")
      assert.strictEqual(text(yield* group.readResource("b://other")), "other of b")
      assert.strictEqual(text(yield* group.readResource("b://pages/7")), "b://pages/7 on b")
      const missing = (yield* Effect.flip(group.readResource("c://pages/7"))) as McpError.GroupError
      assert.strictEqual(missing.reason, "UnknownEntry")
      assert.include(missing.message, `"c://pages/7"`)
      // a simple expression stops at "/"; a reserved one ({+...}) spans it
      assert.instanceOf(yield* Effect.flip(group.readResource("b://pages/7/8")), McpError.GroupError)
    }))

  it.scoped("a template made to backtrack is refused at once", () =>
    Effect.gen(function*() {
      const server = yield* McpTestServer.make({
        resourceTemplates: [{
          uriTemplate: "a{+x}a{+y}a{+z}a{+w}b",
          name: "trap",
          read: (uri) => Effect.succeed([{ uri, text: uri }])
        }, {
          uriTemplate: "files://{+path}",
          name: "file",
          read: (uri) => Effect.succeed([{ uri, text: `file ${uri}` }])
        }]
      })
      const group = yield* McpGroup.make({ s: server.connect })
      const started = Date.now()
      // as a regular expression, 3 such wildcards took 4.5 s on this URI
      const error = (yield* Effect.flip(group.readResource("a".repeat(20_000)))) as McpError.GroupError
      assert.strictEqual(error.reason, "UnknownEntry")
      assert.isBelow(Date.now() - started, 1_000)
      const found = yield* group.readResource("files://deep/in/a/tree.txt")
      assert.strictEqual((found.contents[0] as { text: string }).text, "file files://deep/in/a/tree.txt")
      assert.strictEqual(((yield* group.readResource("aaaab")).contents[0] as { text: string }).text, "aaaab")
    }))
})

describe("McpGroup: a server that lists thousands of resources of one name", () => {
  it.scopedLive("gets them all, suffixed, in a catalogue built in linear time", () =>
    Effect.gen(function*() {
      const count = 20_000
      const server = yield* McpTestServer.make({
        resources: Array.from({ length: count }, (_, i) => ({
          uri: `same://${i}`,
          name: "same",
          read: (uri: string) => Effect.succeed([{ uri, text: uri }])
        })),
        pageSize: 1_000
      })
      const group = yield* McpGroup.make({ flood: server.connect })
      const started = Date.now()
      const catalogue = yield* group.catalogue
      const names = catalogue.resources.map((entry) => entry.name)
      assert.strictEqual(new Set(names).size, count)
      assert.strictEqual(names[count - 1], `flood_same_${count}`)
      assert.strictEqual(catalogue.resources[count - 1].original, `same://${count - 1}`)
      // quadratic suffixing took 12 s a build here (200 million lookups), and a build follows every change
      assert.isBelow(Date.now() - started, 8_000)
    }), { timeout: 30_000 })
})

describe("McpGroup: healing", () => {
  it.scopedLive(
    "a server that could not be started is tried again when one of its entries is called",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const script = Path.join(dir, "late.mjs")
        const group = yield* McpGroup.make({
          mcpServers: { late: { command: process.execPath, args: [script, "stdio"] } }
        }, { client: { reconnect: false } })
        const before = yield* group.connectAll
        assert.strictEqual(before.late._tag, "Failed")
        assert.deepStrictEqual((yield* group.catalogue).tools, [])
        const refused = (yield* Effect.flip(group.callTool("late_echo", { message: "x" }))) as McpError.GroupError
        assert.strictEqual(refused.reason, "Unavailable")
        assert.include(refused.message, "late.mjs")
        // the server is installed: the next call finds it
        Fs.writeFileSync(script, `import ${JSON.stringify(everythingPath)}\n`)
        assert.include(textOf(yield* group.callTool("late_echo", { message: "back" })), "back")
        assert.strictEqual((yield* group.states).late._tag, "Ready")
        assert.isAbove((yield* group.catalogue).tools.length, 5)
      }).pipe(Effect.provide(NodeContext.layer)),
    { timeout: 60_000 }
  )
})

describe("McpGroup: a stdio server that dies", () => {
  it.scopedLive(
    "is replaced by its client; the group shows it reconnecting, then ready, its tools read again",
    () =>
      Effect.gen(function*() {
        const group = yield* McpGroup.make({
          mcpServers: {
            phoenix: {
              command: process.execPath,
              args: [Path.join(import.meta.dirname, "fixtures", "recovery-server.mjs")]
            }
          }
        })
        const before = yield* group.catalogue
        const pid = Number(textOf(yield* group.callTool("phoenix_pid")))
        const seen: Array<string> = []
        const back = yield* Effect.fork(
          waitFor(
            group.stateChanges.pipe(Stream.tap((all) => Effect.sync(() => seen.push(all.phoenix._tag)))),
            (all) => seen.includes("Reconnecting") && all.phoenix._tag === "Ready"
          )
        )
        yield* Effect.yieldNow()
        process.kill(pid, "SIGKILL")
        yield* Fiber.join(back)
        const after = yield* group.catalogue
        assert.deepStrictEqual(after.tools.map((entry) => entry.name), before.tools.map((entry) => entry.name))
        assert.isTrue(after.tools.every((entry) => entry.available))
        assert.notStrictEqual(Number(textOf(yield* group.callTool("phoenix_pid"))), pid)
      }).pipe(Effect.provide(NodeContext.layer)),
    { timeout: 60_000 }
  )
})

describe("McpGroup: lifetime", () => {
  it.scopedLive("a server nobody uses closes after the idle time and connects again when called", () =>
    Effect.gen(function*() {
      const group = yield* McpGroup.make({ solo: sdkServer("solo", ["ping"]) }, { idleTimeToLive: "50 millis" })
      yield* group.catalogue
      const idle = yield* waitFor(group.stateChanges, (all) => all.solo._tag === "Idle")
      assert.strictEqual(idle.solo._tag, "Idle")
      // still in the catalogue, still available: a call connects it again
      const catalogue = yield* group.catalogue
      assert.deepStrictEqual(catalogue.tools.map((entry) => [entry.name, entry.available]), [["solo_ping", true]])
      assert.strictEqual(textOf(yield* group.callTool("solo_ping")), "ping@solo")
    }))

  it.effect("closing the group's scope closes every server's client", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const group = yield* Scope.extend(McpGroup.make({ a: sdkServer("a", ["x"]), b: sdkServer("b", ["y"]) }), scope)
      const held = yield* Scope.extend(group.client("a"), scope)
      yield* group.connectAll
      yield* Scope.close(scope, Exit.void)
      assert.isFalse(yield* held.isConnected)
    }))

  it.scoped("the accessors reach the group in the context", () =>
    Effect.gen(function*() {
      const names = yield* McpGroup.catalogue.pipe(
        Effect.map((catalogue) => catalogue.tools.map((entry) => entry.name))
      )
      assert.deepStrictEqual(names, ["one_x"])
      assert.strictEqual(textOf(yield* McpGroup.callTool("one_x")), "x@one")
      const first = yield* McpGroup.catalogueChanges.pipe(Stream.take(1), Stream.runCollect)
      assert.strictEqual(Chunk.unsafeHead(first).tools.length, 1)
      assert.isTrue(McpClient.isMcpClient(yield* McpGroup.client("one")))
    }).pipe(Effect.provide(McpGroup.layer({ one: sdkServer("one", ["x"]) }))))
})
