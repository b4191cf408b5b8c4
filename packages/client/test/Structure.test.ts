import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Url from "node:url"

// The rules the layout of the core keeps (see the design notes): data flows
// one way, from the public modules into `internal/`, never back as values;
// and the core runs on any platform, so it imports no `node:*` module.

const src = Path.resolve(Path.dirname(Url.fileURLToPath(import.meta.url)), "../src")

const sources = (dir: string): Array<string> =>
  Fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(Path.join(dir, entry.name))
      : entry.name.endsWith(".ts")
      ? [Path.join(dir, entry.name)]
      : []
  )

interface Import {
  readonly from: string
  readonly typeOnly: boolean
  readonly line: number
}

// static imports and re-exports (`import x from`, `import type`, `export * from`,
// `import { type A, type B }`), side-effect imports and dynamic `import()`
const importsOf = (text: string): Array<Import> => {
  const found: Array<Import> = []
  const lineAt = (index: number) => text.slice(0, index).split("\n").length
  const statement = /^(import|export)\s+(type\s+)?([^;"']*?)\s*from\s*["']([^"']+)["']/gm
  for (const match of text.matchAll(statement)) {
    const clause = match[3]!
    const named = /^\{([^}]*)\}$/.exec(clause.trim())
    const allTypes = named !== null &&
      named[1]!.split(",").map((part) => part.trim()).filter((part) => part !== "").every((part) =>
        part.startsWith("type ")
      )
    found.push({ from: match[4]!, typeOnly: match[2] !== undefined || allTypes, line: lineAt(match.index!) })
  }
  for (const match of text.matchAll(/^import\s*["']([^"']+)["']/gm)) {
    found.push({ from: match[1]!, typeOnly: false, line: lineAt(match.index!) })
  }
  for (const match of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) {
    found.push({ from: match[1]!, typeOnly: false, line: lineAt(match.index!) })
  }
  for (const match of text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
    found.push({ from: match[1]!, typeOnly: false, line: lineAt(match.index!) })
  }
  return found
}

const files = sources(src).map((file) => ({
  file,
  name: Path.relative(src, file).split(Path.sep).join("/"),
  imports: importsOf(Fs.readFileSync(file, "utf8"))
}))

describe("the structure of the core", () => {
  it("the import reader sees every kind of import", () => {
    const seen = importsOf([
      `import * as A from "./A.js"`,
      `import type * as B from "../B.js"`,
      `import { type C, type D } from "../C.js"`,
      `import { type E, F } from "../E.js"`,
      `import {`,
      `  G,`,
      `  type H`,
      `} from "../G.js"`,
      `export * from "../X.js"`,
      `const m = () => import("node:fs")`,
      `import "node:process"`
    ].join("\n"))
    assert.deepStrictEqual(seen.map(({ from, typeOnly }) => [from, typeOnly]), [
      ["./A.js", false],
      ["../B.js", true],
      ["../C.js", true],
      ["../E.js", false],
      ["../G.js", false],
      ["../X.js", false],
      ["node:process", false],
      ["node:fs", false]
    ])
  })

  it("reads the sources", () => {
    assert.isAbove(files.filter((file) => file.name.startsWith("internal/")).length, 5)
    assert.isAbove(files.filter((file) => !file.name.includes("/")).length, 5)
  })

  it("no module under internal/ imports a value from a public module (types are fine)", () => {
    const found = files
      .filter((file) => file.name.startsWith("internal/"))
      .flatMap((file) =>
        file.imports
          .filter((entry) => !entry.typeOnly && entry.from.startsWith("."))
          .flatMap((entry) => {
            const target = Path.relative(src, Path.resolve(Path.dirname(file.file), entry.from))
            return target.startsWith("internal" + Path.sep) || target.startsWith("..")
              ? []
              : [`${file.name} imports ${target.split(Path.sep).join("/")}`]
          })
      )
    assert.deepStrictEqual(found, [], "a module under internal/ imports a value from a public module")
  })

  it("the core imports no node:* module", () => {
    const problems = files.flatMap((file) =>
      file.imports
        .filter((entry) => entry.from.startsWith("node:"))
        .map((entry) => `${file.name}:${entry.line} imports ${entry.from}`)
    )
    assert.deepStrictEqual(problems, [])
  })
})
