/**
 * The client side of the Skills extension (SEP-2640,
 * `io.modelcontextprotocol/skills`): list a server's skills, and load one
 * only when asked, verifying every file against its listing entry (byte
 * size, `sha256:` digest, and for `SKILL.md` its frontmatter, field by
 * field). Content that fails a check is never returned: the operation fails
 * with `SkillVerificationError`, which says what did not match.
 *
 * Nothing is read ahead of need: listing reads no file, loading reads
 * `SKILL.md` only, and a supporting file is read when `readFile` asks for it.
 *
 * @example
 * ```ts
 * import { McpClient, McpSkills } from "@effect-mcp/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* McpClient.make("https://example.com/mcp", {
 *     capabilities: McpSkills.capabilities()
 *   })
 *   const skills = yield* McpSkills.list(client)
 *   const skill = skills.find((s) => s.frontmatter.name === "pdf-processing")
 *   if (skill === undefined) return undefined
 *   const loaded = yield* McpSkills.load(client, skill)
 *   return loaded.body
 * })
 * ```
 *
 * @since 0.4.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Protocol from "./internal/protocol.js"
import * as internal from "./internal/skills.js"
import type * as McpClient from "./McpClient.js"
import type { McpError, NotConnected } from "./McpError.js"
import { ProtocolError } from "./McpError.js"
import type * as McpSchema from "./McpSchema.js"

// -----------------------------------------------------------------------------
// the extension
// -----------------------------------------------------------------------------

/**
 * @since 0.4.0
 * @category constants
 */
export const EXTENSION_ID: "io.modelcontextprotocol/skills" = internal.EXTENSION_ID

/**
 * Client capabilities that declare the extension, added to `base`: give them
 * to the client as its `capabilities` option.
 *
 * @since 0.4.0
 * @category capabilities
 */
export const capabilities = (base: McpSchema.ClientCapabilities = {}): McpSchema.ClientCapabilities => ({
  ...base,
  extensions: { ...base.extensions, [EXTENSION_ID]: base.extensions?.[EXTENSION_ID] ?? {} }
})

/**
 * Whether the server declared the extension. The other operations check it
 * first: the extension says a client asks only a server that declared it.
 *
 * @since 0.4.0
 * @category capabilities
 */
export const isSupported = (client: McpClient.Service): Effect.Effect<boolean, NotConnected> =>
  Effect.map(client.serverCapabilities, (capabilities) => {
    const extensions = capabilities.extensions
    return typeof extensions === "object" && extensions !== null && !Array.isArray(extensions) &&
      Object.prototype.hasOwnProperty.call(extensions, EXTENSION_ID)
  })

// -----------------------------------------------------------------------------
// schemas
// -----------------------------------------------------------------------------

/**
 * `sha256:` and 64 lowercase hexadecimal digits.
 *
 * @since 0.4.0
 * @category schemas
 */
export const Digest = Schema.String.pipe(Schema.pattern(/^sha256:[0-9a-f]{64}$/))

/**
 * A file of a skill: its URI, and the digest and byte length of its raw content.
 *
 * @since 0.4.0
 * @category schemas
 */
export const SkillResource = Schema.Struct({
  uri: Schema.String,
  digest: Digest,
  size: Schema.NonNegativeInt
})

/**
 * @since 0.4.0
 * @category schemas
 */
export type SkillResource = typeof SkillResource.Type

/**
 * A skill's `SKILL.md` frontmatter as the server rendered it: `name` and
 * `description`, and every other field the author wrote.
 *
 * @since 0.4.0
 * @category schemas
 */
export const Frontmatter = Schema.Struct(
  { name: Schema.String, description: Schema.String },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/**
 * @since 0.4.0
 * @category schemas
 */
export type Frontmatter = typeof Frontmatter.Type

/**
 * A listing entry: the URI of the skill's `SKILL.md`, its frontmatter, and
 * either the complete list of its files or `"dynamic"` (content generated
 * on the fly, with no digests to check).
 *
 * @since 0.4.0
 * @category schemas
 */
export const Skill = Schema.Struct({
  uri: Schema.String,
  frontmatter: Frontmatter,
  resources: Schema.Union(Schema.Array(SkillResource), Schema.Literal("dynamic"))
})

/**
 * @since 0.4.0
 * @category schemas
 */
export type Skill = typeof Skill.Type

/**
 * One page of `skills/list`.
 *
 * @since 0.4.0
 * @category schemas
 */
export const ListSkillsResult = Schema.Struct({
  skills: Schema.Array(Skill),
  nextCursor: Schema.optional(Schema.String)
})

/**
 * @since 0.4.0
 * @category schemas
 */
export type ListSkillsResult = typeof ListSkillsResult.Type

/**
 * The answer to `skills/get`.
 *
 * @since 0.4.0
 * @category schemas
 */
export const GetSkillResult = Schema.Struct({ skill: Skill })

/**
 * @since 0.4.0
 * @category schemas
 */
export type GetSkillResult = typeof GetSkillResult.Type

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

/**
 * What a file failed: `size` (byte length), `digest`, `frontmatter` (of
 * `SKILL.md`: absent, unparseable, or a field that differs), `missing` (the
 * server's answer had no content for the URI), `not-listed` (the URI is not
 * in the entry, or lies outside the skill's directory), `encoding` (a blob
 * that is not base64, a `SKILL.md` that is not UTF-8), `limit` (the entry
 * exceeds the client's limits) or `dynamic` (the entry publishes no digests,
 * and the caller did not accept that).
 *
 * @since 0.4.0
 * @category errors
 */
export type VerificationFailure =
  | "size"
  | "digest"
  | "frontmatter"
  | "missing"
  | "not-listed"
  | "encoding"
  | "limit"
  | "dynamic"

/**
 * A skill file did not match its listing entry, so it was refused: nothing
 * of its content is returned. `field` names the frontmatter field that
 * differs; `expected` is what the entry says, `received` what the server
 * sent: a size or digest, or for a frontmatter value a description of it
 * (`a string of 22 characters`), never the refused text itself.
 *
 * @since 0.4.0
 * @category errors
 */
export class SkillVerificationError
  extends Schema.TaggedError<SkillVerificationError>("@effect-mcp/client/SkillVerificationError")(
    "SkillVerificationError",
    {
      skill: Schema.String,
      uri: Schema.String,
      reason: Schema.Literal("size", "digest", "frontmatter", "missing", "not-listed", "encoding", "limit", "dynamic"),
      field: Schema.optional(Schema.String),
      expected: Schema.optional(Schema.String),
      received: Schema.optional(Schema.String)
    }
  )
{
  /** @since 0.4.0 */
  override get message(): string {
    const what = this.field === undefined ? this.reason : `${this.reason} field "${this.field}"`
    const detail = this.expected === undefined && this.received === undefined
      ? ""
      : `: expected ${this.expected ?? "(unspecified)"}, got ${this.received ?? "(unspecified)"}`
    const file = this.uri === this.skill ? `Skill ${this.skill}` : `Skill ${this.skill}: ${this.uri}`
    return `${file} failed verification (${what})${detail}; its content was not used`
  }
}

// -----------------------------------------------------------------------------
// listing
// -----------------------------------------------------------------------------

/**
 * @since 0.4.0
 * @category models
 */
export interface ListOptions extends McpClient.RequestOptions {
  /** Stop after this many pages with `ProtocolError` (reason `CursorLoop`); default 100. */
  readonly maxPages?: number | undefined
}

const decodeList = Protocol.decodeResult(ListSkillsResult, "skills/list")
const decodeGet = Protocol.decodeResult(GetSkillResult, "skills/get")

const requireSupport = (client: McpClient.Service, method: string): Effect.Effect<void, NotConnected | ProtocolError> =>
  Effect.flatMap(isSupported(client), (supported) =>
    supported ? Effect.void : Effect.fail(
      new ProtocolError({
        reason: "Unsupported",
        description: `${method}: the server did not declare the "${EXTENSION_ID}" extension`
      })
    ))

/**
 * One page of the server's skills.
 *
 * @since 0.4.0
 * @category listing
 */
export const listPage = (
  client: McpClient.Service,
  cursor?: string | undefined,
  options?: McpClient.RequestOptions
): Effect.Effect<ListSkillsResult, McpError> =>
  Effect.zipRight(
    requireSupport(client, "skills/list"),
    Effect.flatMap(client.request("skills/list", cursor === undefined ? {} : { cursor }, options), decodeList)
  )

/**
 * Every skill the server lists, walking its pages. Reads no skill file. A
 * cursor that comes back a second time, or more than `maxPages` pages, fails
 * with `ProtocolError` (reason `CursorLoop`).
 *
 * @since 0.4.0
 * @category listing
 */
export const list = (
  client: McpClient.Service,
  options?: ListOptions
): Effect.Effect<ReadonlyArray<Skill>, McpError> =>
  Effect.gen(function*() {
    const maxPages = options?.maxPages ?? 100
    const skills: Array<Skill> = []
    const seen = new Set<string>()
    let cursor: string | undefined
    for (let page = 1;; page++) {
      const result = yield* listPage(client, cursor, options)
      for (const skill of result.skills) skills.push(skill)
      cursor = result.nextCursor
      // an empty cursor is read as the end, as the base protocol's lists are
      if (cursor === undefined || cursor.length === 0) return skills
      if (seen.has(cursor)) {
        return yield* new ProtocolError({
          reason: "CursorLoop",
          description:
            `skills/list returned a cursor a second time (page ${page}); stopped after ${skills.length} skills`
        })
      }
      if (page >= maxPages) {
        return yield* new ProtocolError({
          reason: "CursorLoop",
          description: `skills/list still had more after ${maxPages} pages; raise maxPages if that is expected`
        })
      }
      seen.add(cursor)
    }
  })

/**
 * The entry of one skill by the URI of its `SKILL.md` (`skills/get`): for a
 * skill known by URI alone, or to refresh one entry. Reads no skill file.
 *
 * @since 0.4.0
 * @category listing
 */
export const get = (
  client: McpClient.Service,
  uri: string,
  options?: McpClient.RequestOptions
): Effect.Effect<Skill, McpError> =>
  Effect.zipRight(
    requireSupport(client, "skills/get"),
    Effect.map(Effect.flatMap(client.request("skills/get", { uri }, options), decodeGet), (result) => result.skill)
  )

// -----------------------------------------------------------------------------
// loading
// -----------------------------------------------------------------------------

/**
 * Limits on what a skill may make the client read or hold.
 *
 * @since 0.4.0
 * @category models
 */
export interface VerifyOptions {
  /** Refuse a skill whose listed files add up to more bytes (default 16 MiB, the extension's limit). */
  readonly maxSkillBytes?: number | undefined
  /** Refuse a skill that lists more files (default 512, the extension's limit). */
  readonly maxResources?: number | undefined
  /** Refuse a `SKILL.md` whose frontmatter block is longer (default 64 KiB). */
  readonly maxFrontmatterBytes?: number | undefined
  /** YAML aliases allowed in a frontmatter, so an alias bomb fails fast (default 100). */
  readonly maxAliasCount?: number | undefined
  /**
   * Load a skill whose `resources` is `"dynamic"`: its files cannot be
   * checked against digests (only the frontmatter and the size limit are).
   * Default false: such a skill is refused with reason `dynamic`.
   */
  readonly allowDynamic?: boolean | undefined
  /** Passed to each `resources/read`. */
  readonly requestOptions?: McpClient.RequestOptions | undefined
}

/**
 * A file that passed verification.
 *
 * @since 0.4.0
 * @category models
 */
export interface SkillFile {
  readonly uri: string
  readonly mimeType: string | undefined
  /** The raw content: the bytes the size and digest were checked over. */
  readonly bytes: Uint8Array
  /** The content as the server sent it, when it sent text. */
  readonly text: string | undefined
}

/**
 * A skill whose `SKILL.md` passed verification.
 *
 * @since 0.4.0
 * @category models
 */
export interface LoadedSkill {
  readonly skill: Skill
  /** The whole `SKILL.md`. */
  readonly text: string
  /** Its frontmatter, parsed (equal, field by field, to the entry's). */
  readonly frontmatter: Frontmatter
  /** What follows the frontmatter: the instructions. */
  readonly body: string
}

type Check<A> = Effect.Effect<A, SkillVerificationError>

const refuse = (
  skill: Skill,
  uri: string,
  reason: VerificationFailure,
  details: { readonly field?: string; readonly expected?: string; readonly received?: string } = {}
): Check<never> => Effect.fail(new SkillVerificationError({ skill: skill.uri, uri, reason, ...details }))

const limits = (skill: Skill, options: VerifyOptions | undefined): Check<void> => {
  if (skill.resources === "dynamic") return Effect.void
  const maxResources = options?.maxResources ?? internal.DEFAULT_MAX_RESOURCES
  if (skill.resources.length > maxResources) {
    return refuse(skill, skill.uri, "limit", {
      expected: `at most ${maxResources} files`,
      received: `${skill.resources.length} files`
    })
  }
  const maxBytes = options?.maxSkillBytes ?? internal.DEFAULT_MAX_SKILL_BYTES
  let total = 0
  for (const resource of skill.resources) total += resource.size
  return total > maxBytes
    ? refuse(skill, skill.uri, "limit", { expected: `at most ${maxBytes} bytes`, received: `${total} bytes` })
    : Effect.void
}

// the entry's record of a file; a read is allowed only for what it lists
const entryFor = (skill: Skill, uri: string): Check<SkillResource | undefined> => {
  if (!internal.withinSkill(skill.uri, uri)) {
    return refuse(skill, uri, "not-listed", { expected: "a file within the skill's directory", received: uri })
  }
  if (skill.resources === "dynamic") return Effect.succeed(undefined)
  const resource = skill.resources.find((r) => r.uri === uri)
  return resource === undefined
    ? refuse(skill, uri, "not-listed", { expected: "a file listed in the skill's resources", received: uri })
    : Effect.succeed(resource)
}

const encoder = new TextEncoder()

// the raw bytes of the read, refused by size before they are decoded or encoded
const contentBytes = (
  skill: Skill,
  uri: string,
  content: McpSchema.ResourceContents,
  expectedSize: number | undefined,
  maxBytes: number
): Check<Uint8Array> => {
  const isText = "text" in content
  const size = isText ? internal.utf8Length(content.text) : internal.base64Length(content.blob)
  if (size === undefined) return refuse(skill, uri, "encoding", { expected: "base64", received: "not base64" })
  if (expectedSize !== undefined && size !== expectedSize) {
    return refuse(skill, uri, "size", { expected: `${expectedSize} bytes`, received: `${size} bytes` })
  }
  if (size > maxBytes) {
    return refuse(skill, uri, "limit", { expected: `at most ${maxBytes} bytes`, received: `${size} bytes` })
  }
  if (isText) return Effect.succeed(encoder.encode(content.text))
  const bytes = internal.decodeBase64(content.blob)
  return bytes === undefined
    ? refuse(skill, uri, "encoding", { expected: "base64", received: "not base64" })
    : Effect.succeed(bytes)
}

/**
 * Reads one file of a skill and verifies it against the entry: the URI must
 * be listed (an unlisted one is refused without a read), and the content's
 * byte length and SHA-256 digest must be the listed ones. For a `"dynamic"`
 * skill (with `allowDynamic`), the URI must lie in the skill's directory and
 * the content within `maxSkillBytes`; nothing else can be checked.
 *
 * @since 0.4.0
 * @category loading
 */
export const readFile = (
  client: McpClient.Service,
  skill: Skill,
  uri: string,
  options?: VerifyOptions
): Effect.Effect<SkillFile, McpError | SkillVerificationError> =>
  Effect.gen(function*() {
    if (skill.resources === "dynamic" && options?.allowDynamic !== true) {
      return yield* refuse(skill, uri, "dynamic", { expected: "a list of files with digests", received: "\"dynamic\"" })
    }
    yield* limits(skill, options)
    const resource = yield* entryFor(skill, uri)
    const contents = yield* client.readResource(uri, options?.requestOptions)
    const content = contents.find((c) => c.uri === uri)
    if (content === undefined) {
      return yield* refuse(skill, uri, "missing", {
        expected: `contents for ${uri}`,
        received: contents.length === 0 ? "no contents" : `contents for ${contents.length} other URI(s)`
      })
    }
    const maxBytes = options?.maxSkillBytes ?? internal.DEFAULT_MAX_SKILL_BYTES
    const bytes = yield* contentBytes(skill, uri, content, resource?.size, maxBytes)
    if (resource !== undefined) {
      const digest = yield* internal.sha256(bytes)
      if (digest !== resource.digest) {
        return yield* refuse(skill, uri, "digest", { expected: resource.digest, received: digest })
      }
    }
    return {
      uri,
      mimeType: content.mimeType,
      bytes,
      text: "text" in content ? content.text : undefined
    } satisfies SkillFile
  })

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/**
 * Loads a skill: reads its `SKILL.md` (and nothing else), verifies it as
 * `readFile` does, then parses its YAML frontmatter and compares it field by
 * field with the entry's. Any mismatch refuses the skill with
 * `SkillVerificationError`; the entry's name must also be the last segment
 * of its URI. Supporting files are read later, each with `readFile`, against
 * `loaded.skill`. A skill known by URI alone (a listing may be partial) is
 * given as that URI: its entry is asked for with `skills/get` first.
 *
 * @since 0.4.0
 * @category loading
 */
export const load = (
  client: McpClient.Service,
  skill: Skill | string,
  options?: VerifyOptions
): Effect.Effect<LoadedSkill, McpError | SkillVerificationError> =>
  typeof skill === "string"
    ? Effect.flatMap(get(client, skill, options?.requestOptions), (entry) => loadEntry(client, entry, options))
    : loadEntry(client, skill, options)

const loadEntry = (
  client: McpClient.Service,
  skill: Skill,
  options: VerifyOptions | undefined
): Effect.Effect<LoadedSkill, McpError | SkillVerificationError> =>
  Effect.gen(function*() {
    const uri = skill.uri
    const named = internal.nameFromUri(uri)
    if (named !== skill.frontmatter.name) {
      return yield* refuse(skill, uri, "frontmatter", {
        field: "name",
        expected: named === undefined ? `a URI ending in /${internal.SKILL_FILE}` : internal.preview(named),
        received: internal.preview(skill.frontmatter.name)
      })
    }
    const file = yield* readFile(client, skill, uri, options)
    let text = file.text
    if (text === undefined) {
      try {
        text = utf8.decode(file.bytes)
      } catch {
        return yield* refuse(skill, uri, "encoding", { expected: "UTF-8 text", received: "bytes that are not UTF-8" })
      }
    }
    const maxFrontmatter = options?.maxFrontmatterBytes ?? internal.DEFAULT_MAX_FRONTMATTER_BYTES
    const block = internal.frontmatterBlock(text, maxFrontmatter)
    if (block._tag !== "Found") {
      return yield* refuse(skill, uri, "frontmatter", {
        expected: block._tag === "Absent" ? "a --- delimited YAML frontmatter" : `at most ${maxFrontmatter} bytes`,
        received: block._tag === "Absent" ? "none" : "a longer frontmatter"
      })
    }
    const parsed = yield* internal.parseYaml(block.yaml, options?.maxAliasCount ?? internal.DEFAULT_MAX_ALIASES)
    if (Either.isLeft(parsed)) {
      return yield* refuse(skill, uri, "frontmatter", {
        expected: "valid YAML",
        received: internal.preview(parsed.left, 120)
      })
    }
    const frontmatter = parsed.right
    if (!internal.isPlainObject(frontmatter)) {
      return yield* refuse(skill, uri, "frontmatter", {
        expected: "a YAML mapping",
        received: internal.describe(frontmatter)
      })
    }
    const field = internal.firstDifference(skill.frontmatter, frontmatter)
    if (field !== undefined) {
      return yield* refuse(skill, uri, "frontmatter", {
        field,
        expected: internal.preview(skill.frontmatter[field]),
        received: internal.describe(frontmatter[field])
      })
    }
    return { skill, text, frontmatter: frontmatter as Frontmatter, body: block.body } satisfies LoadedSkill
  })
