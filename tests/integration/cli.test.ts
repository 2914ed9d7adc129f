import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";
import { createClient, createRepo, getRepo } from "../../src/index.js";

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

  const client = createClient({ baseUrl, accountId: accountId!, apiToken: "cli-token", retry: 0 });
  expect((await createRepo(client, { name: "from-cli" })).isOk()).toBe(true);
  expect((await getRepo(client, "from-cli"))._unsafeUnwrap().name).toBe("from-cli");

  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  expect(await exited).toBe(0);
});
