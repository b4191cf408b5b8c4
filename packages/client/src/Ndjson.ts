/**
 * Newline-delimited JSON framing, as stdio transports use it. Bytes are split
 * on `\n` and each line is decoded once; chunks are joined only when a line
 * spans them. Lines are bounded: a splitter never holds more than its limit.
 * Outgoing messages wait in an `Outbox` until the writer has room for them.
 *
 * @example
 * ```ts
 * import { Ndjson } from "@effect-mcp/client"
 *
 * const splitter = Ndjson.makeLineSplitter({ maxLineBytes: 1024 })
 * const bytes = new TextEncoder().encode('{"jsonrpc":"2.0","id":1,"result":{}}\n{"jsonrpc"')
 * const lines = splitter.push(bytes)
 * assert.deepStrictEqual(lines.map(Ndjson.parseLine), [{ jsonrpc: "2.0", id: 1, result: {} }])
 * assert.strictEqual(splitter.rest(), '{"jsonrpc"')
 * ```
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Frames from "./internal/frames.js"
import * as Json from "./internal/json.js"
import { ProtocolError, TransportError } from "./McpError.js"
import type * as McpSchema from "./McpSchema.js"

const NEWLINE = 10
const CARRIAGE_RETURN = 13

/**
 * The most bytes a line may have, whatever limit is asked for: V8 cannot make
 * a longer string (0x1fffffe8 characters), and a line never decodes to more
 * characters than it has bytes.
 *
 * @since 0.2.0
 * @category constants
 */
export const maxLineBytes = 0x1fffffe8

/**
 * @since 0.1.0
 * @category models
 */
export interface LineSplitter {
  /** Feeds bytes, returns the complete lines they end. */
  readonly push: (bytes: Uint8Array) => Array<string>
  /** Whatever is left after the last newline. */
  readonly rest: () => string
  /**
   * A line was longer than `maxLineBytes` and `longLines` is `"fail"`: the
   * splitter dropped what it held and takes no more bytes.
   */
  readonly overflowed: () => boolean
}

/**
 * A stateful splitter: feed it bytes, get back the complete lines. `decode`
 * turns one line's bytes into text (UTF-8 by default); a platform may give a
 * faster one.
 *
 * A line longer than `maxLineBytes` (unbounded by default, and never more
 * than the longest string V8 can make) is never held whole: with
 * `longLines: "fail"` (the default) the splitter stops and says so with
 * `overflowed`, since a stream of messages cannot find the start of the next
 * one; with `"truncate"` the line keeps its first `maxLineBytes` bytes and
 * ends with "…".
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeLineSplitter = (options?: {
  readonly decode?: ((bytes: Uint8Array) => string) | undefined
  readonly maxLineBytes?: number | undefined
  readonly longLines?: "fail" | "truncate" | undefined
}): LineSplitter => {
  const decoder = new TextDecoder()
  const decode = options?.decode ?? ((bytes: Uint8Array) => decoder.decode(bytes))
  const limit = Math.min(options?.maxLineBytes ?? maxLineBytes, maxLineBytes)
  const truncate = options?.longLines === "truncate"
  let held: Array<Uint8Array> = []
  let heldLength = 0
  // truncate: the line is cut, the rest of it is skipped up to its newline
  let cut = false
  let overflowed = false

  const overflow = () => {
    overflowed = true
    held = []
    heldLength = 0
  }

  // false when the line overflowed and the splitter stopped
  const hold = (bytes: Uint8Array): boolean => {
    if (cut || bytes.length === 0) return true
    if (heldLength + bytes.length > limit) {
      if (!truncate) {
        overflow()
        return false
      }
      bytes = bytes.subarray(0, limit - heldLength)
      cut = true
    }
    // a small piece of a large chunk is copied, so that it does not keep the chunk alive
    held.push(bytes.length * 2 < bytes.buffer.byteLength ? bytes.slice() : bytes)
    heldLength += bytes.length
    return true
  }

  const takeLine = (): string => {
    let bytes = held.length === 1 ? held[0]! : new Uint8Array(heldLength)
    if (held.length > 1) {
      let offset = 0
      for (const part of held) {
        bytes.set(part, offset)
        offset += part.length
      }
    }
    const wasCut = cut
    held = []
    heldLength = 0
    cut = false
    if (!wasCut && bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN) {
      bytes = bytes.subarray(0, bytes.length - 1)
    }
    let text: string
    try {
      text = bytes.length === 0 ? "" : decode(bytes)
    } catch {
      // within the limit this cannot happen; if it does, the line is lost, not the host
      if (!truncate) overflow()
      return ""
    }
    return wasCut ? text + "…" : text
  }

  return {
    push: (bytes) => {
      const lines: Array<string> = []
      if (overflowed) return lines
      let start = 0
      let index = bytes.indexOf(NEWLINE, start)
      while (index !== -1) {
        if (!hold(bytes.subarray(start, index))) return lines
        const line = takeLine()
        if (overflowed) return lines
        if (line.length > 0) lines.push(line)
        start = index + 1
        index = bytes.indexOf(NEWLINE, start)
      }
      if (start < bytes.length) hold(bytes.subarray(start))
      return lines
    },
    rest: () => (!overflowed && (heldLength > 0 || cut) ? takeLine() : ""),
    overflowed: () => overflowed
  }
}

/**
 * One line as JSON, or what a transport pushes instead when the line is no
 * use (see `Transport.parseJson`): never throws, whatever the line.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseLine = (line: string): unknown => Frames.parseJson(line, "a line from the server")

// Whether a line can be a JSON-RPC message (or batch) at all: it starts with "{" or "[".
const mayBeMessage = (line: string): boolean => {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i)
    if (code === 32 || code === 9 || code === 13) continue
    return code === 123 || code === 91
  }
  return false
}

/**
 * The frames of some lines, in order (see `parseLine`). A run of lines that
 * cannot be messages (they do not start with "{" or "["), such as a server's
 * log printed to stdout by mistake, becomes one `ProtocolError`: building
 * an error per line costs more than 10 µs, and a flood of them must cost the
 * host little.
 *
 * @since 0.2.0
 * @category parsing
 */
export const parseLines = (lines: ReadonlyArray<string>, onFrame: (frame: unknown) => void): void => {
  let junk = 0
  let first = ""
  const reportJunk = () => {
    if (junk === 0) return
    onFrame(
      junk === 1 ? parseLine(first) : new ProtocolError({
        reason: "Parse",
        description: `${junk} lines from the server are not JSON-RPC messages, the first: ${Json.preview(first)}`
      })
    )
    junk = 0
  }
  for (const line of lines) {
    if (mayBeMessage(line)) {
      reportJunk()
      onFrame(parseLine(line))
    } else if (junk++ === 0) first = line
  }
  reportJunk()
}

/**
 * The `TransportError` that ends a stdio session whose server wrote a line
 * longer than `MaxMessageBytes`.
 *
 * @since 0.2.0
 * @category errors
 */
export const lineTooLong = (limit: number, stderr?: ReadonlyArray<string> | undefined): TransportError =>
  new TransportError({
    reason: "Read",
    description: `${Frames.tooLarge("a line from the server", limit).description}. The session ends: ` +
      `past a line it cannot read, a stream has no way to find the start of the next message`,
    stderr
  })

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

interface Waiter {
  readonly message: McpSchema.JsonRpcMessage
  readonly resume: (effect: Effect.Effect<void, TransportError>) => void
}

/**
 * The write side of a stdio transport, for transport authors: `offer`
 * encodes a message into the next batch and returns, or, once a batch's
 * worth (`batchBytes`, 256 KiB by default) is waiting, waits until the
 * writer `take`s it. Waiting messages are kept as they are, not encoded, so
 * a writer that cannot write holds at most two batches: the one it is
 * writing and the next.
 *
 * `abandon(id)` releases the send of a request nobody waits for any more
 * (its message is not written); `close` fails the waiting sends and every
 * later one, and leaves what is batched for the writer to take.
 *
 * @since 0.2.0
 * @category models
 */
export class Outbox {
  private lines: Array<string> = []
  private bytes = 0
  private readonly waiting = new Set<Waiter>()
  private closedWith: TransportError | undefined = undefined
  private readonly batchBytes: number
  constructor(
    /** Called when a batch starts to fill after the outbox was empty. */
    private readonly onReady: () => void,
    options?: { readonly batchBytes?: number | undefined }
  ) {
    this.batchBytes = options?.batchBytes ?? 256 * 1024
  }

  /**
   * Hands a message to the writer; waits while a batch's worth is already waiting.
   *
   * @since 0.1.0
   */
  offer(message: McpSchema.JsonRpcMessage): Effect.Effect<void, TransportError> {
    return Effect.suspend(() => {
      if (this.closedWith !== undefined) return Effect.fail(this.closedWith)
      if (this.waiting.size === 0 && this.bytes < this.batchBytes) {
        const wasEmpty = this.lines.length === 0
        const error = this.add(message)
        if (error !== undefined) return Effect.fail(error)
        if (wasEmpty) this.onReady()
        return Effect.void
      }
      return Effect.async<void, TransportError>((resume) => {
        const waiter: Waiter = { message, resume }
        this.waiting.add(waiter)
        return Effect.sync(() => {
          this.waiting.delete(waiter)
        })
      })
    })
  }

  /**
   * The next batch, as text ending in a newline, or `undefined` when none waits.
   *
   * @since 0.1.0
   */
  take(): string | undefined {
    if (this.lines.length === 0) return undefined
    const text = this.lines.length === 1 ? this.lines[0]! + "\n" : this.lines.join("\n") + "\n"
    this.lines = []
    this.bytes = 0
    for (const waiter of this.waiting) {
      if (this.bytes >= this.batchBytes) break
      this.waiting.delete(waiter)
      const error = this.add(waiter.message)
      waiter.resume(error === undefined ? Effect.void : Effect.fail(error))
    }
    return text
  }

  /**
   * Releases the send of request `id` if it still waits; its message is dropped.
   *
   * @since 0.1.0
   */
  abandon(id: McpSchema.RequestId): void {
    for (const waiter of this.waiting) {
      const message = waiter.message
      if ("method" in message && "id" in message && message.id === id) {
        this.waiting.delete(waiter)
        waiter.resume(Effect.void)
        return
      }
    }
  }

  /**
   * Fails the waiting sends and every later one with `error`.
   *
   * @since 0.1.0
   */
  close(error: TransportError): void {
    if (this.closedWith !== undefined) return
    this.closedWith = error
    const waiting = Array.from(this.waiting)
    this.waiting.clear()
    for (const waiter of waiting) waiter.resume(Effect.fail(error))
  }

  /**
   * Closed, and nothing left to take.
   *
   * @since 0.1.0
   */
  get done(): boolean {
    return this.closedWith !== undefined && this.lines.length === 0
  }

  /** @internal */
  private add(message: McpSchema.JsonRpcMessage): TransportError | undefined {
    let line: string
    try {
      line = JSON.stringify(message)
    } catch (cause) {
      return new TransportError({
        reason: "Write",
        description: `the message could not be encoded as JSON: ${cause instanceof Error ? cause.message : cause}`
      })
    }
    this.lines.push(line)
    this.bytes += line.length + 1
    return undefined
  }
}
