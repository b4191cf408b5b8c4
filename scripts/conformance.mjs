// `npm run conformance [-- scenario...]`: the official MCP conformance suites (in conformance/), one
// scenario at a time, against scripts/conformance-client.mjs.
// - 0.1.16: every client scenario, each at the wire the suite picks (2025-11-25 handshake); all must pass.
// - 0.2.0-alpha.12 (npm alias conformance-next): every client scenario (48), at the 2026-07-28 wire where it
//   applies (--spec-version; the suite hands that version to the client in MCP_CONFORMANCE_PROTOCOL_VERSION;
//   extensions forced there, as `--requirements 2026-07-28` does), else at the suite's default wire; all must
//   pass, and REQUIRED_NEXT must be among them.
// Scenario names given as arguments filter every suite.
// A scenario passes when the suite says so AND it scored at least one check (a client that never connects
// passes some scenarios otherwise), and auth/resource-mismatch must show that discovery ran.
// The suites need Node >= 22: conformance/ installs the npm package node@24 beside them.
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const WIRE = "2026-07-28"
const REQUIRED_NEXT = [
  "request-metadata",
  "tools_call",
  "http-standard-headers",
  "http-custom-headers",
  "http-invalid-tool-headers",
  "json-schema-ref-no-deref",
  "json-schema-2020-12-preservation",
  "sep-2322-client-request-state"
]

const root = fileURLToPath(new URL("..", import.meta.url))
const suiteDir = join(root, "conformance")
const modules = join(suiteDir, "node_modules")
const node24 = join(modules, ".bin", "node")
const stable = { version: "0.1.16", cli: join(modules, "@modelcontextprotocol", "conformance", "dist", "index.js") }
const next = { version: "0.2.0-alpha.12", cli: join(modules, "conformance-next", "dist", "index.js") }

const installed = () => [node24, stable.cli, next.cli].every((file) => existsSync(file))
if (!installed()) execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: suiteDir, stdio: "inherit" })
if (!installed()) {
  console.error(`the conformance suites or their Node are missing after npm ci in ${suiteDir}`)
  process.exit(1)
}

const only = process.argv.slice(2)
const wanted = (name) => only.length === 0 || only.includes(name)

/** The client scenarios a suite lists, with the spec versions it tags each with ("[2025-11-25,2026-07-28]"). */
const list = (suite) => {
  const listed = execFileSync(node24, [suite.cli, "list", "--client"], { encoding: "utf8" })
  const tagged = [...listed.matchAll(/^\s+- (\S+)(?: \[(.*)\])?/gm)]
  return tagged.map(([, name, versions = ""]) => ({ name, versions: versions.split(",") }))
}

const client = `${process.execPath} ${join(root, "scripts", "conformance-client.mjs")}`

/** Runs one scenario, prints one line, and says whether it passed. */
const run = (suite, scenario, wireArgs, label) => {
  const out = mkdtempSync(join(tmpdir(), "effect-mcp-conformance-"))
  const result = spawnSync(
    node24,
    [suite.cli, "client", "--command", client, "--scenario", scenario, ...wireArgs, "-o", out],
    { encoding: "utf8", timeout: 120_000 }
  )
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
  const ok = result.status === 0 && scored.length > 0 && bad.length === 0 && discovery
  console.log(
    `${label}  ${ok ? "pass" : "FAIL"}  ${scenario}  (${scored.length - bad.length}/${scored.length} checks${
      bad.length > 0 ? `; failed: ${[...new Set(bad.map((c) => c.id))].join(", ")}` : ""
    }${scored.length === 0 ? "; no scored checks" : ""})`
  )
  return ok
}

const summaries = []
let failedRequired = 0

// 0.1.16: everything, each at the wire the suite chooses
const stableScenarios = list(stable).filter((s) => wanted(s.name))
let passed = 0
for (const { name } of stableScenarios) if (run(stable, name, [], stable.version)) passed++
failedRequired += stableScenarios.length - passed
summaries.push(`${stable.version}: ${passed} passed, ${stableScenarios.length - passed} failed`)

// 0.2.0-alpha.12: every client scenario the suite lists, at the 2026-07-28 wire where it tags the scenario with
// it (extensions forced there, as `--requirements 2026-07-28` does), else at the suite's default wire
const nextScenarios = list(next)
const missing = REQUIRED_NEXT.filter((name) => wanted(name) && !nextScenarios.some((s) => s.name === name))
for (const name of missing) console.log(`${next.version} @${WIRE}  FAIL  ${name}  (not listed by the suite)`)
const chosen = nextScenarios.filter((s) => wanted(s.name))
passed = 0
for (const { name, versions } of chosen) {
  const wireArgs = versions.includes(WIRE)
    ? ["--spec-version", WIRE]
    : versions.includes("extension")
    ? ["--spec-version", WIRE, "--force"]
    : []
  if (run(next, name, wireArgs, `${next.version} @${wireArgs.length > 0 ? WIRE : "default"}`)) passed++
}
failedRequired += missing.length + chosen.length - passed
summaries.push(`${next.version}: ${passed} passed, ${missing.length + chosen.length - passed} failed`)

if (stableScenarios.length + chosen.length === 0) {
  console.error(`no scenario matches ${only.join(" ")}`)
  process.exit(1)
}
for (const line of summaries) console.log(line)
process.exit(failedRequired === 0 ? 0 : 1)
