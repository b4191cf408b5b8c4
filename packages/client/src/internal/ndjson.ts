/**
 * Newline-delimited JSON framing. Bytes are split on `\n` and each line is
 * decoded once; chunks are joined only when a line spans them.
 *
 * @internal
 */
import { ProtocolError } from "../McpError.js"
import { preview } from "./protocol.js"

const NEWLINE = 10
const CARRIAGE_RETURN = 13

/** @internal */
export interface LineSplitter {
  /** Feeds bytes, returns the complete lines they end. */
  readonly push: (bytes: Uint8Array) => Array<string>
  /** Whatever is left after the last newline. */
  readonly rest: () => string
}

/** @internal */
export const makeLineSplitter = (): LineSplitter => {
  const decoder = new TextDecoder()
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
    return decoder.decode(end === bytes.length ? bytes : bytes.subarray(0, end))
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

/** @internal */
export const parseLine = (line: string): unknown => {
  try {
    return JSON.parse(line)
  } catch (cause) {
    return new ProtocolError({
      reason: "Parse",
      detail: `skipped the line ${preview(line)}`,
      cause
    })
  }
}

const encoder = new TextEncoder()

/** @internal */
export const encodeLine = (message: unknown): Uint8Array => encoder.encode(JSON.stringify(message) + "\n")
