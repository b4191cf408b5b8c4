/**
 * A token store in a file, so that a client's OAuth credentials outlive the
 * process (as a CLI's must): one JSON file, an entry per MCP server, each
 * holding the credentials of every authorization server it used, keyed by
 * issuer. The file is readable by the user only, and replaced whole on each
 * save (written beside it, then renamed), so a crash never leaves half of it.
 *
 * @example
 * ```ts
 * import { McpAuth, McpClient } from "@effect-mcp/client"
 * import { NodeTokenStore } from "@effect-mcp/client-node"
 * import * as Os from "node:os"
 * import * as Path from "node:path"
 * import { Effect, Layer } from "effect"
 *
 * const credentials = Path.join(Os.homedir(), ".config", "my-tool", "mcp-credentials.json")
 *
 * // every headless provider made in this layer keeps its credentials in that file
 * const Client = Layer.unwrapEffect(Effect.gen(function*() {
 *   const authProvider = yield* McpAuth.headless({
 *     redirectUrl: "http://127.0.0.1:8976/callback",
 *     clientMetadata: { client_name: "my tool", redirect_uris: ["http://127.0.0.1:8976/callback"] }
 *   })
 *   return McpClient.layer({ url: "https://mcp.example.com/mcp", authProvider })
 * })).pipe(Layer.provide(NodeTokenStore.layerFile(credentials)))
 * ```
 *
 * @since 0.1.0
 */
import * as McpAuth from "@effect-mcp/client/McpAuth"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Path from "node:path"

/**
 * A `KeyValueStore` of strings in one JSON file (mode 0600, atomic writes);
 * writes from this process are one at a time.
 *
 * @since 0.4.0
 * @category constructors
 */
export const makeKeyValueStore = (
  path: string
): Effect.Effect<KeyValueStore.KeyValueStore, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const lock = yield* Effect.makeSemaphore(1)
    // an unreadable or foreign file reads as empty: the next save replaces it
    const read = fs.readFileString(path).pipe(
      Effect.map((text): Record<string, string> => {
        try {
          const parsed: unknown = JSON.parse(text)
          if (!Predicate.isRecord(parsed)) return {}
          return Object.fromEntries(Object.entries(parsed).filter(([, value]) => typeof value === "string")) as Record<
            string,
            string
          >
        } catch {
          return {}
        }
      }),
      Effect.catchIf((error) => error._tag === "SystemError" && error.reason === "NotFound", () =>
        Effect.succeed<Record<string, string>>({}))
    )
    const write = (entries: Record<string, string>) =>
      Effect.gen(function*() {
        yield* fs.makeDirectory(Path.dirname(path), { recursive: true })
        const temporary = `${path}.${process.pid}.tmp`
        yield* fs.writeFileString(temporary, JSON.stringify(entries), { mode: 0o600 })
        yield* fs.rename(temporary, path)
      })
    const change = (f: (entries: Record<string, string>) => Record<string, string>) =>
      lock.withPermits(1)(Effect.flatMap(read, (entries) =>
        write(f(entries))))
    return KeyValueStore.makeStringOnly({
      get: (key) =>
        Effect.map(read, (entries) => Option.fromNullable(Object.hasOwn(entries, key) ? entries[key] : undefined)),
      set: (key, value) => change((entries) => ({ ...entries, [key]: value })),
      remove: (key) =>
        change((entries) => Object.fromEntries(Object.entries(entries).filter(([name]) => name !== key))),
      clear: change(() => ({})),
      size: Effect.map(read, (entries) => Object.keys(entries).length)
    })
  })

/**
 * A token store in `path`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const file = (path: string): Effect.Effect<McpAuth.TokenStoreService> =>
  makeKeyValueStore(path).pipe(Effect.map(McpAuth.fromKeyValueStore), Effect.provide(NodeFileSystem.layer))

/**
 * The context's `TokenStore` in `path`.
 *
 * @since 0.4.0
 * @category layers
 */
export const layerFile = (path: string): Layer.Layer<McpAuth.TokenStore> => Layer.effect(McpAuth.TokenStore, file(path))
