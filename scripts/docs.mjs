// API docs: runs @effect/docgen in every package that has a docgen.json. docgen type-checks each @example
// (against the package's sources and the other packages' built dist, see each docgen.json), runs it with tsx,
// and writes Markdown to packages/<name>/docs/ (git-ignored). Then scripts/docs-guides.mjs type-checks the code
// blocks of README.md and docs/*.md. Fails when an example stops compiling or throws.
//
//   node scripts/docs.mjs                 every package and the guides, two at a time
//   node scripts/docs.mjs client guides   only these
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { availableParallelism } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const bin = join(root, "node_modules", ".bin")
const wanted = process.argv.slice(2)
const packages = ["client", "client-node", "testing", "ai"]
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .filter((name) => existsSync(join(root, "packages", name, "docgen.json")))

// no package takes more than a minute alone; this is for an example that never ends
const limit = Number(process.env.DOCS_TIMEOUT_SECONDS ?? 300)
// the process groups running, ended with this script on Ctrl-C
const running = new Set()
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const pid of running) process.kill(-pid, "SIGKILL")
    process.exit(130)
  })
}

const guides = wanted.length === 0 || wanted.includes("guides")

const run = (name) =>
  new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(
      name === "guides" ? process.execPath : join(bin, "docgen"),
      name === "guides" ? [join(root, "scripts", "docs-guides.mjs")] : [],
      {
        cwd: name === "guides" ? root : join(root, "packages", name),
        // docgen calls `tsc` and `tsx` by name
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        stdio: ["ignore", "pipe", "pipe"],
        // its own process group, so that a hung example (docgen runs them with tsx) can be ended with it
        detached: true
      }
    )
    running.add(child.pid)
    let timedOut = false
    const watchdog = setTimeout(() => {
      timedOut = true
      process.kill(-child.pid, "SIGKILL")
    }, limit * 1000)
    let output = ""
    child.stdout.on("data", (chunk) => output += chunk)
    child.stderr.on("data", (chunk) => output += chunk)
    child.on("close", (code) => {
      clearTimeout(watchdog)
      running.delete(child.pid)
      if (timedOut) output += `\nstopped after ${limit} s: an example never finished`
      const seconds = ((performance.now() - started) / 1000).toFixed(1)
      const examples = /(\d+) example\(s\) found/.exec(output)?.[1] ?? "0"
      if (code === 0) {
        console.log(name === "guides" ? output.trim() : `docs: ${name}: ${examples} examples checked (${seconds} s)`)
      } else {
        console.error(name === "guides" ? output.trim() : `docs: ${name} FAILED (${seconds} s):\n${output}`)
      }
      resolve(code === 0)
    })
  })

const started = performance.now()
// the slowest first
const queue = guides
  ? [packages[0], "guides", ...packages.slice(1)].filter((name) => name !== undefined)
  : [...packages]
const results = []
const worker = async () => {
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) results.push(await run(name))
}
await Promise.all(Array.from({ length: Math.min(2, availableParallelism()) }, worker))
const seconds = ((performance.now() - started) / 1000).toFixed(1)
if (results.every(Boolean)) {
  console.log(`docs: ${packages.length} packages${guides ? " and the guides" : ""} in ${seconds} s`)
} else {
  console.error(`docs: failed (${seconds} s)`)
  process.exitCode = 1
}
