// Installs this repository from Git into an empty project, as a user would before a registry release
// (`npm install git+file://...`), and imports the package and its subpaths there. The `prepare` script must have
// built dist/. Run in CI on a fresh clone; everything it makes is removed.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..");
const project = await mkdtemp(join(tmpdir(), "artifacts-install-"));
try {
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "user-project", private: true, type: "module" }),
  );
  await run("npm", ["install", "--no-audit", "--no-fund", `git+file://${root}`], { cwd: project, maxBuffer: 1 << 24 });
  const script = `
    const core = await import("cloudflare-artifacts");
    const testing = await import("cloudflare-artifacts/testing");
    const git = await import("cloudflare-artifacts/git");
    const events = await import("cloudflare-artifacts/events");
    const server = await testing.startArtifactsServer();
    const client = core.createClient(server.clientOptions);
    const repo = await core.createRepo(client, { name: "installed" });
    const made = await git.commitFiles(client, "installed", { message: "m", author: { name: "a", email: "a@b" }, files: { a: "a" } });
    await server.close();
    if (!repo.isOk() || !made.isOk() || typeof events.parseArtifactsEvent !== "function") throw new Error("not usable");
    console.log("installed from git: " + core.VERSION);
  `;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: project });
  process.stdout.write(stdout);
} finally {
  await rm(project, { recursive: true, force: true });
}
