/**
 * The checks behind `McpSkills`: byte counts, digests, the frontmatter block
 * and field-by-field comparison. Nothing here reads from a server.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"

/** @internal */
export const EXTENSION_ID = "io.modelcontextprotocol/skills"

/** @internal */
export const SKILL_FILE = "SKILL.md"

/** @internal */
export const DEFAULT_MAX_SKILL_BYTES = 16 * 1024 * 1024

/** @internal */
export const DEFAULT_MAX_RESOURCES = 512

/** @internal */
export const DEFAULT_MAX_FRONTMATTER_BYTES = 64 * 1024

/** @internal */
export const DEFAULT_MAX_ALIASES = 100

// deeper than any frontmatter a person writes; the comparison recurses, and a
// value past this depth is a mismatch rather than a stack overflow
const MAX_DEPTH = 64

/**
 * The UTF-8 length of a string as TextEncoder would encode it (a lone
 * surrogate becomes U+FFFD, three bytes), counted without encoding it, so that
 * a text longer than its entry says is refused before it is copied.
 *
 * @internal
 */
export const utf8Length = (text: string): number => {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x80) bytes += 1
    else if (unit < 0x800) bytes += 2
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4
        i++
      } else {
        bytes += 3
      }
    } else {
      bytes += 3
    }
  }
  return bytes
}

/**
 * The number of bytes a base64 string decodes to, from its length alone, or
 * undefined when it cannot be base64.
 *
 * @internal
 */
export const base64Length = (blob: string): number | undefined => {
  if (blob.length % 4 !== 0) return undefined
  const padding = blob.endsWith("==") ? 2 : blob.endsWith("=") ? 1 : 0
  return (blob.length / 4) * 3 - padding
}

/** @internal */
export const decodeBase64 = (blob: string): Uint8Array | undefined => Either.getOrUndefined(Encoding.decodeBase64(blob))

const hex = (buffer: ArrayBuffer): string => {
  const bytes = new Uint8Array(buffer)
  let out = ""
  for (let i = 0; i < bytes.length; i++) out += bytes[i]!.toString(16).padStart(2, "0")
  return out
}

/**
 * `sha256:<hex>` of the bytes, with WebCrypto: the core runs where `node:crypto` does not.
 *
 * @internal
 */
export const sha256 = (bytes: Uint8Array): Effect.Effect<string> =>
  Effect.map(
    Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)),
    (digest) => `sha256:${hex(digest)}`
  )

/** @internal */
export type FrontmatterBlock =
  | { readonly _tag: "Found"; readonly yaml: string; readonly body: string }
  | { readonly _tag: "Absent" }
  | { readonly _tag: "TooLarge" }

const isClosing = (line: string): boolean => {
  if (!line.startsWith("---")) return false
  for (let i = 3; i < line.length; i++) {
    const c = line[i]
    if (c !== " " && c !== "\t") return false
  }
  return true
}

const stripCr = (line: string): string => line.endsWith("\r") ? line.slice(0, -1) : line

/**
 * The YAML between a leading `---` line and the next `---` line, scanned line
 * by line up to `maxBytes` of YAML (counted in UTF-16 units, which are never
 * more than the bytes).
 *
 * @internal
 */
export const frontmatterBlock = (text: string, maxBytes: number): FrontmatterBlock => {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const firstEnd = text.indexOf("\n", start)
  if (firstEnd < 0 || stripCr(text.slice(start, firstEnd)) !== "---") return { _tag: "Absent" }
  const yamlStart = firstEnd + 1
  let position = yamlStart
  while (position <= text.length) {
    const end = text.indexOf("\n", position)
    const lineEnd = end < 0 ? text.length : end
    const candidate = text.startsWith("---", position) && lineEnd - position <= 256
    if (candidate && isClosing(stripCr(text.slice(position, lineEnd)))) {
      return { _tag: "Found", yaml: text.slice(yamlStart, position), body: end < 0 ? "" : text.slice(end + 1) }
    }
    if (end < 0) break
    // a line is cut out only when it may close the block, so one endless line costs no copy
    if (end + 1 - yamlStart > maxBytes) return { _tag: "TooLarge" }
    position = end + 1
  }
  return { _tag: "Absent" }
}

// The parser recurses once per level of nesting, and a few hundred levels
// overflow the stack (after a second or more of work): what could open a level
// is counted first. Flow brackets are counted wherever they are (a string with
// 64 unclosed brackets is refused too, a price worth paying), block levels by
// the indentation and indicators ("- - -") that begin a line.
const MAX_FLOW_DEPTH = 64
const MAX_LINE_LEAD = 128

/** @internal */
export const nestsTooDeep = (yaml: string): boolean => {
  let flow = 0
  let lead = 0
  let atLineStart = true
  for (let i = 0; i < yaml.length; i++) {
    const c = yaml.charCodeAt(i)
    if (c === 10) {
      atLineStart = true
      lead = 0
      continue
    }
    if (atLineStart) {
      // space, tab, "-", "?", ":"
      if (c === 32 || c === 9 || c === 45 || c === 63 || c === 58) {
        if (++lead > MAX_LINE_LEAD) return true
        continue
      }
      atLineStart = false
    }
    if (c === 91 || c === 123) {
      if (++flow > MAX_FLOW_DEPTH) return true
    } else if ((c === 93 || c === 125) && flow > 0) {
      flow--
    }
  }
  return false
}

/**
 * Parses the frontmatter YAML. The parser is loaded here, on first use, so a
 * program that never loads a skill never pays for it. Nesting is bounded
 * before parsing, aliases while converting (an alias bomb fails instead of
 * expanding), and a key given twice in a mapping is an error: which of the two
 * a server meant is not for the client to guess. Duplicates are found here in
 * one pass; the parser's own check compares every pair of keys.
 *
 * @internal
 */
export const parseYaml = (
  source: string,
  maxAliasCount: number
): Effect.Effect<Either.Either<unknown, string>> =>
  nestsTooDeep(source)
    ? Effect.succeed(Either.left(`nested deeper than ${MAX_FLOW_DEPTH} flow or ${MAX_LINE_LEAD} block levels`))
    : Effect.flatMap(
      Effect.promise(() => import("yaml")),
      (YAML) =>
        Effect.sync(() => {
          try {
            const document = YAML.parseDocument(source, { schema: "core", uniqueKeys: false, prettyErrors: false })
            const error = document.errors[0]
            if (error !== undefined) return Either.left(error.message)
            let duplicate = false
            YAML.visit(document, {
              Map: (_, map) => {
                const keys = new Set<string>()
                for (const pair of map.items) {
                  if (!YAML.isScalar(pair.key)) continue
                  // keys become object properties, where 1 and "1" are the same key
                  const key = String(pair.key.value)
                  if (keys.has(key)) {
                    duplicate = true
                    return YAML.visit.BREAK
                  }
                  keys.add(key)
                }
                return undefined
              }
            })
            if (duplicate) return Either.left("a mapping gives one key twice")
            return Either.right(document.toJS({ maxAliasCount }) as unknown)
          } catch (error) {
            return Either.left(error instanceof Error ? error.message : String(error))
          }
        })
    )

/** @internal */
export const isPlainObject = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false
  const prototype = Object.getPrototypeOf(u)
  return prototype === Object.prototype || prototype === null
}

const hasOwn = Object.prototype.hasOwnProperty

/**
 * Deep equality of JSON-like values: plain objects (key order aside), arrays,
 * strings, finite numbers, booleans and null. Anything else, or anything
 * nested past the depth limit, is unequal.
 *
 * @internal
 */
export const sameJson = (a: unknown, b: unknown, depth = 0): boolean => {
  if (a === b) return a === null || typeof a !== "object"
  if (depth >= MAX_DEPTH || typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i], depth + 1)) return false
    return true
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  for (const key of keys) {
    if (!hasOwn.call(b, key) || !sameJson(a[key], b[key], depth + 1)) return false
  }
  return true
}

/**
 * The first top-level field on which the file's frontmatter and the entry's
 * differ (present in one only, or unequal), or undefined when they agree.
 *
 * @internal
 */
export const firstDifference = (
  entry: Record<string, unknown>,
  file: Record<string, unknown>
): string | undefined => {
  for (const key of Object.keys(entry)) {
    if (!hasOwn.call(file, key) || !sameJson(entry[key], file[key])) return key
  }
  for (const key of Object.keys(file)) {
    if (!hasOwn.call(entry, key)) return key
  }
  return undefined
}

/**
 * A value for an error message: JSON, cut short.
 *
 * @internal
 */
export const preview = (value: unknown, max = 200): string => {
  if (value === undefined) return "(absent)"
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = "(unprintable)"
  }
  return text.length > max ? `${text.slice(0, max)}…` : text
}

/**
 * What a value from unverified content is, without any of it: an error
 * message may reach a log or a model, and the content is what was refused.
 *
 * @internal
 */
export const describe = (value: unknown): string => {
  if (value === undefined) return "(absent)"
  if (value === null) return "null"
  if (typeof value === "string") return `a string of ${value.length} characters`
  if (Array.isArray(value)) return `an array of ${value.length} items`
  if (typeof value === "object") return `an object with ${Object.keys(value).length} fields`
  return `a ${typeof value}`
}

/**
 * The skill's directory (its `SKILL.md` URI without `/SKILL.md`), or
 * undefined when the URI does not end in `/SKILL.md`.
 *
 * @internal
 */
export const skillDirectory = (skillUri: string): string | undefined =>
  skillUri.endsWith(`/${SKILL_FILE}`) ? skillUri.slice(0, -(SKILL_FILE.length + 1)) : undefined

/**
 * The skill's name as its URI gives it: the segment before `SKILL.md`.
 *
 * @internal
 */
export const nameFromUri = (skillUri: string): string | undefined => {
  const directory = skillDirectory(skillUri)
  if (directory === undefined) return undefined
  const slash = directory.lastIndexOf("/")
  const name = directory.slice(slash + 1)
  return name.length === 0 ? undefined : name
}

/**
 * Whether a URI is the skill's `SKILL.md` or a file under its directory,
 * with no empty, `.` or `..` segment on the way that would step outside it.
 *
 * @internal
 */
export const withinSkill = (skillUri: string, uri: string): boolean => {
  if (uri === skillUri) return true
  const directory = skillDirectory(skillUri)
  if (directory === undefined || !uri.startsWith(`${directory}/`)) return false
  const rest = uri.slice(directory.length + 1).split(/[?#]/, 1)[0]!
  return rest.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..")
}
