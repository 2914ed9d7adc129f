/**
 * (f) What a merge and a diff cost as files and histories grow, for `npm run bench`, on the local server with
 * `filter` (in this process; the SDK's calls here too, through a proxy on loopback that counts the bytes received):
 * - `mergeRefs` of a one-line edit per side in a file of 30, 3,000 and 8,000 lines. Budget: at most 300 ms over the
 *   30-line one.
 * - `mergeRefs` whose merge base is one commit back, in a history of 20 and of 20,000 commits. Budget: ≤ 64 KB
 *   received, and at most 1.5× (+50 ms) the 20-commit one.
 * - `diffRefs` with `contents` of a 40-line and a 4,000-line rewrite, and of a file of 2,000 blank lines on each side
 *   with one line added. Budget: at most 300 ms over the 40-line one.
 * Each row is the median of `BENCH_DATA_PLANE_RUNS` runs after one warm-up; each merge run merges two branches made
 * for it from the same commits, so every run is the same three-way merge.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gitBytes } from "../tests/support/git.js";
import { startGitProxy } from "../tests/support/git-proxy.js";
import { pushRepo } from "../tests/support/repos.js";
import { builtCore, builtGit, builtTesting } from "./built.js";

const { createClient, createRepo, createToken } = builtCore;
const { commitFiles, createBranch, diffRefs, mergeRefs } = builtGit;
const { startArtifactsServer } = builtTesting;

const RUNS = Number(process.env.BENCH_DATA_PLANE_RUNS ?? 3);
const author = { name: "Bench", email: "bench@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
const lines = (count: number, line: (n: number) => string) =>
  Array.from({ length: count }, (_, n) => `${line(n)}\n`).join("");
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function git(args: string[], input?: string): Promise<string> {
  const ran = await gitBytes(args, { input: input === undefined ? undefined : Buffer.from(input) });
  if (ran.code !== 0) throw new Error(`git ${args.join(" ")}: ${ran.stderr}`);
  return ran.stdout.toString();
}

/** A bare repo whose `main` is a line of `count` commits, each changing one small file (by `git fast-import`). */
async function history(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "bench-history-"));
  await git(["init", "--quiet", "--bare", dir]);
  const stream: string[] = [];
  for (let n = 1; n <= count; n++) {
    const data = `${n}\n`;
    stream.push(
      `commit refs/heads/main\nmark :${n}\ncommitter B <b@e> ${1_700_000_000 + n} +0000\ndata 0\n`,
      n > 1 ? `from :${n - 1}\n` : "",
      `M 100644 inline f.txt\ndata ${data.length}\n${data}\n`,
    );
  }
  await git(["--git-dir", dir, "fast-import", "--quiet"], stream.join(""));
  return dir;
}

interface Measured {
  ms: number;
  bytes: number;
}

export async function mergeCostTable(): Promise<{ lines: string[]; over: boolean }> {
  const server = await startArtifactsServer({ gitFilter: true });
  const proxy = await startGitProxy(server.origin);
  const client = createClient({ ...server.clientOptions, retry: 0 });
  const dirs: string[] = [];
  let names = 0;
  try {
    /** A repo on the server, reached by the SDK through the proxy as `{ remote, token }`. */
    const repo = async (seed?: string) => {
      const name = `cost-${++names}`;
      const created = (await createRepo(client, { name }))._unsafeUnwrap();
      if (seed) await pushRepo(seed, created.remote, created.token);
      const token = (await createToken(client, { repo: name, scope: "write", ttl: 3600 }))._unsafeUnwrap().plaintext;
      return { name, target: { remote: proxy.remote(created.remote), token } };
    };
    const measure = async (call: () => Promise<unknown>, prepare: () => Promise<void> = async () => {}) => {
      const samples: Measured[] = [];
      for (let run = 0; run <= RUNS; run++) {
        await prepare();
        proxy.received = 0;
        const started = performance.now();
        await call();
        const ms = performance.now() - started;
        if (run > 0) samples.push({ ms, bytes: proxy.received });
      }
      return { ms: median(samples.map((s) => s.ms)), bytes: median(samples.map((s) => s.bytes)) };
    };
    /** Two commits off one base, and a merge of them per run on branches of its own. */
    const merges = async (
      seed: string | undefined,
      base: Record<string, string>,
      ours: Record<string, string>,
      theirs: Record<string, string>,
    ) => {
      const { name, target } = await repo(seed);
      const on = async (branch: string, files: Record<string, string>) =>
        (await commitFiles(target, { message: branch, author, files, branch }))._unsafeUnwrap().commit;
      if (Object.keys(base).length > 0) await on("main", base);
      (await createBranch(target, { name: "agent", from: "main" }))._unsafeUnwrap();
      const [left, right] = [await on("main", ours), await on("agent", theirs)];
      let round = 0;
      let pair = { into: "", from: "" };
      const prepare = async () => {
        pair = { into: `into-${++round}`, from: `from-${round}` };
        (await createBranch(target, { name: pair.into, from: left }))._unsafeUnwrap();
        (await createBranch(target, { name: pair.from, from: right }))._unsafeUnwrap();
      };
      void name;
      return measure(async () => {
        const merged = await mergeRefs(target, { ...pair, author });
        if (merged.isErr() || merged.value.parents.length !== 2) throw new Error(`not a three-way merge: ${merged}`);
      }, prepare);
    };
    const edit = (count: number, at: number, text: string) =>
      lines(count, (n) => (n === at ? text : `const line${n} = ${n};`));
    const file = (count: number) =>
      merges(
        undefined,
        { "f.txt": edit(count, -1, "") },
        { "f.txt": edit(count, 1, "ours") },
        { "f.txt": edit(count, count - 2, "theirs") },
      );

    const rows: { name: string; value: Measured; budget?: string; ok?: boolean }[] = [];
    const small = await file(30);
    rows.push({ name: "mergeRefs, a one-line edit per side, 30-line file", value: small });
    for (const count of [3000, 8000]) {
      const value = await file(count);
      const ok = value.ms <= small.ms + 300;
      rows.push({
        name: `mergeRefs, a one-line edit per side, ${count.toLocaleString("en")}-line file`,
        value,
        budget: "≤ the 30-line one + 300 ms",
        ok,
      });
    }
    const shallowHistory = await history(20);
    const longHistory = await history(20_000);
    dirs.push(shallowHistory, longHistory);
    const short = await merges(shallowHistory, {}, { "o.txt": "o\n" }, { "t.txt": "t\n" });
    rows.push({ name: "mergeRefs, base one commit back, 20-commit history", value: short });
    const long = await merges(longHistory, {}, { "o.txt": "o\n" }, { "t.txt": "t\n" });
    rows.push({
      name: "mergeRefs, base one commit back, 20,000-commit history",
      value: long,
      budget: "≤ 64 KB, ≤ 1.5× (+50 ms) the 20-commit one",
      ok: long.bytes <= 64 * 1024 && long.ms <= 1.5 * short.ms + 50,
    });

    const diffs = async (before: string, after: string) => {
      const { target } = await repo();
      const commit = async (text: string) =>
        (await commitFiles(target, { message: "c", author, files: { "f.txt": text } }))._unsafeUnwrap().commit;
      const [from, to] = [await commit(before), await commit(after)];
      return measure(async () => {
        const found = await diffRefs(target, { from, to, contents: true });
        if (found.isErr() || !found.value.changes[0]?.patch) throw new Error("no patch");
      });
    };
    const rewrite = (count: number) =>
      diffs(
        lines(count, (n) => `old ${n}`),
        lines(count, (n) => `new line ${n}`),
      );
    const forty = await rewrite(40);
    rows.push({ name: "diffRefs with contents, a 40-line rewrite", value: forty });
    for (const [name, value] of [
      ["diffRefs with contents, a 4,000-line rewrite", await rewrite(4000)],
      [
        "diffRefs with contents, 2,000 blank lines on each side, one added",
        await diffs(
          lines(2000, () => ""),
          `${lines(2000, () => "")}end\n`,
        ),
      ],
    ] as const) {
      rows.push({ name, value, budget: "≤ the 40-line one + 300 ms", ok: value.ms <= forty.ms + 300 });
    }

    const table = [
      "**(f) Merge and diff cost as files and histories grow** (the local server with filter, `{ remote, token }`)",
      "",
      "| operation | time | bytes received | budget |",
      "|---|---|---|---|",
      ...rows.map(
        ({ name, value, budget, ok }) =>
          `| ${name} | ${value.ms.toFixed(0)} ms | ${(value.bytes / 1024).toFixed(1)} KB | ${budget ? `${ok ? "within" : "⚠ over"}: ${budget}` : ""} |`,
      ),
    ];
    return { lines: table, over: rows.some((row) => row.ok === false) };
  } finally {
    await proxy.close();
    await server.close();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { lines: table, over } = await mergeCostTable();
  console.log(table.join("\n"));
  if (over) process.exitCode = 1;
}
