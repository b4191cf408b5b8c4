/**
 * `effect-mcp discover`: finds the MCP configurations the hosts on this
 * machine keep (Claude Desktop, Claude Code, Cursor, VS Code, Windsurf, and
 * an `mcp.json` in the current directory) and shows each server they name,
 * without ever printing a secret: `env` and `headers` show their names only,
 * a URL loses its password and credential-like query parameters, and an
 * argument that follows a credential-like flag is hidden.
 *
 * @since 0.3.0
 */
import * as HttpTransport from "@effect-mcp/client/HttpTransport"
import * as McpConfig from "@effect-mcp/client/McpConfig"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Output from "./Output.js"

/**
 * What a host keeps in a file: a list of servers under `mcpServers` (or
 * `servers`, as VS Code writes it), or Claude Code's `~/.claude.json`, with
 * a user list at the top and one list per project under `projects`.
 *
 * @since 0.3.0
 * @category models
 */
export type Layout = "servers" | "claude-code"

/**
 * A place a host keeps its MCP servers.
 *
 * @since 0.3.0
 * @category models
 */
export interface Location {
  readonly host: string
  /** `user`: in the home directory, for every project; `project`: in the current directory. */
  readonly scope: "user" | "project"
  readonly path: string
  readonly layout: Layout
}

/**
 * Where to look: the home directory, the current directory, the platform
 * (its conventions for application data) and, on Windows, `%APPDATA%`.
 *
 * @since 0.3.0
 * @category models
 */
export interface Places {
  readonly home: string
  readonly cwd: string
  readonly platform: NodeJS.Platform
  readonly appData?: string | undefined
  /** On Linux, `$XDG_CONFIG_HOME` (default `~/.config`), where Electron applications keep their settings. */
  readonly configHome?: string | undefined
}

/**
 * The places of this process: `HOME` (through `os.homedir()`), the current
 * directory, `APPDATA` and `XDG_CONFIG_HOME`.
 *
 * @since 0.3.0
 * @category constructors
 */
export const currentPlaces = (): Places => ({
  home: Os.homedir(),
  cwd: process.cwd(),
  platform: process.platform,
  appData: process.env.APPDATA,
  configHome: process.env.XDG_CONFIG_HOME
})

const nonEmpty = (value: string | undefined) => (value === undefined || value === "" ? undefined : value)

/**
 * Every file the known hosts may keep servers in, user files first. Paths
 * follow each host's documentation; the application-data folder of Claude
 * Desktop and VS Code depends on the platform.
 *
 * @since 0.3.0
 * @category constructors
 */
export const locations = (places: Places): ReadonlyArray<Location> => {
  const path = places.platform === "win32" ? Path.win32 : Path.posix
  const home = (...parts: Array<string>) => path.join(places.home, ...parts)
  const project = (...parts: Array<string>) => path.join(places.cwd, ...parts)
  // where desktop applications keep their settings
  const appData = (...parts: Array<string>) =>
    places.platform === "darwin"
      ? home("Library", "Application Support", ...parts)
      : places.platform === "win32"
      ? path.join(nonEmpty(places.appData) ?? home("AppData", "Roaming"), ...parts)
      : path.join(nonEmpty(places.configHome) ?? home(".config"), ...parts)
  const user = (host: string, file: string, layout: Layout = "servers"): Location => ({
    host,
    scope: "user",
    path: file,
    layout
  })
  const inProject = (host: string, file: string): Location => ({
    host,
    scope: "project",
    path: file,
    layout: "servers"
  })
  return [
    user("Claude Desktop", appData("Claude", "claude_desktop_config.json")),
    user("Claude Code", home(".claude.json"), "claude-code"),
    user("Cursor", home(".cursor", "mcp.json")),
    user("VS Code", appData("Code", "User", "mcp.json")),
    user("Windsurf", home(".codeium", "windsurf", "mcp_config.json")),
    inProject("Claude Code", project(".mcp.json")),
    inProject("Cursor", project(".cursor", "mcp.json")),
    inProject("VS Code", project(".vscode", "mcp.json")),
    inProject("mcp.json", project("mcp.json"))
  ]
}

/**
 * One server of a file, as far as it can be read; never with a secret.
 *
 * @since 0.3.0
 * @category models
 */
export interface FoundServer {
  readonly name: string
  /** For the per-project lists of `~/.claude.json`: the project's directory. */
  readonly project?: string
  readonly transport?: "stdio" | "streamable-http" | "sse"
  readonly command?: string
  readonly args?: ReadonlyArray<string>
  readonly url?: string
  /** The names of the variables of `env`; their values are never shown. */
  readonly env: ReadonlyArray<string>
  /** The names of the `headers`; their values are never shown. */
  readonly headers: ReadonlyArray<string>
  /** Why the entry does not decode with `McpConfig.decodeServer`. */
  readonly problem?: string
}

/**
 * A configuration file that exists, with its servers or why it has none.
 *
 * @since 0.3.0
 * @category models
 */
export interface FoundFile {
  readonly path: string
  readonly host: string
  readonly scope: "user" | "project"
  readonly servers: ReadonlyArray<FoundServer>
  readonly problem?: string
}

/**
 * What `discover` found, and every place it looked.
 *
 * @since 0.3.0
 * @category models
 */
export interface Discovery {
  readonly files: ReadonlyArray<FoundFile>
  readonly searched: ReadonlyArray<{ readonly host: string; readonly path: string }>
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * JSON with comments and trailing commas (VS Code's `mcp.json` is JSONC) as
 * plain JSON: comments and commas before `}` or `]` outside strings go.
 *
 * @since 0.3.0
 * @category parsing
 */
export const stripJsonComments = (text: string): string => {
  let result = ""
  let index = 0
  while (index < text.length) {
    const char = text[index]!
    if (char === "\"") {
      const start = index
      index++
      while (index < text.length && text[index] !== "\"") index += text[index] === "\\" ? 2 : 1
      index++
      result += text.slice(start, index)
    } else if (char === "/" && text[index + 1] === "/") {
      while (index < text.length && text[index] !== "\n") index++
    } else if (char === "/" && text[index + 1] === "*") {
      const end = text.indexOf("*/", index + 2)
      index = end < 0 ? text.length : end + 2
    } else if (char === "}" || char === "]") {
      // a comma before the closing bracket (comments already dropped) goes
      const kept = result.trimEnd()
      if (kept.endsWith(",")) result = kept.slice(0, -1) + result.slice(kept.length)
      result += char
      index++
    } else {
      result += char
      index++
    }
  }
  return result
}

/**
 * Parses a host's file. The error names where the text stops being JSON but
 * never quotes it (V8's messages quote the text, which may hold a secret).
 */
const parseJson = (text: string): Either.Either<unknown, string> => {
  try {
    return Either.right(JSON.parse(text))
  } catch (error) {
    try {
      return Either.right(JSON.parse(stripJsonComments(text)))
    } catch {
      const message = (error as Error).message
      const where = /\(line \d+ column \d+\)/.exec(message)?.[0] ?? /at position \d+/.exec(message)?.[0]
      return Either.left(`not JSON${where === undefined ? "" : ` ${where}`}`)
    }
  }
}

// flags whose next argument (or `=value`) is a credential: --token, --api-key, --password, ...
const credentialFlag = /^--?[\w-]*(token|key|secret|password|passwd|auth|credential)[\w-]*$/i

/**
 * Arguments with credentials hidden: the value after a credential-like flag,
 * or after its `=`.
 *
 * @since 0.3.0
 * @category rendering
 */
export const hideCredentialArgs = (args: ReadonlyArray<string>): ReadonlyArray<string> =>
  args.map((arg, index) => {
    const split = arg.indexOf("=")
    if (arg.startsWith("-") && split > 0 && credentialFlag.test(arg.slice(0, split))) {
      return `${arg.slice(0, split)}=…`
    }
    const previous = index > 0 ? args[index - 1]! : ""
    return credentialFlag.test(previous) && !previous.includes("=") && !arg.startsWith("-") ? "…" : arg
  })

const safeUrl = (url: string): string => {
  try {
    return HttpTransport.displayUrl(new URL(url))
  } catch {
    return "(not a URL)"
  }
}

// a problem message may quote the offending value ("actual 1234"); one in env or headers may be a secret
const safeProblem = (problem: string): string =>
  /^(env|headers)\./.test(problem) ? problem.replace(/,?\s*actual\b[\s\S]*$/, "") : problem

const names = (value: unknown): ReadonlyArray<string> => (isRecord(value) ? Object.keys(value) : [])

/**
 * One entry of a host's list, read with `McpConfig.decodeServer`; what an
 * entry that does not decode still says is shown beside its problem.
 * Windsurf writes an HTTP server's address as `serverUrl`.
 *
 * @since 0.3.0
 * @category parsing
 */
export const readServer = (name: string, entry: unknown, project?: string): FoundServer => {
  const raw = isRecord(entry) && typeof entry.serverUrl === "string" && entry.url === undefined
    ? { ...entry, url: entry.serverUrl }
    : entry
  const base = { name, ...(project === undefined ? {} : { project }) }
  const decoded = McpConfig.decodeServer(raw)
  if (Either.isRight(decoded)) {
    const server = decoded.right
    return McpConfig.isStdio(server)
      ? {
        ...base,
        transport: "stdio",
        command: server.command,
        args: hideCredentialArgs(server.args ?? []),
        env: names(server.env),
        headers: []
      }
      : {
        ...base,
        transport: McpConfig.httpTransport(server),
        url: safeUrl(server.url),
        env: [],
        headers: names(server.headers)
      }
  }
  const record = isRecord(raw) ? raw : {}
  const args = Array.isArray(record.args) && record.args.every((arg) => typeof arg === "string")
    ? { args: hideCredentialArgs(record.args) }
    : {}
  return {
    ...base,
    ...(typeof record.command === "string" ? { command: record.command, ...args } : {}),
    ...(typeof record.url === "string" ? { url: safeUrl(record.url) } : {}),
    env: names(record.env),
    headers: names(record.headers),
    problem: safeProblem(decoded.left)
  }
}

const serversOf = (value: unknown, project?: string): ReadonlyArray<FoundServer> =>
  isRecord(value) ? Object.entries(value).map(([name, entry]) => readServer(name, entry, project)) : []

/**
 * Reads the text of a host's file.
 *
 * @since 0.3.0
 * @category parsing
 */
export const readFile = (location: Location, text: string): FoundFile => {
  const file = { path: location.path, host: location.host, scope: location.scope }
  const parsed = parseJson(text)
  if (Either.isLeft(parsed)) return { ...file, servers: [], problem: parsed.left }
  const json = parsed.right
  if (!isRecord(json)) return { ...file, servers: [], problem: "not a JSON object" }
  const key = "mcpServers" in json ? "mcpServers" : "servers" in json ? "servers" : undefined
  const listed = key !== undefined && !isRecord(json[key])
    ? { servers: [], problem: `${key}: not an object of servers by name` }
    : { servers: key === undefined ? [] : serversOf(json[key]) }
  const projects = location.layout === "claude-code" && isRecord(json.projects)
    ? Object.entries(json.projects).flatMap(([project, settings]) =>
      isRecord(settings) ? serversOf(settings.mcpServers, project) : []
    )
    : []
  const servers = [...listed.servers, ...projects]
  if ("problem" in listed) return { ...file, servers, problem: listed.problem }
  return servers.length === 0
    ? { ...file, servers, problem: key === undefined ? "no \"mcpServers\" (or \"servers\") object" : "no servers" }
    : { ...file, servers }
}

/**
 * Looks in every location and reads the files there. A path met twice (the
 * current directory is the home directory) is read once; a file that cannot
 * be read is reported, never fatal.
 *
 * @since 0.3.0
 * @category constructors
 */
export const discover = (places: Places): Effect.Effect<Discovery, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const seen = new Set<string>()
    const unique = locations(places).filter((location) => !seen.has(location.path) && seen.add(location.path))
    const files = yield* Effect.forEach(unique, (location) =>
      fs.exists(location.path).pipe(
        Effect.orElseSucceed(() => false),
        Effect.flatMap((exists) =>
          !exists ? Effect.succeed([]) : fs.readFileString(location.path).pipe(
            Effect.map((text) => [readFile(location, text)]),
            Effect.orElseSucceed(() => [
              { path: location.path, host: location.host, scope: location.scope, servers: [], problem: "cannot read" }
            ])
          )
        )
      ))
    return {
      files: files.flat(),
      searched: unique.map((location) => ({ host: location.host, path: location.path }))
    }
  })

const transportLabel = { stdio: "stdio", "streamable-http": "Streamable HTTP", sse: "legacy SSE" } as const

/**
 * A server in one line: how it is reached, and the names of its variables
 * and headers (`env: API_KEY=…`).
 *
 * @since 0.3.0
 * @category rendering
 */
export const describeServer = (server: FoundServer): string => {
  const target = server.command !== undefined
    ? `${server.transport === undefined ? "" : "stdio: "}${[server.command, ...(server.args ?? [])].join(" ")}`
    : server.url !== undefined
    ? `${server.transport === undefined ? "" : `${transportLabel[server.transport]}: `}${server.url}`
    : ""
  const secrets = (label: string, keys: ReadonlyArray<string>) =>
    keys.length === 0 ? [] : [`${label}: ${keys.map((key) => `${key}=…`).join(" ")}`]
  return [
    ...(target === "" ? [] : [target]),
    ...secrets("env", server.env),
    ...secrets("headers", server.headers),
    ...(server.problem === undefined ? [] : [Output.red(`problem: ${server.problem}`)])
  ].join("  ")
}

/**
 * What `discover` found, as text: each file with its host and servers (the
 * per-project lists of `~/.claude.json` under their project), then a count.
 *
 * @since 0.3.0
 * @category rendering
 */
export const render = (discovery: Discovery): string => {
  if (discovery.files.length === 0) {
    return [
      "No MCP configuration found. Looked in:",
      ...discovery.searched.map((place) => `  ${place.path} ${Output.dim(`(${place.host})`)}`)
    ].join("\n")
  }
  const blocks = discovery.files.map((file) => {
    const head = `${Output.bold(file.host)} ${Output.dim(`(${file.scope})`)}  ${file.path}`
    const width = Math.max(0, ...file.servers.map((server) => server.name.length))
    const serverLine = (server: FoundServer) => `  ${server.name.padEnd(width)}  ${describeServer(server)}`
    const own = file.servers.filter((server) => server.project === undefined)
    const projects = [...new Set(file.servers.flatMap((server) => server.project ?? []))]
    return [
      head,
      ...(file.problem === undefined ? [] : [`  ${Output.red(`problem: ${file.problem}`)}`]),
      ...own.map(serverLine),
      ...projects.flatMap((project) => [
        `  ${Output.dim(`project ${project}:`)}`,
        ...file.servers.filter((server) => server.project === project).map((server) => `  ${serverLine(server)}`)
      ])
    ].join("\n")
  })
  const servers = discovery.files.reduce((sum, file) => sum + file.servers.length, 0)
  const files = discovery.files.length
  return [
    ...blocks,
    Output.dim(`${files} file${files === 1 ? "" : "s"}, ${servers} server${servers === 1 ? "" : "s"}`)
  ].join("\n\n")
}

/**
 * @since 0.3.0
 * @category commands
 */
export const command = Command.make("discover", {
  json: Options.boolean("json").pipe(Options.withDescription("Print machine-readable JSON on stdout"))
}, ({ json }) =>
  Effect.flatMap(
    discover(currentPlaces()),
    (discovery) => json ? Output.json(discovery) : Output.line(render(discovery))
  )).pipe(
    Command.withDescription(
      "Find the MCP servers the hosts on this machine are configured with (Claude Desktop, Claude Code, Cursor, " +
        "VS Code, Windsurf, ./mcp.json) and show them, without secrets: env and header values are never printed"
    )
  )
