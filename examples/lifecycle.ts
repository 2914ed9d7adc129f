/**
 * The full lifecycle: create a repo → mint a write token → push with isomorphic-git → mint a read token →
 * clone and check every byte → commit files with `commitFiles` and read them back with `readFiles` (no clone) →
 * show the read token cannot push → fork and clone the fork → list repos and tokens → revoke the write token →
 * delete both repos (always, even after a failed step).
 *
 *   npm run example                       # against a local Artifacts server
 *   CLOUDFLARE_ACCOUNT_ID=... CLOUDFLARE_API_TOKEN=... npm run example   # against your account
 */
import * as fs from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import {
  createRepo,
  createToken,
  deleteToken,
  forkRepo,
  gitCredentials,
  listRepos,
  listTokens,
} from "cloudflare-artifacts";
import { commitFiles, readFiles } from "cloudflare-artifacts/git";
import git from "isomorphic-git";
import http from "isomorphic-git/http/node";
import { deleteRepos, exampleTarget, orFail, step } from "./setup.js";

const FILES: Record<string, string> = {
  "README.md": "# Lifecycle\n\nWritten by the cloudflare-artifacts example.\n",
  "notes/today.md": "- create a repo\n- push with isomorphic-git\n- clone it back\n",
  "data/bytes.bin": String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i)),
};
const author = { name: "Lifecycle Example", email: "example@example.com" };

const target = await exampleTarget();
const { client } = target;
const repoName = target.unique("lifecycle");
const forkName = target.unique("lifecycle-fork");
const toDelete: string[] = [];
const folders: string[] = [];
const folder = async () => {
  const dir = await mkdtemp(join(tmpdir(), "artifacts-lifecycle-"));
  folders.push(dir);
  return dir;
};
let failed = false;

console.log(`Artifacts lifecycle against ${target.description}`);
try {
  const repo = await step(`create repo ${repoName}`, () =>
    orFail(
      createRepo(client, { name: repoName, default_branch: "main", description: "cloudflare-artifacts lifecycle" }),
    ),
  );
  toDelete.push(repoName);
  console.log(`  remote ${repo.remote}`);

  const write = await step("mint a write token (1 hour)", () =>
    orFail(createToken(client, { repo: repoName, scope: "write", ttl: 3600 })),
  );
  const writeAuth = await orFail(gitCredentials(write.plaintext));
  console.log(`  token ${write.id}, expires ${writeAuth.expiresAt?.toISOString() ?? write.expires_at}`);

  const work = await folder();
  const commit = await step(`commit and push ${Object.keys(FILES).length} files with isomorphic-git`, async () => {
    await git.init({ fs, dir: work, defaultBranch: "main" });
    for (const [path, content] of Object.entries(FILES)) {
      await fs.promises.mkdir(join(work, path, ".."), { recursive: true });
      await writeFile(join(work, path), content, "latin1");
      await git.add({ fs, dir: work, filepath: path });
    }
    const sha = await git.commit({ fs, dir: work, message: "Add lifecycle files", author });
    const pushed = await git.push({ fs, http, dir: work, url: repo.remote, ref: "main", onAuth: writeAuth.onAuth });
    if (!pushed.ok) throw new Error(`push refused: ${pushed.error}`);
    return sha;
  });
  console.log(`  commit ${commit}`);

  const read = await step("mint a read token", () => orFail(createToken(client, { repo: repoName, scope: "read" })));
  const readAuth = await orFail(gitCredentials(read.plaintext));

  await step("clone with the read token and check every file byte for byte", async () => {
    const clone = await folder();
    await git.clone({ fs, http, dir: clone, url: repo.remote, onAuth: readAuth.onAuth, singleBranch: true });
    for (const [path, content] of Object.entries(FILES)) {
      const bytes = await readFile(join(clone, path));
      if (!bytes.equals(Buffer.from(content, "latin1"))) throw new Error(`${path} differs after the round trip`);
    }
    const head = await git.resolveRef({ fs, dir: clone, ref: "HEAD" });
    if (head !== commit) throw new Error(`clone is at ${head}, expected ${commit}`);
  });

  const NOTES = {
    "notes/today.md": "- create a repo\n- push with isomorphic-git\n- commit with commitFiles\n",
    "notes/agent/plan.md": "# Plan\n\n1. read\n2. write\n",
  };
  const update = await step("commit 2 files with commitFiles (fetches the head's trees, not its files)", () =>
    orFail(commitFiles(client, repoName, { message: "Update the notes", author, files: NOTES, parent: commit })),
  );
  console.log(`  commit ${update.commit} on ${update.branch}, parent ${update.parent}`);

  await step("read notes/ back with readFiles and check every byte", async () => {
    const { commit: at, files } = await orFail(readFiles(client, repoName, { paths: ["notes/"] }));
    if (at !== update.commit) throw new Error(`read ${at}, expected ${update.commit}`);
    const expected = Object.entries(NOTES).sort();
    const got = [...files].map(([path, bytes]) => [path, new TextDecoder().decode(bytes)]).sort();
    if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error("readFiles differs from what was committed");
  });

  const refusal = await step("show that the read token cannot push", async () => {
    await writeFile(join(work, "not-allowed.txt"), "a read token must not push this\n");
    await git.add({ fs, dir: work, filepath: "not-allowed.txt" });
    await git.commit({ fs, dir: work, message: "Should be refused", author });
    const refused = await git
      .push({ fs, http, dir: work, url: repo.remote, ref: "main", onAuth: readAuth.onAuth })
      .then(
        () => undefined,
        (error: Error) => error,
      );
    if (!refused) throw new Error("the read token pushed: scopes are not enforced");
    return refused.message.split("\n")[0];
  });
  console.log(`  refused as expected: ${refusal}`);

  const fork = await step(`fork into ${forkName}`, () =>
    orFail(forkRepo(client, repoName, { name: forkName, description: "a fork of the lifecycle repo" })),
  );
  toDelete.push(forkName);
  console.log(`  ${fork.objects} objects, remote ${fork.remote}`);

  await step("clone the fork", async () => {
    const clone = await folder();
    const forkAuth = await orFail(gitCredentials(fork.token));
    await git.clone({ fs, http, dir: clone, url: fork.remote, headers: forkAuth.headers, singleBranch: true });
    const readme = await readFile(join(clone, "README.md"), "latin1");
    if (readme !== FILES["README.md"]) throw new Error("the fork's README differs from the source's");
  });

  const [repos] = await step("list repos", () =>
    orFail(listRepos(client, { search: target.run, sort: "name", direction: "asc" })),
  );
  for (const item of repos)
    console.log(`  ${item.name}  source=${item.source ?? "-"}  last_push_at=${item.last_push_at ?? "-"}`);

  const [tokens] = await step("list tokens", () => orFail(listTokens(client, repoName)));
  for (const token of tokens) console.log(`  ${token.id}  ${token.scope}  ${token.state}  expires ${token.expires_at}`);

  await step("revoke the write token", () => orFail(deleteToken(client, write.id)));

  const revoked = await step('check it is no longer active in a state: "all" listing', async () => {
    const [all] = await orFail(listTokens(client, repoName, { state: "all" }));
    const token = all.find((item) => item.id === write.id);
    if (token?.state !== "revoked") throw new Error(`write token is ${token?.state ?? "missing"}, expected revoked`);
    return token;
  });
  console.log(`  ${revoked.id} is ${revoked.state}`);
} catch (error) {
  failed = true;
  console.error(`  error: ${inspect(error, { depth: 4 })}`);
} finally {
  if (!(await deleteRepos(client, toDelete))) failed = true;
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
  await target.close();
}

console.log(failed ? "Lifecycle FAILED" : "Lifecycle complete");
process.exitCode = failed ? 1 : 0;
