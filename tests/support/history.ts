import { execFile } from "node:child_process";
import { tempDir, writeFiles } from "./git.js";

/**
 * A history git made, for the calls that walk one (listCommits, revert, cherry-pick): renames, deleted and re-added
 * paths, folders, merges (one the same as a parent on some paths), commits of the same second and one dated before
 * its parent. Built in a work tree by the git CLI with fixed dates, so its ids are the same on every run.
 */

export interface History {
  /** The work tree (its `main` and `side` branches), for `git log` to judge by. */
  dir: string;
  /** Runs git in the work tree. */
  git(args: string[]): Promise<string>;
  /** Pushes every branch to `remote` with a bearer token. */
  push(remote: string, token: string): Promise<void>;
}

const run = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  new Promise<string>((resolve, reject) => {
    execFile(
      "git",
      ["-c", "user.name=Ada", "-c", "user.email=ada@example.com", "-c", "init.defaultBranch=main", ...args],
      {
        cwd,
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: "0",
          GIT_CONFIG_NOSYSTEM: "1",
          GIT_CONFIG_GLOBAL: "/dev/null",
          ...env,
        },
      },
      (error, stdout, stderr) =>
        error ? reject(new Error(`git ${args.join(" ")}: ${stderr}`)) : resolve(stdout.trim()),
    );
  });

export async function buildHistory(): Promise<History> {
  const dir = await tempDir("history-");
  let clock = 1_767_225_600;
  const git = (args: string[], at = clock) => {
    const date = `${at} +0000`;
    return run(args, dir, { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
  };
  const write = async (files: Record<string, string | null>) => {
    await writeFiles(dir, files);
    await git(["add", "-A"]);
  };
  /** A commit `step` seconds after the last (0: the same second; negative: before it). */
  const commit = async (message: string, files: Record<string, string | null>, step = 60) => {
    clock += step;
    await write(files);
    await git(["commit", "--quiet", "-m", message]);
  };
  const merge = async (branch: string, message: string, step = 60) => {
    clock += step;
    await git(["merge", "--quiet", "--no-ff", "-m", message, branch]);
  };

  await git(["init", "--quiet", "-b", "main"]);
  await commit("one", { "a.txt": "a\n", "dir/b.txt": "b\n", "dir/sub/c.txt": "c\n" });
  await commit("two", { "a.txt": "a2\n" });
  await git(["checkout", "--quiet", "-b", "side"]);
  await commit("side: b", { "dir/b.txt": "b2\n" });
  await commit("side: x", { "x.txt": "x\n" }, 0); // the same second as its parent
  await git(["checkout", "--quiet", "main"]);
  await commit("three: c", { "dir/sub/c.txt": "c2\n" });
  clock += 60;
  await git(["mv", "a.txt", "renamed.txt"]);
  await git(["commit", "--quiet", "-m", "four: rename"]);
  await merge("side", "merge side");
  await commit("five: delete b", { "dir/b.txt": null });
  await git(["checkout", "--quiet", "-b", "side2"]);
  await commit("side2: renamed", { "renamed.txt": "r\n" });
  await commit("side2: skewed", { "y.txt": "y\n" }, -600); // dated before its parent
  await git(["checkout", "--quiet", "main"]);
  await commit("six: x", { "x.txt": "x2\n" });
  await merge("side2", "merge side2");
  // A side branch that only repeats a change main has: the merge is the same as main on x.txt.
  await git(["checkout", "--quiet", "-b", "side3"]);
  await commit("side3: z", { "z.txt": "z\n" });
  await git(["checkout", "--quiet", "main"]);
  await commit("seven: a again", { "a.txt": "again\n" });
  await merge("side3", "merge side3");
  await commit("eight: all", { "dir/sub/c.txt": "c3\n", "x.txt": "x3\n" });
  return {
    dir,
    git: (args) => run(args, dir),
    push: async (remote, token) => {
      await run(
        [
          "-c",
          `http.extraHeader=Authorization: Bearer ${token}`,
          "push",
          "--quiet",
          remote,
          "main",
          "side",
          "side2",
          "side3",
        ],
        dir,
      );
    },
  };
}
