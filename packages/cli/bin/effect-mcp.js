#!/usr/bin/env node
// The command npm links (it must exist before the build, or npm links nothing); the CLI itself is
// built into dist/, which `npm install` does in this repository (the root's prepare script).
import("../dist/bin.js").catch((error) => {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist/bin.js")) throw error
  console.error("effect-mcp is not built yet: run `npm run build` at the repository's root")
  process.exit(70)
})
