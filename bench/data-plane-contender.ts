/**
 * One data-plane task in a process of its own, so its peak memory is its own: `node --import tsx
 * bench/data-plane-contender.ts <task> <json>`. Prints `{ ms, maxRssKb }`. The SDK is measured as built (dist/).
 */

import { join } from "node:path";
import git from "isomorphic-git";
import http from "isomorphic-git/http/node";

// As built: dist/, typed by the source it is built from.
const { commitFiles, memoryFs, readFiles } = (await import(
  join(import.meta.dirname, "../dist/git/index.js") as string
)) as typeof import("../src/git/index.js");

const [task = "", json = "{}"] = process.argv.slice(2);
const { remote, token, path, content } = JSON.parse(json) as {
  remote: string;
  token: string;
  path: string;
  content: string;
};
const author = { name: "Bench", email: "bench@example.com" };
const onAuth = () => ({ username: "x", password: token.split("?")[0] ?? "" });

const tasks: Record<string, () => Promise<void>> = {
  // The floor of peak memory: Node with tsx and these imports loaded.
  async nothing() {},
  async "sdk commit"() {
    (await commitFiles({ remote, token }, { message: "bench", author, files: { [path]: content } }))._unsafeUnwrap();
  },
  async "sdk read"() {
    const read = (await readFiles({ remote, token }, { paths: [path] }))._unsafeUnwrap();
    if (!read.files.has(path)) throw new Error("file missing");
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
const started = performance.now();
await run();
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS }));
