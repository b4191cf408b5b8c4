/**
 * Problems a session meets and lives on (a junk line, an answer to no
 * request, a dropped notification) go to the log, at most a few a second: a
 * server that floods junk must not flood the host's log.
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { McpError } from "./errors.js"

/** @internal */
export const perSecond = 10

/**
 * A reporter that logs up to `perSecond` problems a second and then, once the
 * flood stops (or a second later), how many it left out.
 *
 * @internal
 */
export const makeReporter = (
  clock: Clock.Clock,
  log: (effect: Effect.Effect<void>) => void
): (problem: McpError) => void => {
  let windowStart = Number.NEGATIVE_INFINITY
  let inWindow = 0
  let suppressed = 0
  const summarize = () => {
    if (suppressed === 0) return
    const count = suppressed
    suppressed = 0
    log(
      Effect.logWarning(`${count} more problems with the MCP server were not logged (at most ${perSecond} a second)`)
        .pipe(Effect.annotateLogs("mcp.problem", "Suppressed"))
    )
  }
  return (problem) => {
    const now = clock.unsafeCurrentTimeMillis()
    if (now - windowStart >= 1000) {
      summarize()
      windowStart = now
      inWindow = 0
    }
    if (inWindow >= perSecond) {
      if (suppressed++ === 0) log(Effect.delay(Effect.sync(summarize), 1000))
      return
    }
    inWindow++
    log(Effect.logWarning(problem.message).pipe(Effect.annotateLogs("mcp.problem", problem._tag)))
  }
}
