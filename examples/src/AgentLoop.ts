/**
 * An agent loop over every server of an `mcp.json`: the model sees the tools
 * of all servers under catalogue names (`files_read_text_file`), calls them,
 * reads their results, and answers. Each turn gets the tools the servers have
 * then: a server that adds a tool, or goes down, changes what the model sees
 * without a restart.
 */
import { McpToolkit } from "@effect-mcp/ai"
import { McpGroup } from "@effect-mcp/client"
import { Chat, type LanguageModel } from "@effect/ai"
import { Data, Effect } from "effect"

export class AgentGaveUp extends Data.TaggedError("AgentGaveUp")<{
  readonly turns: number
}> {}

/** What the agent did: the tools it called (by catalogue name, with whether they failed) and its answer. */
export interface AgentRun {
  readonly calls: ReadonlyArray<{ readonly tool: string; readonly failed: boolean }>
  readonly answer: string
}

/**
 * Asks the model until it answers without calling a tool, at most `maxTurns`
 * times. A tool that fails (a server down, an `isError` result) goes back to
 * the model as a failed result, so it can try another way.
 */
export const runAgent = (question: string, maxTurns = 8) =>
  Effect.gen(function*() {
    const group = yield* McpGroup.McpGroup
    const toolkit = yield* McpToolkit.live(group)
    const chat = yield* Chat.empty
    const calls: Array<{ readonly tool: string; readonly failed: boolean }> = []
    let prompt: string | ReadonlyArray<never> = question
    for (let turn = 1; turn <= maxTurns; turn++) {
      const response = yield* chat.generateText({ prompt, toolkit })
      for (const result of response.toolResults) calls.push({ tool: result.name, failed: result.isFailure })
      if (response.toolCalls.length === 0) return { calls, answer: response.text } satisfies AgentRun
      // the tool results are in the chat's history: the next turn only asks the model to go on
      prompt = []
    }
    return yield* new AgentGaveUp({ turns: maxTurns })
  }).pipe(Effect.scoped) satisfies Effect.Effect<AgentRun, unknown, McpGroup.McpGroup | LanguageModel.LanguageModel>
