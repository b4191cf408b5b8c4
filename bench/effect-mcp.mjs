// This library behind the bench's Promise interface, in a module of its own so that the shared
// harness's adapter loads only what the library needs.
import { NodeMcpClient } from "@effect-mcp/client-node"
import { Effect, Exit, Scope } from "effect"

/**
 * A session of this library on any connection source; every call pays its Effect.runPromise.
 * `options` are the client's (`protocol`: "legacy", "auto", "2026-07-28").
 */
export const connectEffectMcp = async (source, options) => {
  const scope = await Effect.runPromise(Scope.make())
  const client = await Effect.runPromise(Scope.extend(NodeMcpClient.make(source, options), scope)).catch(
    async (error) => {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      throw error
    }
  )
  return {
    // the shared harness's interface: opts.onProgress
    callTool: (name, args, opts) =>
      Effect.runPromise(
        client.callToolRaw(
          name,
          args,
          opts?.onProgress ? { onProgress: (progress) => Effect.sync(() => opts.onProgress(progress)) } : undefined
        )
      ),
    listTools: () => Effect.runPromise(client.listTools),
    // the same echo calls made from an Effect program (one runPromise for all): what Effect code pays
    effectThroughput: (calls, inFlight) => {
      let left = calls
      const echo = (text) =>
        Effect.flatMap(
          client.callToolRaw("echo", { text }),
          (result) => result.content[0]?.text === text ? Effect.void : Effect.die(new Error("wrong result: echo"))
        )
      const worker = Effect.suspend(() => (left-- > 0 ? Effect.zipRight(echo("ping"), worker) : Effect.void))
      const started = performance.now()
      return Effect.runPromise(
        Effect.all(Array.from({ length: inFlight }, () => worker), { concurrency: "unbounded", discard: true })
      ).then(() => calls / ((performance.now() - started) / 1000))
    },
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}
