/**
 * A token store in a file, so that a client's OAuth credentials outlive the
 * process (as a CLI's must).
 *
 * @since 0.1.0
 */
import type * as McpAuth from "@effect-mcp/client/McpAuth"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"

/**
 * Keeps the credentials as JSON in `path`, readable by the user only.
 *
 * @since 0.1.0
 * @category constructors
 */
export const file = (path: string): McpAuth.TokenStore => ({
  load: async () => {
    try {
      return JSON.parse(await Fs.readFile(path, "utf8"))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
      throw error
    }
  },
  save: async (credentials) => {
    await Fs.mkdir(Path.dirname(path), { recursive: true })
    const temporary = `${path}.${process.pid}.tmp`
    await Fs.writeFile(temporary, JSON.stringify(credentials), { mode: 0o600 })
    await Fs.rename(temporary, path)
  }
})
