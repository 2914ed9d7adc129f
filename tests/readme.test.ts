import { mkdtemp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

/**
 * Every ```ts block of the README compiles as it stands, against the package's own types. What a block uses without
 * defining (a `client`, a `signal`, some bytes) comes from a prelude declared here, never written in the README.
 * readme.integration.test.ts runs them.
 */
const root = join(import.meta.dirname, "..");
const PRELUDE: Record<string, string> = {
  client: 'import("cloudflare-artifacts").Client',
  signal: "AbortSignal",
  pngBytes: "Uint8Array",
  model: 'import("ai").LanguageModel',
  env: '{ ARTIFACTS: { get(name: string): Promise<import("cloudflare-artifacts/git").ArtifactsRepoHandle> } }',
};

const readme = await readFile(join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
const dir = await mkdtemp(join(root, ".readme-check-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

function compile(source: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => {},
    },
  );
  if (!config) throw new Error("no tsconfig");
  const file = join(dir, `block-${Math.random().toString(36).slice(2)}.ts`);
  ts.sys.writeFile(file, source);
  // A snippet may bind what it shows without using it: no noUnusedLocals here.
  const program = ts.createProgram([file], { ...config.options, noEmit: true, noUnusedLocals: false });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file?.fileName === file)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
}

describe("README", () => {
  it("stays within 300 lines", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(300);
  });

  it("has TypeScript examples", () => expect(blocks.length).toBeGreaterThanOrEqual(8));

  it.each(blocks.map((block, index) => [index + 1, block.split("\n")[0], block] as const))(
    "block %i (%s) compiles",
    async (_, __, block) => {
      const declared = (name: string) => new RegExp(`\\b(const|let|var)\\s+(\\{[^}]*\\b)?${name}\\b`).test(block);
      const prelude = Object.entries(PRELUDE)
        .filter(([name]) => new RegExp(`\\b${name}\\b`).test(block) && !declared(name))
        .map(([name, type]) => `declare const ${name}: ${type};`)
        .join("\n");
      expect(compile(`${block}\n${prelude}\nexport {};\n`)).toEqual([]);
    },
  );
});
