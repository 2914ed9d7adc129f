/**
 * The data plane's table for `npm run bench`: one-file commit and one-file read in a repo of 2,000 files / 32 MB
 * on the local server, through this SDK (`commitFiles`, `readFiles`), Cloudflare's documented isomorphic-git
 * recipe, and the git CLI. Time (median), bytes received from the remote, peak memory (RSS) of the process.
 * Budget: the SDK's commit and read each ≤ 0.5× a plain `git clone --depth 1`, and bytes ≤ 10% of the repo.
 * Every contender runs in a process of its own (its peak memory is its own); the server runs in this one, so
 * every child is waited for asynchronously.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

// As built: dist/, typed by the source it is built from.
const { createClient, createRepo, createToken } = (await import(
  join(import.meta.dirname, "../dist/index.js") as string
)) as typeof import("../src/index.js");
const { startArtifactsServer } = (await import(
  join(import.meta.dirname, "../dist/testing/index.js") as string
)) as typeof import("../src/testing/index.js");

import { startGitProxy } from "../tests/support/git-proxy.js";

const FILES = 2000;
const FILE_BYTES = 16 * 1024;
const REPO_BYTES = FILES * FILE_BYTES;
const RUNS = Number(process.env.BENCH_DATA_PLANE_RUNS ?? 5);
const TIME_BUDGET = 0.5;
const BYTES_BUDGET = 0.1;
const root = join(import.meta.dirname, "..");

function exec(command: string, args: string[], cwd?: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) =>
    execFile(
      command,
      args,
      {
        cwd,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
      },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${command} ${args[0]}: ${stderr}`)) : resolve({ stdout, stderr }),
    ),
  );
}

interface Sample {
  ms: number;
  bytes: number;
  maxRssKb: number;
}

export async function dataPlaneTable(): Promise<{ lines: string[]; overBudget: boolean }> {
  const server = await startArtifactsServer();
  const proxy = await startGitProxy(server.origin);
  const work = await mkdtemp(join(tmpdir(), "bench-data-plane-"));
  try {
    const client = createClient({ ...server.clientOptions, retry: 0 });
    const repo = (await createRepo(client, { name: "bench" }))._unsafeUnwrap();
    const token = (await createToken(client, { repo: "bench", scope: "write", ttl: 3600 }))._unsafeUnwrap().plaintext;
    const remote = proxy.remote(repo.remote);
    const auth = [
      "-c",
      `http.extraHeader=Authorization: Bearer ${token}`,
      "-c",
      "user.name=Bench",
      "-c",
      "user.email=b@example.com",
    ];

    // 2,000 files of 16 KiB of random bytes (incompressible): 32 MiB at the head.
    const seed = join(work, "seed");
    await exec("git", ["init", "--quiet", "-b", "main", seed]);
    for (let dir = 0; dir < 20; dir++) {
      await mkdir(join(seed, `dir-${dir}`));
      await Promise.all(
        Array.from({ length: FILES / 20 }, (_, file) =>
          writeFile(join(seed, `dir-${dir}`, `file-${file}.bin`), randomBytes(FILE_BYTES)),
        ),
      );
    }
    await exec("git", ["add", "-A"], seed);
    await exec("git", [...auth, "commit", "--quiet", "-m", "seed"], seed);
    await exec("git", [...auth, "push", "--quiet", repo.remote, "main"], seed);

    let counter = 0;
    const path = "dir-7/file-42.bin";
    const node = async (task: string): Promise<Sample> => {
      proxy.received = 0;
      const { stdout } = await exec(
        process.execPath,
        [
          "--import",
          "tsx",
          join(root, "bench/data-plane-contender.ts"),
          task,
          JSON.stringify({ remote, token, path, content: `change ${++counter}` }),
        ],
        root,
      );
      const { ms, maxRssKb } = JSON.parse(stdout) as { ms: number; maxRssKb: number };
      return { ms, bytes: proxy.received, maxRssKb };
    };
    /** git commands in a row, each under `/usr/bin/time` for its peak memory (its own and its children's). */
    const cli = async (commands: (dir: string) => string[][]): Promise<Sample> => {
      const dir = join(work, `clone-${++counter}`);
      proxy.received = 0;
      let maxRssKb = 0;
      const started = performance.now();
      for (const args of commands(dir)) {
        if (args[0] === "write") {
          await writeFile(join(dir, args[1] ?? ""), `change ${counter}`);
          continue;
        }
        const { stderr } = await exec("/usr/bin/time", ["-f", "%M", "git", ...auth, ...args]);
        maxRssKb = Math.max(maxRssKb, Number(stderr.trim().split("\n").at(-1)));
      }
      const ms = performance.now() - started;
      await rm(dir, { recursive: true, force: true });
      return { ms, bytes: proxy.received, maxRssKb };
    };
    const clone = (dir: string) => ["clone", "--quiet", "--depth", "1", "--single-branch", remote, dir];
    const contenders: [string, () => Promise<Sample>][] = [
      ["(a Node process that does nothing, for scale)", () => node("nothing")],
      ["git clone --depth 1 (the yardstick)", () => cli((dir) => [clone(dir)])],
      ["**cloudflare-artifacts commitFiles**", () => node("sdk commit")],
      ["isomorphic-git recipe: clone, commit, push", () => node("isomorphic-git commit")],
      [
        "git CLI: clone --depth 1, commit, push",
        () =>
          cli((dir) => [
            clone(dir),
            ["write", path],
            ["-C", dir, "commit", "--quiet", "-am", "bench"],
            ["-C", dir, "push", "--quiet", "origin", "main"],
          ]),
      ],
      ["**cloudflare-artifacts readFiles**", () => node("sdk read")],
      ["isomorphic-git recipe: clone, read", () => node("isomorphic-git read")],
      ["git CLI: clone --depth 1, read", () => cli((dir) => [clone(dir)])],
    ];
    const results = new Map<string, Sample[]>();
    // Warm-up once each (page cache, JIT of tsx), then RUNS rounds in turn.
    for (const [, run] of contenders) await run();
    for (let round = 0; round < RUNS; round++) {
      for (const [name, run] of contenders) results.set(name, [...(results.get(name) ?? []), await run()]);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
    const stat = (name: string, field: keyof Sample) =>
      median((results.get(name) ?? []).map((sample) => sample[field]));
    const yardstick = stat(contenders[1]?.[0] ?? "", "ms");
    const lines = [
      `Data plane, measured ${new Date().toISOString().slice(0, 10)}: a repo of ${FILES} files / ${(REPO_BYTES / 1e6).toFixed(1)} MB (random bytes) ` +
        `on the local server, one file changed or read; median of ${RUNS} runs, each in a process of its own.`,
      "",
      "| operation | time | vs clone --depth 1 | bytes received | of the repo | peak memory (RSS) |",
      "|---|---|---|---|---|---|",
    ];
    let overBudget = false;
    for (const [name] of contenders) {
      const ms = stat(name, "ms");
      const bytes = stat(name, "bytes");
      const sdk = name.includes("cloudflare-artifacts");
      const over = sdk && (ms > TIME_BUDGET * yardstick || bytes > BYTES_BUDGET * REPO_BYTES);
      overBudget ||= over;
      const memory = `${(stat(name, "maxRssKb") / 1024).toFixed(0)} MB`;
      // The floor row has only a memory figure: the time and bytes of doing nothing say nothing.
      const cells = name.startsWith("(")
        ? ["–", "–", "–", "–"]
        : [
            `${ms.toFixed(0)} ms`,
            `${(ms / yardstick).toFixed(2)}×`,
            `${(bytes / 1024).toFixed(1)} KB`,
            `${((bytes / REPO_BYTES) * 100).toFixed(1)} %`,
          ];
      lines.push(`| ${name} | ${cells.join(" | ")} | ${memory} |${over ? " ⚠" : ""}`);
    }
    return { lines, overBudget };
  } finally {
    await proxy.close();
    await server.close();
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { lines, overBudget } = await dataPlaneTable();
  console.log(lines.join("\n"));
  if (overBudget) {
    console.error("\nOver budget: the data plane is slower than 0.5× git clone --depth 1, or received more than 10%.");
    process.exitCode = 1;
  }
}
