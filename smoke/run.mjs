// `npm run smoke`: the built package's lifecycle, with the Git data plane, against the local server under Node 20
// (this process's Node), Node 22, Node 24, Bun and Deno; inside workerd the core alone (no compatibility flags)
// and the core with `./git` (no flag either: neither imports a Node built-in), and the example Queue
// consumer of `./events` with a fabricated batch. The runtimes are the pinned packages of
// runtimes/ (`npm ci --prefix runtimes`). Exits non-zero if any runtime fails.
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { startArtifactsServer } from "../dist/testing/index.js";

const root = join(import.meta.dirname, "..");
const bin = (name) => join(root, "runtimes/node_modules/.bin", name);
const server = await startArtifactsServer();
const env = {
  ...process.env,
  ARTIFACTS_BASE_URL: server.baseUrl,
  ARTIFACTS_ACCOUNT_ID: server.accountId,
  ARTIFACTS_API_TOKEN: server.apiToken,
};

function run(command, args, options = {}) {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: root, env, timeout: 120_000, ...options }, (error, stdout, stderr) =>
      resolve({ ok: !error, output: `${stdout}${stderr}`.trim() }),
    );
  });
}

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

const smokeBindings = { BASE_URL: server.baseUrl, ACCOUNT_ID: server.accountId, API_TOKEN: server.apiToken };

/** The package by name, as a user's Worker imports it: here, the built entry points. */
const builtPackage = {
  "cloudflare-artifacts/events": join(root, "dist/events/index.js"),
  "cloudflare-artifacts/git": join(root, "dist/git/index.js"),
  "cloudflare-artifacts": join(root, "dist/index.js"),
};

async function workerd(entry, { bindings = smokeBindings, check } = {}) {
  const dir = await mkdtemp(join(tmpdir(), "smoke-workerd-"));
  try {
    // workerd resolves no npm packages: the Worker and the SDK are bundled into one module, as wrangler would.
    await build({
      entryPoints: [join(root, entry)],
      bundle: true,
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
      outfile: join(dir, "worker.js"),
      logLevel: "silent",
      alias: builtPackage,
    });
    const port = await freePort();
    const text = (name, value) => `(name = "${name}", text = ${JSON.stringify(value)})`;
    await writeFile(
      join(dir, "config.capnp"),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .smoke),
    (name = "loopback", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const smoke :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "worker.js")],
  compatibilityDate = "2025-09-01",
  bindings = [${Object.entries(bindings)
    .map(([name, value]) => text(name, value))
    .join(", ")}],
  globalOutbound = "loopback",
);
`,
    );
    const child = spawn(bin("workerd"), ["serve", join(dir, "config.capnp"), "config"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let logs = "";
    child.stdout.on("data", (chunk) => (logs += chunk));
    child.stderr.on("data", (chunk) => (logs += chunk));
    try {
      for (let attempt = 0; attempt < 100; attempt++) {
        const response = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
        if (response) {
          const body = await response.text();
          const problem = response.ok ? check?.(body) : undefined;
          const ok = response.ok && !problem;
          return { ok, output: ok ? body : `${problem ?? ""}\n${body}\n${logs}` };
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return { ok: false, output: `workerd did not start\n${logs}` };
    } finally {
      child.kill();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A Worker under `wrangler dev`, its Artifacts binding on Cloudflare's own local simulator (Node 22 from runtimes/:
 * wrangler needs ≥ 22.12), the package resolved to dist/ as a user's install would give it. `judge` gets the base URL
 * and answers `ok: <what it saw>` or what went wrong.
 */
async function wranglerDev(entry, judge) {
  const dir = await mkdtemp(join(tmpdir(), "smoke-wrangler-"));
  const port = await freePort();
  await writeFile(
    join(dir, "wrangler.json"),
    JSON.stringify({
      name: "smoke-binding",
      main: join(root, entry),
      compatibility_date: "2026-11-01",
      artifacts: [{ binding: "ARTIFACTS", namespace: "default", remote: false }],
      alias: builtPackage,
    }),
  );
  const child = spawn(
    join(root, "runtimes/node_modules/node22/bin/node"),
    [join(root, "runtimes/node_modules/wrangler/bin/wrangler.js"), "dev", "--port", String(port), "--ip", "127.0.0.1"],
    {
      cwd: dir,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...env, HOME: dir, CI: "1", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    },
  );
  let logs = "";
  const ready = new Promise((resolve) => {
    const hear = (chunk) => {
      logs += chunk;
      if (logs.includes(`Ready on http://127.0.0.1:${port}`)) resolve(true);
    };
    child.stdout.on("data", hear);
    child.stderr.on("data", hear);
    child.once("exit", () => resolve(false));
    // Unref'd: once the judge is done, nothing of this wait may keep the smoke test running.
    setTimeout(() => resolve(false), 90_000).unref();
  });
  try {
    if (!(await ready)) return { ok: false, output: `wrangler dev did not start\n${logs}` };
    const problem = await judge(`http://127.0.0.1:${port}`).catch((error) => String(error?.stack ?? error));
    return problem?.startsWith("ok: ")
      ? { ok: true, output: problem.slice(4) }
      : { ok: false, output: `${problem}\n${logs}` };
  } finally {
    if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }
}

/** examples/worker-binding, judged: what it answers, what git clones, and its tokens revoked. */
async function judgeBindingExample(base) {
  const answer = await (await fetch(`${base}/?repo=smoke-binding`)).json();
  const readme = String.fromCharCode(...(answer.files?.["README.md"] ?? []));
  if (answer.commit !== answer.read || readme !== "# Hello from the binding\n") {
    return `the example did not read back what it committed: ${JSON.stringify(answer)}`;
  }
  const check = await (await fetch(`${base}/check?repo=smoke-binding`)).json();
  const clone = await mkdtemp(join(tmpdir(), "smoke-binding-clone-"));
  try {
    const header = `http.extraHeader=Authorization: Bearer ${check.token}`;
    const cloned = await run("git", ["-c", header, "clone", "--quiet", check.remote, clone]);
    if (!cloned.ok) return `git could not clone the example's repo: ${cloned.output}`;
    const head = await run("git", ["-C", clone, "log", "-1", "--format=%H %s"]);
    if (head.output !== `${answer.commit} Written by a Worker through its binding`) return `git sees ${head.output}`;
    const bytes = await run("git", ["-C", clone, "cat-file", "-s", "HEAD:data/bytes.bin"]);
    if (bytes.output !== "4") return `data/bytes.bin is ${bytes.output} bytes`;
  } finally {
    await rm(clone, { recursive: true, force: true });
  }
  // The create() token stays; the one the example's calls shared is revoked by its waitUntil, which may still be
  // running as the answer arrives: asked again for up to 5 s. The judge's own read token is not counted.
  let tokens = [];
  for (let tries = 0; tries < 50; tries++) {
    ({ tokens } = await (await fetch(`${base}/tokens?repo=smoke-binding`)).json());
    const live = tokens.filter((token) => token.id !== check.id && (token.state ?? "active") === "active");
    if (live.length === 1) break;
    if (tries === 49) return `the example left ${live.length} live tokens: ${JSON.stringify(tokens)}`;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return `ok: committed, read and judged by git; tokens ${tokens.map((token) => token.state).join(", ")}`;
}

const runtimes = {
  "Node 20": () => run(process.execPath, ["smoke/cli.mjs"]),
  "Node 22": () => run(join(root, "runtimes/node_modules/node22/bin/node"), ["smoke/cli.mjs"]),
  "Node 24": () => run(join(root, "runtimes/node_modules/node24/bin/node"), ["smoke/cli.mjs"]),
  Bun: () => run(bin("bun"), ["smoke/cli.mjs"]),
  Deno: () =>
    run(bin("deno"), ["run", "--allow-env", "--allow-net", "--allow-read", "smoke/cli.mjs"], {
      env: { ...env, DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(tmpdir(), "smoke-deno-cache") },
    }),
  workerd: () => workerd("smoke/worker.mjs"),
  "workerd with ./git": () => workerd("smoke/worker-git.mjs"),
  "workerd with ./events": () => workerd("smoke/worker-events.mjs"),
  // The Worker example as it would be deployed, its API token a secret binding, against the local server.
  "workerd: examples/worker": () =>
    workerd("examples/worker/src/index.ts", {
      bindings: {
        CLOUDFLARE_ACCOUNT_ID: server.accountId,
        CLOUDFLARE_API_TOKEN: server.apiToken,
        CLOUDFLARE_API_BASE_URL: server.baseUrl,
      },
      check: (body) => {
        const answer = JSON.parse(body);
        const readme = String.fromCharCode(...(answer.files?.["README.md"] ?? []));
        const bytes = JSON.stringify(answer.files?.["data/bytes.bin"]);
        return answer.commit === answer.read && readme === "# Hello from a Worker\n" && bytes === "[0,1,2,255]"
          ? undefined
          : "the Worker example did not read back what it committed";
      },
    }),
  "wrangler dev (Cloudflare's simulator): examples/worker-binding": () =>
    wranglerDev("smoke/worker-binding.mjs", judgeBindingExample),
};

let failed = false;
try {
  // SMOKE_ONLY=<part of a name> runs only the matching runtimes (for a quick check while developing).
  const only = process.env.SMOKE_ONLY;
  for (const [name, start] of Object.entries(runtimes).filter(([name]) => !only || name.includes(only))) {
    const { ok, output } = await start();
    console.log(
      `${ok ? "ok  " : "FAIL"} ${name}: ${output
        .split("\n")
        .slice(0, ok ? 1 : 30)
        .join("\n     ")}`,
    );
    failed ||= !ok;
  }
} finally {
  await server.close();
}
console.log(failed ? "smoke: FAILED" : "smoke: every runtime passed");
process.exitCode = failed ? 1 : 0;
