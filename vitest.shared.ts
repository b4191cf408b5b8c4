import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: {
    conditions: ["@effect-mcp/source"]
  },
  ssr: {
    resolve: {
      conditions: ["@effect-mcp/source"]
    }
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
