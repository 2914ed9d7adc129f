/**
 * The data plane's table for `npm run bench`: a one-file commit and a one-file read, by this SDK, in
 *   (a) a 2,000-file / 32 MB repo on the local server with `filter`,
 *   (b) the same without `filter`,
 *   (c) a 100,000-file repo (small files, folders three deep) on the local server,
 *   (d) a 2,000-file / 32 MB repo on Cloudflare's own local simulator, through the binding's repo handle;
 *   (e) diff and merge of a one-file change against the git CLI, and (f) their cost as files and histories grow
 *   (merge-cost.ts);
 * beside the same call into a one-file repo on the same remote (its file at the same path: the fixed cost of that
 * call there), a
 * `git clone --depth 1 --no-checkout`, and the git CLI and isomorphic-git recipes. Time (median), bytes received,
 * peak memory (RSS) of the process. Budget, for the client and binding forms everywhere: time ≤ 1.5× (+30 ms) the
 * one-file repo's; bytes ≤ 1 % of the repo (≤ 256 KB at 100,000 files); on the local server the 32 MB commit also
 * ≤ 0.25× the no-checkout clone; the SDK's own share of peak memory (over an idle process's) ≤ 64 MB. The one
 * exception: `{ remote, token }` on a remote without `filter` fetches the head whole (shown, not budgeted).
 * Every contender runs in a process of its own; the servers run in this one, so every child is waited for
 * asynchronously.
 */
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGitProxy } from "../tests/support/git-proxy.js";
import { deep, makeRepo, pushRepo, type RepoShape, single, wide } from "../tests/support/repos.js";
import { simulatorAvailable, startSimulator } from "../tests/support/simulator.js";
import { builtCore, builtGit, builtTesting } from "./built.js";
import type { Form, TaskInput } from "./data-plane-contender.js";

const { createClient, createRepo, createToken } = builtCore;
const { startArtifactsServer } = builtTesting;

const RUNS = Number(process.env.BENCH_DATA_PLANE_RUNS ?? 3);
const root = join(import.meta.dirname, "..");
const MB = 1024 * 1024;

/** A command's output; `allowed` exit codes besides 0 are answers too (`git grep` exits 1 when nothing matched). */
function exec(
  command: string,
  args: string[],
  cwd?: string,
  allowed: number[] = [],
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) =>
    execFile(
      command,
      args,
      {
        cwd,
        maxBuffer: 64 * MB,
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
      },
      (error, stdout, stderr) =>
        error && !allowed.includes(Number(error.code))
          ? // the command line holds the repo token: only the subcommand is named
            reject(new Error(`${command} … ${args.filter((arg) => !arg.includes("Bearer")).at(-1)}: ${stderr}`))
          : resolve({ stdout, stderr }),
    ),
  );
}

interface Sample {
  ms: number;
  /** The first call of a process, JIT included (the SDK's contenders only). */
  first?: number;
  bytes: number;
  /** Requests the measured call sent, and the first (cold) one (the SDK's contenders only). */
  requests?: number;
  firstRequests?: number;
  maxRssKb: number;
}

/** A repo on a remote, ready for one-file calls: how each contender reaches it. */
interface Placed {
  remote: string;
  token: string;
  form: Form;
}

/** A remote the bench puts repos on. */
interface Remote {
  name: string;
  /** The SDK form measured there. */
  form: "client" | "binding";
  filter: boolean;
  local: boolean;
  /** Counts the bytes the recipes receive from its Git remote (the SDK's are counted in its own process). */
  proxy: { received: number };
  place(repo: string, shape: RepoShape): Promise<Placed>;
  close(): Promise<void>;
}

async function localServer(filter: boolean): Promise<Remote> {
  const server = await startArtifactsServer({ gitFilter: filter });
  const proxy = await startGitProxy(server.origin);
  const client = createClient({ ...server.clientOptions, retry: 0 });
  return {
    name: `the local server ${filter ? "with" : "without"} filter`,
    form: "client",
    filter,
    local: true,
    async place(repo, shape) {
      const created = (await createRepo(client, { name: repo }))._unsafeUnwrap();
      await pushRepo(await seeded(shape), created.remote, created.token);
      const token = (await createToken(client, { repo, scope: "write", ttl: 3600 }))._unsafeUnwrap().plaintext;
      return {
        remote: proxy.remote(created.remote),
        token,
        form: { kind: "client", client: server.clientOptions, repo },
      };
    },
    proxy,
    async close() {
      await proxy.close();
      await server.close();
    },
  };
}

async function simulatorRemote(): Promise<Remote> {
  const simulator = await startSimulator();
  // The simulator's Git remotes listen on a port of their own: a first repo says which.
  const probe = await simulator.create("bench-probe");
  const proxy = await startGitProxy(new URL(probe.remote).origin);
  return {
    name: "Cloudflare's simulator",
    form: "binding",
    filter: false,
    local: false,
    proxy,
    async place(repo, shape) {
      const created = await simulator.create(repo);
      await pushRepo(await seeded(shape), created.remote, created.token);
      return {
        remote: proxy.remote(created.remote),
        token: created.token,
        form: { kind: "binding", origin: simulator.origin, repo },
      };
    },
    async close() {
      await proxy.close();
      await simulator.close();
    },
  };
}

const seeds = new Map<RepoShape, string>();
async function seeded(shape: RepoShape): Promise<string> {
  const dir = seeds.get(shape) ?? (await makeRepo(shape));
  seeds.set(shape, dir);
  return dir;
}

let counter = 0;
async function node(task: string, placed: Placed, path: string, form: Form = placed.form): Promise<Sample> {
  const input: TaskInput = { remote: placed.remote, token: placed.token, path, content: `change ${++counter}`, form };
  const { stdout } = await exec(
    process.execPath,
    ["--import", "tsx", join(root, "bench/data-plane-contender.ts"), task, JSON.stringify(input)],
    root,
  );
  return JSON.parse(stdout) as Sample;
}

/** git commands in a row, each under `/usr/bin/time` for its peak memory; bytes as the proxy counted them. */
async function cli(placed: Placed, proxy: { received: number }, commands: (dir: string) => string[][], path: string) {
  const dir = join(tmpdir(), `bench-clone-${process.pid}-${++counter}`);
  proxy.received = 0;
  let maxRssKb = 0;
  const auth = [
    "-c",
    `http.extraHeader=Authorization: Bearer ${placed.token}`,
    "-c",
    "user.name=B",
    "-c",
    "user.email=b@example.com",
  ];
  const started = performance.now();
  for (const args of commands(dir)) {
    if (args[0] === "write") {
      await import("node:fs/promises").then((fs) => fs.writeFile(join(dir, path), `change ${counter}`));
      continue;
    }
    if (args[0] === "write-file") {
      await import("node:fs/promises").then((fs) => fs.writeFile(args[1] as string, args[2] as string));
      continue;
    }
    const allowed = args.includes("grep") ? [1] : [];
    const { stderr } = await exec("/usr/bin/time", ["-f", "%M", "git", ...auth, ...args], undefined, allowed);
    maxRssKb = Math.max(maxRssKb, Number(stderr.trim().split("\n").at(-1)));
  }
  const ms = performance.now() - started;
  await rm(dir, { recursive: true, force: true });
  return { ms, bytes: proxy.received, maxRssKb };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

interface Row {
  name: string;
  run: () => Promise<Sample>;
  /** Budgeted rows: the SDK in the scenario's repo. */
  budget?: { against: string; bytes: number; clone?: string };
}

async function scenario(title: string, remote: Remote, shape: RepoShape) {
  const id = `s${++counter}`;
  const big = await remote.place(`${id}-big`, shape);
  const one = single(shape.sample);
  const small = await remote.place(`${id}-one`, one);
  const proxy = () => remote.proxy;
  const path = shape.sample;
  const form = remote.form === "binding" ? "binding form" : "client form";
  const bytesBudget = shape === deep ? 256 * 1024 : shape.bytes * 0.01;
  const clone = (placed: Placed) => (dir: string) => [
    ["clone", "--quiet", "--depth", "1", "--no-checkout", "--single-branch", placed.remote, dir],
  ];
  const rows: Row[] = [
    { name: "(an idle Node process, for scale)", run: () => node("nothing", small, one.sample) },
    { name: "git clone --depth 1 --no-checkout", run: () => cli(big, proxy(), clone(big), path) },
    { name: `one-file repo: SDK commit (${form})`, run: () => node("sdk commit", small, one.sample) },
    {
      name: `**SDK commitFiles (${form})**`,
      run: () => node("sdk commit", big, path),
      budget: {
        against: `one-file repo: SDK commit (${form})`,
        bytes: bytesBudget,
        clone: remote.local && shape === wide ? "git clone --depth 1 --no-checkout" : undefined,
      },
    },
    { name: `one-file repo: SDK readFiles (${form})`, run: () => node("sdk read", small, one.sample) },
    {
      name: `**SDK readFiles (${form})**`,
      run: () => node("sdk read", big, path),
      budget: { against: `one-file repo: SDK readFiles (${form})`, bytes: bytesBudget },
    },
  ];
  if (!remote.filter) {
    rows.push({
      name: "SDK commitFiles ({ remote, token }: falls back to the head)",
      run: () => node("sdk commit", big, path, { kind: "remote" }),
    });
  }
  rows.push(
    {
      name: "git CLI: clone --depth 1, commit, push",
      run: () =>
        cli(
          big,
          proxy(),
          (dir) => [
            ["clone", "--quiet", "--depth", "1", "--single-branch", big.remote, dir],
            ["write"],
            ["-C", dir, "commit", "--quiet", "-am", "bench"],
            ["-C", dir, "push", "--quiet", "origin", "HEAD"],
          ],
          path,
        ),
    },
    {
      name: "isomorphic-git recipe: clone, commit, push",
      run: () => recipe("isomorphic-git commit", big, path, proxy()),
    },
  );

  const results = new Map<string, Sample[]>();
  for (const row of rows) await row.run(); // warm-up: page cache, tsx's JIT
  for (let round = 0; round < RUNS; round++) {
    for (const row of rows) results.set(row.name, [...(results.get(row.name) ?? []), await row.run()]);
  }
  const stat = (name: string, field: keyof Sample) =>
    median((results.get(name) ?? []).map((sample) => sample[field] ?? Number.NaN));
  const idle = stat(rows[0]?.name ?? "", "maxRssKb");
  const lines = [
    `**${title}** (${shape.count.toLocaleString("en")} files, ${(shape.bytes / 1e6).toFixed(1)} MB at the head)`,
    "",
    "| operation | time | first call | requests (first / then) | bytes received | of the repo | peak memory (RSS) | budget |",
    "|---|---|---|---|---|---|---|---|",
  ];
  let over = false;
  for (const row of rows) {
    const ms = stat(row.name, "ms");
    const bytes = stat(row.name, "bytes");
    const rss = stat(row.name, "maxRssKb");
    let verdict = "";
    if (row.budget) {
      const fixed = stat(row.budget.against, "ms");
      const checks = [
        [ms <= 1.5 * fixed + 30, `time ≤ 1.5× ${fixed.toFixed(0)} ms + 30`],
        [bytes <= row.budget.bytes, `bytes ≤ ${(row.budget.bytes / 1024).toFixed(0)} KB`],
        [(rss - idle) / 1024 <= 64, "own memory ≤ 64 MB"],
        ...(row.budget.clone ? [[ms <= 0.25 * stat(row.budget.clone, "ms"), "≤ 0.25× the clone"] as const] : []),
      ] as const;
      const failed = checks.filter(([ok]) => !ok).map(([, what]) => what);
      over ||= failed.length > 0;
      verdict = failed.length === 0 ? "within" : `⚠ over: ${failed.join(", ")}`;
    }
    const first = stat(row.name, "first");
    const cells = row.name.startsWith("(")
      ? ["–", "–", "–", "–", "–"]
      : [
          `${ms.toFixed(0)} ms`,
          Number.isNaN(first) ? "" : `${first.toFixed(0)} ms`,
          requestsCell(stat(row.name, "firstRequests"), stat(row.name, "requests")),
          `${(bytes / 1024).toFixed(1)} KB`,
          `${((bytes / shape.bytes) * 100).toFixed(2)} %`,
        ];
    lines.push(`| ${row.name} | ${cells.join(" | ")} | ${(rss / 1024).toFixed(0)} MB | ${verdict} |`);
  }
  return { lines, over };
}

/** `cold / warm`, or nothing for a contender that does not count them. */
const requestsCell = (first: number, then: number) => (Number.isNaN(then) ? "" : `${first} / ${then}`);

async function recipe(task: string, placed: Placed, path: string, proxy: { received: number }): Promise<Sample> {
  proxy.received = 0;
  const sample = await node(task, placed, path, { kind: "remote" });
  return { ...sample, bytes: proxy.received };
}

/**
 * Diff and merge of a one-file change in the 32 MB repo, against the git CLI doing the same (clone, then diff; clone,
 * merge, push). Before every run each branch gets a one-file commit of its own, so every merge is a real three-way
 * one. Budget: the SDK at most 0.2× the git CLI's time and 5 % of its bytes.
 */
async function diffMergeTable(remote: Remote): Promise<{ lines: string[]; over: boolean }> {
  const { commitFiles } = builtGit;
  const placed = await remote.place("diff-merge", wide);
  if (placed.form.kind !== "client") throw new Error("diff and merge are measured in the client form");
  const { client: options, repo } = placed.form;
  const client = createClient({ ...options, retry: 0 });
  const author = { name: "Bench", email: "bench@example.com" };
  let round = 0;
  const prepare = async () => {
    round++;
    const agent = { message: "agent", author, files: { [`dir-3/agent-${round}.txt`]: `a${round}` }, branch: "agent" };
    (await commitFiles(client, repo, round === 1 ? { ...agent, from: "main" } : agent))._unsafeUnwrap();
    (
      await commitFiles(client, repo, { message: "main", author, files: { [`dir-5/main-${round}.txt`]: `m${round}` } })
    )._unsafeUnwrap();
  };
  const clone = (dir: string) => ["clone", "--quiet", "--no-tags", placed.remote, dir];
  const rows: [string, () => Promise<Sample>][] = [
    ["**SDK diffRefs main..agent (client form)**", () => node("sdk diff", placed, wide.sample)],
    [
      "git CLI: clone, diff",
      () =>
        cli(
          placed,
          remote.proxy,
          (dir) => [clone(dir), ["-C", dir, "diff", "--name-status", "origin/main", "origin/agent"]],
          wide.sample,
        ),
    ],
    ["**SDK mergeRefs agent into main (client form)**", () => node("sdk merge", placed, wide.sample)],
    [
      "git CLI: clone, merge, push",
      () =>
        cli(
          placed,
          remote.proxy,
          (dir) => [
            clone(dir),
            ["-C", dir, "merge", "--quiet", "--no-edit", "origin/agent"],
            ["-C", dir, "push", "--quiet", "origin", "main"],
          ],
          wide.sample,
        ),
    ],
  ];
  const title = `**Diff and merge of a one-file change** (${wide.count.toLocaleString("en")} files, ${(wide.bytes / 1e6).toFixed(1)} MB, the local server with filter)`;
  return versusGit(title, rows, prepare);
}

/**
 * Each SDK row beside the git CLI row after it, `RUNS` times (after one round that warms the page cache and tsx),
 * `prepare` before every measurement. Budget: the SDK at most 0.2× the git CLI's time and 5 % of its bytes.
 */
async function versusGit(
  title: string,
  rows: [string, () => Promise<Sample>][],
  prepare: () => Promise<void>,
): Promise<{ lines: string[]; over: boolean }> {
  const results = new Map<string, Sample[]>();
  for (let run = 0; run <= RUNS; run++) {
    for (const [name, measure] of rows) {
      await prepare();
      const sample = await measure();
      // The first round warms the page cache and tsx: not counted.
      if (run > 0) results.set(name, [...(results.get(name) ?? []), sample]);
    }
  }
  const stat = (name: string, field: keyof Sample) =>
    median((results.get(name) ?? []).map((sample) => sample[field] ?? Number.NaN));
  const lines = [
    title,
    "",
    "| operation | time | first call | requests (first / then) | bytes received | peak memory (RSS) | budget |",
    "|---|---|---|---|---|---|---|",
  ];
  let over = false;
  for (const [index, [name]] of rows.entries()) {
    const ms = stat(name, "ms");
    const bytes = stat(name, "bytes");
    const first = stat(name, "first");
    let verdict = "";
    if (index % 2 === 0) {
      const yardstick = rows[index + 1]?.[0] ?? "";
      const ok = ms <= 0.2 * stat(yardstick, "ms") && bytes <= 0.05 * stat(yardstick, "bytes");
      over ||= !ok;
      verdict = ok ? "within" : "⚠ over: ≤ 0.2× the git CLI's time and ≤ 5 % of its bytes";
    }
    lines.push(
      `| ${name} | ${ms.toFixed(0)} ms | ${Number.isNaN(first) ? "" : `${first.toFixed(0)} ms`} | ${requestsCell(stat(name, "firstRequests"), stat(name, "requests"))} | ${(bytes / 1024).toFixed(1)} KB | ${(stat(name, "maxRssKb") / 1024).toFixed(0)} MB | ${verdict} |`,
    );
  }
  return { lines, over };
}

/** The history the toolbox walks: 200 commits after the 2,000-file head, every tenth changing `notes/log.txt`. */
const LOGGED = "notes/log.txt";
const HISTORY = 200;

/**
 * The agents' toolbox in the 32 MB repo with 200 commits of history, against the git CLI doing the same from a
 * `--filter=blob:none` clone (clone included; on a remote without `filter`, git clones in full): `listCommits` of one
 * path, `grepFiles` over 1 % of the files, `applyPatch` of a 3-file patch, `cherryPick` of one commit. Budget: the
 * SDK at most 0.2× the git CLI's time and 5 % of its bytes.
 */
async function toolboxTable(remote: Remote, label: string): Promise<{ lines: string[]; over: boolean }> {
  const { commitFiles } = builtGit;
  const placed = await remote.place(`toolbox-${remote.filter ? "filter" : "plain"}`, wide);
  if (placed.form.kind !== "client") throw new Error("the toolbox is measured in the client form");
  const { client: options, repo } = placed.form;
  const client = createClient({ ...options, retry: 0 });
  const author = { name: "Bench", email: "bench@example.com" };
  for (let n = 1; n <= HISTORY; n++) {
    const files = n % 10 === 0 ? { [LOGGED]: `entry ${n}\n` } : { [`notes/note-${n % 7}.txt`]: `note ${n}\n` };
    (await commitFiles(client, repo, { message: `history ${n}`, author, files }))._unsafeUnwrap();
  }
  let round = 0;
  const prepare = async () => {
    round++;
    const agent = { message: "fix", author, files: { [`fixes/fix-${round}.txt`]: `f${round}` }, branch: "agent" };
    (await commitFiles(client, repo, round === 1 ? { ...agent, from: "main" } : agent))._unsafeUnwrap();
  };
  const glob = "dir-7/file-[1-2]?.bin"; // 20 of the 2,000 files
  const patch = (dir: string) => {
    const unique = `git-${++counter}`;
    const text = ["a", "b", "c"]
      .map((name) => `--- /dev/null\n+++ b/patched/${unique}/${name}.txt\n@@ -0,0 +1 @@\n+${name}\n`)
      .join("");
    return ["write-file", join(dir, "..", `${unique}.patch`), text];
  };
  const blobless = (dir: string, checkout = false) => [
    "clone",
    "--quiet",
    "--no-tags",
    "--filter=blob:none",
    ...(checkout ? [] : ["--no-checkout"]),
    placed.remote,
    dir,
  ];
  const git = (commands: (dir: string) => string[][]) => () => cli(placed, remote.proxy, commands, wide.sample);
  const rows: [string, () => Promise<Sample>][] = [
    [`**SDK listCommits of one path (${label})**`, () => node("sdk log", placed, LOGGED)],
    [
      "git CLI: blobless clone, log -- path",
      git((dir) => [blobless(dir), ["-C", dir, "log", "--format=%H", "--", LOGGED]]),
    ],
    [`**SDK grepFiles over 1 % of the files (${label})**`, () => node("sdk grep", placed, glob)],
    [
      "git CLI: blobless clone, grep",
      git((dir) => [
        blobless(dir),
        ["-C", dir, "grep", "-E", "-n", "-I", "-e", "never-there", "origin/main", "--", glob],
      ]),
    ],
    [`**SDK applyPatch of a 3-file patch (${label})**`, () => node("sdk apply", placed, wide.sample)],
    [
      "git CLI: blobless clone, apply, commit, push",
      git((dir) => {
        const [, file = "", text = ""] = patch(dir);
        return [
          blobless(dir, true),
          ["write-file", file, text],
          ["-C", dir, "apply", "--index", file],
          ["-C", dir, "commit", "--quiet", "-m", "patch"],
          ["-C", dir, "push", "--quiet", "origin", "main"],
        ];
      }),
    ],
    [`**SDK cherryPick of one commit (${label})**`, () => node("sdk pick", placed, wide.sample)],
    [
      "git CLI: blobless clone, cherry-pick, push",
      git((dir) => [
        blobless(dir, true),
        ["-C", dir, "cherry-pick", "origin/agent"],
        ["-C", dir, "push", "--quiet", "origin", "main"],
      ]),
    ],
  ];
  const title = `**(i) The agents' toolbox** (${wide.count.toLocaleString("en")} files, ${(wide.bytes / 1e6).toFixed(1)} MB, ${HISTORY} commits of history, ${remote.name})`;
  return versusGit(title, rows, prepare);
}

export async function dataPlaneTable(): Promise<{ lines: string[]; overBudget: boolean }> {
  const lines = [
    `Data plane, measured ${new Date().toISOString().slice(0, 10)}: one file committed or read; median of ${RUNS} runs, each in a process of its own.`,
    "",
  ];
  let overBudget = false;
  const withFilter = await localServer(true);
  const withoutFilter = await localServer(false);
  try {
    const plans: [string, Remote, RepoShape][] = [
      ["(a) the local server with filter", withFilter, wide],
      ["(b) the local server without filter", withoutFilter, wide],
      ["(c) 100,000 files on the local server", withFilter, deep],
    ];
    // BENCH_SCENARIOS=ab runs (a) and (b) only (while developing); default: all of them.
    const only = process.env.BENCH_SCENARIOS;
    const chosen = (title: string) => !only || only.includes(title.slice(1, 2));
    for (const [title, remote, shape] of plans.filter(([title]) => chosen(title))) {
      const { lines: table, over } = await scenario(title, remote, shape);
      lines.push(...table, "");
      overBudget ||= over;
    }
    if (chosen("(e)")) {
      const { lines: table, over } = await diffMergeTable(withFilter);
      lines.push(table.join("\n").replace("**Diff and merge", "**(e) Diff and merge"), "");
      overBudget ||= over;
    }
    if (chosen("(i)")) {
      for (const [remote, label] of [
        [withFilter, "client form, with filter"],
        [withoutFilter, "client form, without filter"],
      ] as const) {
        const { lines: table, over } = await toolboxTable(remote, label);
        lines.push(...table, "");
        overBudget ||= over;
      }
    }
    if (chosen("(f)")) {
      const { mergeCostTable } = await import("./merge-cost.js");
      const { lines: table, over } = await mergeCostTable();
      lines.push(...table, "");
      overBudget ||= over;
    }
    if (chosen("(g)")) {
      const { largeFileTable } = await import("./large-files.js");
      const { lines: table, over } = await largeFileTable();
      lines.push(...table, "");
      overBudget ||= over;
    }
    if (!chosen("(d)")) {
      // not asked for
    } else if (simulatorAvailable) {
      const simulator = await simulatorRemote();
      try {
        const { lines: table, over } = await scenario(
          "(d) Cloudflare's simulator, through the binding",
          simulator,
          wide,
        );
        lines.push(...table, "");
        overBudget ||= over;
      } finally {
        await simulator.close();
      }
    } else {
      lines.push("(d) skipped: Cloudflare's simulator needs `npm ci --prefix runtimes`.", "");
    }
  } finally {
    await withFilter.close();
    await withoutFilter.close();
    await Promise.all([...seeds.values()].map((dir) => rm(dir, { recursive: true, force: true })));
  }
  return { lines, overBudget };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { lines, overBudget } = await dataPlaneTable();
  console.log(lines.join("\n"));
  if (overBudget) {
    console.error(
      "\nOver budget: a one-file call of the data plane costs more than the budget allows (see the table).",
    );
    process.exitCode = 1;
  }
}
