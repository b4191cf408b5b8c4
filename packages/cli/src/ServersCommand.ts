/**
 * `effect-mcp servers --config mcp.json`: every server of the file, with
 * its state, protocol version and what it offers.
 *
 * @since 0.3.0
 */
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Connection from "./Connection.js"
import * as ExitCode from "./ExitCode.js"
import * as Group from "./Group.js"
import * as Output from "./Output.js"

// a group takes its servers, and their headers, from the file alone
const { bearer: _bearer, header: _header, server: _server, ...groupOptions } = Connection.options

const counted = ["tools", "resources", "resourceTemplates", "prompts"] as const

/**
 * @since 0.3.0
 * @category commands
 */
export const command = Command.make("servers", groupOptions, (options) =>
  Effect.gen(function*() {
    const connection: Connection.ConnectionOptions = {
      ...options,
      server: Option.none(),
      header: [],
      bearer: Option.none()
    }
    const config = yield* Group.requireGroupConfig(connection).pipe(ExitCode.report(connection.json))
    const reports = yield* Group.use(connection, config, ({ group, json, reports }) =>
      Effect.gen(function*() {
        const catalogue = yield* group.catalogue
        const servers = (yield* reports).map((report) => ({
          ...report,
          // what a server offers is known once it is ready
          counts: report.state !== "ready" ? null : Object.fromEntries(
            counted.map((kind) => [kind, catalogue[kind].filter((entry) => entry.server === report.name).length])
          ) as Record<typeof counted[number], number>
        }))
        if (json) {
          yield* Output.json({ config: config.path, servers })
        } else {
          const count = (kind: typeof counted[number]) => (report: typeof servers[number]) =>
            report.counts === null ? "" : String(report.counts[kind])
          yield* Output.line(Group.statesTable(servers, [
            { header: "tools", get: count("tools") },
            { header: "resources", get: count("resources") },
            { header: "templates", get: count("resourceTemplates") },
            { header: "prompts", get: count("prompts") }
          ]))
        }
        return servers
      }))
    yield* Group.failIfNoneReady(config, reports)
  })).pipe(
    Command.withDescription(
      "Every server of a config file (--config mcp.json): its state, protocol version, and how many tools, " +
        "resources, resource templates and prompts it offers; a server that fails is shown with why"
    )
  )
