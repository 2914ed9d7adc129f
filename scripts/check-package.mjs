// What `npm pack` would publish: only dist/, the README, the license and package.json, and every entry point
// of the exports map present in it. Run after `npm run build`.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const [pack] = JSON.parse(
  execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { encoding: "utf8" }),
);
const files = pack.files.map((file) => file.path).sort();
const allowed = (path) => path.startsWith("dist/") || ["README.md", "LICENSE", "package.json"].includes(path);
const stray = files.filter((path) => !allowed(path));
const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const targets = Object.values(pkg.exports)
  .flatMap((target) => (typeof target === "string" ? [target] : Object.values(target)))
  .concat(Object.values(pkg.bin ?? {}))
  .map((path) => path.replace(/^\.\//, ""));
const missing = targets.filter((path) => !files.includes(path));
const required = ["README.md", "LICENSE", "package.json"].filter((path) => !files.includes(path));

console.log(
  `npm pack: ${files.length} files, ${(pack.size / 1024).toFixed(1)} KB packed, ${(pack.unpackedSize / 1024).toFixed(1)} KB unpacked`,
);
for (const [label, list] of [
  ["not allowed in the package", stray],
  ["missing entry points", missing],
  ["missing files", required],
]) {
  if (list.length > 0) {
    console.error(`${label}: ${list.join(", ")}`);
    process.exitCode = 1;
  }
}
