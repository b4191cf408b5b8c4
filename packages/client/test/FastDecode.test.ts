import * as McpSchema from "@effect-mcp/client/McpSchema"
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Effect, Either, FastCheck as fc, Schema } from "effect"
import { isDeepStrictEqual } from "node:util"
import * as FastDecode from "../src/internal/fastDecode.js"
import * as Protocol from "../src/internal/protocol.js"

interface Case {
  readonly method: string
  readonly schema: Schema.Schema<any, any>
  readonly fast: (u: unknown) => unknown
}

const cases: ReadonlyArray<Case> = [
  { method: "tools/call", schema: McpSchema.CallToolResult, fast: FastDecode.callToolResult },
  { method: "tools/list", schema: McpSchema.ListToolsResult, fast: FastDecode.listToolsResult }
]

// what protocol.decodeResult runs when the fast path declines
const fullDecode = (schema: Schema.Schema<any, any>) => {
  const decode = Schema.decodeUnknownEither(schema, { onExcessProperty: "preserve", errors: "first" })
  return (u: unknown): Either.Either<unknown, unknown> => {
    try {
      return decode(u)
    } catch (defect) {
      return Either.left(defect)
    }
  }
}

const runFast = (fast: (u: unknown) => unknown, u: unknown): unknown => {
  try {
    return fast(u)
  } catch {
    return undefined
  }
}

/** The fast path either declines, or gives exactly what the Schema gives. */
const agrees = (c: Case) => {
  const full = fullDecode(c.schema)
  return (u: unknown): boolean => {
    const fast = runFast(c.fast, u)
    if (fast === undefined) return true
    const decoded = full(u)
    return Either.isRight(decoded) && isDeepStrictEqual(fast, decoded.right)
  }
}

// An own "__proto__" key is left to the full decode on purpose (see fastDecode.ts).
const hasProtoKey = (u: unknown): boolean =>
  typeof u === "object" && u !== null &&
  (Object.prototype.hasOwnProperty.call(u, "__proto__") || Object.values(u).some(hasProtoKey))

// -- mutations ------------------------------------------------------------------

type Step = { readonly pick: number; readonly op: "replace" | "delete" | "add"; readonly key: string }

/** A copy of `u` with one change at the end of a path chosen by `steps`. */
const mutate = (u: unknown, steps: ReadonlyArray<number>, change: Step, value: unknown): unknown => {
  if (typeof u !== "object" || u === null) return value
  if (Array.isArray(u)) {
    const copy = [...u]
    if (steps.length > 0 && copy.length > 0) {
      const index = steps[0]! % copy.length
      copy[index] = mutate(copy[index], steps.slice(1), change, value)
    } else if (change.op === "add" || copy.length === 0) copy.push(value)
    else if (change.op === "delete") copy.splice(change.pick % copy.length, 1)
    else copy[change.pick % copy.length] = value
    return copy
  }
  const keys = Object.keys(u)
  const copy: Record<string, unknown> = { ...u }
  if (steps.length > 0 && keys.length > 0) {
    const key = keys[steps[0]! % keys.length]!
    copy[key] = mutate(copy[key], steps.slice(1), change, value)
  } else {
    const key = keys.length === 0 || change.op === "add" ? change.key : keys[change.pick % keys.length]!
    if (change.op === "delete") delete copy[key]
    // defined, not assigned: "__proto__" becomes an own key, as JSON.parse makes it
    else Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true })
  }
  return copy
}

// values of the wrong type for the fields the fast path checks
const wrongValue = fc.constantFrom<unknown>(
  "high",
  "",
  0,
  1.5,
  Number.NaN,
  true,
  null,
  undefined,
  [],
  ["x"],
  [1],
  {},
  { type: "text" },
  { __proto__: null }
)

const mutated = (valid: fc.Arbitrary<unknown>) =>
  fc.tuple(
    valid,
    fc.array(fc.nat(), { maxLength: 6 }),
    fc.record({
      pick: fc.nat(),
      op: fc.constantFrom("replace" as const, "delete" as const, "add" as const),
      key: fc.oneof(fc.string(), fc.constantFrom("__proto__", "type", "text", "annotations", "priority", "_meta"))
    }),
    fc.oneof(fc.anything(), wrongValue)
  ).map(([value, steps, change, replacement]) => mutate(value, steps, change, replacement))

// content blocks whose annotations hold anything, mostly the wrong types
const annotationField = fc.oneof(wrongValue, fc.anything(), fc.string(), fc.double(), fc.array(fc.string()))
const annotated = fc.tuple(
  Arbitrary.make(McpSchema.ContentBlock),
  fc.record({ audience: annotationField, priority: annotationField, lastModified: annotationField }, {
    requiredKeys: []
  }),
  fc.boolean()
).map(([block, annotations, asResult]) => {
  const withAnnotations = { ...block, annotations }
  return asResult ? { content: [withAnnotations] } : withAnnotations
})

// Valid results, with the Unknown fields full of fc.anything(), are 2 to 8 KB
// each and take milliseconds to make: fewer of them.
const validRuns = { numRuns: 200 }
const mutatedRuns = { numRuns: 400 }
const cheapRuns = { numRuns: 1000 }

describe("fast decode agrees with the Schema", () => {
  it("the regression: annotations.priority \"high\" is not taken", () => {
    const result = { content: [{ type: "text", text: "hi", annotations: { priority: "high" } }] }
    assert.isUndefined(FastDecode.callToolResult(result))
    assert.isTrue(Either.isLeft(fullDecode(McpSchema.CallToolResult)(result)))
  })

  it.effect("the regression through decodeResult: a ProtocolError, not a value", () =>
    Effect.gen(function*() {
      const decode = Protocol.decodeResult(McpSchema.CallToolResult, "tools/call", FastDecode.callToolResult)
      const error = yield* Effect.flip(
        decode({ content: [{ type: "image", data: "", mimeType: "image/png", annotations: { priority: "high" } }] })
      )
      assert.strictEqual(error.reason, "InvalidResult")
      assert.include(error.description, "priority")
    }))

  it("other fields the fast path once took unchecked", () => {
    const rejected: ReadonlyArray<unknown> = [
      { content: [{ type: "text", text: "x", annotations: { audience: "user" } }] },
      { content: [{ type: "text", text: "x", annotations: { lastModified: 1 } }] },
      { content: [{ type: "resource_link", uri: "u", name: "n", size: "big" }] },
      { content: [{ type: "resource_link", uri: "u", name: "n", icons: [{ src: 1 }] }] },
      { content: [{ type: "resource", resource: { uri: "u", text: "t", _meta: [] } }] },
      { tools: [{ name: "t", inputSchema: {}, icons: [{ src: "s", sizes: [1] }] }] }
    ]
    for (const u of rejected) {
      const c = "tools" in (u as object) ? cases[1]! : cases[0]!
      assert.isUndefined(c.fast(u), JSON.stringify(u))
      assert.isTrue(Either.isLeft(fullDecode(c.schema)(u)), JSON.stringify(u))
    }
  })

  it("an own \"__proto__\" key is left to the Schema", () => {
    const u = JSON.parse("{\"content\":[{\"type\":\"text\",\"text\":\"x\",\"__proto__\":{\"isError\":true}}]}")
    assert.isUndefined(FastDecode.callToolResult(u))
    assert.isTrue(agrees(cases[0]!)(u))
  })

  for (const c of cases) {
    const valid = Arbitrary.make(c.schema) as fc.Arbitrary<unknown>

    it(`${c.method}: every valid result is taken, and equals the Schema's`, () => {
      const full = fullDecode(c.schema)
      // as a server sends it, and as it is in memory (undefined values, NaN, -0)
      const sent = valid.map((value) => JSON.parse(JSON.stringify(value)) as unknown)
      fc.assert(
        fc.property(fc.oneof(valid, sent), (u) => {
          const decoded = full(u)
          if (Either.isLeft(decoded)) return true // NaN became null on the way
          const fast = c.fast(u)
          return fast === undefined ? hasProtoKey(u) : isDeepStrictEqual(fast, decoded.right)
        }),
        validRuns
      )
    })

    it(`${c.method}: a mutated result is declined or decoded as the Schema does`, () => {
      fc.assert(fc.property(mutated(valid), agrees(c)), mutatedRuns)
    })

    it(`${c.method}: anything at all is declined or decoded as the Schema does`, () => {
      fc.assert(fc.property(fc.anything(), agrees(c)), cheapRuns)
    })
  }

  it("tools/call: annotations of every type are declined or decoded as the Schema does", () => {
    fc.assert(fc.property(annotated, agrees(cases[0]!)), cheapRuns)
  })

  it("tools/call: a missing content is the Schema's default, []", () => {
    const u = { isError: false, _meta: { a: 1 } }
    assert.deepStrictEqual(FastDecode.callToolResult(u), { isError: false, _meta: { a: 1 }, content: [] })
    assert.isTrue(agrees(cases[0]!)(u))
  })
})
