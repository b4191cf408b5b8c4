/**
 * Server-sent events (`text/event-stream`), as MCP's HTTP transports receive
 * them: an incremental parser that is fed text as it arrives and never
 * searches the same text twice.
 *
 * @example
 * ```ts
 * import { Sse } from "@effect-mcp/client"
 *
 * const events: Array<Sse.Event> = []
 * const parser = Sse.makeParser((event) => events.push(event))
 * // text comes in pieces, cut anywhere
 * parser.push("id: 7\nevent: message\ndata: {\"jsonrpc\":")
 * parser.push("\"2.0\"}\n\n")
 * assert.deepStrictEqual(events, [{ id: "7", event: "message", data: '{"jsonrpc":"2.0"}' }])
 * ```
 *
 * @since 0.3.0
 */

/**
 * One server-sent event.
 *
 * @since 0.1.0
 * @category models
 */
export interface Event {
  readonly event: string | undefined
  readonly data: string
  readonly id: string | undefined
}

/**
 * A parser being fed: `push` the text as it arrives; `held` is the length of
 * the event being read (its data so far and the unfinished line), to bound it.
 *
 * @since 0.3.0
 * @category models
 */
export interface Parser {
  readonly push: (text: string) => void
  readonly held: () => number
}

/**
 * An incremental server-sent-events parser: feed it text as it arrives, it
 * calls `onEvent` for each complete event and `onRetry` for a `retry:` field.
 * Comments are skipped; an event with an id but no data (a server's priming
 * event) is reported, with empty `data`. `held` is the length of the event
 * being read (its data so far and the unfinished line), to bound it.
 *
 * @since 0.1.0
 * @category parsers
 */
export const makeParser = (
  onEvent: (event: Event) => void,
  onRetry?: (millis: number) => void
): Parser => {
  let rest = ""
  let data: Array<string> = []
  let dataLength = 0
  let event: string | undefined
  let id: string | undefined
  let idSeen = false
  const line = (text: string) => {
    if (text.length === 0) {
      if (data.length > 0 || idSeen) onEvent({ event, data: data.join("\n"), id })
      data = []
      dataLength = 0
      event = undefined
      idSeen = false
      return
    }
    if (text.charCodeAt(0) === 58 /* : */) return
    const colon = text.indexOf(":")
    const field = colon === -1 ? text : text.slice(0, colon)
    let value = colon === -1 ? "" : text.slice(colon + 1)
    if (value.charCodeAt(0) === 32) value = value.slice(1)
    if (field === "data") {
      data.push(value)
      dataLength += value.length
    } else if (field === "event") event = value
    else if (field === "id") {
      id = value
      idSeen = true
    } else if (field === "retry" && /^\d+$/.test(value)) onRetry?.(Number(value))
  }
  // only new text is searched for line ends, so a long event costs its length once
  return {
    push: (text) => {
      let start = 0
      for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
        let full = start === 0 ? rest + text.slice(0, end) : text.slice(start, end)
        if (full.charCodeAt(full.length - 1) === 13) full = full.slice(0, -1)
        line(full)
        start = end + 1
      }
      rest = start === 0 ? rest + text : text.slice(start)
    },
    held: () => rest.length + dataLength
  }
}
