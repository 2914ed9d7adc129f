/**
 * `npm run bench`: per-call time of getRepo and listRepos through this SDK, bare fetch, bare ky and the official
 * `cloudflare` package's generic `client.get`, sequential and at concurrency 32, against one loopback server in
 * another process; cold import times; bundle sizes. Prints a Markdown table of ratios measured in this run and
 * exits non-zero when this SDK is slower than 1.10x bare ky (median of the rounds).
 */
import { execFileSync, fork } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import Cloudflare from "cloudflare";
import ky from "ky";
import { createClient, getRepo, listRepos } from "../src/index.js";
import { bundleSizes } from "./size.js";

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
const path = "accounts/acc/artifacts/namespaces/default";
const apiToken = "bench-api-token-0123456789abcdefghij";
const authorization = `Bearer ${apiToken}`;

const sdk = createClient({ accountId: "acc", apiToken, baseUrl });
const bareKy = ky.create({ prefixUrl: `${baseUrl}/${path}`, headers: { authorization }, retry: 0 });
const cloudflare = new Cloudflare({ apiToken, baseURL: baseUrl, maxRetries: 0 });

type Call = () => Promise<unknown>;
const check = (ok: boolean) => {
  if (!ok) throw new Error("a contender got a wrong answer");
};
const contenders: Record<string, { getRepo: Call; listRepos: Call }> = {
  "bare fetch": {
    getRepo: async () => {
      const response = await fetch(`${baseUrl}/${path}/repos/notes`, { headers: { authorization } });
      check(((await response.json()) as { result: { name: string } }).result.name === "notes");
    },
    listRepos: async () => {
      const response = await fetch(`${baseUrl}/${path}/repos`, { headers: { authorization } });
      check(((await response.json()) as { result: unknown[] }).result.length === 50);
    },
  },
  "bare ky": {
    getRepo: async () =>
      check((await bareKy.get("repos/notes").json<{ result: { name: string } }>()).result.name === "notes"),
    listRepos: async () => check((await bareKy.get("repos").json<{ result: unknown[] }>()).result.length === 50),
  },
  "cloudflare-artifacts": {
    getRepo: async () => check((await getRepo(sdk, "notes"))._unsafeUnwrap().name === "notes"),
    listRepos: async () => check((await listRepos(sdk))._unsafeUnwrap()[0].length === 50),
  },
  "cloudflare (client.get)": {
    getRepo: async () =>
      check(((await cloudflare.get(`/${path}/repos/notes`)) as { result: { name: string } }).result.name === "notes"),
    listRepos: async () =>
      check(((await cloudflare.get(`/${path}/repos`)) as { result: unknown[] }).result.length === 50),
  },
};

async function perCall(call: Call, calls: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < calls) await call();
    }),
  );
  return ((performance.now() - started) * 1000) / calls; // µs per call
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const scenarios = [
  ["getRepo", "sequential", SEQUENTIAL, 1],
  ["getRepo", `concurrency ${CONCURRENCY}`, CONCURRENT, CONCURRENCY],
  ["listRepos", "sequential", SEQUENTIAL, 1],
  ["listRepos", `concurrency ${CONCURRENCY}`, CONCURRENT, CONCURRENCY],
] as const;
const samples = new Map<string, number[]>();

// Warm up every path (JIT, connection pools), then interleave the contenders within each round.
for (const contender of Object.values(contenders)) {
  for (const [fn, , , concurrency] of scenarios) await perCall(contender[fn], 200, concurrency);
}
// Each sample starts from a collected heap, and the order rotates every round, so no contender keeps paying for
// the garbage of the one measured before it.
const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => {});
const names = Object.keys(contenders);
for (let round = 0; round < ROUNDS; round++) {
  const order = [...names.slice(round % names.length), ...names.slice(0, round % names.length)];
  for (const [fn, mode, calls, concurrency] of scenarios) {
    for (const name of order) {
      const key = `${fn}|${mode}|${name}`;
      collectGarbage();
      samples.set(key, [...(samples.get(key) ?? []), await perCall(contenders[name]![fn], calls, concurrency)]);
    }
  }
}
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
    `${ROUNDS} rounds (median; SDK / ky is the median of per-round ratios), loopback server in another process.`,
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
console.log(lines.join("\n"));
if (overBudget) {
  console.error(`\nOver budget: cloudflare-artifacts is slower than ${BUDGET}x bare ky in at least one scenario.`);
  process.exitCode = 1;
}
