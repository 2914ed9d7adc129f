import type { ArtifactsTool, ToolResult } from "./tool.js";

/**
 * A tool as the AI SDK's `generateText({ tools })` takes it (the `ai` package, version 5 and later), with no import
 * of `ai`: its input schema is a Standard JSON Schema (`~standard.jsonSchema`), which the AI SDK reads as it reads
 * valibot's or zod's.
 *
 * @example
 * const tools: Record<string, AiSdkTool> = toAiSdkTools(artifactsTools({ client, repo: "notes" }));
 */
export interface AiSdkTool {
  description: string;
  inputSchema: {
    "~standard": {
      version: 1;
      vendor: string;
      /** Lets every value through: the tool checks its input itself and answers a bad one as a result. */
      validate(value: unknown): { value: unknown };
      jsonSchema: {
        /** The tool's input schema (a copy). */
        input(options?: unknown): Record<string, unknown>;
        /** The same schema. */
        output(options?: unknown): Record<string, unknown>;
      };
    };
  };
  /** Runs the tool; the AI SDK's `abortSignal` aborts it. */
  execute(input: unknown, options?: { abortSignal?: AbortSignal }): Promise<ToolResult>;
}

/**
 * The tools as the AI SDK's `tools` record, by name. The input is checked by the tool itself (so a model's bad input
 * comes back to it as a result with `isError: true` it can correct, not as an SDK exception); each result is the
 * tool's `ToolResult`.
 *
 * @example
 * const { text } = await generateText({ model, tools: toAiSdkTools(artifactsTools(client)), prompt });
 */
export function toAiSdkTools(tools: readonly ArtifactsTool[]): Record<string, AiSdkTool> {
  const record: Record<string, AiSdkTool> = {};
  for (const tool of tools) {
    // A copy each time: the AI SDK adds to the schema it is given.
    const schema = () => structuredClone(tool.inputSchema);
    record[tool.name] = {
      description: tool.description,
      inputSchema: {
        "~standard": {
          version: 1,
          vendor: "cloudflare-artifacts",
          validate: (value) => ({ value }),
          jsonSchema: { input: schema, output: schema },
        },
      },
      execute: (input, options) => tool.execute(input, { signal: options?.abortSignal }),
    };
  }
  return record;
}
