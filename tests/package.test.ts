import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

/** The core must run on Node, Bun, Deno and Workers alike: only `src/testing` and `src/cli` may use Node's modules. */
describe("runtime-agnostic core", () => {
  const core = readdirSync(join(root, "src"), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts") && !file.startsWith("testing") && !file.startsWith("cli"))
    .map((file) => [file, readFileSync(join(root, "src", file), "utf8")] as const);

  it("has source files to check", () => {
    expect(core.map(([file]) => file)).toContain("transport.ts");
  });

  it.each(core)("%s imports no node: module and no Node global", (_, source) => {
    const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    expect(code).not.toMatch(/from\s+["']node:|require\(|\bprocess\.|\bBuffer\./);
  });
});

describe("package.json", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

  it("is ESM with an exports map, types, and no side effects", () => {
    expect(pkg.type).toBe("module");
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
    expect(pkg.engines.node).toBe(">=20");
  });
});
