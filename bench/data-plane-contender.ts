/**
 * One data-plane task in a process of its own, so its peak memory is its own: `node --import tsx
 * bench/data-plane-contender.ts <task> <json>`. Prints `{ ms, first, bytes, requests, firstRequests, maxRssKb }`:
 * the SDK's bytes are every response byte this process received (REST, Git and the binding together), its requests
 * every request it sent (the binding's calls counted as requests); the recipes' bytes are counted by the bench's
 * proxy. The SDK's target is one for the process: its first call is cold, the measured one warm.
 * The SDK is measured as built (dist/).
 */

import git from "isomorphic-git";
import http from "isomorphic-git/http/node";
import { handleOver } from "../tests/support/simulator.js";
import { builtCore, builtGit } from "./built.js";

const { applyPatch, cherryPick, commitFiles, diffRefs, grepFiles, listCommits, memoryFs, mergeRefs, readFiles } =
  builtGit;
const { createClient } = builtCore;

/** Who the SDK calls: a client (REST and Git), the binding's handle (through the simulator's Worker), or a remote. */
export type Form =
  | { kind: "client"; client: { accountId: string; apiToken: string; baseUrl: string }; repo: string }
  | { kind: "binding"; origin: string; repo: string }
  | { kind: "remote" };

export interface TaskInput {
  /** For the recipes (and the remote form): the remote, through the bench's counting proxy, and a write token. */
  remote: string;
  token: string;
  path: string;
  content: string;
  form: Form;
  /** For diff and merge: the branch compared or merged, and the one it goes into. */
  branches?: { from: string; into: string };
}

const [task = "", json = "{}"] = process.argv.slice(2);
const { remote, token, path, content, form, branches } = JSON.parse(json) as TaskInput;
const author = { name: "Bench", email: "bench@example.com" };
const onAuth = () => ({ username: "x", password: token.split("?")[0] ?? "" });

let received = 0;
/** Requests sent (REST and Git at fetch; the binding's calls are counted by its handle). */
let sent = 0;
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  sent++;
  const response = await realFetch(input, init);
  if (!response.body) return response;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }),
  );
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
};

// One target for the process, as an agent keeps its client: the second call is a warm one (session.ts).
const handle = form.kind === "binding" ? handleOver(form.origin, form.repo) : undefined;
const sdkClient = form.kind === "client" ? createClient({ ...form.client, retry: 0 }) : undefined;
const target = handle ?? { remote, token };
const commit = (files: Record<string, string>) => {
  const input = { message: "bench", author, files };
  if (form.kind === "client" && sdkClient) return commitFiles(sdkClient, form.repo, input);
  return commitFiles(target, input);
};
const read = (paths: string[]) => {
  if (form.kind === "client" && sdkClient) return readFiles(sdkClient, form.repo, { paths });
  return readFiles(target, { paths });
};

const client = () => {
  if (form.kind !== "client" || !sdkClient) throw new Error("diff and merge are measured in the client form");
  return { client: sdkClient, repo: form.repo };
};
const requests = () => sent + (handle?.calls.length ?? 0);
const { from = "agent", into = "main" } = branches ?? {};

const tasks: Record<string, () => Promise<void>> = {
  // The floor of peak memory: Node with tsx and these imports loaded.
  async nothing() {},
  async "sdk commit"() {
    (await commit({ [path]: `${content} ${performance.now()}` }))._unsafeUnwrap();
  },
  async "sdk read"() {
    const files = (await read([path]))._unsafeUnwrap().files;
    if (!files.has(path)) throw new Error("file missing");
  },
  async "sdk diff"() {
    const { client: c, repo } = client();
    const { changes } = (await diffRefs(c, repo, { from: into, to: from }))._unsafeUnwrap();
    if (changes.length === 0) throw new Error("no change to diff");
  },
  async "sdk merge"() {
    const { client: c, repo } = client();
    (await mergeRefs(c, repo, { from, into, author, fastForward: "never" }))._unsafeUnwrap();
  },
  // The agents' toolbox (the client form): `path` is the path logged, the glob grepped.
  async "sdk log"() {
    const { client: c, repo } = client();
    const { commits } = (await listCommits(c, repo, { paths: [path] }))._unsafeUnwrap();
    if (commits.length === 0) throw new Error("no commit changed the path");
  },
  async "sdk grep"() {
    const { client: c, repo } = client();
    (await grepFiles(c, repo, { pattern: "never-there", paths: [path] }))._unsafeUnwrap();
  },
  async "sdk apply"() {
    const { client: c, repo } = client();
    const unique = `${content.replace(/\W/g, "-")}-${Math.round(performance.now() * 1000)}`;
    const patch = ["a", "b", "c"]
      .map((name) => `--- /dev/null\n+++ b/patched/${unique}/${name}.txt\n@@ -0,0 +1 @@\n+${name}\n`)
      .join("");
    (await applyPatch(c, repo, { patch, message: "patch", author }))._unsafeUnwrap();
  },
  async "sdk pick"() {
    const { client: c, repo } = client();
    (await cherryPick(c, repo, { commits: [from], into, author }))._unsafeUnwrap();
  },
  // Cloudflare's documented recipe (artifacts/examples/isomorphic-git): clone into an in-memory filesystem, write,
  // commit, push. Given every advantage: a single branch at depth 1.
  async "isomorphic-git commit"() {
    const fs = memoryFs();
    await git.clone({ fs, http, dir: "/r", url: remote, onAuth, singleBranch: true, depth: 1 });
    await fs.promises.writeFile(`/r/${path}`, content);
    await git.add({ fs, dir: "/r", filepath: path });
    await git.commit({ fs, dir: "/r", message: "bench", author });
    const pushed = await git.push({ fs, http, dir: "/r", url: remote, onAuth });
    if (!pushed.ok) throw new Error("push refused");
  },
  async "isomorphic-git read"() {
    const fs = memoryFs();
    await git.clone({ fs, http, dir: "/r", url: remote, onAuth, singleBranch: true, depth: 1, noCheckout: true });
    const oid = await git.resolveRef({ fs, dir: "/r", ref: "HEAD" });
    await git.readBlob({ fs, dir: "/r", oid, filepath: path });
  },
};

const run = tasks[task];
if (!run) throw new Error(`unknown task ${task}`);
// The SDK's tasks twice: the first call pays for the JIT of every module it touches (`first`); the second is what
// each further call of a running process costs (`ms`, and its `bytes`). Peak memory covers both. The recipes once
// (each is a whole clone: their bytes are counted by the bench's proxy).
let started = performance.now();
let first: number | undefined;
let firstRequests: number | undefined;
if (task.startsWith("sdk ")) {
  // A merge or a pick happens once: its warm-up is a diff of the same branches (the same fetches and tree walks).
  await (task === "sdk merge" || task === "sdk pick" ? (tasks["sdk diff"] ?? run) : run)();
  first = performance.now() - started;
  firstRequests = requests();
}
received = 0;
sent = 0;
if (handle) {
  handle.received = 0;
  handle.calls.length = 0;
}
started = performance.now();
await run();
const ms = performance.now() - started;
const bytes = received + (handle?.received ?? 0);
process.stdout.write(
  JSON.stringify({ ms, first, bytes, requests: requests(), firstRequests, maxRssKb: process.resourceUsage().maxRSS }),
);
