/**
 * One large-file task in a process of its own (`node --expose-gc --import tsx bench/large-file-contender.ts <task>
 * <json>`), its live memory sampled as the issue defines it: heap + array buffers, each sample taken after a forced
 * collection (so garbage a Worker would collect is not counted), over what the process held just before the call
 * with its input in hand (what the caller already holds). Prints `{ ms, peak, held }`: `peak` the most held over
 * that floor at any sample, `held` what the result itself holds (for readFiles, the file). The server runs in
 * another process. A timed run is apart from the sampled one: sampling slows the call down.
 */
import { openAsBlob } from "node:fs";
import { join } from "node:path";
import git from "isomorphic-git";
import http from "isomorphic-git/http/node";
import { builtGit } from "./built.js";

const { commitFiles, memoryFs, readFiles, readFileStream } = builtGit;

export interface LargeTaskInput {
  remote: string;
  token: string;
  path: string;
  /** A file of the size measured, on disk: read into bytes (or opened as a Blob) before the call. */
  file: string;
  /** Sample memory (else: time the call). */
  sample: boolean;
}

const [task = "", json = "{}"] = process.argv.slice(2);
const { remote, token, path, file, sample } = JSON.parse(json) as LargeTaskInput;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");
const author = { name: "Bench", email: "bench@example.com" };
const target = { remote, token };
// Sampling (a forced collection every 20 ms) slows a call down several times: no timeout.
const options = { timeout: false as const };
const onAuth = () => ({ username: "x", password: token.split("?")[0] ?? "" });
const live = () => {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
};

/** A task: given what the caller holds, it runs the call and returns what its result holds on to. */
type Task = (input: { bytes: Uint8Array; blob: Blob }) => Promise<unknown>;

const tasks: Record<string, Task> = {
  async "commit bytes"({ bytes }) {
    const changed = bytes.slice(0, 1).fill(Math.floor(Math.random() * 256));
    bytes.set(changed, 0);
    (await commitFiles(target, { message: "bench", author, files: { [path]: bytes } }, options))._unsafeUnwrap();
  },
  async "commit Blob"({ blob }) {
    // A different file each time: the head changes, so the push is a real one.
    const named = `${path}.${Date.now()}`;
    (await commitFiles(target, { message: "bench", author, files: { [named]: blob } }, options))._unsafeUnwrap();
  },
  async readFiles() {
    const { files } = (await readFiles(target, { paths: [path] }, options))._unsafeUnwrap();
    if (!files.has(path)) throw new Error("file missing");
    return files;
  },
  async readFileStream() {
    const { stream, size } = (await readFileStream(target, { path }, options))._unsafeUnwrap();
    let received = 0;
    await stream.pipeTo(
      new WritableStream({
        write(chunk) {
          received += chunk.byteLength;
        },
      }),
    );
    if (received !== size) throw new Error(`streamed ${received} of ${size} bytes`);
  },
  // For scale: the same bytes as a plain HTTP answer, streamed to the same sink.
  async "bare fetch"() {
    const response = await fetch(remote);
    let received = 0;
    await response.body?.pipeTo(
      new WritableStream({
        write(chunk) {
          received += chunk.byteLength;
        },
      }),
    );
    if (received === 0) throw new Error("nothing streamed");
  },
  // A hostile answer: 60 MB of empty side-band packets after `packfile`, read by the fetch primitive itself.
  async flood() {
    const { fetchPack } = (await import(
      join(import.meta.dirname, "../dist/git/upload-pack.js") as string
    )) as typeof import("../src/git/wire/upload-pack.js");
    const { PackParser } = (await import(
      join(import.meta.dirname, "../dist/git/pack-reader.js") as string
    )) as typeof import("../src/git/wire/pack-reader.js");
    const answer = await fetchPack(
      {
        url: remote,
        token,
        signal: undefined,
        timeout: false,
        headers: undefined,
        maxFetchBytes: 64 * 1024 * 1024,
        debug: () => {},
      },
      new Map(),
      { wants: ["1".repeat(40)] },
      new PackParser({ maxTotalBytes: 1024 }),
    );
    if (answer.isOk() || !answer.error.message.includes("cut short")) throw new Error(`unexpected: ${String(answer)}`);
  },
  // Cloudflare's documented recipe (artifacts/examples/isomorphic-git), at depth 1 on one branch.
  async "isomorphic-git commit"({ bytes }) {
    const fs = memoryFs();
    await git.clone({ fs, http, dir: "/r", url: remote, onAuth, singleBranch: true, depth: 1 });
    await fs.promises.writeFile(`/r/${path}.iso`, bytes);
    await git.add({ fs, dir: "/r", filepath: `${path}.iso` });
    await git.commit({ fs, dir: "/r", message: "bench", author });
    const pushed = await git.push({ fs, http, dir: "/r", url: remote, onAuth });
    if (!pushed.ok) throw new Error("push refused");
  },
  async "isomorphic-git read"() {
    const fs = memoryFs();
    await git.clone({ fs, http, dir: "/r", url: remote, onAuth, singleBranch: true, depth: 1, noCheckout: true });
    const oid = await git.resolveRef({ fs, dir: "/r", ref: "HEAD" });
    return (await git.readBlob({ fs, dir: "/r", oid, filepath: path })).blob;
  },
};

const run = tasks[task];
if (!run) throw new Error(`unknown task ${task}`);
// The caller's input: the file's bytes for the calls that commit bytes; none for the others.
const needsBytes = task === "commit bytes" || task === "isomorphic-git commit";
const bytes = needsBytes ? new Uint8Array(await (await openAsBlob(file)).arrayBuffer()) : new Uint8Array();
const blob = task === "commit Blob" ? await openAsBlob(file) : new Blob([]);
// Warm-up (JIT, connections) on the same input, then the measured call. In a function of its own: a value awaited at
// the top level can stay reachable from the module's frame.
const warmUp = async () => {
  await run({ bytes, blob });
};
await warmUp();
gc();
gc();
const floor = live();
let peak = 0;
let started = 0;
const timer = sample
  ? setInterval(() => {
      // Twice: V8 frees dead ArrayBuffers' memory concurrently after a collection, and the next one waits for that.
      gc();
      gc();
      peak = Math.max(peak, live() - floor);
    }, 20)
  : undefined;
started = performance.now();
const result = await run({ bytes, blob });
const ms = performance.now() - started;
clearInterval(timer);
gc();
const held = live() - floor;
peak = Math.max(peak, held);
// The result is held to here, so `held` counts it.
if (result === Symbol.for("never")) console.log(result);
process.stdout.write(JSON.stringify({ ms, peak, held }));
