// `npm run smoke`: the built package's lifecycle, with the Git data plane, against the local server under Node 20
// (this process's Node), Node 22, Node 24, Bun and Deno; inside workerd the core alone (no compatibility flags)
// and the core with `./git` (with `nodejs_compat`, which isomorphic-git's Buffer needs), and the example Queue
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

async function workerd(entry, { compatibilityFlags = [], bindings = smokeBindings, check } = {}) {
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
      // As wrangler does under nodejs_compat: Node's built-ins come from the runtime, and a CommonJS `require` of
      // one (safe-buffer's, below isomorphic-git) is answered from an import.
      ...(compatibilityFlags.includes("nodejs_compat")
        ? {
            alias: { ...builtPackage, buffer: "node:buffer" },
            external: ["node:*"],
            banner: {
              js: 'import * as __nodeBuffer from "node:buffer"; const require = (id) => { if (id === "node:buffer") return __nodeBuffer; throw new Error("require(" + id + ") is not bundled"); };',
            },
          }
        : {}),
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
  compatibilityFlags = ${JSON.stringify(compatibilityFlags)},
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
  "workerd with ./git": () => workerd("smoke/worker-git.mjs", { compatibilityFlags: ["nodejs_compat"] }),
  "workerd with ./events": () => workerd("smoke/worker-events.mjs"),
  // The Worker example as it would be deployed, its API token a secret binding, against the local server.
  "workerd: examples/worker": () =>
    workerd("examples/worker/src/index.ts", {
      compatibilityFlags: ["nodejs_compat"],
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
};

let failed = false;
try {
  for (const [name, start] of Object.entries(runtimes)) {
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
