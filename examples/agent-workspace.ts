/**
 * Agents' workspaces: fork a shared baseline per agent, let each commit to its fork, diff each fork against the
 * baseline, merge the first (a fast-forward) and the second (three-way) back, then see a third agent's conflicting
 * edit reported and resolve it with `commitFiles`. No clone, no git binary, no disk.
 *
 *   npx tsx examples/agent-workspace.ts   # against a local Artifacts server (or your account, as npm run example)
 */
import { inspect } from "node:util";
import { createRepo, forkRepo, waitForRepo } from "cloudflare-artifacts";
import { commitFiles, diffRefs, listRefs, mergeRefs, readFiles } from "cloudflare-artifacts/git";
import { deleteRepos, exampleTarget, orFail, step } from "./setup.js";

const target = await exampleTarget();
const { client } = target;
const baseline = target.unique("baseline");
const workspace = target.unique("agent");
const second = target.unique("agent-b");
const third = target.unique("agent-c");
const author = { name: "Workspace Agent", email: "agent@example.com" };
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const toDelete: string[] = [];
let failed = false;

console.log(`Agent workspace against ${target.description}`);
try {
  await step(`create the baseline ${baseline}`, () => orFail(createRepo(client, { name: baseline })));
  toDelete.push(baseline);
  const seeded = await step("seed it with a task and a config", () =>
    orFail(
      commitFiles(client, baseline, {
        message: "Baseline",
        author,
        files: { "TASK.md": "Summarise the notes.\n", "config/agent.json": '{ "model": "small" }\n' },
      }),
    ),
  );

  await step(`fork it into ${workspace}`, async () => {
    await orFail(forkRepo(client, baseline, { name: workspace, default_branch_only: true }));
    toDelete.push(workspace);
    return orFail(waitForRepo(client, workspace));
  });

  const edit = await step("the agent commits its edits to the fork (compare-and-swap on the forked head)", () =>
    orFail(
      commitFiles(client, workspace, {
        message: "Agent: summary and a new config",
        author,
        files: { "out/summary.md": "# Summary\n\nNothing to report.\n", "config/agent.json": '{ "model": "large" }\n' },
        parent: seeded.commit,
      }),
    ),
  );
  console.log(`  commit ${edit.commit}, parent ${edit.parent}`);

  await step("read the agent's work back", async () => {
    const { files } = await orFail(readFiles(client, workspace, { paths: ["out/", "config/agent.json"] }));
    for (const [path, bytes] of files) console.log(`  ${path}: ${JSON.stringify(text(bytes))}`);
    if (!text(files.get("config/agent.json")).includes("large")) throw new Error("the edit is missing");
  });

  await step("the baseline is untouched", async () => {
    const { commit, files } = await orFail(readFiles(client, baseline));
    if (commit !== seeded.commit || files.has("out/summary.md")) throw new Error("the baseline changed");
    console.log(`  still at ${commit}: ${[...files.keys()].join(", ")}`);
  });

  await step(`two more agents fork the baseline: ${second}, ${third}`, async () => {
    for (const name of [second, third]) {
      await orFail(forkRepo(client, baseline, { name, default_branch_only: true }));
      toDelete.push(name);
      await orFail(waitForRepo(client, name));
    }
    await orFail(
      commitFiles(client, second, {
        message: "Agent B: a task note",
        author,
        files: { "TASK.md": "Summarise the notes.\nKeep it short.\n" },
      }),
    );
    await orFail(
      commitFiles(client, third, {
        message: "Agent C: another model",
        author,
        files: { "config/agent.json": '{ "model": "medium" }\n' },
      }),
    );
  });

  await step("diff each fork against the baseline", async () => {
    for (const name of [workspace, second, third]) {
      const { changes } = await orFail(diffRefs(client, name, { from: { repo: baseline }, to: "main" }));
      console.log(`  ${name}: ${changes.map((change) => `${change.status} ${change.path}`).join(", ")}`);
    }
  });

  await step("merge the first agent's work: a fast-forward", async () => {
    const merged = await orFail(mergeRefs(client, baseline, { from: { repo: workspace }, into: "main", author }));
    if (!merged.fastForward) throw new Error("expected a fast-forward");
    console.log(`  baseline at ${merged.commit}: ${merged.changed.join(", ")}`);
  });

  await step("merge the second agent's work: three-way, both kept", async () => {
    const merged = await orFail(mergeRefs(client, baseline, { from: { repo: second }, into: "main", author }));
    console.log(`  merge commit ${merged.commit}, parents ${merged.parents.join(" ")}`);
    const { files } = await orFail(readFiles(client, baseline, { paths: ["TASK.md", "config/agent.json"] }));
    if (!text(files.get("TASK.md")).includes("short") || !text(files.get("config/agent.json")).includes("large")) {
      throw new Error("the merge lost an agent's edit");
    }
  });

  await step("the third agent's edit conflicts: reported, resolved with commitFiles", async () => {
    const attempt = await mergeRefs(client, baseline, { from: { repo: third }, into: "main", author });
    if (attempt.isOk() || attempt.error._tag !== "MergeConflict") throw new Error("expected a MergeConflict");
    for (const conflict of attempt.error.conflicts) {
      console.log(
        `  ${conflict.kind} ${conflict.path}: ours ${JSON.stringify(text(conflict.ours))}, theirs ${JSON.stringify(text(conflict.theirs))}`,
      );
    }
    const { branches } = await orFail(listRefs(client, baseline));
    const resolved = await orFail(
      commitFiles(client, baseline, {
        message: "Resolve: the third agent's model, as reviewed",
        author,
        files: { "config/agent.json": '{ "model": "medium" }\n' },
        parent: branches.main, // nobody else moved it meanwhile
      }),
    );
    console.log(`  resolved at ${resolved.commit}`);
  });
} catch (error) {
  failed = true;
  console.error(`  error: ${inspect(error, { depth: 4 })}`);
} finally {
  if (!(await deleteRepos(client, toDelete))) failed = true;
  await target.close();
}

console.log(failed ? "Agent workspace FAILED" : "Agent workspace complete");
process.exitCode = failed ? 1 : 0;
