/**
 * Reading the bodies of answers on `node:http`: as bytes arrive, never held
 * past a limit, and, for a body the client will not use, only its first bytes
 * within a short wait (for an error message).
 *
 * @internal
 */
import type * as Http from "node:http"
import * as Messages from "./messages.js"

/** @internal What is kept of a refused or unexpected answer's body, for its error message. */
export const maxPreviewBytes = 2048
/** @internal A refused answer whose body does not end is described with what came by then. */
export const previewWait = 300

/** @internal The transport's part in reading: its byte count and its timers (cleared on close). */
export interface Reading {
  readonly received: (bytes: number) => void
  readonly later: (millis: number, f: () => void) => ReturnType<typeof setTimeout>
  readonly cancel: (timer: ReturnType<typeof setTimeout>) => void
}

/** @internal A body's text, or how reading it failed (too large, or cut short). */
export interface Body {
  readonly text: string
  readonly failure?: "TooLarge" | "Cut" | undefined
}

/**
 * A body read as bytes arrive, never held past `max`: `done` runs once, with
 * the text, or with how it failed.
 *
 * @internal
 */
export const readBody = (
  reading: Reading,
  response: Http.IncomingMessage,
  max: number,
  done: (result: Body) => void
): void => {
  const chunks: Array<Buffer> = []
  let size = 0
  let finished = false
  const finish = (failure?: "TooLarge" | "Cut") => {
    if (finished) return
    finished = true
    done({ text: Buffer.concat(chunks).toString("utf8"), failure })
  }
  const announced = Number(response.headers["content-length"] ?? 0)
  if (announced > max) {
    response.destroy()
    return finish("TooLarge")
  }
  response.on("data", (chunk: Buffer) => {
    reading.received(chunk.length)
    size += chunk.length
    if (size > max) {
      response.destroy()
      return finish("TooLarge")
    }
    chunks.push(chunk)
  })
  response.on("end", () => finish())
  response.on("error", () => finish("Cut"))
  response.on("close", () => finish(response.complete ? undefined : "Cut"))
}

/**
 * The first bytes of a body the client may not use: what came within
 * `wait`, up to `max` bytes, and whether that was the whole body. The rest is
 * not read.
 *
 * @internal
 */
export const readShort = (
  reading: Reading,
  response: Http.IncomingMessage,
  max: number,
  wait: number,
  done: (text: string, whole: boolean) => void
): void => {
  const chunks: Array<Buffer> = []
  let size = 0
  let finished = false
  const finish = () => {
    if (finished) return
    finished = true
    reading.cancel(timer)
    const whole = response.complete && size <= max
    if (!response.complete) response.destroy()
    done(Buffer.concat(chunks).subarray(0, max).toString("utf8"), whole)
  }
  const timer = reading.later(wait, finish)
  response.on("data", (chunk: Buffer) => {
    reading.received(chunk.length)
    chunks.push(chunk)
    size += chunk.length
    if (size >= max) finish()
  })
  response.on("end", finish)
  response.on("error", finish)
  response.on("close", finish)
}

/**
 * The first bytes of a body the client will not use, for a message: what
 * came within `previewWait`, up to `maxPreviewBytes`, on one line.
 *
 * @internal
 */
export const readPreview = (
  reading: Reading,
  response: Http.IncomingMessage,
  done: (preview: string) => void
): void => readShort(reading, response, maxPreviewBytes, previewWait, (text) => done(Messages.previewOf(text)))
