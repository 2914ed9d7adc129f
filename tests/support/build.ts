import { execFile } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "../..");

/**
 * The package built from the current sources into a folder of the suite's own (`.test-build/<name>`, inside the
 * project so its imports resolve to node_modules): a suite never runs a stale build, and two suites building at
 * once never read each other's half-written files. Returns the folder (the `dist/` of that build).
 */
export function buildPackage(name: string): Promise<string> {
  const outDir = join(root, ".test-build", name);
  return new Promise((resolve, reject) =>
    execFile(
      join(root, "node_modules/.bin/tsc"),
      ["-p", "tsconfig.build.json", "--outDir", outDir, "--declaration", "false"],
      { cwd: root },
      (error, stdout) => (error ? reject(new Error(`the build failed: ${stdout}`)) : resolve(outDir)),
    ),
  );
}
