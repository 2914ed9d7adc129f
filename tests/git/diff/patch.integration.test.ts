import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitFiles, diffRefs } from "../../../src/git/index.js";
import { createRepo } from "../../../src/index.js";
import { gitBytes } from "../../support/git.js";
import { useLocalServer } from "../../support/local-server.js";
import { corpus } from "../../support/text-corpus.js";

/**
 * `diffRefs` patches judged by git: two commits of many files pushed to the local server, and each change's `patch`
 * compared byte for byte with what `git diff-tree -p` prints for it there, from its `---` line on. The corpus is the
 * merge's, longer (several hunks, function lines), and the names the ones git quotes.
 */

const CASES = process.env.STRESS ? 3000 : 400;
const author = { name: "Ada Agent", email: "ada@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
const local = useLocalServer();
const bare = (repo: string) => join(local.server.dataDir, `${local.server.state.findRepo("default", repo)?.id}.git`);
const bytes = (text: string) => Buffer.from(text, "latin1");

/** git's patch of each changed path, in git's order, from its `---` line ("" where it prints none). */
async function gitPatches(repo: string, from: string, to: string): Promise<string[]> {
  const shown = await gitBytes(["--git-dir", bare(repo), "diff-tree", "-p", "--no-renames", "-r", from, to]);
  expect(shown.code).toBe(0);
  const sections = shown.stdout
    .toString("latin1")
    .split(/^diff --git /m)
    .slice(1);
  return sections.map((section) => {
    const at = section.search(/^--- /m);
    return at === -1 ? "" : section.slice(at);
  });
}

describe("diffRefs patches, judged by git diff-tree -p", () => {
  it(`equal git's on ${CASES} seeded files and on names git quotes`, async () => {
    const name = "patches";
    (await createRepo(local.client, { name }))._unsafeUnwrap();
    const cases = corpus(CASES, 60, 0xd1ff);
    const before: Record<string, Uint8Array> = {};
    const after: Record<string, Uint8Array | null> = {};
    for (const [n, { base, ours }] of cases.entries()) {
      before[`f${n}`] = bytes(base);
      after[`f${n}`] = bytes(ours);
    }
    const named = ["with space.txt", "tab\there", "caf\u00e9.txt", 'q"uote'];
    for (const path of named) before[path] = bytes("one\ntwo\n");
    for (const path of named) after[path] = bytes("one\n2\n");
    // Function lines that git cuts: at 80 bytes (inside a character too), before a byte that is not UTF-8.
    const heads = [
      "caf\xe9x",
      "ab\xc3\xa9 ok",
      "x\xef\xbf\xbe",
      "y\xf0\x9f\x98\x80!",
      `z${"\xc3\xa9".repeat(45)}`,
      "w \xe9",
    ];
    const block = (head: string, last: string) => `${head}\n${"  body\n".repeat(7)}${last}\n`;
    before.funcs = bytes(heads.map((head) => block(head, "  old")).join(""));
    after.funcs = bytes(heads.map((head) => block(head, "  new")).join(""));
    Object.assign(before, { "gone.txt": bytes("bye\n"), "empty-gone": bytes("") });
    Object.assign(after, { "gone.txt": null, "empty-gone": null, "new.txt": bytes("hi"), "empty-new": bytes("") });
    const commit = async (message: string, files: Record<string, Uint8Array | null>) => {
      const made = await commitFiles(local.client, name, { message, author, files });
      if (made.isErr()) throw new Error(made.error.message);
      return made.value.commit;
    };
    const first = await commit("before", before);
    const second = await commit("after", after);

    const found = (await diffRefs(local.client, name, { from: first, to: second, contents: true }))
      ._unsafeUnwrap()
      .changes.map((change) => Buffer.from(change.patchBytes ?? new TextEncoder().encode(change.patch)));
    const git = (await gitPatches(name, first, second)).map(bytes);
    expect(found.length).toBe(git.length);
    const differ = found.flatMap((patch, n) =>
      patch.equals(git[n] as Buffer) ? [] : [`${n}:\n${patch.toString("latin1")}\n--- git ---\n${git[n]}`],
    );
    expect(differ.slice(0, 3)).toEqual([]);
    // The corpus reaches what the formatter does: several hunks in one file, function lines, missing newlines.
    const all = git.map((patch) => patch.toString("latin1")).join("");
    expect(all).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@ \S/m);
    expect(all).toContain("\\ No newline at end of file");
    expect(git.some((patch) => patch.toString("latin1").split("\n@@ ").length > 2)).toBe(true);
  }, 300_000);
});
