/**
 * `npm run bench`: per-call time of getRepo and listRepos through this SDK, bare fetch, bare ky and the official
 * `cloudflare` package's generic `client.get`, sequential and at concurrency 32, each in a process of its own,
 * against one loopback server in another; cold import times; bundle sizes; the data plane (bench/data-plane.ts);
 * throughput of N agents and latency behind a delaying proxy (bench/throughput.ts). Prints a Markdown table of what this run
 * measured and exits non-zero when the SDK is over 1.10x bare ky in any row (median of the per-round ratios).
 */
import { type ChildProcess, execFileSync, fork } from "node:child_process";
import { once } from "node:events";
import { cpus } from "node:os";
import { join } from "node:path";
import { CONTENDERS, type ContenderName, type Task } from "./contender.js";
import { dataPlaneTable } from "./data-plane.js";
import { bundleSizes } from "./size.js";
import { throughputTable } from "./throughput.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 1000);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 3000);
const CONCURRENCY = 32;
const BUDGET = 1.1;
const root = join(import.meta.dirname, "..");

const server = fork(join(root, "bench/api-server.mjs"), [], { stdio: ["ignore", "pipe", "inherit", "ipc"] });
const port = await new Promise<string>((resolve) =>
  server.stdout?.once("data", (data) => resolve(String(data).trim())),
);
const baseUrl = `http://127.0.0.1:${port}/client/v4`;

// One process per contender (bench/contender.ts), as in real applications: sharing one process, the clients
// share ky's JIT state and one heap, and each slows the others down by a different amount.
const workers = new Map<ContenderName, ChildProcess>(
  CONTENDERS.map((name) => [
    name,
    fork(join(root, "bench/contender.ts"), [name, baseUrl], {
      execArgv: ["--expose-gc", "--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    }),
  ]),
);
// A contender that dies (a wrong answer throws) ends the bench instead of leaving it waiting for an answer.
let finished = false;
for (const [name, worker] of workers) {
  worker.on("exit", (code) => {
    if (finished) return;
    console.error(`bench: the process of "${name}" exited (code ${code})`);
    process.exit(1);
  });
}
await Promise.all([...workers.values()].map((worker) => once(worker, "message")));

/** Has `name` run `task` in its process; resolves to the milliseconds it took. */
async function run(name: ContenderName, task: Task): Promise<number> {
  const worker = workers.get(name)!;
  const answer = once(worker, "message");
  worker.send(task);
  const [{ ms }] = (await answer) as [{ ms: number }];
  return ms;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const scenarios = [
  ["getRepo", "sequential", SEQUENTIAL, 1],
  ["getRepo", `concurrency ${CONCURRENCY}`, CONCURRENT, CONCURRENCY],
  ["listRepos", "sequential", SEQUENTIAL, 1],
  ["listRepos", `concurrency ${CONCURRENCY}`, CONCURRENT, CONCURRENCY],
] as const;
const samples = new Map<string, number[]>();

// Warm up every path (JIT, connection pools).
for (const name of CONTENDERS) {
  for (const [fn, , , concurrency] of scenarios) await run(name, { fn, calls: 200, concurrency });
}
// A round's calls are cut into slices and the contenders take turns slice by slice, in an order that rotates: all
// four see the same moments of a noisy machine. A sample is one contender's µs per call over its slices of a round.
const SLICES = 10;
for (let round = 0; round < ROUNDS; round++) {
  for (const [fn, mode, calls, concurrency] of scenarios) {
    const spent = new Map<ContenderName, number>(CONTENDERS.map((name) => [name, 0]));
    for (let slice = 0; slice < SLICES; slice++) {
      const turn = (round * SLICES + slice) % CONTENDERS.length;
      for (const name of [...CONTENDERS.slice(turn), ...CONTENDERS.slice(0, turn)]) {
        const ms = await run(name, { fn, calls: calls / SLICES, concurrency });
        spent.set(name, (spent.get(name) ?? 0) + ms);
      }
    }
    for (const name of CONTENDERS) {
      const key = `${fn}|${mode}|${name}`;
      samples.set(key, [...(samples.get(key) ?? []), ((spent.get(name) ?? 0) * 1000) / calls]);
    }
  }
}
finished = true;
for (const worker of workers.values()) worker.disconnect();
server.disconnect();

/** Cold import: a fresh Node process each time, median of several. */
function coldImport(specifier: string): number {
  const script = `const t=performance.now();await import(${JSON.stringify(specifier)});console.log(performance.now()-t)`;
  const times = Array.from({ length: 9 }, () =>
    Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" })),
  );
  return median(times);
}
const imports = {
  "cloudflare-artifacts": coldImport(join(root, "dist/index.js")),
  cloudflare: coldImport("cloudflare"),
};
const sizes = await bundleSizes();

const lines: string[] = [];
const cpu = cpus()[0]?.model ?? "unknown CPU";
lines.push(
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpu}, Node ${process.version}, ` +
    `${ROUNDS} rounds (median; SDK / ky is the median of per-round ratios), each contender in its own process ` +
    "against one loopback server in another.",
  "",
  "| call | mode | bare fetch | bare ky | **cloudflare-artifacts** | cloudflare (client.get) | SDK / ky |",
  "|---|---|---|---|---|---|---|",
);
let overBudget = false;
for (const [fn, mode] of scenarios) {
  const series = (name: string) => samples.get(`${fn}|${mode}|${name}`) ?? [];
  const us = (name: string) => median(series(name));
  // The SDK and bare ky are compared within each round (measured moments apart), then the median is taken:
  // pairing cancels the machine's drift between rounds, which is larger than the difference being measured.
  const ky = series("bare ky");
  const ratio = median(series("cloudflare-artifacts").map((sdk, round) => sdk / (ky[round] ?? Number.NaN)));
  if (ratio > BUDGET) overBudget = true;
  const cell = (name: string) => `${us(name).toFixed(0)} µs (${(us(name) / us("bare ky")).toFixed(2)}×)`;
  lines.push(
    `| ${fn} | ${mode} | ${cell("bare fetch")} | ${us("bare ky").toFixed(0)} µs (1.00×) | **${cell("cloudflare-artifacts")}** | ` +
      `${cell("cloudflare (client.get)")} | ${ratio.toFixed(2)}${ratio > BUDGET ? " ⚠" : ""} |`,
  );
}
lines.push(
  "",
  "| cold import | median |",
  "|---|---|",
  ...Object.entries(imports).map(([name, ms]) => `| ${name} | ${ms.toFixed(1)} ms |`),
  "",
  "| bundle (ESM, minified, with dependencies) | minified | gzipped |",
  "|---|---|---|",
  ...sizes.map(
    (size) => `| ${size.name} | ${(size.minified / 1024).toFixed(1)} KB | ${(size.gzipped / 1024).toFixed(1)} KB |`,
  ),
);
const dataPlane = await dataPlaneTable();
lines.push("", ...dataPlane.lines);
const throughput = await throughputTable();
lines.push("", ...throughput.lines);
console.log(lines.join("\n"));
if (throughput.overBudget) {
  console.error("\nOver budget: a call gained more than 50 ms per request it sent behind the delaying proxy.");
  process.exitCode = 1;
}
if (dataPlane.overBudget) {
  console.error("\nOver budget: the data plane is slower than 0.5x git clone --depth 1, or received more than 10%.");
  process.exitCode = 1;
}
if (overBudget) {
  console.error(`\nOver budget: cloudflare-artifacts is slower than ${BUDGET}x bare ky in at least one scenario.`);
  process.exitCode = 1;
}
