import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import isogit from "isomorphic-git";
import http from "isomorphic-git/http/node";

/** Git CLI, isolated from the machine's config and never prompting. Async: the server runs in this process. */
export function gitCli(args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "git",
      ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main", ...args],
      {
        cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Git CLI as `gitCli`, with bytes in (stdin) and out (stdout as a Buffer): for names and objects that are not text. */
export function gitBytes(
  args: string[],
  options: { cwd?: string; input?: Uint8Array } = {},
): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      "git",
      ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args],
      {
        cwd: options.cwd,
        encoding: "buffer",
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr: stderr.toString() }),
    );
    // git may exit before reading stdin (a failure, or a command that reads none): that is its answer, not an error.
    child.stdin?.on("error", () => {});
    child.stdin?.end(options.input);
  });
}

/** `git -c http.extraHeader=Authorization: Bearer <token> ...`, the header form of Artifacts auth. */
export const withBearer = (token: string, args: string[]) => [
  "-c",
  `http.extraHeader=Authorization: Bearer ${token}`,
  ...args,
];

const folders: string[] = [];
export async function tempDir(prefix = "artifacts-test-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
}
export async function removeTempDirs(): Promise<void> {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Writes each file into the folder `dir` (its folders made), or removes it where its text is null. */
export async function writeFiles(dir: string, files: Record<string, string | null>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    const file = join(dir, path);
    if (text === null) await rm(file);
    else {
      await fs.promises.mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
    }
  }
}

/** A working tree with one commit per entry of `commits`, each writing its files. */
export async function workTree(commits: Record<string, string>[]): Promise<string> {
  const dir = await tempDir();
  await gitCli(["init", "--quiet", "-b", "main"], dir);
  for (const [index, files] of commits.entries()) {
    await writeFiles(dir, files);
    await gitCli(["add", "-A"], dir);
    await gitCli(["commit", "--quiet", "-m", `commit ${index + 1}`], dir);
  }
  return dir;
}

export const readText = (dir: string, path: string) => readFile(join(dir, path), "utf8");

export { fs, http as isoHttp, isogit };
