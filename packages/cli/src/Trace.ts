/**
 * `--trace`: runs a command under a tracer that keeps every span, and after
 * the command's result prints the span tree on stderr: one line per span,
 * indented under its parent, with its duration and, for a failed span, its
 * `error.type`. The client traces in full as soon as the context has a
 * tracer other than Effect's built-in one, so this shows where the time went:
 * starting the server, the handshake, or the call.
 *
 * @since 0.4.0
 */
import * as Options from "@effect/cli/Options"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import * as Output from "./Output.js"

/**
 * The `--trace` flag.
 *
 * @since 0.4.0
 * @category options
 */
export const option = Options.boolean("trace").pipe(
  Options.withDescription(
    "After the result, print the spans of the run on stderr (connecting, starting the server, the handshake, " +
      "each request) as a tree with their durations; stdout is unchanged"
  )
)

/**
 * A tracer that keeps every span it starts, in start order.
 *
 * @since 0.4.0
 * @category models
 */
export interface Recorder {
  readonly tracer: Tracer.Tracer
  readonly spans: ReadonlyArray<Tracer.Span>
}

/**
 * Wraps a tracer (Effect's native one, which keeps status, parent and
 * attributes in memory) so that every span it starts is kept. Being another
 * tracer than the built-in one is what makes the client trace in full.
 *
 * @since 0.4.0
 * @category constructors
 */
export const recorder = (inner: Tracer.Tracer): Recorder => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (...args) => {
      const span = inner.span(...args)
      spans.push(span)
      return span
    },
    context: inner.context
  })
  return { tracer, spans }
}

/**
 * How the tree is drawn.
 *
 * @since 0.4.0
 * @category models
 */
export interface RenderOptions {
  /** The time the tree is drawn at, for spans still running (nanoseconds, the spans' clock). */
  readonly now: bigint
  /** Lines of spans at most; the rest are counted. */
  readonly maxLines?: number | undefined
  /** The stream the tree is for: colours only on a terminal. */
  readonly stream?: Output.Stream | undefined
}

/** Room for a long name (a resource URI) before it is clipped. */
const maxNameWidth = 72

/**
 * `12.3 ms`, `1.24 s`, `2 m 5 s`: the same length for every span of a
 * simple run, readable for a slow one.
 *
 * @since 0.4.0
 * @category rendering
 */
export const formatDuration = (nanos: bigint): string => {
  const millis = Number(nanos) / 1e6
  if (millis < 10_000) return `${millis.toFixed(1)} ms`
  if (millis < 120_000) return `${(millis / 1000).toFixed(2)} s`
  const seconds = Math.round(millis / 1000)
  return `${Math.floor(seconds / 60)} m ${seconds % 60} s`
}

/**
 * What went wrong, in a word: the span's `error.type`, else the failure's
 * tag, else its JSON-RPC code (a handler's error answer has no tag), as the
 * client's own `error.type` would say.
 */
const failureType = (span: Tracer.Span): string | undefined => {
  if (span.status._tag !== "Ended" || span.status.exit._tag !== "Failure") return undefined
  const recorded = span.attributes.get("error.type")
  if (recorded !== undefined) return String(recorded)
  const cause = span.status.exit.cause
  // the client's word for it (its own error.type is not set when a fiber is interrupted from outside)
  if (Cause.isInterruptedOnly(cause)) return "cancelled"
  const failure = Option.getOrUndefined(Cause.failureOption(cause))
  if (typeof failure === "object" && failure !== null && "_tag" in failure && typeof failure._tag === "string") {
    return failure._tag
  }
  if (typeof failure === "object" && failure !== null && "code" in failure) return String(failure.code)
  return Cause.isDie(cause) ? "defect" : "failure"
}

interface Row {
  readonly span: Tracer.Span
  /** The tree glyphs in front of the name. */
  readonly prefix: string
}

/**
 * Orders the spans as a tree, depth first, children in start order. A span
 * whose parent was not recorded (a trace a server named, a span from before
 * the command) is a root.
 */
const treeRows = (spans: ReadonlyArray<Tracer.Span>): ReadonlyArray<Row> => {
  const recorded = new Set<Tracer.AnySpan>(spans)
  const children = new Map<Tracer.AnySpan | undefined, Array<Tracer.Span>>()
  for (const span of spans) {
    const parent = Option.getOrUndefined(span.parent)
    const key = parent !== undefined && recorded.has(parent) ? parent : undefined
    const siblings = children.get(key) ?? []
    siblings.push(span)
    children.set(key, siblings)
  }
  // sort is stable: spans started in the same nanosecond keep the order they were started in
  for (const siblings of children.values()) {
    siblings.sort((
      a,
      b
    ) => (a.status.startTime < b.status.startTime ? -1 : a.status.startTime > b.status.startTime ? 1 : 0))
  }
  const rows: Array<Row> = []
  const visit = (parent: Tracer.AnySpan | undefined, indent: string, root: boolean) => {
    const siblings = children.get(parent) ?? []
    siblings.forEach((span, index) => {
      const last = index === siblings.length - 1
      rows.push({ span, prefix: root ? "" : `${indent}${last ? "└─ " : "├─ "}` })
      visit(span, root ? "" : `${indent}${last ? "   " : "│  "}`, false)
    })
  }
  visit(undefined, "", true)
  return rows
}

const clip = (text: string, width: number) => (text.length <= width ? text : `${text.slice(0, width - 1)}…`)

/**
 * The span tree, one line per span: the name indented under its parent,
 * the duration in a right-aligned column, then `✗ <error.type>` for a
 * failed span or `… still running` for one that has not ended.
 *
 * @since 0.4.0
 * @category rendering
 */
export const render = (spans: ReadonlyArray<Tracer.Span>, options: RenderOptions): string => {
  const stream = options.stream ?? process.stderr
  const maxLines = options.maxLines ?? 200
  const rows = treeRows(spans)
  const shown = rows.slice(0, maxLines)
  const cells = shown.map(({ prefix, span }) => {
    const status = span.status
    const duration = formatDuration((status._tag === "Ended" ? status.endTime : options.now) - status.startTime)
    const failure = failureType(span)
    const mark = status._tag === "Started"
      ? Output.yellow("… still running", stream)
      : failure === undefined
      ? ""
      : Output.red(`✗ ${failure}`, stream)
    return { prefix, name: clip(span.name, maxNameWidth), duration, mark }
  })
  const nameWidth = Math.max(0, ...cells.map((cell) => cell.prefix.length + cell.name.length))
  const durationWidth = Math.max(0, ...cells.map((cell) => cell.duration.length))
  const lines = cells.map(({ duration, mark, name, prefix }) =>
    `${Output.dim(prefix, stream)}${name}${" ".repeat(nameWidth - prefix.length - name.length)}  ${
      duration.padStart(durationWidth)
    }${mark === "" ? "" : `  ${mark}`}`
  )
  if (rows.length > shown.length) lines.push(`… ${rows.length - shown.length} more spans`)
  return lines.join("\n")
}

/**
 * Runs a command under a recording tracer when `enabled`, and once it has
 * ended (its result or error printed, its servers stopped) prints the span
 * tree on stderr, headed by the number of spans and the run's duration. It
 * prints on failure and on Ctrl-C too: those are the runs worth a look.
 *
 * @since 0.4.0
 * @category running
 */
export const traced = (enabled: boolean) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  !enabled ? effect : Effect.gen(function*() {
    const { spans, tracer } = recorder(yield* Effect.tracer)
    const start = yield* Clock.currentTimeNanos
    return yield* effect.pipe(
      Effect.withTracer(tracer),
      Effect.ensuring(Effect.flatMap(Clock.currentTimeNanos, (now) => {
        const head = Output.dim(
          `trace: ${spans.length} span${spans.length === 1 ? "" : "s"} in ${formatDuration(now - start)}`,
          process.stderr
        )
        return Output.note(spans.length === 0 ? head : `${head}\n${render(spans, { now })}`)
      }))
    )
  })
