// `npm run conformance`: every client scenario of the pinned suite (@modelcontextprotocol/conformance
// 0.1.16, in conformance/), one at a time, against scripts/conformance-client.mjs. A scenario passes when
// the suite says so AND it scored at least one check (a client that never connects passes some scenarios
// otherwise), and auth/resource-mismatch must show that discovery ran. Ends with "N passed, M failed".
// The suite needs Node >= 22: conformance/ installs the npm package node@24 beside it.
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const suiteDir = join(root, "conformance")
const node24 = join(suiteDir, "node_modules", ".bin", "node")
const cli = join(suiteDir, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js")

if (!existsSync(cli) || !existsSync(node24)) {
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: suiteDir, stdio: "inherit" })
}
if (!existsSync(cli) || !existsSync(node24)) {
  console.error(`the conformance suite or its Node is missing after npm ci in ${suiteDir}`)
  process.exit(1)
}

const only = process.argv.slice(2)
const listed = execFileSync(node24, [cli, "list", "--client"], { encoding: "utf8" })
const scenarios = [...listed.matchAll(/^\s+- (\S+)/gm)].map((m) => m[1]).filter((s) =>
  only.length === 0 || only.includes(s)
)

const client = `${process.execPath} ${join(root, "scripts", "conformance-client.mjs")}`
let passed = 0
const failed = []
for (const scenario of scenarios) {
  const out = mkdtempSync(join(tmpdir(), "effect-mcp-conformance-"))
  const run = spawnSync(node24, [cli, "client", "--command", client, "--scenario", scenario, "-o", out], {
    encoding: "utf8",
    timeout: 120_000
  })
  let checks = []
  try {
    const file = execFileSync("find", [out, "-name", "checks.json"], { encoding: "utf8" }).trim().split("\n")[0]
    checks = file ? JSON.parse(readFileSync(file, "utf8")) : []
  } catch {
    checks = []
  }
  rmSync(out, { recursive: true, force: true })
  const scored = checks.filter((c) => ["SUCCESS", "FAILURE", "WARNING"].includes(c.status))
  const bad = scored.filter((c) => c.status !== "SUCCESS")
  const discovery = scenario !== "auth/resource-mismatch" ||
    checks.some((c) => c.id === "prm-pathbased-requested" && c.status === "SUCCESS")
  const ok = run.status === 0 && scored.length > 0 && bad.length === 0 && discovery
  if (ok) passed++
  else failed.push(scenario)
  console.log(
    `${ok ? "pass" : "FAIL"}  ${scenario}  (${scored.length - bad.length}/${scored.length} checks${
      bad.length > 0 ? `; failed: ${bad.map((c) => c.id).join(", ")}` : ""
    }${scored.length === 0 ? "; no scored checks" : ""})`
  )
}
console.log(`${passed} passed, ${failed.length} failed`)
process.exit(failed.length === 0 ? 0 : 1)
