import { join } from "node:path";
import { generateText, isStepCount } from "ai";
import { describe, expect, it } from "vitest";
import { scriptedModel } from "../../examples/scripted-model.js";
import { diffRefs, readFiles } from "../../src/git/index.js";
import { createRepo } from "../../src/index.js";
import { artifactsTools, toAiSdkTools } from "../../src/tools/index.js";
import { gitCli } from "../support/git.js";
import { useLocalServer } from "../support/local-server.js";

/**
 * The tool set under the AI SDK's `generateText`, driven by its own test model through a script: read → commit →
 * diff → merge. Each result the model reads back is what the call returned; git judges what was pushed.
 */

const local = useLocalServer();
const bare = (repo: string) => join(local.server.dataDir, `${local.server.state.findRepo("default", repo)?.id}.git`);
const head = async (repo: string, branch: string) =>
  (await gitCli(["--git-dir", bare(repo), "rev-parse", `refs/heads/${branch}`])).stdout.trim();

type Output = { isError: boolean; result: Record<string, unknown>; error?: unknown };

describe("toAiSdkTools under generateText", () => {
  it("runs a scripted model through read → commit → diff → merge, each result what the call returned", async () => {
    const repo = "ai-loop";
    (await createRepo(local.client, { name: repo }))._unsafeUnwrap();
    const tools = artifactsTools(local.client, { author: { name: "Ada Agent", email: "ada@example.com" } });
    await tools
      .find((tool) => tool.name === "commit_files")
      ?.execute({
        repo,
        message: "todo",
        files: { "TODO.md": "- [ ] docs\n" },
      });

    const seen: unknown[] = [];
    const model = scriptedModel([
      () => ({ tool: "read_files", input: { repo, paths: ["TODO.md"] } }),
      (read) => {
        seen.push(read);
        const text = (read as { result: { files: { text: string }[] } }).result.files[0]?.text ?? "";
        return {
          tool: "commit_files",
          input: {
            repo,
            branch: "agent",
            from: "main",
            message: "done",
            files: { "TODO.md": text.replace("[ ]", "[x]") },
          },
        };
      },
      (commit) => {
        seen.push(commit);
        return { tool: "diff_refs", input: { repo, from: "main", to: "agent" } };
      },
      (diff) => {
        seen.push(diff);
        return { tool: "merge_refs", input: { repo, from: "agent", into: "main", fastForward: "never" } };
      },
      (merge) => {
        seen.push(merge);
        return { text: "merged" };
      },
    ]);
    const run = await generateText({
      model,
      tools: toAiSdkTools(tools),
      stopWhen: isStepCount(10),
      prompt: "Tick off the docs item.",
    });
    expect(run.text).toBe("merged");
    expect(run.steps.flatMap((step) => step.toolCalls.map((call) => call.toolName))).toEqual([
      "read_files",
      "commit_files",
      "diff_refs",
      "merge_refs",
    ]);
    const outputs = run.steps.flatMap((step) => step.toolResults.map((result) => result.output as Output));
    expect(outputs.map((output) => output.isError)).toEqual([false, false, false, false]);
    // What the model read back is what generateText's tool results hold.
    expect(seen).toEqual(outputs);

    const [read, commit, diff, merge] = outputs.map((output) => output.result);
    const before = (await readFiles(local.client, repo, { ref: commit?.commit as string }))._unsafeUnwrap();
    expect(new TextDecoder().decode(before.files.get("TODO.md"))).toBe("- [x] docs\n");
    expect(read).toMatchObject({ files: [{ path: "TODO.md", text: "- [ ] docs\n", size: 11 }] });
    expect(commit?.commit).not.toBe(read?.commit);

    const diffed = (
      await diffRefs(local.client, repo, { from: read?.commit as string, to: "agent", contents: true })
    )._unsafeUnwrap();
    expect(diff).toEqual({
      from: diffed.from,
      to: diffed.to,
      changes: diffed.changes.map((change) => ({ ...change })),
    });
    expect(merge).toMatchObject({ fastForward: false, parents: [read?.commit, commit?.commit] });
    expect(merge?.commit).toBe(await head(repo, "main"));
    expect(commit?.commit).toBe(await head(repo, "agent"));
  });

  it("hands a bad input back to the model as a result it can correct, not an exception", async () => {
    const model = scriptedModel([
      () => ({ tool: "read_files", input: { paths: "TODO.md" } }),
      (refused) => ({ text: JSON.stringify(refused) }),
    ]);
    const run = await generateText({
      model,
      tools: toAiSdkTools(artifactsTools(local.client)),
      stopWhen: isStepCount(3),
      prompt: "Read TODO.md.",
    });
    expect(JSON.parse(run.text)).toMatchObject({ isError: true, error: { _tag: "InvalidInputError", field: "repo" } });
  });
});
