/**
 * What a transport makes of the text it reads before the client sees it: a
 * JSON value, or a problem frame (`ProtocolError`, `RequestFailure`) in its
 * place. Shared by every transport and by the protocol engine.
 *
 * @internal
 */
import * as Predicate from "effect/Predicate"
import { ProtocolError } from "./errors.js"
import type { TransportError } from "./errors.js"
import * as Json from "./json.js"
import type * as McpSchema from "./schema.js"

/** @internal */
export class RequestFailure {
  constructor(
    readonly id: McpSchema.RequestId,
    readonly error: TransportError | ProtocolError,
    /**
     * The request was lost on its way (its answer stream broke, and the
     * stateless revision has no resumption): the client may send it again,
     * under a new id.
     */
    readonly resend = false
  ) {}
}

/** @internal */
export const tooLarge = (where: string, limit: number): ProtocolError =>
  new ProtocolError({
    reason: "TooLarge",
    description: `${where} is larger than ${formatBytes(limit)}, the limit the client was given ` +
      `(option maxMessageBytes); it was not read`
  })

/** @internal */
export const formatBytes = (bytes: number): string =>
  bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0
    ? `${bytes / (1024 * 1024)} MiB`
    : bytes >= 1024 && bytes % 1024 === 0
    ? `${bytes / 1024} KiB`
    : `${bytes} bytes`

/** @internal */
export const parseJson = (text: string, where: string): unknown => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    return new ProtocolError({ reason: "Parse", description: `${where} is not JSON: ${Json.preview(text)}`, cause })
  }
  return Json.tooDeep(value, text.length) ? refuseDeep(value, where) : value
}

/**
 * What stands for a value nested too deep: a `RequestFailure` when it is the
 * answer to a request, else a `ProtocolError`.
 *
 * @internal
 */
export const refuseDeep = (value: unknown, where: string): ProtocolError | RequestFailure => {
  const error = new ProtocolError({
    reason: "InvalidMessage",
    description: `${where} is nested deeper than ${Json.maxDepth} levels; it was not read`
  })
  if (Predicate.isRecord(value) && (typeof value.id === "number" || typeof value.id === "string")) {
    if ("result" in value || "error" in value) return new RequestFailure(value.id, error)
  }
  return error
}

/**
 * A body passed on as it comes, or an error (`TooLarge`) as soon as it is
 * larger than `limit`: at once when its announced length already is.
 *
 * @internal
 */
export const bounded = (
  body: ReadableStream<Uint8Array>,
  limit: number,
  announced: number,
  what = "the answer"
): ReadableStream<Uint8Array> => {
  const reader = body.getReader()
  let size = 0
  return new ReadableStream({
    start(controller) {
      if (announced > limit) {
        reader.cancel().catch(() => undefined)
        controller.error(tooLarge(what, limit))
      }
    },
    async pull(controller) {
      const { done, value } = await reader.read()
      if (done) return controller.close()
      size += value.length
      if (size > limit) {
        reader.cancel().catch(() => undefined)
        return controller.error(tooLarge(what, limit))
      }
      controller.enqueue(value)
    },
    cancel: (reason) => reader.cancel(reason)
  })
}
