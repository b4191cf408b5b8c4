// This library behind the bench's Promise interface, in a module of its own so that the shared
// harness's adapter loads only what the library needs.
import { NodeMcpClient } from "@effect-mcp/client-node"
import { Effect, Exit, Scope, Tracer } from "effect"

/**
 * A tracer that keeps the spans in memory, as a program exporting them would hand them over, without the
 * export: Effect's native spans, the last 10,000 kept.
 */
export const memoryTracer = () => {
  const native = Effect.runSync(Effect.tracer)
  let kept = []
  return Tracer.make({
    span: (...args) => {
      const span = native.span(...args)
      if (kept.length >= 10_000) kept = []
      kept.push(span)
      return span
    },
    context: native.context
  })
}

/**
 * A session of this library on any connection source; every call pays its Effect.runPromise.
 * `options` are the client's (`protocol`: "legacy", "auto", "2026-07-28"); with `tracer`, every
 * effect runs under it (the client then traces in full).
 */
export const connectEffectMcp = async (source, options, tracer) => {
  const run = tracer === undefined
    ? Effect.runPromise
    : (effect) => Effect.runPromise(Effect.withTracer(effect, tracer))
  const scope = await Effect.runPromise(Scope.make())
  const client = await run(Scope.extend(NodeMcpClient.make(source, options), scope)).catch(
    async (error) => {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      throw error
    }
  )
  return {
    // the shared harness's interface: opts.onProgress
    callTool: (name, args, opts) =>
      run(
        client.callToolRaw(
          name,
          args,
          opts?.onProgress ? { onProgress: (progress) => Effect.sync(() => opts.onProgress(progress)) } : undefined
        )
      ),
    listTools: () => run(client.listTools),
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
      return run(
        Effect.all(Array.from({ length: inFlight }, () => worker), { concurrency: "unbounded", discard: true })
      ).then(() => calls / ((performance.now() - started) / 1000))
    },
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}
