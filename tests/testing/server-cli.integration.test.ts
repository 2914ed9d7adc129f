import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createClient, createRepo, getRepo } from "../../src/index.js";

/**
 * `cloudflare-artifacts-server`, run as a user runs it: its banner, its usage, its refusals, and a clean stop.
 */

const root = join(import.meta.dirname, "../..");

it("runs from the command line, prints its base URL and credentials, and stops on SIGINT", async () => {
  // Node itself with tsx's loader, not the tsx wrapper: the signal must reach the server's own process.
  const child = spawn(process.execPath, ["--import", "tsx", "src/testing/cli.ts", "--api-token", "cli-token"], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  const banner = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ctrl+C")) resolve(output);
    });
    child.once("exit", (code) => reject(new Error(`server exited early (${code}): ${output}`)));
  });
  const baseUrl = /CLOUDFLARE_API_BASE_URL=(\S+)/.exec(banner)?.[1];
  const accountId = /CLOUDFLARE_ACCOUNT_ID=(\S+)/.exec(banner)?.[1];
  expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/client\/v4$/);
  expect(banner).toContain("CLOUDFLARE_API_TOKEN=cli-token");
  // The credential helper's two lines, for this server's own URL (the host of its remotes).
  const origin = new URL(baseUrl!).origin;
  expect(banner).toContain(`git config --global credential.${origin}.helper "!cloudflare-artifacts credential"\n`);
  expect(banner).toContain(`git config --global credential.${origin}.useHttpPath true\n`);

  const client = createClient({ baseUrl, accountId: accountId!, apiToken: "cli-token", retry: 0 });
  expect((await createRepo(client, { name: "from-cli" })).isOk()).toBe(true);
  expect((await getRepo(client, "from-cli"))._unsafeUnwrap().name).toBe("from-cli");

  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  expect(await exited).toBe(0);
});

describe("the command", () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "src/testing/cli.ts", ...args], {
        cwd: join(import.meta.dirname, "../.."),
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });

  it("prints usage naming every flag for --help, and exits 0", async () => {
    const { code, stdout } = await run(["--help"]);
    expect(code).toBe(0);
    for (const flag of [
      "--port",
      "--account-id",
      "--api-token",
      "--data-dir",
      "--delay",
      "--max-body-bytes",
      "--rate-limit",
      "--git-rate-limit",
      "--help",
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it("prints usage for an unknown flag or a bad value, and exits 2, without a stack trace", async () => {
    for (const args of [["--nope"], ["--port", "eighty"], ["--rate-limit", "5"]]) {
      const { code, stderr } = await run(args);
      expect(code, args.join(" ")).toBe(2);
      expect(stderr).toContain("Usage: cloudflare-artifacts-server");
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("refuses a --data-dir of the user's own (not empty, not marked) in one line, exit 2, touching nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "artifacts-cli-users-"));
    try {
      await mkdir(join(dir, "work.git"));
      await writeFile(join(dir, "draft.tmp"), "mine");
      const { code, stdout, stderr } = await run(["--data-dir", dir]);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        `cloudflare-artifacts-server: ${dir} is not empty and is not a data folder of the local Artifacts server (it has no .cloudflare-artifacts-server): give a new or empty folder, so that nothing of yours is ever removed\n`,
      );
      expect((await readdir(dir)).sort()).toEqual(["draft.tmp", "work.git"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
