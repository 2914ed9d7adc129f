/**
 * One agent of the throughput bench (bench/throughput.ts), in a process of its own: `node --import tsx bench/agent.ts
 * <json>`. It gets ready (the git CLI clones once), says so, waits for `go`, then commits a file of its own again and
 * again for `seconds`, and prints `{ commits, requests }`: the commits that landed, and the requests it sent (the
 * SDK's counted at fetch; the git CLI's are counted by the bench's proxy). The SDK keeps one client for all of its
 * calls, as an agent would; the git CLI pulls (rebasing) when another agent pushed first.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtCore, builtGit } from "./built.js";

const { commitFiles, disposeGit } = builtGit;
const { createClient } = builtCore;

export interface AgentInput {
  /** `calls`: each call of the data plane once, timed, with its requests (the latency table). */
  kind: "sdk" | "git" | "calls";
  id: number;
  seconds: number;
  client: { accountId: string; apiToken: string; baseUrl: string };
  repo: string;
  /** For the git CLI: the remote and a write token. */
  remote: string;
  token: string;
}

const input = JSON.parse(process.argv[2] ?? "{}") as AgentInput;
const author = { name: `Agent ${input.id}`, email: `agent${input.id}@example.com` };

let requests = 0;
const realFetch = globalThis.fetch;
globalThis.fetch = (url, init) => {
  requests++;
  return realFetch(url, init);
};

const git = (args: string[], cwd: string) =>
  new Promise<number>((resolve) =>
    execFile(
      "git",
      ["-c", `http.extraHeader=Authorization: Bearer ${input.token.split("?")[0]}`, ...args],
      { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } },
      (error) => resolve(error ? 1 : 0),
    ),
  );

let work = "";
if (input.kind === "git") {
  work = await mkdtemp(join(tmpdir(), "agent-"));
  if ((await git(["clone", "--quiet", input.remote, work], tmpdir())) !== 0) throw new Error("clone failed");
  for (const [key, value] of Object.entries({ "user.name": author.name, "user.email": author.email })) {
    await git(["config", key, value], work);
  }
}
const client = createClient({ ...input.client, retry: 0 });

if (input.kind === "calls") {
  const { readFiles, listRefs } = builtGit;
  const target = { remote: input.remote, token: input.token };
  const calls: [string, () => Promise<{ isOk(): boolean }>][] = [
    [
      "commitFiles (client), first",
      async () => await commitFiles(client, input.repo, { message: "a", author, files: { "d/a": "a" } }),
    ],
    [
      "commitFiles (client), again",
      async () => await commitFiles(client, input.repo, { message: "b", author, files: { "d/b": "b" } }),
    ],
    ["readFiles (client), one path", async () => await readFiles(client, input.repo, { paths: ["d/a"] })],
    ["readFiles ({ remote, token }), first", async () => await readFiles(target, { paths: ["d/a"] })],
    ["readFiles ({ remote, token }), again", async () => await readFiles(target, { paths: ["d/a"] })],
    ["listRefs ({ remote, token }), again", async () => await listRefs(target)],
  ];
  const timed: { call: string; ms: number; requests: number }[] = [];
  for (const [call, run] of calls) {
    requests = 0;
    const started = performance.now();
    if (!(await run()).isOk()) throw new Error(`${call} failed`);
    timed.push({ call, ms: performance.now() - started, requests });
  }
  // The git CLI beside them: a commit and its push, then a clone.
  const dir = await mkdtemp(join(tmpdir(), "agent-"));
  let started = performance.now();
  await git(["clone", "--quiet", input.remote, join(dir, "c")], dir);
  timed.push({ call: "git clone", ms: performance.now() - started, requests: Number.NaN });
  await writeFile(join(dir, "c", "x"), "x\n");
  await git(["add", "-A"], join(dir, "c"));
  await git(["-c", "user.name=A", "-c", "user.email=a@b", "commit", "--quiet", "-m", "x"], join(dir, "c"));
  started = performance.now();
  if ((await git(["push", "--quiet", "origin", "HEAD"], join(dir, "c"))) !== 0) throw new Error("git push failed");
  timed.push({ call: "git push (one commit)", ms: performance.now() - started, requests: Number.NaN });
  await rm(dir, { recursive: true, force: true });
  await disposeGit(client);
  process.send?.(timed);
  process.exit(0);
}

process.send?.("ready");
await new Promise((resolve) => process.once("message", resolve));
requests = 0;
const deadline = performance.now() + input.seconds * 1000;
let commits = 0;
for (let n = 0; performance.now() < deadline; n++) {
  const path = `agents/${input.id}/${n}.txt`;
  if (input.kind === "sdk") {
    const made = await commitFiles(client, input.repo, { message: `${path}`, author, files: { [path]: `${n}\n` } });
    if (made.isOk()) commits++;
    continue;
  }
  await writeFile(join(work, `${input.id}-${n}.txt`), `${n}\n`);
  await git(["add", "-A"], work);
  await git(["commit", "--quiet", "-m", path], work);
  for (let attempt = 0; attempt < 10; attempt++) {
    if ((await git(["push", "--quiet", "origin", "HEAD"], work)) === 0) {
      commits++;
      break;
    }
    await git(["pull", "--quiet", "--rebase", "origin", "main"], work);
  }
}
await disposeGit(client);
if (work) await rm(work, { recursive: true, force: true });
process.send?.({ commits, requests });
