import { join } from "node:path";
import { Client as McpClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ArtifactsServer, startArtifactsServer } from "../../src/testing/index.js";
import { buildPackage } from "../support/build.js";
import { gitCli } from "../support/git.js";
import { NAMESPACE_TOOLS, READ_TOOLS, toolCalls } from "../support/mcp.js";

/**
 * `cloudflare-artifacts mcp`, built, as an MCP host runs it: the MCP SDK's own `Client` over stdio, the command a
 * child process (spawned asynchronously: the local server it calls runs in this process). Every result is judged by
 * git on the local server's repos.
 */

let bin: string;
let server: ArtifactsServer;
beforeAll(async () => {
  bin = join(await buildPackage("mcp"), "cli/main.js");
  server = await startArtifactsServer();
}, 120_000);
afterAll(() => server?.close());

const bare = (repo: string) => join(server.dataDir, `${server.state.findRepo("default", repo)?.id}.git`);
const git = async (repo: string, args: string[]) => (await gitCli(["--git-dir", bare(repo), ...args])).stdout.trim();
const head = (repo: string, branch = "main") => git(repo, ["rev-parse", `refs/heads/${branch}`]);

/** An MCP client of `cloudflare-artifacts mcp ...args`, and what the command wrote to stderr. */
async function connect(args: string[]) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, "mcp", ...args],
    env: {
      PATH: process.env.PATH ?? "",
      CLOUDFLARE_ACCOUNT_ID: server.accountId,
      CLOUDFLARE_API_TOKEN: server.apiToken,
      CLOUDFLARE_API_BASE_URL: server.baseUrl,
    },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk) => (stderr += chunk));
  const client = new McpClient({ name: "test-host", version: "1.0.0" });
  await client.connect(transport);
  const { call, ok, texts } = toolCalls(client);
  return { client, call, ok, texts, stderr: () => stderr, close: () => client.close() };
}

const patch = `diff --git a/a.txt b/a.txt
--- a/a.txt
+++ b/a.txt
@@ -1,3 +1,3 @@
 one
-two
+2
 three
`;

describe("cloudflare-artifacts mcp", () => {
  it("lists every tool, and calls each with a valid input and a bad one; git sees what they did", async () => {
    const mcp = await connect(["--author-name", "Ada Agent", "--author-email", "ada@example.com"]);
    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(NAMESPACE_TOOLS);
    const commitTool = tools.find((tool) => tool.name === "commit_files");
    expect(commitTool?.inputSchema).toMatchObject({
      type: "object",
      required: expect.arrayContaining(["repo", "message", "files"]),
    });
    expect(commitTool?.annotations).toEqual({ readOnlyHint: false, destructiveHint: false, idempotentHint: false });
    expect(tools.find((tool) => tool.name === "delete_repo")?.annotations?.destructiveHint).toBe(true);

    // Each tool, a bad input: a tool error naming what was wrong, never a protocol error.
    for (const tool of tools) {
      const refused = await mcp.call(tool.name, { not_a_field: true });
      expect(refused.isError, tool.name).toBe(true);
      expect(refused.value.error, tool.name).toMatchObject({ _tag: "InvalidInputError" });
    }
    const unknown = await mcp.call("no_such_tool", {});
    expect(unknown).toMatchObject({ isError: true, value: { error: { _tag: "UnknownTool" } } });

    // Each tool, a valid input, in the order an agent would go.
    const repo = "mcp-flow";
    const created = await mcp.ok("create_repo", { name: repo });
    expect(created).toMatchObject({ name: repo, default_branch: "main" });
    const first = await mcp.ok("commit_files", {
      repo,
      message: "first",
      files: { "a.txt": "one\ntwo\nthree\n", "b.md": "# b\n" },
    });
    expect(first.commit).toBe(await head(repo));
    expect(await git(repo, ["show", "refs/heads/main:a.txt"])).toBe("one\ntwo\nthree");
    expect(await git(repo, ["log", "-1", "--format=%an <%ae>"])).toBe("Ada Agent <ada@example.com>");
    expect(await mcp.ok("get_repo", { repo })).toMatchObject({ name: repo });
    expect((await mcp.ok("list_repos", { search: "mcp-" })).repos.map((r: { name: string }) => r.name)).toEqual([repo]);
    expect((await mcp.ok("read_files", { repo, paths: ["a.txt"] })).files).toEqual([
      { path: "a.txt", size: 14, text: "one\ntwo\nthree\n" },
    ]);
    await mcp.ok("create_branch", { repo, name: "agent", from: "main" });
    const onAgent = await mcp.ok("commit_files", { repo, message: "c", branch: "agent", files: { "c.txt": "c\n" } });
    expect(onAgent.commit).toBe(await head(repo, "agent"));
    expect((await mcp.ok("diff_refs", { repo, from: "main", to: "agent" })).changes).toMatchObject([
      { path: "c.txt", status: "added" },
    ]);
    const applied = await mcp.ok("apply_patch", { repo, patch, message: "two is 2" });
    expect(applied.commit).toBe(await head(repo));
    expect(await git(repo, ["show", "refs/heads/main:a.txt"])).toBe("one\n2\nthree");
    const reverted = await mcp.ok("revert_commits", { repo, commits: [applied.commit], branch: "main" });
    expect(await head(repo)).toBe(reverted.commit);
    expect(await git(repo, ["show", "refs/heads/main:a.txt"])).toBe("one\ntwo\nthree");
    const picked = await mcp.ok("cherry_pick", { repo, commits: [onAgent.commit], into: "main" });
    expect(await head(repo)).toBe(picked.commit);
    const merged = await mcp.ok("merge_refs", { repo, from: "agent", into: "main" });
    expect(await head(repo)).toBe(merged.commit);
    const gitsTree = await gitCli([
      "--git-dir",
      bare(repo),
      "merge-tree",
      "--write-tree",
      picked.commit,
      onAgent.commit,
    ]);
    expect(await git(repo, ["rev-parse", `${merged.commit}^{tree}`])).toBe(gitsTree.stdout.trim());
    const log = await mcp.ok("list_commits", { repo, limit: 2 });
    expect(log.commits.map((c: { commit: string }) => c.commit)).toEqual(
      (await git(repo, ["rev-list", "--max-count=2", "refs/heads/main"])).split("\n"),
    );
    expect((await mcp.ok("grep_files", { repo, pattern: "^c$" })).matches).toEqual([
      { path: "c.txt", line: 1, column: 1, text: "c" },
    ]);
    await mcp.ok("create_tag", { repo, name: "v1", from: "main", message: "one" });
    expect(await git(repo, ["rev-parse", "refs/tags/v1^{commit}"])).toBe(merged.commit);
    expect((await mcp.ok("list_refs", { repo })).tags).toHaveProperty("v1");
    await mcp.ok("delete_tag", { repo, name: "v1" });
    await mcp.ok("delete_branch", { repo, name: "agent" });
    expect(await git(repo, ["for-each-ref", "--format=%(refname)"])).toBe("refs/heads/main");
    await mcp.ok("fork_repo", { repo, name: "mcp-fork" });
    expect(await head("mcp-fork")).toBe(merged.commit);
    await mcp.ok("delete_repo", { repo: "mcp-fork" });
    expect(server.state.findRepo("default", "mcp-fork")).toBeUndefined();

    await mcp.close();
    const everything = `${mcp.texts.join("\n")}\n${mcp.stderr()}`;
    expect(everything).not.toContain(server.apiToken);
    expect(everything).not.toMatch(/art_v1_[0-9a-f]{40}/);
  });

  it("gives a merge conflict as a tool error with both sides, and pushes nothing", async () => {
    const mcp = await connect([]);
    const repo = "mcp-conflict";
    await mcp.ok("create_repo", { name: repo });
    await mcp.ok("commit_files", { repo, message: "base", files: { "a.txt": "base\n" } });
    await mcp.ok("create_branch", { repo, name: "agent", from: "main" });
    await mcp.ok("commit_files", { repo, message: "ours", files: { "a.txt": "ours\n" } });
    await mcp.ok("commit_files", { repo, message: "theirs", branch: "agent", files: { "a.txt": "theirs\n" } });
    const before = await head(repo);
    const merge = await mcp.call("merge_refs", { repo, from: "agent", into: "main" });
    expect(merge.isError).toBe(true);
    expect(merge.value.error).toMatchObject({ _tag: "MergeConflict", conflicts: [{ path: "a.txt" }] });
    expect(JSON.stringify(merge.value.error.conflicts)).toMatch(/ours[\s\S]*theirs|theirs[\s\S]*ours/);
    expect(await head(repo)).toBe(before);
    await mcp.close();
  });

  it("--repo --read-only: that repo's reads only, each without `repo`, and each answers", async () => {
    const setup = await connect([]);
    await setup.ok("create_repo", { name: "mcp-read" });
    const commit = await setup.ok("commit_files", { repo: "mcp-read", message: "one", files: { "a.txt": "a\n" } });
    await setup.close();

    const mcp = await connect(["--repo", "mcp-read", "--read-only"]);
    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(READ_TOOLS);
    for (const tool of tools) {
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(true);
      expect(tool.inputSchema.properties ?? {}, tool.name).not.toHaveProperty("repo");
    }
    const inputs: Record<string, Record<string, unknown>> = {
      diff_refs: { from: commit.commit, to: "main" },
      grep_files: { pattern: "a" },
      list_commits: {},
      list_refs: {},
      read_files: {},
    };
    for (const tool of tools) {
      const done = await mcp.call(tool.name, inputs[tool.name] ?? {});
      expect(done.isError, `${tool.name}: ${JSON.stringify(done.value)}`).toBe(false);
    }
    expect((await mcp.call("commit_files", { message: "no", files: {} })).value.error._tag).toBe("UnknownTool");
    expect(await head("mcp-read")).toBe(commit.commit);
    await mcp.close();
  });
});
