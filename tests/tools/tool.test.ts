import { err, ok, okAsync } from "neverthrow";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { createClient } from "../../src/index.js";
import { artifactsTools } from "../../src/tools/index.js";
import { buildTool, defineTool } from "../../src/tools/tool.js";

/** A tool's result and error: JSON-safe, bounded, and never holding a secret, whatever the call returned. */

const tokens = [
  "art_v1_0123456789abcdef0123456789abcdef01234567?expires=1796385598",
  "art_v1_0123456789abcdef0123456789abcdef01234567",
  "art_v2_x_9f8e7d6c5b4a39281706f5e4d3c2b1a0",
  "ART_V9_future-format_abc",
];
const apiToken = "cf-api-token-0123456789abcdefghij";
const client = createClient({ accountId: "a", apiToken, baseUrl: "http://127.0.0.1:9", retry: 0 });

describe("a tool's results", () => {
  it("hold no token of any format, nor the API token, in a result or an error", async () => {
    const leaky = `${tokens.join(" ")} ${apiToken}`;
    const spec = (fail: boolean) =>
      defineTool({
        name: "leaky",
        description: "",
        input: {},
        writes: false,
        run: async () =>
          fail
            ? err(Object.assign(new Error(`refused ${leaky}`), { _tag: "HttpError", reason: leaky }))
            : ok({ note: leaky, token: tokens[0], nested: [{ plaintext: tokens[1], ok: leaky }] }),
      });
    for (const fail of [false, true]) {
      const tool = buildTool(spec(fail), client.redact, 10_000);
      const text = JSON.stringify(await tool.execute({}));
      for (const secret of [...tokens.map((token) => token.slice(7, 30)), apiToken]) expect(text).not.toContain(secret);
      expect(text).toContain("[REDACTED]");
      expect(text).not.toContain('"token"');
      expect(text).not.toContain('"plaintext"');
    }
  });

  it("give bytes as text when they are UTF-8, else base64, and Maps as objects", async () => {
    const tool = buildTool(
      defineTool({
        name: "bytes",
        description: "",
        input: {},
        writes: false,
        run: () =>
          okAsync({ files: new Map([["a.txt", new TextEncoder().encode("héllo")]]), raw: new Uint8Array([0, 255]) }),
      }),
      client.redact,
      10_000,
    );
    expect(await tool.execute({})).toEqual({
      isError: false,
      result: { files: { "a.txt": { text: "héllo" } }, raw: { base64: "AP8=" } },
    });
  });

  it("cut a result past maxResultBytes, saying so", async () => {
    const tool = buildTool(
      defineTool({
        name: "big",
        description: "",
        input: {},
        writes: false,
        run: () => okAsync({ text: "x".repeat(500) }),
      }),
      client.redact,
      100,
    );
    const done = await tool.execute({});
    expect(done).toMatchObject({ isError: false, result: { truncated: true, partial: `{"text":"${"x".repeat(91)}` } });
    expect((done as { result: { note: string } }).result.note).toMatch(/over this tool set's limit of 100/);
  });

  it("check the input by the schema its JSON Schema comes from, and call nothing on bad input", async () => {
    let called = 0;
    const tool = buildTool(
      defineTool({
        name: "typed",
        description: "",
        input: { name: v.string(), limit: v.optional(v.pipe(v.number(), v.integer())) },
        writes: false,
        run: () => {
          called++;
          return okAsync({});
        },
      }),
      client.redact,
      1000,
    );
    expect(tool.inputSchema).toMatchObject({
      type: "object",
      properties: { name: { type: "string" }, limit: { type: "integer" } },
      required: ["name"],
      additionalProperties: false,
    });
    for (const [input, field] of [
      [{}, "name"],
      [{ name: 1 }, "name"],
      [{ name: "a", limit: 1.5 }, "limit"],
      [{ name: "a", other: 1 }, "other"],
      [null, "input"],
    ] as const) {
      expect(await tool.execute(input)).toMatchObject({ isError: true, error: { _tag: "InvalidInputError", field } });
    }
    expect(called).toBe(0);
  });
});

describe("artifactsTools", () => {
  const namespaceNames = [
    "list_repos",
    "get_repo",
    "create_repo",
    "fork_repo",
    "delete_repo",
    "read_files",
    "commit_files",
    "diff_refs",
    "merge_refs",
    "list_refs",
    "create_branch",
    "delete_branch",
    "list_commits",
    "grep_files",
    "apply_patch",
    "revert_commits",
    "cherry_pick",
    "create_tag",
    "delete_tag",
  ];
  const reads = ["list_repos", "get_repo", "read_files", "diff_refs", "list_refs", "list_commits", "grep_files"];

  it("names the calls in snake_case; over a client the namespace's tools too, and `repo` in every file tool", () => {
    const tools = artifactsTools(client);
    expect(tools.map((tool) => tool.name)).toEqual(namespaceNames);
    for (const tool of tools.filter((each) => !each.name.endsWith("_repos") && each.name !== "create_repo")) {
      expect(tool.inputSchema.required, tool.name).toContain("repo");
    }
    const one = artifactsTools({ client, repo: "notes" });
    expect(one.map((tool) => tool.name)).toEqual(namespaceNames.slice(5));
    expect(one.find((tool) => tool.name === "read_files")?.inputSchema.properties).not.toHaveProperty("repo");
    const remote = artifactsTools({ remote: "http://127.0.0.1:9/x.git", token: tokens[0] as string });
    expect(remote.map((tool) => tool.name)).toEqual(namespaceNames.slice(5));
  });

  it("readOnly leaves only the tools that change nothing; include and exclude pick by name", () => {
    const readOnly = artifactsTools(client, { readOnly: true });
    expect(readOnly.map((tool) => tool.name)).toEqual(reads);
    for (const tool of readOnly)
      expect(tool.annotations).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    const writes = artifactsTools(client).filter((tool) => !reads.includes(tool.name));
    for (const tool of writes) expect(tool.annotations.readOnlyHint, tool.name).toBe(false);
    expect(writes.filter((tool) => tool.annotations.destructiveHint).map((tool) => tool.name)).toEqual([
      "delete_repo",
      "delete_branch",
      "delete_tag",
    ]);
    expect(
      artifactsTools(client, { include: ["read_files", "merge_refs"], exclude: ["merge_refs"] }).map(
        (tool) => tool.name,
      ),
    ).toEqual(["read_files"]);
  });
});
