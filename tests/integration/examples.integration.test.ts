import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startArtifactsServer } from "../../src/testing/index.js";

const root = join(import.meta.dirname, "../..");

/** Runs an example as a user would (`tsx examples/<name>.ts`), with only the given Cloudflare variables. */
/** stdout and stderr are also kept apart: two pipes interleave in no fixed order. */
function runExample(
  name: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string; stdout: string; stderr: string }> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("CLOUDFLARE_") && key !== "ARTIFACTS_NAMESPACE"),
  );
  return new Promise((resolve) => {
    const child = spawn(join(root, "node_modules/.bin/tsx"), [`examples/${name}.ts`], {
      cwd: root,
      env: { ...inherited, ...env },
    });
    let output = "";
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
      stderr += chunk;
    });
    child.on("close", (code) => resolve({ code, output, stdout, stderr }));
  });
}

describe("examples run against the local server", () => {
  it("lifecycle: every step, in order", async () => {
    const { code, output } = await runExample("lifecycle");
    expect(output).toContain("Lifecycle complete");
    expect(code).toBe(0);
    const steps = [...output.matchAll(/^- (.+?) \.\.\. ok \(\d+ ms\)$/gm)].map((match) => match[1]);
    expect(steps.map((title) => title?.replace(/-[a-z0-9]+-[a-z0-9]{4}$/, ""))).toEqual([
      "create repo lifecycle",
      "mint a write token (1 hour)",
      "commit and push 3 files with isomorphic-git",
      "mint a read token",
      "clone with the read token and check every file byte for byte",
      "commit 2 files with commitFiles (fetches the head's trees, not its files)",
      "read notes/ back with readFiles and check every byte",
      "show that the read token cannot push",
      "fork into lifecycle-fork",
      "clone the fork",
      "list repos",
      "list tokens",
      "revoke the write token",
      'check it is no longer active in a state: "all" listing',
      "delete lifecycle-fork",
      "delete lifecycle",
    ]);
    expect(output).not.toMatch(/art_v1_[0-9a-f]{40}/);
  });

  it.each([
    ["errors", "Errors example complete"],
    ["pagination", "Pagination example complete"],
    ["agent-workspace", "Agent workspace complete"],
    ["agent-tools", "Agent loop complete"],
  ])("%s", async (name, done) => {
    const { code, output } = await runExample(name);
    expect(output).toContain(done);
    expect(code).toBe(0);
  });

  it("lifecycle: a failed step prints the typed error, and what was created is still deleted", async () => {
    const server = await startArtifactsServer();
    // A proxy that fails every fork with a 500 envelope and passes the rest through.
    const proxy = createServer(async (req, res) => {
      if (req.url?.endsWith("/fork")) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ result: null, success: false, errors: [{ code: 10400, message: "boom" }], messages: [] }),
        );
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const upstream = await fetch(`${server.origin}${req.url}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
      });
      res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "" });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const { port } = proxy.address() as AddressInfo;
    try {
      const { code, output, stdout, stderr } = await runExample("lifecycle", {
        CLOUDFLARE_ACCOUNT_ID: server.accountId,
        CLOUDFLARE_API_TOKEN: server.apiToken,
        CLOUDFLARE_API_BASE_URL: `http://127.0.0.1:${port}/client/v4`,
      });
      expect(code).toBe(1);
      expect(stdout).toMatch(/- fork into lifecycle-fork-\S+ \.\.\. FAILED/);
      expect(stderr).toContain("_tag: 'HttpError'");
      expect(stderr).toContain("HTTP 500: [10400] boom");
      expect(stdout).toMatch(/- delete lifecycle-\S+ \.\.\. ok/);
      expect(output).toContain("Lifecycle FAILED");
      expect(output).not.toContain(server.apiToken);
      expect(server.state.namespaces.get("default")?.repos.size).toBe(0);
    } finally {
      proxy.close();
      await server.close();
    }
  });
});
