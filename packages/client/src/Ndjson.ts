/**
 * Newline-delimited JSON framing, as stdio transports use it. Bytes are split
 * on `\n` and each line is decoded once; chunks are joined only when a line
 * spans them.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Transport from "./Transport.js"

const NEWLINE = 10
const CARRIAGE_RETURN = 13

/**
 * @since 0.1.0
 * @category models
 */
export interface LineSplitter {
  /** Feeds bytes, returns the complete lines they end. */
  readonly push: (bytes: Uint8Array) => Array<string>
  /** Whatever is left after the last newline. */
  readonly rest: () => string
}

/**
 * A stateful splitter: feed it bytes, get back the complete lines. `decode`
 * turns one line's bytes into text (UTF-8 by default); a platform may give a
 * faster one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeLineSplitter = (options?: {
  readonly decode?: ((bytes: Uint8Array) => string) | undefined
}): LineSplitter => {
  const decoder = new TextDecoder()
  const decode = options?.decode ?? ((bytes: Uint8Array) => decoder.decode(bytes))
  let held: Array<Uint8Array> = []
  let heldLength = 0

  const decodeLine = (head: Uint8Array): string => {
    let bytes = head
    if (heldLength > 0) {
      bytes = new Uint8Array(heldLength + head.length)
      let offset = 0
      for (const part of held) {
        bytes.set(part, offset)
        offset += part.length
      }
      bytes.set(head, offset)
      held = []
      heldLength = 0
    }
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? bytes.length - 1 : bytes.length
    return decode(end === bytes.length ? bytes : bytes.subarray(0, end))
  }

  return {
    push: (bytes) => {
      const lines: Array<string> = []
      let start = 0
      let index = bytes.indexOf(NEWLINE, start)
      while (index !== -1) {
        const line = decodeLine(bytes.subarray(start, index))
        if (line.length > 0) lines.push(line)
        start = index + 1
        index = bytes.indexOf(NEWLINE, start)
      }
      if (start < bytes.length) {
        const tail = bytes.subarray(start)
        held.push(tail)
        heldLength += tail.length
      }
      return lines
    },
    rest: () => (heldLength > 0 ? decodeLine(new Uint8Array(0)) : "")
  }
}

/**
 * One line as JSON, or what a transport pushes instead when the line is no
 * use (see `Transport.parseJson`): never throws, whatever the line.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseLine = (line: string): unknown => Transport.parseJson(line, "a line from the server")

const encoder = new TextEncoder()

/**
 * Several JSON lines as one buffer.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeLines = (lines: Chunk.Chunk<string>): Chunk.Chunk<Uint8Array> => {
  let text = ""
  for (const line of lines) text += line + "\n"
  return Chunk.of(encoder.encode(text))
}
