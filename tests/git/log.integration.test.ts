import { describe, expect, it } from "vitest";
import { listCommits } from "../../src/git/index.js";
import { createRepo } from "../../src/index.js";
import { buildHistory, type History } from "../support/history.js";
import { useLocalServer } from "../support/local-server.js";

/** listCommits judged by `git log --format=%H [--first-parent] -- <paths>`, with and without filter. */

const withFilter = useLocalServer();
const withoutFilter = useLocalServer({ gitFilter: false });
const pathsCases: (string[] | undefined)[] = [
  undefined,
  ["a.txt"],
  ["renamed.txt"],
  ["dir"],
  ["dir/"],
  ["dir/b.txt"],
  ["dir/sub/c.txt"],
  ["x.txt", "a.txt"],
  ["*.txt"],
  ["z.txt"],
  ["nothing"],
];

let history: History;
let count = 0;

async function pushed(local: typeof withFilter) {
  history ??= await buildHistory();
  const name = `log-${++count}`;
  const created = (await createRepo(local.client, { name }))._unsafeUnwrap();
  await history.push(created.remote, created.token);
  return { name, target: { remote: created.remote, token: created.token } };
}

const gitLog = async (args: string[], paths?: string[]) =>
  (await history.git(["log", "--format=%H", ...args, "main", "--", ...(paths ?? [])])).split("\n").filter(Boolean);

describe.each([
  ["with filter", withFilter],
  ["without filter", withoutFilter],
])("listCommits %s", (_, local) => {
  it("lists what git log lists, for every path and with --first-parent", async () => {
    const { target } = await pushed(local);
    for (const firstParent of [false, true]) {
      for (const paths of pathsCases) {
        const listed = (await listCommits(target, { paths, firstParent }))._unsafeUnwrap();
        const expected = await gitLog(firstParent ? ["--first-parent"] : [], paths);
        expect(
          listed.commits.map(({ commit }) => commit),
          `${paths} ${firstParent}`,
        ).toEqual(expected);
        expect(listed.cursor).toBeUndefined();
      }
    }
  });

  it("pages with a cursor: the pages together are the whole log, the last without a cursor", async () => {
    const { name } = await pushed(local);
    for (const paths of [undefined, ["x.txt"]]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = (await listCommits(local.client, name, { paths, limit: 2, cursor }))._unsafeUnwrap();
        seen.push(...page.commits.map(({ commit }) => commit));
        cursor = page.cursor;
        pages++;
        expect(page.commits.length).toBeLessThanOrEqual(2);
      } while (cursor !== undefined);
      const expected = await gitLog([], paths);
      expect(seen).toEqual(expected);
      expect(pages).toBe(Math.ceil(expected.length / 2));
    }
  });

  it("gives each commit's fields as git log shows them", async () => {
    const { target } = await pushed(local);
    const [merge] = (await listCommits(target, { ref: "main", paths: ["z.txt"], limit: 1 }))._unsafeUnwrap().commits;
    const shown = await history.git(["log", "-1", "--format=%H%n%P%n%T%n%an <%ae> %at%n%cn <%ce> %ct%n%B", "side3"]);
    const [commit, parents, tree, author, committer, ...message] = shown.split("\n");
    expect(merge).toEqual({
      commit,
      parents: parents?.split(" "),
      tree,
      author: expect.objectContaining({ name: "Ada", email: "ada@example.com", timezoneOffset: 0 }),
      committer: expect.objectContaining({ name: "Ada", email: "ada@example.com" }),
      message: `${message.join("\n")}\n`,
    });
    expect(`${merge?.author.name} <${merge?.author.email}> ${merge?.author.timestamp}`).toBe(author);
    expect(`${merge?.committer.name} <${merge?.committer.email}> ${merge?.committer.timestamp}`).toBe(committer);
  });

  it("walks from a tag or a commit id, and refuses what names nothing", async () => {
    const { target } = await pushed(local);
    const side = await history.git(["rev-parse", "side"]);
    const listed = (await listCommits(target, { ref: side }))._unsafeUnwrap();
    expect(listed.commits.map(({ commit }) => commit)).toEqual(
      (await history.git(["log", "--format=%H", "side"])).split("\n"),
    );
    const missing = await listCommits(target, { ref: "no-such-branch" });
    expect(missing._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", reason: "not-found" });
  });
});

describe("listCommits input", () => {
  it("refuses a bad limit, cursor, ref or paths before anything is sent", async () => {
    const target = {
      remote: "http://127.0.0.1:9/git/default/none.git",
      token: "art_v1_0123456789abcdef0123456789abcdef01234567",
    };
    for (const [input, field] of [
      [{ limit: 0 }, "limit"],
      [{ limit: 1001 }, "limit"],
      [{ limit: 1.5 }, "limit"],
      [{ cursor: "nope" }, "cursor"],
      [{ ref: "a..b" }, "ref"],
      [{ paths: ["../x"] }, "paths"],
      [{ firstParent: "yes" }, "firstParent"],
    ] as const) {
      const refused = await listCommits(target, input as never);
      expect(refused._unsafeUnwrapErr(), JSON.stringify(input)).toMatchObject({ _tag: "InvalidInputError", field });
    }
  });
});
