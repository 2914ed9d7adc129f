/**
 * An agent loop with the AI SDK over cloudflare-artifacts/tools: the model reads a file, commits an edit on a branch
 * of its own, looks at the diff and merges it, each step a tool call whose result it reads back. A scripted model
 * stands in for yours (put `openai("gpt-5")` or any AI SDK model in `model`); the tools are the real ones.
 *
 *   npx tsx examples/agent-tools.ts   # against a local Artifacts server (or your account, as npm run example)
 */
import { generateText, isStepCount } from "ai";
import { createRepo } from "cloudflare-artifacts";
import { commitFiles } from "cloudflare-artifacts/git";
import { artifactsTools, toAiSdkTools } from "cloudflare-artifacts/tools";
import { scriptedModel } from "./scripted-model.js";
import { deleteRepos, exampleTarget, orFail, step } from "./setup.js";

const target = await exampleTarget();
const { client } = target;
const repo = target.unique("agent-tools");
const author = { name: "Example", email: "example@example.com" };
let failed = false;

console.log(`Agent loop against ${target.description}`);
try {
  await step(`create ${repo} with a TODO list`, async () => {
    await orFail(createRepo(client, { name: repo }));
    return orFail(commitFiles(client, repo, { message: "todo", author, files: { "TODO.md": "- [ ] write docs\n" } }));
  });

  // What the model does, one tool call a step: each step sees what the last tool returned.
  type Read = { result: { files: { text: string }[] } };
  const model = scriptedModel([
    () => ({ tool: "read_files", input: { repo, paths: ["TODO.md"] } }),
    (read) => ({
      tool: "commit_files",
      input: {
        repo,
        branch: "agent/docs",
        from: "main",
        message: "Tick off the docs",
        files: {
          "TODO.md": (read as Read).result.files[0]?.text.replace("[ ]", "[x]") ?? "",
          "docs/README.md": "# Docs\n",
        },
      },
    }),
    () => ({ tool: "diff_refs", input: { repo, from: "main", to: "agent/docs" } }),
    () => ({ tool: "merge_refs", input: { repo, from: "agent/docs", into: "main" } }),
    (merge) => ({ text: `Merged: ${JSON.stringify((merge as { result: unknown }).result)}` }),
  ]);

  const tools = toAiSdkTools(artifactsTools(client, { author: { name: "Docs Agent", email: "agent@example.com" } }));
  const run = await step("run the agent loop (read → commit → diff → merge)", () =>
    generateText({ model, tools, stopWhen: isStepCount(10), prompt: `Tick off the docs item in ${repo}'s TODO.md.` }),
  );
  for (const { toolCalls, toolResults } of run.steps) {
    for (const [index, call] of toolCalls.entries()) {
      const done = toolResults[index]?.output as { isError: boolean } | undefined;
      console.log(
        `  ${call.toolName}(${JSON.stringify(call.input).slice(0, 60)}…) → ${done?.isError ? "error" : "ok"}`,
      );
    }
  }
  console.log(`  the model: ${run.text}`);
  if (run.steps.some((done) => done.toolResults.some((result) => (result.output as { isError: boolean }).isError))) {
    throw new Error("a tool call failed");
  }
} catch (error) {
  failed = true;
  console.error(`  error: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  if (!(await deleteRepos(client, [repo]))) failed = true;
  await target.close();
}
console.log(failed ? "Agent loop FAILED" : "Agent loop complete");
process.exitCode = failed ? 1 : 0;
