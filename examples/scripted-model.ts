import { MockLanguageModelV4 } from "ai/test";

/**
 * A model that follows a script, for running an agent loop with no provider and no network: the AI SDK's own test
 * model, answering each step with the tool call (or the text) the script gives for what the last tool returned.
 * Put your provider's model in its place (`openai("gpt-5")` from `@ai-sdk/openai`, `anthropic(...)`, ...).
 */

/** One step of the script: from the last tool result the model read, its next tool call, or its final text. */
export type ScriptStep = (last: unknown) => { tool: string; input: Record<string, unknown> } | { text: string };

type CallOptions = Parameters<MockLanguageModelV4["doGenerate"]>[0];

const usage = {
  inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 0, text: 0, reasoning: 0 },
};

/** The output of the last tool result in the prompt: what the model was given back. */
function lastToolOutput(options: CallOptions): unknown {
  for (const message of [...options.prompt].reverse()) {
    if (message.role !== "tool") continue;
    for (const part of message.content) {
      if (part.type === "tool-result" && part.output.type === "json") return part.output.value;
      if (part.type === "tool-result" && part.output.type === "text") return part.output.value;
    }
  }
  return undefined;
}

export function scriptedModel(script: ScriptStep[]): MockLanguageModelV4 {
  let at = 0;
  return new MockLanguageModelV4({
    doGenerate: async (options) => {
      const next = script[at++]?.(lastToolOutput(options)) ?? { text: "The script has ended." };
      if ("text" in next) {
        return {
          content: [{ type: "text", text: next.text }],
          finishReason: { unified: "stop", raw: "stop" },
          usage,
          warnings: [],
        };
      }
      return {
        content: [
          { type: "tool-call", toolCallId: `call-${at}`, toolName: next.tool, input: JSON.stringify(next.input) },
        ],
        finishReason: { unified: "tool-calls", raw: "tool_calls" },
        usage,
        warnings: [],
      };
    },
  });
}
