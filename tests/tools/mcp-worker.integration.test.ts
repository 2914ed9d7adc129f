import { Client as McpClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitBytes, gitCli, removeTempDirs, tempDir } from "../support/git.js";
import { READ_TOOLS, REPO_TOOLS, toolCalls } from "../support/mcp.js";
import { simulatorAvailable, startExample, type WranglerDev } from "../support/simulator.js";

/**
 * examples/mcp-worker, as its wrangler.jsonc declares it, under `wrangler dev` on Cloudflare's own Artifacts
 * simulator: the MCP SDK's `Client` over Streamable HTTP lists and calls its tools, and the git CLI judges what they
 * pushed. The example imports the package by name; here its names point at the sources (wrangler's `alias`), and a
 * test-only entry in front of the example hands the test a read token (and a read-only switch) for git to use.
 */

const secret = "mcp-test-secret-0123456789";

const entry = `import worker from EXAMPLE;
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/test/token/")) {
      const repo = await env.ARTIFACTS.get(url.pathname.slice("/test/token/".length));
      const [{ remote }, { plaintext }] = await Promise.all([repo.info(), repo.createToken("read", 3600)]);
      return Response.json({ remote, token: plaintext });
    }
    const readOnly = url.searchParams.has("read-only") ? "true" : env.MCP_READ_ONLY;
    return worker.fetch(request, { ...env, MCP_READ_ONLY: readOnly }, ctx);
  },
};
`;

let worker: WranglerDev;
beforeAll(async () => {
  if (simulatorAvailable) worker = await startExample("mcp-worker", { entry, args: ["--var", `MCP_SECRET:${secret}`] });
}, 120_000);
afterAll(async () => {
  await worker?.close();
  await removeTempDirs();
});

async function connect(repo: string, query = "") {
  const transport = new StreamableHTTPClientTransport(new URL(`${worker.origin}/mcp/${repo}${query}`), {
    requestInit: { headers: { authorization: `Bearer ${secret}` } },
  });
  const client = new McpClient({ name: "test-host", version: "1.0.0" });
  await client.connect(transport);
  return { client, ...toolCalls(client) };
}

/** A clone of `repo` by the git CLI, with a read token the test's entry mints. */
async function cloned(repo: string) {
  const { remote, token } = (await (await fetch(`${worker.origin}/test/token/${repo}`)).json()) as {
    remote: string;
    token: string;
  };
  const work = await tempDir();
  const clone = await gitCli(["-c", `http.extraHeader=Authorization: Bearer ${token}`, "clone", "-q", remote, work]);
  expect(clone.code, clone.stderr).toBe(0);
  return work;
}

describe.runIf(simulatorAvailable)("examples/mcp-worker on Cloudflare's simulator", () => {
  it("refuses a host without the secret", async () => {
    const refused = await fetch(`${worker.origin}/mcp/anything`, { method: "POST", body: "{}" });
    expect(refused.status).toBe(401);
    const wrong = await fetch(`${worker.origin}/mcp/anything`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}x` },
      body: "{}",
    });
    expect(wrong.status).toBe(401);
  });

  it("serves one repo's tools: listed, called with good and bad input, and git sees each commit", async () => {
    const mcp = await connect("worker-notes");
    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(REPO_TOOLS);
    for (const tool of tools) {
      expect(tool.inputSchema.properties ?? {}, tool.name).not.toHaveProperty("repo");
      const refused = await mcp.call(tool.name, { not_a_field: 1 });
      expect(refused, tool.name).toMatchObject({ isError: true, value: { error: { _tag: "InvalidInputError" } } });
    }

    const text = "# Notes\n\nwritten over MCP, héllo\n";
    const committed = await mcp.ok("commit_files", { message: "notes", files: { "notes.md": text } });
    const work = await cloned("worker-notes");
    expect((await gitCli(["rev-parse", "HEAD"], work)).stdout.trim()).toBe(committed.commit);
    expect((await gitBytes(["show", "HEAD:notes.md"], { cwd: work })).stdout.equals(Buffer.from(text))).toBe(true);
    expect((await gitCli(["log", "-1", "--format=%an|%s"], work)).stdout.trim()).toBe("MCP agent|notes");
    expect(await mcp.ok("read_files", { paths: ["notes.md"] })).toMatchObject({
      commit: committed.commit,
      files: [{ path: "notes.md", text }],
    });
    expect(await mcp.ok("list_refs", {})).toMatchObject({ head: "main", branches: { main: committed.commit } });
  });

  it("gives a merge conflict as data and pushes nothing", async () => {
    const mcp = await connect("worker-conflict");
    await mcp.ok("commit_files", { message: "base", files: { "a.txt": "base\n" } });
    await mcp.ok("create_branch", { name: "agent", from: "main" });
    const ours = await mcp.ok("commit_files", { message: "ours", files: { "a.txt": "ours\n" } });
    await mcp.ok("commit_files", { message: "theirs", branch: "agent", files: { "a.txt": "theirs\n" } });
    const merge = await mcp.call("merge_refs", { from: "agent", into: "main" });
    expect(merge).toMatchObject({
      isError: true,
      value: { error: { _tag: "MergeConflict", conflicts: [{ path: "a.txt" }] } },
    });
    const work = await cloned("worker-conflict");
    expect((await gitCli(["rev-parse", "HEAD"], work)).stdout.trim()).toBe(ours.commit);
  });

  it("read-only: no tool that writes, and every read answers", async () => {
    const writer = await connect("worker-read");
    const made = await writer.ok("commit_files", { message: "one", files: { "a.txt": "a\n" } });
    const mcp = await connect("worker-read", "?read-only");
    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(READ_TOOLS);
    const inputs: Record<string, Record<string, unknown>> = {
      diff_refs: { from: made.commit, to: "main" },
      grep_files: { pattern: "a" },
    };
    for (const tool of tools) {
      const done = await mcp.call(tool.name, inputs[tool.name] ?? {});
      expect(done.isError, `${tool.name}: ${JSON.stringify(done.value)}`).toBe(false);
    }
  });
});
