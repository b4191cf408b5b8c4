/**
 * The transport core every transport is built on: the type id, `make`, the
 * inbox frames are pushed into, and the marks a frame may carry.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Transport from "../Transport.js"
import type { TransportError } from "./errors.js"
import type * as McpSchema from "./schema.js"

/** @internal */
export const TypeId: Transport.TypeId = Symbol.for("@effect-mcp/client/Transport") as Transport.TypeId

/** @internal */
export class MaxMessageBytes extends Context.Reference<MaxMessageBytes>()(
  "@effect-mcp/client/Transport/MaxMessageBytes",
  { defaultValue: () => 16 * 1024 * 1024 }
) {}

/** @internal */
export const make = (options: Omit<Transport.Transport, Transport.TypeId>): Transport.Transport => ({
  [TypeId]: TypeId,
  ...options
})

/** @internal */
export class Inbox {
  private handler: ((frame: unknown) => void) | undefined = undefined
  private held: Array<unknown> = []
  constructor(readonly ended: Deferred.Deferred<void, TransportError>) {}
  push(frame: unknown): void {
    if (this.handler === undefined) this.held.push(frame)
    else this.handler(frame)
  }
  run(onFrame: (frame: unknown) => void): Effect.Effect<void, TransportError> {
    return Effect.suspend(() => {
      const held = this.held
      this.held = []
      for (const frame of held) onFrame(frame)
      this.handler = onFrame
      return Deferred.await(this.ended)
    })
  }
}

const relatedRequestKey: unique symbol = Symbol.for("@effect-mcp/client/Transport/relatedRequest")

/** @internal */
export const markRelated = (message: object, id: McpSchema.RequestId): void => {
  ;(message as { [relatedRequestKey]?: McpSchema.RequestId })[relatedRequestKey] = id
}

/** @internal */
export const relatedRequest = (message: object): McpSchema.RequestId | undefined =>
  (message as { [relatedRequestKey]?: McpSchema.RequestId })[relatedRequestKey]

/** @internal */
export const isStateless = (version: string | undefined): boolean => version !== undefined && version >= "2026-07-28"
