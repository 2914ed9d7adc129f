/**
 * An agent's workspace: fork a shared baseline, let the "agent" commit its edits to the fork with `commitFiles`,
 * read them back with `readFiles`, and show that the baseline is untouched. No clone, no git binary, no disk.
 *
 *   npx tsx examples/agent-workspace.ts   # against a local Artifacts server (or your account, as npm run example)
 */
import { inspect } from "node:util";
import { createRepo, forkRepo, waitForRepo } from "cloudflare-artifacts";
import { commitFiles, readFiles } from "cloudflare-artifacts/git";
import { deleteRepos, exampleTarget, orFail, step } from "./setup.js";

const target = await exampleTarget();
const { client } = target;
const baseline = target.unique("baseline");
const workspace = target.unique("agent");
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
} catch (error) {
  failed = true;
  console.error(`  error: ${inspect(error, { depth: 4 })}`);
} finally {
  if (!(await deleteRepos(client, toDelete))) failed = true;
  await target.close();
}

console.log(failed ? "Agent workspace FAILED" : "Agent workspace complete");
process.exitCode = failed ? 1 : 0;
