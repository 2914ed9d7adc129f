/**
 * The throughput and latency tables of `npm run bench`, on the local server (in this process; every agent in a
 * process of its own, waited for asynchronously):
 * - N agents (BENCH_AGENTS, default 4) committing for 10 s (BENCH_SECONDS) to one repo, then each to a repo of its
 *   own in one namespace: commits per 10 s and requests per commit, the SDK's client form beside the git CLI (clone
 *   once, then commit + push, pulling with rebase when another agent pushed first). Artifacts allows 2,000 Git
 *   requests per repo and 2,000 REST requests per namespace every 10 s: requests per commit is what meets them.
 * - Each call once through a proxy that adds nothing and once through one that adds 50 ms to every request (three
 *   rounds, medians), beside the git CLI through the same proxies. Budget: the time a call gains is at most 50 ms ×
 *   the requests it sends (a bound on its sequential ones), allowing the proxy's timer 5 ms a request late and 10 ms a
 *   call.
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { startGitProxy } from "../tests/support/git-proxy.js";
import { freePort } from "../tests/support/simulator.js";
import type { AgentInput } from "./agent.js";
import { builtCore, builtGit, builtTesting } from "./built.js";

const { createClient, createRepo } = builtCore;
const { commitFiles, disposeGit } = builtGit;
const { startArtifactsServer } = builtTesting;

const AGENTS = Number(process.env.BENCH_AGENTS ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const DELAY = 50;
/**
 * Rounds of the latency table; and what the proxy's timer adds to the 50 ms it holds each request (a timer fires a
 * few ms late, more on a busy machine): allowed per request, beside 10 ms a call.
 */
const ROUNDS = Number(process.env.BENCH_LATENCY_ROUNDS ?? 3);
const LATE = 5;
const JITTER = 10;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const agent = (input: AgentInput): ChildProcess =>
  fork(join(import.meta.dirname, "agent.ts"), [JSON.stringify(input)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });

export async function throughputTable(): Promise<{ lines: string[]; overBudget: boolean }> {
  const server = await startArtifactsServer();
  const client = createClient({ ...server.clientOptions, retry: 0 });
  let count = 0;
  const seeded = async () => {
    const name = `agents-${++count}`;
    const repo = (await createRepo(client, { name }))._unsafeUnwrap();
    (
      await commitFiles(client, name, { message: "seed", author: { name: "B", email: "b@b" }, files: { s: "s" } })
    )._unsafeUnwrap();
    return { name, remote: repo.remote, token: repo.token };
  };
  const proxy = await startGitProxy(server.origin);
  const lines = [
    `**Throughput** (${AGENTS} agents, ${SECONDS} s, the local server; each agent commits a new file each time)`,
    "",
    "| agents commit to | with | commits per 10 s | requests per commit |",
    "|---|---|---|---|",
  ];
  try {
    for (const shared of [true, false]) {
      for (const kind of ["sdk", "git"] as const) {
        const one = shared ? await seeded() : undefined;
        const repos = await Promise.all(Array.from({ length: AGENTS }, async () => one ?? (await seeded())));
        proxy.requests.length = 0;
        const children = repos.map((repo, id) =>
          agent({
            kind,
            id,
            seconds: SECONDS,
            client: server.clientOptions,
            repo: repo.name,
            remote: proxy.remote(repo.remote),
            token: repo.token,
          }),
        );
        await Promise.all(children.map((child) => once(child, "message")));
        const before = proxy.requests.length;
        for (const child of children) child.send("go");
        const results = (await Promise.all(children.map((child) => once(child, "message")))).map(
          ([result]) => result as { commits: number; requests: number },
        );
        const commits = results.reduce((sum, result) => sum + result.commits, 0);
        const requests =
          kind === "sdk" ? results.reduce((sum, result) => sum + result.requests, 0) : proxy.requests.length - before;
        lines.push(
          `| ${shared ? "one repo" : "a repo each, one namespace"} | ${kind === "sdk" ? "this SDK (client)" : "git CLI (cloned once)"} | ${((commits * 10) / SECONDS).toFixed(0)} | ${(requests / Math.max(commits, 1)).toFixed(1)} |`,
        );
      }
    }

    // Latency: the same calls through a proxy that adds nothing and through one that adds 50 ms a request (the
    // proxy's own hop in both; a server of its own, whose remotes name the proxy), each in a process of its own,
    // ROUNDS times: the medians.
    const rounds = async (delayMs: number) => {
      const port = await freePort();
      const slow = await startGitProxy(`http://127.0.0.1:${port}`, { delayMs });
      const through = (url: string) => slow.remote(url);
      const behind = await startArtifactsServer({ port, remoteOrigin: through(`http://127.0.0.1:${port}`) });
      const options = { ...behind.clientOptions, baseUrl: through(behind.clientOptions.baseUrl) };
      const seeding = createClient({ ...options, retry: 0 });
      const runs: { call: string; ms: number; requests: number }[][] = [];
      try {
        for (let round = 0; round < ROUNDS; round++) {
          const name = `calls-${round}`;
          const repo = (await createRepo(seeding, { name }))._unsafeUnwrap();
          const input = { kind: "calls", id: 0, seconds: 0, client: options, repo: name } as const;
          const [timed] = await once(agent({ ...input, remote: repo.remote, token: repo.token }), "message");
          runs.push(timed as { call: string; ms: number; requests: number }[]);
        }
      } finally {
        await behind.close();
        await slow.close();
      }
      return (runs[0] ?? []).map((row, index) => ({ ...row, ms: median(runs.map((run) => run[index]?.ms ?? 0)) }));
    };
    const direct = await rounds(0);
    const delayed = await rounds(DELAY);
    lines.push(
      "",
      `**Latency** (each call once through a proxy that adds nothing and through one that adds ${DELAY} ms to every request; medians of ${ROUNDS} rounds; the local server)`,
      "",
      "| call | requests | through the proxy | +50 ms a request | added | budget |",
      "|---|---|---|---|---|---|",
    );
    let over = false;
    for (const [index, row] of direct.entries()) {
      const late = delayed[index] ?? row;
      const added = late.ms - row.ms;
      // NaN came over IPC as null: a git CLI row, whose requests this process does not count.
      const counted = typeof late.requests === "number";
      const bound = (DELAY + LATE) * late.requests + JITTER;
      const within = !counted || added <= bound;
      over ||= !within;
      lines.push(
        `| ${row.call} | ${counted ? late.requests : "–"} | ${row.ms.toFixed(0)} ms | ${late.ms.toFixed(0)} ms | ${added.toFixed(0)} ms | ${counted ? (within ? `within (≤ ${bound} ms)` : `⚠ over ${bound} ms`) : ""} |`,
      );
    }
    return { lines, overBudget: over };
  } finally {
    await disposeGit(client);
    await proxy.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { lines, overBudget } = await throughputTable();
  console.log(lines.join("\n"));
  process.exit(overBudget ? 1 : 0);
}
