import { readFile } from "node:fs/promises";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../src/errors.js";

/** Every public export carries a doc comment with an `@example`: the API reference is generated from them. */
const root = join(import.meta.dirname, "..");
const entries = [
  "src/index.ts",
  "src/testing/index.ts",
  "src/git/index.ts",
  "src/events/index.ts",
  "src/tools/index.ts",
];
const program = ts.createProgram(
  entries.map((entry) => join(root, entry)),
  {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
  },
);
const checker = program.getTypeChecker();

function exportsOf(entry: string) {
  const source = program.getSourceFile(join(root, entry));
  if (!source) throw new Error(`no ${entry}`);
  const module = checker.getSymbolAtLocation(source);
  return checker.getExportsOfModule(module!).map((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const docs = ts.displayPartsToString(target.getDocumentationComment(checker));
    const tags = target.getJsDocTags(checker).map((tag) => tag.name);
    return { name: symbol.getName(), documented: docs.trim().length > 0, example: tags.includes("example") };
  });
}

describe.each(entries)("%s", (entry) => {
  const symbols = exportsOf(entry);
  it("exports something", () => expect(symbols.length).toBeGreaterThan(0));
  it.each(symbols.map((symbol) => [symbol.name, symbol] as const))(
    "%s has a doc comment with an example",
    (_, symbol) => {
      expect({ documented: symbol.documented, example: symbol.example }).toEqual({ documented: true, example: true });
    },
  );
});

describe("ErrorCode's names and numbers", () => {
  it.each(["README.md", "docs/errors.md"])("%s lists every one, with its number", async (file) => {
    const text = await readFile(join(root, file), "utf8");
    for (const [name, code] of Object.entries(ErrorCode))
      expect(text, name).toMatch(new RegExp(`\`${name}\`[ |]*\\n?${code}`));
  });
});

describe("CHANGELOG.md", () => {
  it("keeps Keep a Changelog's sections: each kind once a release, in its order", async () => {
    const text = await readFile(join(root, "CHANGELOG.md"), "utf8");
    const kinds = ["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"];
    for (const release of text.split(/^## /m).slice(1)) {
      const found = [...release.matchAll(/^### (.+)$/gm)].map((match) => match[1]);
      expect(
        found.every((kind) => kinds.includes(kind ?? "")),
        release.split("\n")[0],
      ).toBe(true);
      expect(found, release.split("\n")[0]).toEqual(kinds.filter((kind) => found.includes(kind)));
    }
  });
});

describe("the sources", () => {
  it("use no _unsafeUnwrap, in code or in a doc example (neverthrow keeps it for tests)", async () => {
    const { readdir } = await import("node:fs/promises");
    const files = (await readdir(join(root, "src"), { recursive: true })).filter((file) => file.endsWith(".ts"));
    const using = [];
    for (const file of files)
      if ((await readFile(join(root, "src", file), "utf8")).includes("_unsafeUnwrap")) using.push(file);
    expect(using).toEqual([]);
  });

  it("of ./git return early through safeTry, never by a hand-written isErr check", async () => {
    const { readdir } = await import("node:fs/promises");
    const git = join(root, "src", "git");
    const files = (await readdir(git, { recursive: true })).filter((file) => file.endsWith(".ts"));
    const chains = [];
    for (const file of files) {
      const lines = (await readFile(join(git, file), "utf8")).split("\n");
      for (const [index, line] of lines.entries()) {
        if (/\.isErr\(\)\) return\b/.test(line)) chains.push(`${file}:${index + 1}`);
      }
    }
    expect(chains).toEqual([]);
  });
});
