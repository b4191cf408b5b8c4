import { mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

// the bench is plain JavaScript run by node; its smoke test is too
export default mergeConfig(shared, { test: { name: "bench", include: ["test/**/*.test.mjs"] } })
