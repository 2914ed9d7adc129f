/**
 * (g) Files up to Artifacts' limit in a Worker's 128 MB: commit and read of 1, 8 and 31 MB files of random bytes
 * (as bytes, as a `Blob` on disk, as a stream), beside Cloudflare's isomorphic-git recipe, a bare `fetch` of the same
 * bytes streamed to a sink, and the git CLI. Each call runs in a process of its own (bench/large-file-contender.ts)
 * against the local server in this one; its live memory is heap + array buffers after forced collections, over what
 * it held with its input in hand; git's is its peak RSS, for scale. Budgets at 31 MB: a commit of bytes or of a
 * `Blob` ≤ 1.3× the file, a buffered read ≤ 1.5× (the file itself is 1×), a stream ≤ 0.5× and flat: at every size
 * within 2 MB of what a bare `fetch` streamed the same way holds.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtCore, builtGit, builtTesting } from "./built.js";
import type { LargeTaskInput } from "./large-file-contender.js";

const { commitFiles } = builtGit;
const { createClient, createRepo } = builtCore;
const { startArtifactsServer } = builtTesting;

const root = join(import.meta.dirname, "..");
const MB = 1024 * 1024;
const SIZES = (process.env.BENCH_LARGE_SIZES ?? "1,8,31").split(",").map(Number);
const BUDGETS: Record<string, number> = {
  "commit bytes": 1.3,
  "commit Blob": 1.3,
  readFiles: 1.5,
  readFileStream: 0.5,
};
const author = { name: "Bench", email: "bench@example.com" };

function run(command: string, args: string[], cwd?: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { cwd, maxBuffer: 64 * MB }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(" ")}: ${stderr}`)) : resolve({ stdout, stderr }),
    ),
  );
}

interface Measured {
  ms: number;
  /** Live memory over the input (bytes), or the git CLI's peak RSS. */
  memory: number;
}

/** A task of the contender: once sampled for memory, once timed. */
async function contender(task: string, input: Omit<LargeTaskInput, "sample">): Promise<Measured> {
  const once = async (sample: boolean) => {
    const args = ["--expose-gc", "--import", "tsx", join(root, "bench/large-file-contender.ts"), task];
    const { stdout } = await run(process.execPath, [...args, JSON.stringify({ ...input, sample })], root);
    return JSON.parse(stdout) as { ms: number; peak: number };
  };
  const sampled = await once(true);
  const timed = await once(false);
  return { ms: timed.ms, memory: sampled.peak };
}

/** git commands in a row, each under `/usr/bin/time` for its peak RSS. */
async function gitCli(token: string, steps: (dir: string) => (string[] | (() => Promise<void>))[]) {
  const dir = join(tmpdir(), `bench-large-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const auth = ["-c", `http.extraHeader=Authorization: Bearer ${token}`, "-c", "user.name=B", "-c", "user.email=b@e"];
  let rss = 0;
  const started = performance.now();
  for (const step of steps(dir)) {
    if (typeof step === "function") await step();
    else {
      const { stderr } = await run("/usr/bin/time", ["-f", "%M", "git", ...auth, ...step]);
      rss = Math.max(rss, Number(stderr.trim().split("\n").at(-1)) * 1024);
    }
  }
  const ms = performance.now() - started;
  await rm(dir, { recursive: true, force: true });
  return { ms, memory: rss };
}

export async function largeFileTable(): Promise<{ lines: string[]; over: boolean }> {
  const server = await startArtifactsServer();
  const client = createClient({ ...server.clientOptions, retry: 0 });
  const dir = await mkdtemp(join(tmpdir(), "bench-large-"));
  // A bare HTTP answer of the same bytes, for what streaming costs at all.
  const files = new Map<number, Buffer>();
  const flood = Buffer.concat([
    Buffer.from("000dpackfile\n"),
    Buffer.from("0005\x01".repeat(12 * MB)),
    Buffer.from("0000"),
  ]);
  const plain = createServer((request, response) =>
    response.end(request.url?.endsWith("/git-upload-pack") ? flood : files.get(Number(request.url?.slice(1)))),
  );
  await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
  const plainOrigin = `http://127.0.0.1:${(plain.address() as { port: number }).port}`;
  const lines = [
    "**(g) Large files** (random bytes, `{ remote, token }` on the local server with filter; live memory: heap + array",
    "buffers after forced collections, over what the caller holds; git: peak RSS)",
    "",
    "| file | call | time | memory | × the file | budget |",
    "|---|---|---|---|---|---|",
  ];
  let over = false;
  try {
    for (const size of SIZES) {
      const bytes = randomBytes(size * MB);
      files.set(size, bytes);
      const file = join(dir, `f${size}.bin`);
      await writeFile(file, bytes);
      const path = `f${size}.bin`;
      const repos = await Promise.all(
        ["write", "read", "recipe"].map(async (kind) => {
          const repo = (await createRepo(client, { name: `large-${kind}-${size}` }))._unsafeUnwrap();
          const target = { remote: repo.remote, token: repo.token };
          (await commitFiles(target, { message: "seed", author, files: { [path]: bytes } }))._unsafeUnwrap();
          return { remote: repo.remote, token: repo.token, path, file };
        }),
      );
      const [write, read, recipe] = repos as [(typeof repos)[0], (typeof repos)[0], (typeof repos)[0]];
      const rows: [string, () => Promise<Measured>][] = [
        ["commit bytes", () => contender("commit bytes", write)],
        ["commit Blob", () => contender("commit Blob", write)],
        ["readFiles", () => contender("readFiles", read)],
        ["bare fetch, streamed", () => contender("bare fetch", { ...read, remote: `${plainOrigin}/${size}` })],
        ["readFileStream", () => contender("readFileStream", read)],
        ["isomorphic-git commit", () => contender("isomorphic-git commit", recipe)],
        ["isomorphic-git read", () => contender("isomorphic-git read", read)],
        [
          "git CLI commit (RSS)",
          () =>
            gitCli(recipe.token, (clone) => [
              ["clone", "--quiet", "--depth", "1", recipe.remote, clone],
              () => writeFile(join(clone, `${path}.git`), randomBytes(size * MB)),
              ["-C", clone, "add", "-A"],
              ["-C", clone, "commit", "--quiet", "-m", "bench"],
              ["-C", clone, "push", "--quiet", "origin", "HEAD"],
            ]),
        ],
        [
          "git CLI read (RSS)",
          () =>
            gitCli(read.token, (clone) => [
              ["clone", "--quiet", "--depth", "1", "--no-checkout", read.remote, clone],
              ["-C", clone, "cat-file", "blob", `HEAD:${path}`],
            ]),
        ],
      ];
      const measured = new Map<string, Measured>();
      for (const [name, measure] of rows) {
        const result = await measure();
        measured.set(name, result);
        const ratio = result.memory / (size * MB);
        const budget = BUDGETS[name];
        const checks: [boolean, string][] = [];
        if (budget !== undefined && size === 31) checks.push([ratio <= budget, `≤ ${budget}×`]);
        if (name === "readFileStream") {
          const bare = measured.get("bare fetch, streamed")?.memory ?? Number.NaN;
          checks.push([result.memory <= bare + 2 * MB || Number.isNaN(bare), "≤ bare fetch + 2 MB"]);
        }
        over ||= checks.some(([pass]) => !pass);
        const verdict = checks.map(([pass, text]) => `${pass ? "✅" : "❌"} ${text}`).join(", ");
        lines.push(
          `| ${size} MB | ${name} | ${Math.round(result.ms)} ms | ${(result.memory / MB).toFixed(1)} MB | ${ratio.toFixed(2)}× | ${verdict} |`,
        );
      }
    }
    // Before streaming: 28 s and 2.24 GB (an object, a view and a decode per packet, all of them held).
    const flooded = await contender("flood", { remote: `${plainOrigin}/flood`, token: "art_v1_x", path: "", file: "" });
    const pass = flooded.ms <= 5000 && flooded.memory <= 4 * MB;
    over ||= !pass;
    lines.push(
      `| 60 MB answer | of 5-byte packets (fetch) | ${Math.round(flooded.ms)} ms | ${(flooded.memory / MB).toFixed(1)} MB | | ${pass ? "✅" : "❌"} ≤ 5 s, ≤ 4 MB |`,
    );
  } finally {
    plain.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
  return { lines, over };
}
