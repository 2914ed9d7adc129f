import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ArtifactsRepoHandle } from "../../src/git/objects/sources.js";

/**
 * Cloudflare's own local Artifacts simulator (miniflare's, what `wrangler dev` runs for an `artifacts` binding): a
 * tiny Worker (simulator-worker/) under wrangler, on Node 22 from the runtimes package (`npm ci --prefix runtimes`;
 * wrangler needs Node ≥ 22.12). It talks to 127.0.0.1 only: the `Request.cf` fetch is off, metrics too.
 */

const root = join(import.meta.dirname, "../..");
const node22 = join(root, "runtimes/node_modules/node22/bin/node");
const wrangler = join(root, "runtimes/node_modules/wrangler/bin/wrangler.js");

/** Whether the simulator can run here. In CI it must: a missing runtimes install fails there, never skips. */
export const simulatorAvailable = existsSync(node22) && existsSync(wrangler);
if (!simulatorAvailable && process.env.CI) {
  throw new Error("Cloudflare's simulator is not installed: run `npm ci --prefix runtimes` before the tests");
}

/** What the binding's `create()` returns: a Git remote and a write token for it. */
export interface SimulatedRepo {
  remote: string;
  token: string;
}

export interface Simulator {
  /** The Worker's origin (`http://127.0.0.1:<port>`), for `handleOver` in another process. */
  origin: string;
  /** `env.ARTIFACTS.create(name)`. */
  create(name: string): Promise<SimulatedRepo>;
  /** `(await env.ARTIFACTS.get(name)).createToken(scope, 3600)`. */
  token(name: string, scope: "read" | "write"): Promise<{ id: string; plaintext: string }>;
  /** `(await env.ARTIFACTS.get(name)).listTokens()`. */
  tokens(name: string): Promise<{ total: number; tokens: { id: string; state?: string }[] }>;
  /**
   * The repo handle `env.ARTIFACTS.get(name)` gives a Worker, reached from this process: each method is one HTTP
   * call to the Worker, which calls the binding. `received` counts the bytes of its answers.
   */
  handle(name: string): ArtifactsRepoHandle & { received: number; calls: string[] };
  close(): Promise<void>;
}

/** A port free on 127.0.0.1 now (for a server that must know its port before it starts). */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });

/** A Worker under `wrangler dev` (its folder `dir`), on 127.0.0.1, until `close`. */
export interface WranglerDev {
  origin: string;
  close(): Promise<void>;
}

/**
 * `wrangler dev` in `dir` (a folder with a `wrangler.jsonc`), on a free port, with no account, no metrics and no
 * network; `args` are more of wrangler's flags (`--var NAME:value`). Resolves once wrangler says it is ready.
 */
export async function startWranglerDev(dir: string, args: string[] = []): Promise<WranglerDev> {
  const port = await freePort();
  const child: ChildProcess = spawn(node22, [wrangler, "dev", "--port", String(port), "--ip", "127.0.0.1", ...args], {
    cwd: dir,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      HOME: dir,
      CI: "1",
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
    },
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wrangler dev did not start in 60 s:\n${output}`)), 60_000);
    const hear = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`Ready on http://127.0.0.1:${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", hear);
    child.stderr?.on("data", hear);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`wrangler dev exited (${code}):\n${output}`));
    });
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        process.kill(-child.pid, "SIGTERM");
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
      }
    },
  };
}

/**
 * `examples/<name>` under `wrangler dev`, as its wrangler.jsonc declares it, from a folder inside the project (so its
 * imports resolve to node_modules), its imports of this package pointed at the sources by wrangler's `alias`.
 * `entry` is a module to run in front of the example's (it imports the example as `EXAMPLE`).
 */
export async function startExample(name: string, options: { entry?: string; args?: string[] } = {}) {
  const example = join(root, "examples", name);
  await mkdir(join(root, ".test-build"), { recursive: true });
  const dir = await mkdtemp(join(root, ".test-build", `${name}-`));
  const config = JSON.parse((await readFile(join(example, "wrangler.jsonc"), "utf8")).replace(/^\s*\/\/.*$/gm, ""));
  const main = join(example, config.main);
  if (options.entry) await writeFile(join(dir, "entry.js"), options.entry.replace("EXAMPLE", JSON.stringify(main)));
  const alias = Object.fromEntries(
    ["git", "tools", "events", "testing"].map((path) => [
      `cloudflare-artifacts/${path}`,
      join(root, `src/${path}/index.ts`),
    ]),
  );
  alias["cloudflare-artifacts"] = join(root, "src/index.ts");
  const written = { ...config, $schema: undefined, main: options.entry ? "entry.js" : main, alias };
  await writeFile(join(dir, "wrangler.json"), JSON.stringify(written));
  try {
    const worker = await startWranglerDev(dir, options.args);
    return {
      origin: worker.origin,
      async close() {
        await worker.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

export async function startSimulator(): Promise<Simulator> {
  const dir = await mkdtemp(join(tmpdir(), "artifacts-simulator-"));
  await cp(join(import.meta.dirname, "simulator-worker"), dir, { recursive: true });
  // The Worker runs this SDK's data plane from source: wrangler's bundler takes the TypeScript as it is.
  await writeFile(join(dir, "sdk.js"), `export * from ${JSON.stringify(join(root, "src/git/index.ts"))};\n`);
  const worker = await startWranglerDev(dir);
  const { origin } = worker;

  const call = async <T>(method: string, path: string): Promise<T> => {
    const response = await fetch(`${origin}${path}`, { method });
    const body = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(`the simulator's Worker answered ${response.status}: ${body.error}`);
    return body;
  };
  const handle = (name: string) => handleOver(origin, name);
  return {
    origin,
    handle,
    tokens: (name) => call("GET", `/repos/${encodeURIComponent(name)}/tokens`),
    create: (name) => call("POST", `/repos/${encodeURIComponent(name)}`),
    token: (name, scope) => call("POST", `/repos/${encodeURIComponent(name)}/tokens?scope=${scope}`),
    async close() {
      await worker.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The repo handle `env.ARTIFACTS.get(name)` gives a Worker, reached from another process through the simulator's
 * Worker at `origin` (each method one HTTP call); `received` counts the bytes of its answers.
 */
export function handleOver(origin: string, name: string): ArtifactsRepoHandle & { received: number; calls: string[] } {
  const base = `${origin}/repos/${encodeURIComponent(name)}`;
  const counted = {
    received: 0,
    calls: [] as string[],
    /** The answer's bytes, or null for the binding's null. */
    async get(method: string, path: string): Promise<Uint8Array<ArrayBuffer> | null> {
      counted.calls.push(`${method} ${path}`);
      const response = await fetch(`${base}${path}`, { method });
      const body = new Uint8Array(await response.arrayBuffer());
      counted.received += body.byteLength;
      if (response.status >= 500) throw new Error(`the binding failed: ${new TextDecoder().decode(body)}`);
      return response.status === 404 ? null : body;
    },
  };
  const json = async (method: string, path: string) => {
    const body = await counted.get(method, path);
    return body === null ? null : JSON.parse(new TextDecoder().decode(body));
  };
  return Object.assign(counted, {
    info: () => json("GET", "/info"),
    createToken: (scope = "write", ttl = 86_400) => json("POST", `/tokens?scope=${scope}&ttl=${ttl}`),
    revokeToken: async (id: string) => (await json("DELETE", `/tokens/${id}`)).revoked,
    readCommit: (hash: string) => json("GET", `/commit/${hash}`),
    readTree: (hash: string) => json("GET", `/tree/${hash}`),
    async readBlob(hash: string) {
      const body = await counted.get("GET", `/blob/${hash}`);
      return body === null ? null : new Blob([body]);
    },
  });
}
