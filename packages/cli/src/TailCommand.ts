/**
 * `effect-mcp tail`: prints the server's notifications and log messages as
 * they arrive, until Ctrl-C (exit 0) or until the server goes away (exit 3).
 *
 * @since 0.1.0
 */
import type * as McpClient from "@effect-mcp/client/McpClient"
import { TransportError } from "@effect-mcp/client/McpError"
import * as McpSchema from "@effect-mcp/client/McpSchema"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Connection from "./Connection.js"
import * as ExitCode from "./ExitCode.js"
import * as Interactive from "./Interactive.js"
import * as Output from "./Output.js"

const decodeLog = Schema.decodeUnknownOption(McpSchema.LoggingMessageNotificationParams)
const decodeProgress = Schema.decodeUnknownOption(McpSchema.ProgressNotificationParams)

const time = () => new Date().toISOString().slice(11, 23)

/**
 * A notification as one readable line, or nothing when it is a log message
 * below the threshold.
 *
 * @since 0.1.0
 * @category rendering
 */
export const formatNotification = (
  notification: McpSchema.ServerNotification,
  threshold: Interactive.LogThreshold
): string | undefined => {
  const stamp = Output.dim(time())
  if (notification.method === "notifications/message") {
    const log = decodeLog(notification.params)
    if (log._tag === "Some") {
      return Interactive.shows(threshold, log.value.level)
        ? `${stamp} ${Interactive.formatLog(log.value, process.stdout)}`
        : undefined
    }
  }
  if (notification.method === "notifications/progress") {
    const progress = decodeProgress(notification.params)
    if (progress._tag === "Some") {
      const { message, total } = progress.value
      return `${stamp} progress ${progress.value.progress}${total === undefined ? "" : `/${total}`}${
        message === undefined ? "" : ` ${message}`
      }`
    }
  }
  const params = notification.params === undefined ? "" : ` ${JSON.stringify(notification.params)}`
  return `${stamp} ${notification.method}${params}`
}

const isLogBelow = (notification: McpSchema.ServerNotification, threshold: Interactive.LogThreshold) => {
  if (notification.method !== "notifications/message") return false
  const log = decodeLog(notification.params)
  return log._tag === "Some" && !Interactive.shows(threshold, log.value.level)
}

/** Fails once the session is gone, so `tail` does not outlive its server. */
const whileConnected = (client: McpClient.Service) =>
  client.isConnected.pipe(
    Effect.repeat({ schedule: Schedule.spaced("250 millis"), while: (connected) => connected }),
    Effect.zipRight(Effect.fail(new TransportError({ reason: "Closed", description: "the server went away" })))
  )

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("tail", {
  ...Connection.options,
  subscribe: Options.text("subscribe").pipe(
    Options.withDescription("Also subscribe to updates of this resource URI (repeatable)"),
    Options.repeated
  )
}, (options) =>
  Connection.use(options, ({ client, json, transport }) =>
    Effect.gen(function*() {
      yield* ExitCode.interruptionIsSuccess
      const print = (notification: McpSchema.ServerNotification) => {
        if (json) {
          return isLogBelow(notification, options.logs)
            ? Effect.void
            : Output.line(JSON.stringify({ time: new Date().toISOString(), ...notification }))
        }
        const text = formatNotification(notification, options.logs)
        return text === undefined ? Effect.void : Output.line(text)
      }
      // each subscription lasts as long as its stream, which lasts as long as the command
      for (const uri of options.subscribe) {
        yield* Stream.runDrain(client.resourceUpdates(uri)).pipe(Effect.forkScoped)
      }
      yield* Output.note(Output.dim(
        `Listening to ${transport} for notifications${
          options.subscribe.length === 0 ? "" : ` and updates of ${options.subscribe.join(", ")}`
        }; Ctrl-C stops.`,
        process.stderr
      ))
      yield* Effect.raceFirst(whileConnected(client), Stream.runForEach(client.notifications, print))
    }), { printLogs: false })).pipe(
    Command.withDescription("Print notifications and log messages as they arrive, until Ctrl-C")
  )
