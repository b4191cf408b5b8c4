/**
 * Reading an event stream on `node:http`: server-sent events parsed as the
 * text arrives, no event held past the limit.
 *
 * @internal
 */
import * as Sse from "@effect-mcp/client/Sse"
import type * as Http from "node:http"
import type * as Bodies from "./bodies.js"

/** @internal How an event stream ended, the last event id it gave, and whether it carried the answer waited for. */
export interface End {
  readonly clean: boolean
  readonly tooLarge: boolean
  readonly lastEventId: string | undefined
  readonly answered: boolean
}

/**
 * Reads the event stream of `response`: each message event's data goes to
 * `onMessage` (true when it answered the request waited for), a `retry:` to
 * `onRetry`. An event, or the unfinished text of one, past `limit` ends the
 * stream (`tooLarge`). `onEnd` runs once.
 *
 * @internal
 */
export const readEvents = (
  reading: Bodies.Reading,
  response: Http.IncomingMessage,
  options: {
    readonly limit: number
    readonly onMessage: (data: string) => boolean
    readonly onRetry: (millis: number) => void
  },
  onEnd: (end: End) => void
): void => {
  const limit = options.limit
  let lastEventId: string | undefined
  let answered = false
  let tooLarge = false
  const parser = Sse.makeParser((event) => {
    if (event.id !== undefined) lastEventId = event.id
    if (event.data.length > limit) tooLarge = true
    else if (event.data !== "" && (event.event === undefined || event.event === "message")) {
      if (options.onMessage(event.data)) answered = true
    }
  }, options.onRetry)
  let ended = false
  const end = (clean: boolean) => {
    if (ended) return
    ended = true
    onEnd({ clean, tooLarge, lastEventId, answered })
  }
  response.setEncoding("utf8")
  response.on("data", (chunk: string) => {
    reading.received(Buffer.byteLength(chunk))
    if (ended) return
    parser.push(chunk)
    if (tooLarge || parser.held() > limit) {
      tooLarge = true
      response.destroy()
      end(false)
    }
  })
  response.on("end", () => end(true))
  response.on("error", () => end(false))
  response.on("close", () => end(response.complete))
}
