import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_SCORE, RENAME_SCORE, similarity } from "../../../src/git/merge/similarity.js";
import { gitBytes } from "../../support/git.js";
import { corpus } from "../../support/text-corpus.js";

/**
 * The rename score judged by git: each pair of the corpus (a base and an edited side, CRLF and files without a final
 * newline among them) as a commit holding only `s` and the next holding only `d`; `git log -M --raw` says whether it
 * is a rename and at what similarity, and so must `similarity`.
 */

const PAIRS = process.env.STRESS ? 2000 : 300;

/** git in `dir`, text in and out as byte strings (latin1); a failure throws. */
async function git(dir: string, args: string[], input?: string): Promise<string> {
  const ran = await gitBytes(args, { cwd: dir, input: input === undefined ? undefined : Buffer.from(input, "latin1") });
  if (ran.code !== 0) throw new Error(`git ${args[0]} exited ${ran.code}: ${ran.stderr}`);
  return ran.stdout.toString("latin1");
}

describe("similarity, judged by git's rename detection", () => {
  it(`scores ${PAIRS} pairs as git does: a rename at ${RENAME_SCORE / 600} % or more, the same percentage`, async () => {
    const dir = await mkdtemp(join(tmpdir(), "similarity-"));
    try {
      await git(dir, ["init", "--quiet", "--bare", "."]);
      // Half the pairs an edit of one file (mostly renames), half two files of the corpus (mostly not).
      const cases = corpus(PAIRS, 30, 0x51a1);
      const pairs = cases.map(
        ({ base, ours }, n) => [base, n % 2 ? (cases[n - 1] as { theirs: string }).theirs : ours] as const,
      );
      const stream = pairs.flatMap(([src, dst], n) => {
        const commit = (mark: number, path: string, text: string) =>
          `commit refs/heads/main\nmark :${mark}\ncommitter T <t@e> 0 +0000\ndata 0\n${mark > 1 ? `from :${mark - 1}\n` : ""}deleteall\nM 100644 inline ${path}\ndata ${text.length}\n${text}\n`;
        return [commit(2 * n + 1, "s", src), commit(2 * n + 2, "d", dst)];
      });
      await git(dir, ["fast-import", "--quiet"], stream.join(""));
      const log = await git(dir, ["log", "--reverse", "-M", "--raw", "--format=%x00", "main"]);
      const commits = log.split("\0").slice(1);
      const latin1 = (text: string) => Buffer.from(text, "latin1");
      const differ: string[] = [];
      for (const [n, [src, dst]] of pairs.entries()) {
        const raw = commits[2 * n + 1] ?? "";
        const renamed = /\tR(\d{3})\ts\td/.exec(raw.replace(/ /g, "\t").replace(/\t+/g, "\t"));
        const score = similarity(latin1(src), latin1(dst));
        const here = score >= RENAME_SCORE ? Math.floor((score * 100) / MAX_SCORE) : undefined;
        const there = renamed ? Number(renamed[1]) : undefined;
        if (src === dst) continue; // an exact rename: git does not score it
        if (here !== there) differ.push(`pair ${n}: git ${there ?? "none"}, here ${here ?? "none"}`);
      }
      expect(differ.slice(0, 5)).toEqual([]);
      const renames = commits.filter((raw) => /\tR\d{3}/.test(raw.replace(/ /g, "\t"))).length;
      expect(renames).toBeGreaterThan(PAIRS / 10);
      expect(renames).toBeLessThan(PAIRS - PAIRS / 10);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
