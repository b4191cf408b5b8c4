/**
 * JSON from a server, read and shown safely: a value nested deeper than the
 * stack allows is refused before anything recurses into it, and previews are
 * bounded in depth and length whatever they are given.
 *
 * @internal
 */

/** Deeper JSON than this is refused: nobody's data needs it, and recursion over it can overflow the stack. */
export const maxDepth = 512

// a value this short cannot be nested deeper than maxDepth: the check is skipped on the hot path
const shortestTooDeep = 2 * maxDepth

/**
 * Whether `value` is nested deeper than `limit`, found without recursion.
 *
 * @internal
 */
export const isDeeperThan = (value: unknown, limit: number): boolean => {
  if (typeof value !== "object" || value === null) return false
  const values: Array<unknown> = [value]
  const depths: Array<number> = [1]
  while (values.length > 0) {
    const current = values.pop() as object
    const depth = depths.pop()!
    if (depth > limit) return true
    const children = Array.isArray(current) ? current : Object.values(current)
    for (const child of children) {
      if (typeof child === "object" && child !== null) {
        values.push(child)
        depths.push(depth + 1)
      }
    }
  }
  return false
}

/**
 * Whether a value parsed from `length` characters of JSON is nested too deep.
 *
 * @internal
 */
export const tooDeep = (value: unknown, length: number): boolean =>
  length > shortestTooDeep && isDeeperThan(value, maxDepth)

const previewLength = 200
const previewDepth = 8

/**
 * At most 200 characters of any value, for messages: never throws, never
 * recurses more than a few levels, never copies more than it shows.
 *
 * @internal
 */
export const preview = (value: unknown): string => {
  let text = ""
  const full = () => text.length >= previewLength
  const write = (part: string) => {
    text += part.length + text.length > previewLength ? part.slice(0, previewLength - text.length) : part
  }
  const walk = (u: unknown, depth: number): void => {
    if (full()) return
    if (typeof u === "string") return write(JSON.stringify(u.length > previewLength ? u.slice(0, previewLength) : u))
    if (typeof u !== "object" || u === null) return write(String(u))
    if (depth >= previewDepth) return write(Array.isArray(u) ? "[…]" : "{…}")
    if (Array.isArray(u)) {
      write("[")
      for (let i = 0; i < u.length && !full(); i++) {
        if (i > 0) write(",")
        walk(u[i], depth + 1)
      }
      return write("]")
    }
    write("{")
    let first = true
    for (const key in u) {
      if (full()) return
      if (!first) write(",")
      first = false
      write(`${JSON.stringify(key.length > previewLength ? key.slice(0, previewLength) : key)}:`)
      walk((u as Record<string, unknown>)[key], depth + 1)
    }
    write("}")
  }
  if (typeof value === "string") {
    return value.length > previewLength ? `${value.slice(0, previewLength)}…` : value
  }
  try {
    walk(value, 0)
  } catch {
    write("(unprintable)")
  }
  return full() ? `${text}…` : text
}
