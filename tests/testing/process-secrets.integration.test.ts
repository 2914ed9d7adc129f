import { execFile, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createClient, getRepo, importRepo } from "../../src/index.js";
import { useLocalServer } from "../support/local-server.js";

/**
 * No secret in any process's argv: `/proc/<pid>/cmdline` is readable by every user of the machine. The local
 * server takes its API token from the environment, and an import hands its source's credentials to git through
 * git's environment, never the URL it runs git with.
 */

const root = join(import.meta.dirname, "../..");

/** Every process on this machine: its argv (NUL-separated as the kernel keeps it), environment and umask. */
async function everyProcess(): Promise<{ argv: string; environ: string; umask: string | undefined }[]> {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  const read = (pid: string, file: string) => readFile(`/proc/${pid}/${file}`, "utf8").catch(() => "");
  const processes = await Promise.all(
    pids.map(async (pid) => ({
      argv: await read(pid, "cmdline"),
      environ: await read(pid, "environ"),
      umask: /^Umask:\s*(\d+)$/m.exec(await read(pid, "status"))?.[1],
    })),
  );
  return processes.filter(({ argv }) => argv !== "");
}

async function everyArgv(): Promise<string[]> {
  return (await everyProcess()).map(({ argv }) => argv);
}

/** Starts `cloudflare-artifacts-server` and resolves with its banner once it listens. */
function serve(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/testing/cli.ts", ...args], {
    cwd: root,
    env: { ...process.env, ARTIFACTS_SERVER_API_TOKEN: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const ready = new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("Ctrl+C")) resolve({ stdout, stderr });
    });
    child.once("exit", (code) => reject(new Error(`server exited early (${code}): ${stdout}${stderr}`)));
  });
  const stop = async () => {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  return { child, ready, stop };
}

/** What the banner exports, by name, as the lines read. */
function exported(banner: string): Record<string, string> {
  return Object.fromEntries([...banner.matchAll(/^export (\w+)=(.+)$/gm)].map(([, name, value]) => [name, value]));
}

/** What a shell gets from the banner's `export` lines, as the banner says to use them (`eval`). */
async function evaluated(banner: string, env: Record<string, string> = {}): Promise<Record<string, string>> {
  const lines = banner.split("\n").filter((line) => line.startsWith("export "));
  const script = `${lines.join("\n")}\nenv`;
  const { stdout } = await promisify(execFile)("/bin/sh", ["-c", script], { env: { PATH: process.env.PATH, ...env } });
  return Object.fromEntries(
    stdout.split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

describe("the server's API token", () => {
  it("comes from ARTIFACTS_SERVER_API_TOKEN, is referred to (never printed) by the export lines and is not in its argv", async () => {
    const token = "env-token-0123456789abcdefghij";
    const server = serve([], { ARTIFACTS_SERVER_API_TOKEN: token });
    try {
      const { stdout, stderr } = await server.ready;
      expect(Object.keys(exported(stdout))).toEqual([
        "CLOUDFLARE_API_BASE_URL",
        "CLOUDFLARE_ACCOUNT_ID",
        "CLOUDFLARE_API_TOKEN",
      ]);
      expect(stdout).not.toContain(token);
      expect(exported(stdout).CLOUDFLARE_API_TOKEN).toBe('"$ARTIFACTS_SERVER_API_TOKEN"');
      const vars = await evaluated(stdout, { ARTIFACTS_SERVER_API_TOKEN: token });
      expect(vars.CLOUDFLARE_API_TOKEN).toBe(token);
      expect(stderr).toBe("");
      expect(await readFile(`/proc/${server.child.pid}/cmdline`, "utf8")).not.toContain(token);
      const client = createClient({
        baseUrl: vars.CLOUDFLARE_API_BASE_URL,
        accountId: vars.CLOUDFLARE_ACCOUNT_ID!,
        apiToken: token,
        retry: 0,
      });
      const missing = (await getRepo(client, "nothing"))._unsafeUnwrapErr();
      expect(missing._tag === "HttpError" && missing.status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  it("still takes --api-token, with a warning that argv shows it", async () => {
    const server = serve(["--api-token", "flag-token-0123456789"]);
    try {
      const { stdout, stderr } = await server.ready;
      expect(exported(stdout).CLOUDFLARE_API_TOKEN).toBe("flag-token-0123456789");
      expect(stderr).toMatch(/^warning: --api-token shows the token .*ARTIFACTS_SERVER_API_TOKEN/);
    } finally {
      await server.stop();
    }
  });

  it("stays the same across restarts on one data folder, kept readable by its owner only", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "artifacts-token-"));
    try {
      const tokens: string[] = [];
      for (let run = 0; run < 2; run++) {
        const server = serve(["--data-dir", dataDir]);
        try {
          const { stdout } = await server.ready;
          // Read from the folder's own file by the line, never printed.
          const kept = (await readFile(join(dataDir, "api-token"), "utf8")).trim();
          expect(stdout).not.toContain(kept);
          tokens.push((await evaluated(stdout)).CLOUDFLARE_API_TOKEN!);
        } finally {
          await server.stop();
        }
      }
      expect(tokens[0]).toMatch(/^local-[\w-]{32}$/);
      expect(tokens[1]).toBe(tokens[0]);
      expect((await stat(join(dataDir, "api-token"))).mode & 0o777).toBe(0o600);
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("an import's source credentials", () => {
  const local = useLocalServer();

  it("reach git through its environment: no process shows them while the clone runs", async () => {
    // A source that holds its first request until the test has looked at every process.
    let held: ServerResponse | undefined;
    let arrived!: () => void;
    const request = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let authorization: string | undefined;
    const source = createServer((req, res) => {
      authorization ??= req.headers.authorization;
      held = res;
      arrived();
    });
    await new Promise<void>((resolve) => source.listen(0, "127.0.0.1", resolve));
    const secret = "art_v1_feedfacefeedfacefeedfacefeedfacefeedface";
    const url = `http://x:${secret}@127.0.0.1:${(source.address() as AddressInfo).port}/src.git`;
    // A secret of this process's environment, as a developer's shell holds one.
    const before = process.env.CLOUDFLARE_API_TOKEN;
    process.env.CLOUDFLARE_API_TOKEN = "sentinel-api-token-0123456789";
    try {
      const importing = importRepo(local.client, "imported", { url });
      await request;
      // The clone's processes get only what git needs, and write with umask 077.
      const clones = (await everyProcess()).filter(({ argv }) => argv.startsWith("git\0") && argv.includes("/src.git"));
      expect(clones.length).toBeGreaterThan(0);
      for (const clone of clones) {
        expect(clone.environ).not.toContain("sentinel-api-token");
        expect(clone.environ.split("\0").filter((entry) => entry.startsWith("CLOUDFLARE_"))).toEqual([]);
        expect(clone.umask).toBe("0077");
      }
      const argvs = await everyArgv();
      // The scan sees git's clone (so it can fail), and no argv holds the secret.
      expect(argvs.some((argv) => argv.includes("clone") && argv.includes("/src.git"))).toBe(true);
      expect(argvs.filter((argv) => argv.includes(secret))).toEqual([]);
      // Yet git sent the credentials, as the URL would have: Basic, user and secret.
      expect(authorization).toBe(`Basic ${Buffer.from(`x:${secret}`).toString("base64")}`);

      held?.writeHead(401, { "www-authenticate": 'Basic realm="src"' }).end();
      const refused = (await importing)._unsafeUnwrapErr();
      expect(refused._tag === "HttpError" && refused.body.errors[0]?.code).toBe(10106);
    } finally {
      if (before === undefined) delete process.env.CLOUDFLARE_API_TOKEN;
      else process.env.CLOUDFLARE_API_TOKEN = before;
      source.closeAllConnections();
      source.close();
    }
  });
});
