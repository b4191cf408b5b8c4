// Type-checks the TypeScript code blocks of README.md and docs/*.md against the built packages (dist), each
// block a module of its own. A block whose info string is `ts no-check` is left out (a fragment).
//
//   node scripts/docs-guides.mjs
import { spawnSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const out = join(root, "node_modules", ".cache", "docs-guides")
const guides = readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md")).sort()
const files = ["README.md", ...guides.map((name) => join("docs", name))]

rmSync(join(out, "blocks"), { recursive: true, force: true })
mkdirSync(join(out, "blocks"), { recursive: true })
const origins = new Map()
let count = 0
for (const file of files) {
  const lines = readFileSync(join(root, file), "utf8").split("\n")
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript)(\s.*)?$/.exec(lines[i])
    if (open === null) continue
    const start = i + 1
    let end = start
    while (end < lines.length && lines[end] !== "```") end++
    if (!/no-check/.test(open[2] ?? "")) {
      const name = `${file.replace(/[^a-zA-Z0-9]+/g, "-")}-${start + 1}.ts`
      writeFileSync(join(out, "blocks", name), lines.slice(start, end).join("\n") + "\n")
      origins.set(name, { file, line: start + 1 })
      count++
    }
    i = end
  }
}

const pkg = (name) => relative(out, join(root, "packages", name, "dist"))
const paths = {}
for (const name of ["client", "client-node", "testing", "ai"]) {
  paths[`@effect-mcp/${name}`] = [`${pkg(name)}/index`]
  paths[`@effect-mcp/${name}/*`] = [`${pkg(name)}/*`]
}
writeFileSync(
  join(out, "tsconfig.json"),
  JSON.stringify(
    {
      compilerOptions: {
        noEmit: true,
        incremental: true,
        tsBuildInfoFile: "./guides.tsbuildinfo",
        strict: true,
        exactOptionalPropertyTypes: true,
        skipLibCheck: true,
        moduleDetection: "force",
        moduleResolution: "Bundler",
        module: "ES2022",
        target: "ES2022",
        lib: ["ES2022", "DOM"],
        types: ["node"],
        paths
      },
      include: ["blocks"]
    },
    null,
    2
  )
)

const started = performance.now()
const tsc = spawnSync(join(root, "node_modules", ".bin", "tsc"), ["-p", join(out, "tsconfig.json")], {
  encoding: "utf8"
})
const seconds = ((performance.now() - started) / 1000).toFixed(1)
if (tsc.status === 0) {
  console.log(`docs: guides: ${count} code blocks checked (${seconds} s)`)
} else {
  // name each error by the Markdown file and line it comes from
  const report = tsc.stdout.replace(/^(?:\S*\/)?blocks\/([^(]+)\((\d+),(\d+)\)/gm, (whole, name, line, column) => {
    const origin = origins.get(name)
    return origin === undefined ? whole : `${origin.file}:${origin.line + Number(line) - 1}:${column}`
  })
  console.error(`docs: guides FAILED (${seconds} s):\n${report}${tsc.stderr}`)
  process.exitCode = 1
}
