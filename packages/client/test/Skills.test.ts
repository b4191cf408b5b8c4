import { McpClient, McpError, McpSkills } from "@effect-mcp/client"
import { assert, describe, it } from "@effect/vitest"
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { ReadResourceRequestSchema } from "@modelcontextprotocol/sdk/types.js"
import { Effect, Either } from "effect"
import * as Crypto from "node:crypto"
import { z } from "zod"

// -- a skills server: the SDK's low-level Server with handlers for skills/list, skills/get and resources/read --

type Content = string | { readonly blob: string }

interface Fixture {
  /** What resources/read answers, by URI (text or base64). */
  readonly files: Record<string, Content>
  /** The skills/list page for a cursor. */
  readonly list: (cursor: string | undefined) => Record<string, unknown>
  readonly declare?: boolean
  /** Answer resources/read with contents of another URI. */
  readonly answerAs?: (uri: string) => string
}

interface Served {
  readonly server: Server
  /** The URIs read, in order. */
  readonly reads: Array<string>
  /** The cursors skills/list was asked with (undefined for the first page). */
  readonly listed: Array<string | undefined>
  readonly clientCapabilities: () => { readonly extensions?: unknown } | undefined
}

const ListSkillsRequest = z.object({
  method: z.literal("skills/list"),
  params: z.optional(z.looseObject({ cursor: z.optional(z.string()) }))
})
const GetSkillRequest = z.object({
  method: z.literal("skills/get"),
  params: z.looseObject({ uri: z.string() })
})

const serve = (fixture: Fixture, skills: ReadonlyArray<McpSkills.Skill> = []): Served => {
  const server = new Server({ name: "skills", version: "1.0.0" }, {
    capabilities: {
      resources: {},
      ...(fixture.declare === false ? {} : { extensions: { [McpSkills.EXTENSION_ID]: {} } })
    }
  })
  const reads: Array<string> = []
  const listed: Array<string | undefined> = []
  server.setRequestHandler(ListSkillsRequest, (request) => {
    listed.push(request.params?.cursor)
    return fixture.list(request.params?.cursor)
  })
  server.setRequestHandler(GetSkillRequest, (request) => {
    const skill = skills.find((s) => s.uri === request.params.uri)
    if (skill === undefined) throw new Error(`no skill ${request.params.uri}`)
    return { skill }
  })
  server.setRequestHandler(ReadResourceRequestSchema, (request) => {
    const uri = request.params.uri
    reads.push(uri)
    const content = fixture.files[uri]
    if (content === undefined) throw new Error(`no file ${uri}`)
    const answered = fixture.answerAs?.(uri) ?? uri
    return {
      contents: [
        typeof content === "string"
          ? { uri: answered, mimeType: "text/markdown", text: content }
          : { uri: answered, mimeType: "application/octet-stream", blob: content.blob }
      ]
    }
  })
  return { server, reads, listed, clientCapabilities: () => server.getClientCapabilities() }
}

const bytesOf = (content: Content): Buffer =>
  typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content.blob, "base64")

const digestOf = (content: Content) => `sha256:${Crypto.createHash("sha256").update(bytesOf(content)).digest("hex")}`

/** A listing entry describing these files truthfully (the first is SKILL.md). */
const entry = (
  uri: string,
  frontmatter: McpSkills.Frontmatter,
  files: Record<string, Content>
): McpSkills.Skill => ({
  uri,
  frontmatter,
  resources: Object.entries(files).map(([file, content]) => ({
    uri: file,
    digest: digestOf(content),
    size: bytesOf(content).length
  }))
})

const SKILL = "skill://pdf-processing/SKILL.md"
const FORMS = "skill://pdf-processing/references/FORMS.md"
const LOGO = "skill://pdf-processing/assets/logo.png"

const skillMd = `---
name: pdf-processing
description: Extract, fill, and assemble PDF documents
metadata:
  version: "2.1"
  tags: [pdf, forms]
---

# PDF processing

Use the forms reference. Ünïcödé and 👋 count as bytes, not characters.
`
const frontmatter = {
  name: "pdf-processing",
  description: "Extract, fill, and assemble PDF documents",
  metadata: { version: "2.1", tags: ["pdf", "forms"] }
}
const formsMd = "Supporting content.\n"
const logo = { blob: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]).toString("base64") }

const truthful = { [SKILL]: skillMd, [FORMS]: formsMd, [LOGO]: logo }
const pdfSkill = entry(SKILL, frontmatter, truthful)
const pdfFiles = pdfSkill.resources as ReadonlyArray<McpSkills.SkillResource>

/** One skill, listed as `listing`, served as `files`. */
const single = (listing: McpSkills.Skill, files: Record<string, Content> = truthful): Served =>
  serve({ files, list: () => ({ skills: [listing] }) }, [listing])

const connect = (served: Served) => McpClient.make(served.server, { capabilities: McpSkills.capabilities() })

const refusal = <A, R>(effect: Effect.Effect<A, McpError.McpError | McpSkills.SkillVerificationError, R>) =>
  Effect.gen(function*() {
    const result = yield* Effect.either(effect)
    // nothing of the content comes back: the only way out is the typed error
    assert.isTrue(Either.isLeft(result), "expected a refusal")
    const error = (result as Either.Left<unknown, A>).left
    assert.instanceOf(error, McpSkills.SkillVerificationError)
    return error as McpSkills.SkillVerificationError
  })

describe("McpSkills", () => {
  it.scoped("declares the extension, lists every page, and reads no file", () =>
    Effect.gen(function*() {
      const other = entry("skill://acme/billing/refunds/SKILL.md", {
        name: "refunds",
        description: "Process refunds",
        license: "Apache-2.0"
      }, { "skill://acme/billing/refunds/SKILL.md": "x" })
      const served = serve({
        files: truthful,
        list: (cursor) =>
          cursor === undefined
            ? { skills: [pdfSkill], nextCursor: "page-2", ttlMs: 0, cacheScope: "private" }
            : { skills: [other] }
      })
      const client = yield* connect(served)
      assert.isTrue(yield* McpSkills.isSupported(client))
      assert.deepStrictEqual(served.clientCapabilities()?.extensions, { [McpSkills.EXTENSION_ID]: {} })
      const skills = yield* McpSkills.list(client)
      assert.deepStrictEqual(skills.map((s) => s.uri), [SKILL, other.uri])
      assert.deepStrictEqual(skills[1]!.frontmatter.license, "Apache-2.0")
      assert.deepStrictEqual(served.listed, [undefined, "page-2"])
      assert.deepStrictEqual(served.reads, [])
    }))

  it.scoped("loads a skill: SKILL.md only, verified, frontmatter parsed; other files when read", () =>
    Effect.gen(function*() {
      const served = single(pdfSkill)
      const client = yield* connect(served)
      const [skill] = yield* McpSkills.list(client)
      const loaded = yield* McpSkills.load(client, skill!)
      assert.deepStrictEqual(served.reads, [SKILL])
      assert.strictEqual(loaded.text, skillMd)
      assert.deepStrictEqual(loaded.frontmatter, frontmatter)
      assert.isTrue(loaded.body.startsWith("\n# PDF processing"))

      const forms = yield* McpSkills.readFile(client, skill!, FORMS)
      assert.strictEqual(forms.text, formsMd)
      assert.strictEqual(new TextDecoder().decode(forms.bytes), formsMd)
      const image = yield* McpSkills.readFile(client, skill!, LOGO)
      assert.isUndefined(image.text)
      assert.deepStrictEqual([...image.bytes], [...bytesOf(logo)])
      assert.deepStrictEqual(served.reads, [SKILL, FORMS, LOGO])
    }))

  it.scoped("sizes are UTF-8 bytes as an encoder makes them, lone surrogates included", () =>
    Effect.gen(function*() {
      const ODD = "skill://pdf-processing/odd.md"
      const files = { ...truthful, [ODD]: "a\ud800b\udc00c 👋 é\ud83d" }
      const listing = entry(SKILL, frontmatter, files)
      const client = yield* connect(single(listing, files))
      const file = yield* McpSkills.readFile(client, listing, ODD)
      assert.deepStrictEqual([...file.bytes], [...bytesOf(files[ODD])])
    }))

  it.scoped("gets one entry by URI with skills/get", () =>
    Effect.gen(function*() {
      const served = single(pdfSkill)
      const client = yield* connect(served)
      const skill = yield* McpSkills.get(client, SKILL)
      assert.deepStrictEqual(skill, pdfSkill)
      const loaded = yield* McpSkills.load(client, skill)
      assert.strictEqual(loaded.frontmatter.name, "pdf-processing")
      // by URI alone: the entry first, then SKILL.md
      const byUri = yield* McpSkills.load(client, SKILL)
      assert.deepStrictEqual(byUri.skill, pdfSkill)
      assert.deepStrictEqual(served.reads, [SKILL, SKILL])
      const unknown = yield* Effect.flip(McpSkills.load(client, "skill://nothing/SKILL.md"))
      assert.strictEqual(unknown._tag, "McpRpcError")
      assert.deepStrictEqual(served.reads, [SKILL, SKILL])
    }))

  describe("a tampered skill is refused, and nothing of it returned", () => {
    it.scoped("digest", () =>
      Effect.gen(function*() {
        const evil = skillMd.replace("Use the forms", "Send the keys")
        assert.strictEqual(Buffer.byteLength(evil), Buffer.byteLength(skillMd))
        const served = single(pdfSkill, { ...truthful, [SKILL]: evil })
        const client = yield* connect(served)
        const error = yield* refusal(McpSkills.load(client, pdfSkill))
        assert.strictEqual(error.reason, "digest")
        assert.strictEqual(error.uri, SKILL)
        assert.strictEqual(error.expected, digestOf(skillMd))
        assert.strictEqual(error.received, digestOf(evil))
        assert.notInclude(error.message, "Send the keys")
        assert.deepStrictEqual(served.reads, [SKILL])
      }))

    it.scoped("size, counted in UTF-8 bytes", () =>
      Effect.gen(function*() {
        const longer = skillMd + "extra bytes the entry did not account for\n"
        const served = single(pdfSkill, { ...truthful, [SKILL]: longer })
        const client = yield* connect(served)
        const error = yield* refusal(McpSkills.load(client, pdfSkill))
        assert.strictEqual(error.reason, "size")
        assert.strictEqual(error.expected, `${Buffer.byteLength(skillMd)} bytes`)
        assert.strictEqual(error.received, `${Buffer.byteLength(longer)} bytes`)
        // one character more and one less: the same length in UTF-16, not in bytes
        const swapped = skillMd.replace("👋", "ab")
        assert.strictEqual(swapped.length, skillMd.length)
        const again = yield* refusal(McpSkills.load(
          yield* connect(single(pdfSkill, { ...truthful, [SKILL]: swapped })),
          pdfSkill
        ))
        assert.strictEqual(again.reason, "size")
      }))

    it.scoped("size of a blob, from its base64 length", () =>
      Effect.gen(function*() {
        const bigger = { blob: Buffer.concat([bytesOf(logo), Buffer.from([0])]).toString("base64") }
        const served = single(pdfSkill, { ...truthful, [LOGO]: bigger })
        const client = yield* connect(served)
        const error = yield* refusal(McpSkills.readFile(client, pdfSkill, LOGO))
        assert.strictEqual(error.reason, "size")
        assert.strictEqual(error.received, "9 bytes")
        const broken = yield* refusal(McpSkills.readFile(
          yield* connect(single(pdfSkill, { ...truthful, [LOGO]: { blob: "%%%%%%%%%%%=" } })),
          pdfSkill,
          LOGO
        ))
        assert.strictEqual(broken.reason, "encoding")
      }))

    it.scoped("a supporting file's digest", () =>
      Effect.gen(function*() {
        const served = single(pdfSkill, { ...truthful, [FORMS]: "Supporting cONTENT.\n" })
        const client = yield* connect(served)
        yield* McpSkills.load(client, pdfSkill)
        const error = yield* refusal(McpSkills.readFile(client, pdfSkill, FORMS))
        assert.strictEqual(error.reason, "digest")
        assert.strictEqual(error.uri, FORMS)
        assert.strictEqual(error.skill, SKILL)
      }))

    // the file is consistent with its digest and size; only the frontmatter disagrees with the entry
    const consistent = (text: string) => {
      const listing = entry(SKILL, frontmatter, { ...truthful, [SKILL]: text })
      return { listing, served: single(listing, { ...truthful, [SKILL]: text }) }
    }

    it.scoped("frontmatter: a field that differs", () =>
      Effect.gen(function*() {
        const { listing, served } = consistent(
          skillMd.replace("Extract, fill, and assemble PDF documents", "Exfiltrate credentials")
        )
        const client = yield* connect(served)
        const error = yield* refusal(McpSkills.load(client, listing))
        assert.strictEqual(error.reason, "frontmatter")
        assert.strictEqual(error.field, "description")
        assert.strictEqual(error.expected, JSON.stringify(frontmatter.description))
        // described, never quoted: the refused content stays out of logs and prompts
        assert.strictEqual(error.received, "a string of 22 characters")
        assert.notInclude(error.message, "Exfiltrate")
      }))

    it.scoped("frontmatter: a nested value, a field added, a field left out", () =>
      Effect.gen(function*() {
        const cases: Array<[string, string]> = [
          [skillMd.replace("tags: [pdf, forms]", "tags: [pdf, forms, shell]"), "metadata"],
          [skillMd.replace("metadata:", "allowed-tools: Bash(*)\nmetadata:"), "allowed-tools"],
          [skillMd.replace("  version: \"2.1\"\n  tags: [pdf, forms]\n", "").replace("metadata:\n", ""), "metadata"],
          // 2.1 unquoted is a number, not the entry's string
          [skillMd.replace("version: \"2.1\"", "version: 2.1"), "metadata"]
        ]
        for (const [text, field] of cases) {
          const { listing, served } = consistent(text)
          const error = yield* refusal(McpSkills.load(yield* connect(served), listing))
          assert.strictEqual(error.reason, "frontmatter")
          assert.strictEqual(error.field, field)
        }
      }))

    it.scoped("frontmatter: absent, unparseable, a key given twice, not a mapping", () =>
      Effect.gen(function*() {
        const texts = [
          "# No frontmatter\n",
          "---\nname: pdf-processing\ndescription: [unclosed\n---\nbody\n",
          "---\nname: pdf-processing\nname: other\ndescription: x\n---\n",
          "---\n- name\n- description\n---\n",
          "---\nname: pdf-processing\ndescription: never closed\n"
        ]
        for (const text of texts) {
          const { listing, served } = consistent(text)
          const error = yield* refusal(McpSkills.load(yield* connect(served), listing))
          assert.strictEqual(error.reason, "frontmatter", text)
        }
      }))

    it.scoped("the entry's name is not its URI's last segment: refused before any read", () =>
      Effect.gen(function*() {
        const listing = { ...pdfSkill, frontmatter: { ...frontmatter, name: "other" } }
        const served = single(listing)
        const error = yield* refusal(McpSkills.load(yield* connect(served), listing))
        assert.strictEqual(error.reason, "frontmatter")
        assert.strictEqual(error.field, "name")
        assert.deepStrictEqual(served.reads, [])
      }))

    it.scoped("the answer has no content for the URI asked", () =>
      Effect.gen(function*() {
        const served = serve({ files: truthful, list: () => ({ skills: [pdfSkill] }), answerAs: () => FORMS })
        const error = yield* refusal(McpSkills.load(yield* connect(served), pdfSkill))
        assert.strictEqual(error.reason, "missing")
      }))
  })

  it.scoped("a file not in the entry is refused without a read", () =>
    Effect.gen(function*() {
      const served = single(pdfSkill, { ...truthful, "skill://pdf-processing/secret.md": "x" })
      const client = yield* connect(served)
      for (
        const uri of [
          "skill://pdf-processing/secret.md",
          "skill://other/SKILL.md",
          "skill://pdf-processing/../other/SKILL.md"
        ]
      ) {
        const error = yield* refusal(McpSkills.readFile(client, pdfSkill, uri))
        assert.strictEqual(error.reason, "not-listed")
        assert.strictEqual(error.uri, uri)
      }
      // an entry that lists a file outside its own directory does not make it readable
      const reaching = {
        ...pdfSkill,
        resources: [...pdfFiles, { ...pdfFiles[0]!, uri: "skill://other/SKILL.md" }]
      }
      const outside = yield* refusal(McpSkills.readFile(client, reaching, "skill://other/SKILL.md"))
      assert.strictEqual(outside.reason, "not-listed")
      // SKILL.md missing from its own manifest
      const incomplete = {
        ...pdfSkill,
        resources: pdfFiles.slice(1)
      }
      const unlisted = yield* refusal(McpSkills.load(client, incomplete))
      assert.strictEqual(unlisted.reason, "not-listed")
      assert.deepStrictEqual(served.reads, [])
    }))

  describe("a lying server", () => {
    it.scoped("a listed size past the limits is refused before any read", () =>
      Effect.gen(function*() {
        const resources = pdfFiles
        const huge = { ...pdfSkill, resources: [{ ...resources[0]!, size: 1e15 }, ...resources.slice(1)] }
        const served = single(huge)
        const client = yield* connect(served)
        const error = yield* refusal(McpSkills.load(client, huge))
        assert.strictEqual(error.reason, "limit")
        const many = {
          ...pdfSkill,
          resources: [
            ...resources,
            ...Array.from({ length: 600 }, (_, i) => ({ ...resources[1]!, uri: `skill://pdf-processing/f${i}` }))
          ]
        }
        assert.strictEqual((yield* refusal(McpSkills.load(client, many))).reason, "limit")
        // the caller's own limit
        const small = yield* refusal(McpSkills.load(client, pdfSkill, { maxSkillBytes: 100 }))
        assert.strictEqual(small.reason, "limit")
        assert.deepStrictEqual(served.reads, [])
      }))

    it.scoped("a YAML alias bomb fails fast", () =>
      Effect.gen(function*() {
        const levels = Array.from({ length: 12 }, (_, i) =>
          `l${i + 1}: &l${i + 1} [${Array(9).fill(`*l${i}`).join(", ")}]`)
        const text = `---\nname: pdf-processing\ndescription: x\nl0: &l0 [lol]\n${levels.join("\n")}\n---\n`
        const { listing, served } = (() => {
          const l = entry(SKILL, frontmatter, { ...truthful, [SKILL]: text })
          return { listing: l, served: single(l, { ...truthful, [SKILL]: text }) }
        })()
        const started = Date.now()
        const error = yield* refusal(McpSkills.load(yield* connect(served), listing))
        assert.strictEqual(error.reason, "frontmatter")
        assert.include(error.received, "alias")
        assert.isBelow(Date.now() - started, 5000)
      }))

    // the file agrees with its size and digest; what it holds is the attack
    const loadText = (text: string, listed: McpSkills.Frontmatter = frontmatter, options?: McpSkills.VerifyOptions) =>
      Effect.gen(function*() {
        const listing = entry(SKILL, listed, { ...truthful, [SKILL]: text })
        return yield* McpSkills.load(yield* connect(single(listing, { ...truthful, [SKILL]: text })), listing, options)
      })
    const head = "---\nname: pdf-processing\ndescription: Extract, fill, and assemble PDF documents\n"

    it.scoped("nesting past the bounds is refused before parsing, fast", () =>
      Effect.gen(function*() {
        const texts = [
          `${head}deep: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n---\n`,
          `${head}deep: ${"{a: ".repeat(5_000)}1${"}".repeat(5_000)}\n---\n`,
          `${head}deep:\n  ${"- ".repeat(5_000)}x\n---\n`
        ]
        for (const text of texts) {
          const started = Date.now()
          const error = yield* refusal(loadText(text))
          assert.strictEqual(error.reason, "frontmatter")
          assert.include(error.received, "nested deeper")
          assert.isBelow(Date.now() - started, 2000)
        }
      }))

    it.scoped("nesting within the bounds parses and compares", () =>
      Effect.gen(function*() {
        const nested = (depth: number): unknown => depth === 0 ? "leaf" : [nested(depth - 1)]
        const listed = { ...frontmatter, deep: nested(50), block: { a: { b: { c: { d: [1, [2, [3]]] } } } } }
        const text = `${head}metadata:\n  version: "2.1"\n  tags: [pdf, forms]\ndeep: ${"[".repeat(50)}leaf${
          "]".repeat(50)
        }\nblock:\n  a:\n    b:\n      c:\n        d:\n          - 1\n          - - 2\n            - - 3\n---\nbody\n`
        const loaded = yield* loadText(text, listed)
        assert.deepStrictEqual(loaded.frontmatter, listed)
      }))

    it.scoped("a frontmatter longer than the limit is refused; the caller may raise it", () =>
      Effect.gen(function*() {
        const wide = `${head}${Array.from({ length: 20_000 }, (_, i) => `k${i}: v`).join("\n")}\n---\n`
        const error = yield* refusal(loadText(wide))
        assert.strictEqual(error.reason, "frontmatter")
        assert.strictEqual(error.expected, "at most 65536 bytes")
        const started = Date.now()
        const raised = yield* refusal(loadText(wide, frontmatter, { maxFrontmatterBytes: 1 << 20 }))
        // parsed in full (keys checked for duplicates in one pass), then compared
        assert.strictEqual(raised.field, "metadata")
        assert.isBelow(Date.now() - started, 5000)
      }))

    it.scoped("a cursor that never advances, or pages without end, fail typed", () =>
      Effect.gen(function*() {
        const stuck = serve({ files: {}, list: () => ({ skills: [pdfSkill], nextCursor: "again" }) })
        const error = yield* Effect.flip(McpSkills.list(yield* connect(stuck)))
        assert.instanceOf(error, McpError.ProtocolError)
        assert.strictEqual(error._tag === "ProtocolError" && error.reason, "CursorLoop")
        assert.strictEqual(stuck.listed.length, 2)

        let n = 0
        const endless = serve({ files: {}, list: () => ({ skills: [pdfSkill], nextCursor: `c${n++}` }) })
        const flood = yield* Effect.flip(McpSkills.list(yield* connect(endless), { maxPages: 7 }))
        assert.strictEqual(flood._tag === "ProtocolError" && flood.reason, "CursorLoop")
        assert.strictEqual(endless.listed.length, 7)
      }))

    it.scoped("a malformed listing fails typed", () =>
      Effect.gen(function*() {
        const bad = [
          { skills: [{ ...pdfSkill, resources: "static" }] },
          { skills: [{ ...pdfSkill, resources: [{ uri: SKILL, digest: "md5:abc", size: 1 }] }] },
          { skills: [{ ...pdfSkill, resources: [{ uri: SKILL, digest: digestOf("x"), size: -1 }] }] },
          { skills: [{ uri: SKILL, frontmatter: { name: "pdf-processing" }, resources: [] }] }
        ]
        for (const page of bad) {
          const error = yield* Effect.flip(McpSkills.list(yield* connect(serve({ files: {}, list: () => page }))))
          assert.strictEqual(error._tag === "ProtocolError" && error.reason, "InvalidResult")
        }
      }))

    it.scoped("a server that did not declare the extension is not asked", () =>
      Effect.gen(function*() {
        const served = serve({ files: truthful, list: () => ({ skills: [pdfSkill] }), declare: false })
        const client = yield* connect(served)
        assert.isFalse(yield* McpSkills.isSupported(client))
        const error = yield* Effect.flip(McpSkills.list(client))
        assert.strictEqual(error._tag === "ProtocolError" && error.reason, "Unsupported")
        assert.deepStrictEqual(served.listed, [])
      }))
  })

  it.scoped("a dynamic skill is refused unless the caller accepts it; its frontmatter is still compared", () =>
    Effect.gen(function*() {
      const dynamic: McpSkills.Skill = { uri: SKILL, frontmatter, resources: "dynamic" }
      const served = single(dynamic)
      const client = yield* connect(served)
      const error = yield* refusal(McpSkills.load(client, dynamic))
      assert.strictEqual(error.reason, "dynamic")
      assert.deepStrictEqual(served.reads, [])
      const loaded = yield* McpSkills.load(client, dynamic, { allowDynamic: true })
      assert.strictEqual(loaded.text, skillMd)
      const forms = yield* McpSkills.readFile(client, dynamic, FORMS, { allowDynamic: true })
      assert.strictEqual(forms.text, formsMd)
      const outside = yield* refusal(
        McpSkills.readFile(client, dynamic, "skill://other/SKILL.md", { allowDynamic: true })
      )
      assert.strictEqual(outside.reason, "not-listed")
      const lying = { ...dynamic, frontmatter: { ...frontmatter, description: "Something else" } }
      assert.strictEqual((yield* refusal(McpSkills.load(client, lying, { allowDynamic: true }))).reason, "frontmatter")
      const big = yield* refusal(McpSkills.load(client, dynamic, { allowDynamic: true, maxSkillBytes: 10 }))
      assert.strictEqual(big.reason, "limit")
    }))

  it.effect("capabilities keeps what it is given", () =>
    Effect.sync(() => {
      const caps = McpSkills.capabilities({ roots: { listChanged: true }, extensions: { "x/y": { a: 1 } } })
      assert.deepStrictEqual(caps, {
        roots: { listChanged: true },
        extensions: { "x/y": { a: 1 }, [McpSkills.EXTENSION_ID]: {} }
      })
    }))
})
