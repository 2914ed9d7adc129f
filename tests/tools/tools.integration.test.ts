import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createBranch, disposeGit } from "../../src/git/index.js";
import { createClient, createRepo, createToken } from "../../src/index.js";
import { type ArtifactsTool, artifactsTools, type ToolResult } from "../../src/tools/index.js";
import { gitBytes, gitCli } from "../support/git.js";
import { useLocalServer } from "../support/local-server.js";
import { NAMESPACE_READ_TOOLS, NAMESPACE_TOOLS } from "../support/mcp.js";

/**
 * The tool set on the local server, judged by git: what a tool commits is the branch head byte for byte, a conflict
 * is data and pushes nothing, a bad input sends nothing, a read-only set writes nothing and reads everything.
 */

const local = useLocalServer();
const bare = (repo: string) => join(local.server.dataDir, `${local.server.state.findRepo("default", repo)?.id}.git`);
const git = async (repo: string, args: string[]) => (await gitCli(["--git-dir", bare(repo), ...args])).stdout.trim();
const head = (repo: string, branch = "main") => git(repo, ["rev-parse", `refs/heads/${branch}`]);

/** Every request the tools' client sends (REST and Git). */
let sent = 0;
const counting: typeof fetch = (input, init) => {
  sent++;
  return fetch(input, init);
};
const clients: ReturnType<typeof createClient>[] = [];
function toolsOver(options: Parameters<typeof artifactsTools>[1] = {}) {
  const client = createClient({ ...local.server.clientOptions, retry: 0, fetch: counting });
  clients.push(client);
  return { client, tools: artifactsTools(client, options) };
}
afterEach(async () => {
  for (const client of clients.splice(0)) await disposeGit(client);
});

const byName = (tools: ArtifactsTool[], name: string) => {
  const tool = tools.find((candidate) => candidate.name === name);
  if (!tool) throw new Error(`no tool ${name}`);
  return tool;
};
/** A tool's result; a tool error fails the test with what it says. */
async function ok(tools: ArtifactsTool[], name: string, input: unknown): Promise<Record<string, unknown>> {
  const done = await byName(tools, name).execute(input);
  if (done.isError) throw new Error(`${name} failed: ${JSON.stringify(done.error)}`);
  return done.result as Record<string, unknown>;
}
async function failure(tools: ArtifactsTool[], name: string, input: unknown) {
  const done: ToolResult = await byName(tools, name).execute(input);
  if (!done.isError) throw new Error(`${name} succeeded: ${JSON.stringify(done.result)}`);
  return done.error;
}

describe("the tool set over a client", () => {
  it("creates a repo, commits, reads, branches, diffs and merges, each result what git sees", async () => {
    const { tools } = toolsOver({ author: { name: "Ada Agent", email: "ada@example.com" } });
    expect(tools.map((tool) => tool.name).sort()).toEqual(NAMESPACE_TOOLS);

    const created = await ok(tools, "create_repo", { name: "tools-flow", description: "by a tool" });
    expect(created).toMatchObject({ name: "tools-flow", description: "by a tool", default_branch: "main" });
    expect(created).not.toHaveProperty("token");
    expect(JSON.stringify(created)).not.toMatch(/art_v1_/);

    const text = "# Notes\n\nhéllo, world\n";
    const committed = await ok(tools, "commit_files", {
      repo: "tools-flow",
      message: "notes",
      files: { "docs/notes.md": text, "a.txt": "one\ntwo\nthree\n" },
    });
    expect(committed.commit).toBe(await head("tools-flow"));
    const shown = await gitBytes(["--git-dir", bare("tools-flow"), "show", "refs/heads/main:docs/notes.md"]);
    expect(shown.stdout.equals(Buffer.from(text))).toBe(true);
    expect(await git("tools-flow", ["log", "-1", "--format=%an <%ae>|%s", "refs/heads/main"])).toBe(
      "Ada Agent <ada@example.com>|notes",
    );

    expect(await ok(tools, "read_files", { repo: "tools-flow", paths: ["docs/**"] })).toEqual({
      commit: committed.commit,
      files: [{ path: "docs/notes.md", size: Buffer.byteLength(text), text }],
      nonUtf8Files: 0,
    });

    await ok(tools, "create_branch", { repo: "tools-flow", name: "agent", from: "main" });
    const onAgent = await ok(tools, "commit_files", {
      repo: "tools-flow",
      message: "three is 3",
      branch: "agent",
      files: { "a.txt": "one\ntwo\n3\n", "docs/notes.md": null },
    });
    expect(onAgent.commit).toBe(await head("tools-flow", "agent"));
    const refs = await ok(tools, "list_refs", { repo: "tools-flow" });
    expect(refs).toEqual({ head: "main", branches: { main: committed.commit, agent: onAgent.commit }, tags: {} });

    const diff = await ok(tools, "diff_refs", { repo: "tools-flow", from: "main", to: "agent" });
    const changes = diff.changes as { path: string; status: string; patch?: string }[];
    expect(changes.map(({ path, status }) => `${status} ${path}`)).toEqual(["modified a.txt", "deleted docs/notes.md"]);
    expect(await git("tools-flow", ["diff", "--name-status", "refs/heads/main", "refs/heads/agent"])).toBe(
      "M\ta.txt\nD\tdocs/notes.md",
    );

    const merged = await ok(tools, "merge_refs", { repo: "tools-flow", from: "agent", into: "main" });
    expect(merged).toMatchObject({ commit: onAgent.commit, fastForward: true });
    expect(await head("tools-flow")).toBe(onAgent.commit);

    const log = await ok(tools, "list_commits", { repo: "tools-flow" });
    expect((log.commits as { commit: string }[]).map(({ commit }) => commit)).toEqual(
      (await git("tools-flow", ["rev-list", "refs/heads/main"])).split("\n"),
    );
    const grep = await ok(tools, "grep_files", { repo: "tools-flow", pattern: "^[0-9]$" });
    expect(grep.matches).toEqual([{ path: "a.txt", line: 3, column: 1, text: "3" }]);
  });

  it("gives a merge conflict as data the model can act on, and pushes nothing", async () => {
    const { client, tools } = toolsOver();
    (await createRepo(client, { name: "tools-conflict" }))._unsafeUnwrap();
    await ok(tools, "commit_files", { repo: "tools-conflict", message: "base", files: { "a.txt": "base\n" } });
    (await createBranch(client, "tools-conflict", { name: "agent", from: "main" }))._unsafeUnwrap();
    await ok(tools, "commit_files", { repo: "tools-conflict", message: "ours", files: { "a.txt": "ours\n" } });
    await ok(tools, "commit_files", {
      repo: "tools-conflict",
      message: "theirs",
      branch: "agent",
      files: { "a.txt": "theirs\n" },
    });
    const before = await head("tools-conflict");

    const error = await failure(tools, "merge_refs", { repo: "tools-conflict", from: "agent", into: "main" });
    expect(error).toMatchObject({ _tag: "MergeConflict", conflicts: [{ path: "a.txt" }] });
    expect(JSON.stringify(error.conflicts)).toContain("ours");
    expect(JSON.stringify(error.conflicts)).toContain("theirs");
    expect(error.message).toContain("a.txt");
    expect(await head("tools-conflict")).toBe(before);

    // What the description tells the model to do: resolve with commit_files on `into`, its head as parent.
    const resolved = await ok(tools, "commit_files", {
      repo: "tools-conflict",
      message: "resolved",
      files: { "a.txt": "ours and theirs\n" },
      parent: before,
    });
    expect(await head("tools-conflict")).toBe(resolved.commit);
  });

  it("refuses a bad input as a typed error naming the field, and sends nothing", async () => {
    const { tools } = toolsOver();
    sent = 0;
    const cases: [string, unknown, string][] = [
      ["commit_files", { repo: "x", message: "m" }, "files"],
      ["commit_files", { repo: "x", message: "m", files: { a: 1 } }, "files.a"],
      ["read_files", { paths: ["a"] }, "repo"],
      ["merge_refs", { repo: "x", from: "a", into: "b", fastForward: "sometimes" }, "fastForward"],
      ["list_commits", { repo: "x", limit: 0 }, "limit"],
      ["list_refs", { repo: "x", extra: true }, "extra"],
      ["get_repo", "not an object", "input"],
    ];
    for (const [name, input, field] of cases) {
      const error = await failure(tools, name, input);
      expect(error, name).toMatchObject({ _tag: "InvalidInputError", field });
      expect(error.message, name).toContain(field === "input" ? "" : field);
    }
    expect(sent).toBe(0);
  });

  it("maps a failed call to its typed error: not found, with the code a model can act on", async () => {
    const { tools } = toolsOver();
    expect(await failure(tools, "get_repo", { repo: "no-such-repo" })).toMatchObject({
      _tag: "HttpError",
      reason: "status",
      status: 404,
      code: 10200,
    });
    expect(await failure(tools, "read_files", { repo: "no-such-repo" })).toMatchObject({
      _tag: "HttpError",
      status: 404,
      code: 10200,
    });
  });

  it("read-only: no tool that writes, and every read answers", async () => {
    const { client, tools: writer } = toolsOver();
    (await createRepo(client, { name: "tools-read" }))._unsafeUnwrap();
    const one = await ok(writer, "commit_files", { repo: "tools-read", message: "one", files: { "a.txt": "a\n" } });
    await ok(writer, "commit_files", { repo: "tools-read", message: "two", files: { "b.txt": "b\n" } });
    const { tools } = toolsOver({ readOnly: true });
    expect(tools.map((tool) => tool.name).sort()).toEqual(NAMESPACE_READ_TOOLS);
    expect(tools.every((tool) => tool.annotations.readOnlyHint)).toBe(true);
    const before = await head("tools-read");
    const inputs: Record<string, unknown> = {
      list_repos: { search: "tools-read" },
      get_repo: { repo: "tools-read" },
      read_files: { repo: "tools-read" },
      diff_refs: { repo: "tools-read", from: one.commit, to: before },
      list_refs: { repo: "tools-read" },
      list_commits: { repo: "tools-read", limit: 1 },
      grep_files: { repo: "tools-read", pattern: "b" },
    };
    for (const tool of tools) {
      const done = await tool.execute(inputs[tool.name]);
      expect(done.isError, `${tool.name}: ${JSON.stringify(done)}`).toBe(false);
    }
    expect(await head("tools-read")).toBe(before);
  });

  it("over one repo (a client and a name, or a remote and its token) takes no repo in its input", async () => {
    const { client } = toolsOver();
    const created = (await createRepo(client, { name: "tools-one" }))._unsafeUnwrap();
    const scoped = artifactsTools({ client, repo: "tools-one" });
    expect(scoped.map((tool) => tool.name)).not.toContain("list_repos");
    expect(byName(scoped, "read_files").inputSchema.properties).not.toHaveProperty("repo");
    const first = await ok(scoped, "commit_files", { message: "one", files: { "a.txt": "a\n" } });
    expect(first.commit).toBe(await head("tools-one"));

    const token = (await createToken(client, { repo: "tools-one", scope: "read" }))._unsafeUnwrap().plaintext;
    const remote = artifactsTools({ remote: created.remote, token });
    expect(await ok(remote, "list_refs", {})).toMatchObject({ branches: { main: first.commit } });
    const refused = await failure(remote, "commit_files", { message: "no", files: { "b.txt": "b\n" } });
    expect(refused).toMatchObject({ _tag: "GitError", reason: "auth" });
    expect(JSON.stringify(refused)).not.toContain(token.slice(7, 47));
    expect(await head("tools-one")).toBe(first.commit);
  });
});
