import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { scriptedModel } from "../examples/scripted-model.js";
import { commitFiles, readFiles } from "../src/git/index.js";
import type { ArtifactsRepoHandle } from "../src/git/objects/sources.js";
import { type Client, createClient, createRepo, createToken, deleteToken, getRepo } from "../src/index.js";
import { useLocalServer } from "./support/local-server.js";

/**
 * Every ```ts block of the README runs as written, in order, on a local server (readme.test.ts checks that each
 * compiles). What a block uses without defining (a `client`, an `env` with the binding, a `model`) is given to it
 * here, as real objects: the client of the local server, a repo handle over it, the AI SDK's test model following a
 * script. Each block must run to its end without throwing, and where it prints, print what its call returned.
 */

const root = join(import.meta.dirname, "..");
const readme = await readFile(join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
const local = useLocalServer();
const author = { name: "Seed", email: "seed@example.com" };
let dir = "";

/** A binding's repo handle, over the local server's REST API (what `env.ARTIFACTS.get(name)` gives a Worker). */
const handleOver = (client: Client, name: string): ArtifactsRepoHandle => ({
  async info() {
    const repo = await getRepo(client, name);
    return repo.isOk() ? { remote: repo.value.remote, defaultBranch: repo.value.default_branch } : null;
  },
  async createToken(scope, ttl) {
    const minted = await createToken(client, { repo: name, scope: scope ?? "write", ttl: ttl ?? 600 });
    if (minted.isErr()) throw minted.error;
    return minted.value;
  },
  revokeToken: async (id) => deleteToken(client, id),
});

/** What the blocks are given, and what each must print (matched in order against its console.log lines). */
const given = () => ({
  client: local.client,
  signal: new AbortController().signal,
  env: { ARTIFACTS: { get: async (name: string) => handleOver(local.client, name) } },
  // The agent of the tools block: reads TODO.md, ticks its docs item off, says it is done.
  model: scriptedModel([
    () => ({ tool: "read_files", input: { paths: ["TODO.md"] } }),
    () => ({ tool: "commit_files", input: { message: "Tick off docs", files: { "TODO.md": "- [x] docs\n" } } }),
    () => ({ text: "Done: the docs item is ticked off." }),
  ]),
});

const PRINTS: [string, RegExp[]][] = [
  ["startArtifactsServer", [/^http:\/\/127\.0\.0\.1:\d+\/git\/default\/notes\.git$/]],
  ["ErrorCode.INVALID_TTL", [/^ttl must be 60\.\.31,536,000 seconds$/]],
  ["commitFiles, readFiles", [/^[0-9a-f]{40} [0-9a-f]{40} main false$/, /^# Today\n$/]],
  ["grepFiles, listCommits", [/^src\/app\.ts:1: \/\/ TODO: the docs$/]],
  ["allRepos, repoPages", [/^imported$/, /^notes$/]],
  ["gitCredentials", [/ 2030 .* false$/]],
];

beforeAll(async () => {
  dir = await mkdtemp(join(root, ".readme-run-"));
  // What the blocks read: a repo of notes with a TODO list and some code, and a repo that is ready at once.
  (await createRepo(local.client, { name: "notes", default_branch: "main" }))._unsafeUnwrap();
  (await createRepo(local.client, { name: "imported" }))._unsafeUnwrap();
  const seeded = await commitFiles(local.client, "notes", {
    message: "Seed",
    author,
    files: { "TODO.md": "- [ ] docs\n", "src/app.ts": "// TODO: the docs\n", "config.json": "{}\n" },
  });
  seeded._unsafeUnwrap();
});

afterAll(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await rm(dir, { recursive: true, force: true });
});

describe("README blocks, run", () => {
  it.each(blocks.map((block, index) => [index + 1, block.split("\n")[0], block] as const))(
    "block %i (%s) runs as written",
    async (index, _, block) => {
      const values = given();
      // Only what the block uses and does not define itself; a nock block has a client of the default API URL.
      const declared = (name: string) => new RegExp(`\\b(const|let|var)\\s+(\\{[^}]*\\b)?${name}\\b`).test(block);
      const names = Object.keys(values).filter((name) => new RegExp(`\\b${name}\\b`).test(block) && !declared(name));
      if (block.includes('from "nock"')) {
        values.client = createClient({ accountId: "acc", apiToken: "readme-token", retry: 0 });
      }
      const prelude = names.length > 0 ? `const { ${names.join(", ")} } = (globalThis as any).__readme;\n` : "";
      const file = join(dir, `block-${index}.ts`);
      await writeFile(file, `${prelude}${block}\nexport {};\n`);
      (globalThis as { __readme?: unknown }).__readme = values;
      const log = vi.spyOn(console, "log").mockImplementation(() => {});
      try {
        const module = (await import(file)) as {
          default?: { fetch(request: Request, env: unknown): Promise<Response> };
        };
        // A Worker block: its fetch handler, called as the runtime would, answers with the file it read.
        if (module.default?.fetch) {
          const response = await module.default.fetch(new Request("http://worker/"), values.env);
          expect(response.status).toBe(200);
          expect(await response.text()).toBe("# Today\n");
        }
        const printed = log.mock.calls.map((args) => args.map(String).join(" "));
        const expected = PRINTS.find(([marker]) => block.includes(marker))?.[1];
        if (expected) {
          expect(printed.length, printed.join("\n")).toBeGreaterThanOrEqual(expected.length);
          for (const [at, pattern] of expected.entries()) expect(printed[at]).toMatch(pattern);
        }
      } finally {
        log.mockRestore();
      }
      // The tools block's agent committed through the tools: the branch has its edit.
      if (block.includes("artifactsTools")) {
        const read = (await readFiles(local.client, "notes", { paths: ["TODO.md"] }))._unsafeUnwrap();
        expect(new TextDecoder().decode(read.files.get("TODO.md"))).toBe("- [x] docs\n");
      }
    },
  );
});
