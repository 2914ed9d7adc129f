import { ok, type ResultAsync, safeTry } from "neverthrow";
import type { ArtifactsError } from "../errors.js";
import type { Access } from "./access.js";
import { type GitQuery, gitQuery } from "./call.js";
import type { GitError } from "./errors.js";
import { type Author, type CheckedLog, checkLog } from "./input.js";
import { fetchInto, ObjectLoader } from "./objects/loader.js";
import { pathspec, type Selection } from "./objects/path.js";
import { ObjectStore } from "./objects/store.js";
import { type ByteString, kindOf } from "./objects/tree.js";
import { resolveRef } from "./wire/refs.js";
import type { GitResult } from "./wire/smart-http.js";
import { capabilities, fetchSupports } from "./wire/upload-pack.js";

/**
 * The history of a branch, or of some paths in it, as `git log [--first-parent] [-- <paths>]` walks it: newest
 * committer date first (ties in the order they were reached), and with paths git's default history simplification
 * (a commit is shown when its tree differs on the paths from every parent it is compared with; a merge the same on
 * the paths as one parent follows that parent alone). The commits come from Git without trees where the remote
 * advertises `filter` (a round per depth the walk reaches, four times deeper each time); only then the trees on the
 * paths, a level at a time for all commits at once, each subtree compared by id before it is read.
 */

/**
 * What `listCommits` walks.
 *
 * @example
 * const input: ListCommitsInput = { ref: "main", paths: ["src/"], limit: 20 };
 */
export interface ListCommitsInput {
  /** A branch, a tag or a commit id. Default (or `"HEAD"`): the repo's default branch. */
  ref?: string;
  /** As git's pathspec: a file, a folder (with or without a trailing `/`) or a glob. Default: every commit. */
  paths?: string[];
  /** At most this many commits (1 to 1000). Default 100. */
  limit?: number;
  /** The `cursor` of the previous page: the walk goes on from where it stopped, at the same tip. */
  cursor?: string;
  /** Only the first parent of each merge, as `git log --first-parent`. */
  firstParent?: boolean;
}

/**
 * A commit as `git log` shows it: its id (`%H`), parents (`%P`), tree (`%T`), author and committer (time and zone
 * as `commitFiles` takes them) and the message as stored (`%B`, its final newline kept).
 *
 * @example
 * const { commit, author, message }: LoggedCommit = page.commits[0];
 */
export interface LoggedCommit {
  commit: string;
  parents: string[];
  tree: string;
  author: Required<Author>;
  committer: Required<Author>;
  message: string;
}

/**
 * A page of history, newest first; `cursor` is set while more commits remain.
 *
 * @example
 * const result = await listCommits(client, "notes", { paths: ["a.txt"] });
 * if (result.isOk()) {
 *   const { commits, cursor }: ListCommitsResult = result.value;
 * }
 */
export interface ListCommitsResult {
  commits: LoggedCommit[];
  cursor?: string;
}

/** With paths, how deep the first round of history goes: most files change within it. */
const PATHS_DEPTH = 256;
const GROWTH = 4;

/**
 * Lists commits of a branch (every one, or those that changed `paths`), newest first, a page at a time, without a
 * clone. Takes the three targets `commitFiles` takes.
 *
 * @function
 * @example
 * const page = await listCommits(client, "notes", { paths: ["docs/"], limit: 10 });
 * if (page.isOk()) for (const { commit, message } of page.value.commits) console.log(commit, message);
 */
export const listCommits: GitQuery<ListCommitsInput, ListCommitsResult> = gitQuery({
  scope: "read",
  check: (input) =>
    checkLog(input).map((checked) => ({ ...checked, selection: checked.paths && pathspec(checked.paths) })),
  run: walkLog,
});

type Failure = GitError | ArtifactsError;

/** The checked input, its paths as a pathspec. */
type LogInput = CheckedLog & { selection: Selection | undefined };

/** A commit waiting in the walk: its committer time orders it, the order it was reached breaks ties (as git). */
interface Queued {
  oid: string;
  time: number;
  order: number;
}

function walkLog(access: Access, input: LogInput): ResultAsync<ListCommitsResult, Failure> {
  return safeTry(async function* () {
    const { remote } = access;
    const caps = yield* await capabilities(remote);
    const start = input.tip ?? (yield* await resolveRef(remote, caps, input.ref ?? access.defaultBranch));
    const store = new ObjectStore(remote.kept?.objects);
    const loader = new ObjectLoader(remote, caps, store, access.sources);
    const history = new History(loader, input);
    const wanted = input.offset + input.limit + 1; // one past the page says whether another follows
    history.depth = input.selection ? Math.max(wanted, PATHS_DEPTH) : wanted;

    const shown: string[] = [];
    const seen = new Set<string>([start]);
    const queue: Queued[] = [];
    let order = 0;
    const enqueue = async (oid: string) => {
      const time = (await store.commitObject(oid)).committer.timestamp;
      // After every commit of the same time or later: FIFO among ties, as git's commit_list_insert_by_date.
      let at = queue.findIndex((queued) => queued.time < time);
      if (at === -1) at = queue.length;
      queue.splice(at, 0, { oid, time, order: order++ });
    };
    yield* await history.ready([start]);
    await enqueue(start);
    while (queue.length > 0 && shown.length < wanted) {
      const { oid } = queue[0] as Queued;
      const step = yield* await history.step(oid, queue);
      if (step === undefined) continue; // fetched more: the same commit again
      queue.shift();
      if (step.shown) shown.push(oid);
      for (const parent of step.follow) {
        if (seen.has(parent)) continue;
        seen.add(parent);
        await enqueue(parent);
      }
    }
    const page = shown.slice(input.offset, input.offset + input.limit);
    const commits = await Promise.all(page.map(async (commit) => ({ commit, ...(await store.commitObject(commit)) })));
    const more = shown.length > input.offset + input.limit;
    return ok({
      commits: commits.map(({ commit, tree, parents, author, committer, message }) => ({
        commit,
        parents: [...parents],
        tree,
        author,
        committer,
        message,
      })),
      ...(more ? { cursor: `${start}.${input.offset + input.limit}` } : {}),
    });
  });
}

/**
 * The commits of the walk and, with paths, whether each is the same on them as its parents, fetched as the walk
 * reaches them: `step` of a commit not ready fetches the next round (every commit the walk waits on, `depth`
 * deeper) and says so with `undefined`.
 */
class History {
  depth = PATHS_DEPTH;
  /** Parents the remote does not have (a shallow repo's edge): the commit is a root, as git grafts it. */
  private readonly absent = new Set<string>();
  /** The commits fetched so far: decided together, in one comparison of their trees. */
  private readonly known = new Set<string>();
  /** Per commit, whether it is the same on the paths as each parent compared (as the empty tree for a root). */
  private readonly verdicts = new Map<string, boolean[]>();

  constructor(
    private readonly loader: ObjectLoader,
    private readonly input: LogInput,
  ) {}

  private get store(): ObjectStore {
    return this.loader.store;
  }

  /** The parents the walk goes on to from `oid` (the first alone with `firstParent`), less those absent. */
  private async parents(oid: string): Promise<string[]> {
    const parents = (await this.store.parents(oid)).filter((parent) => !this.absent.has(parent));
    return this.input.firstParent ? parents.slice(0, 1) : parents;
  }

  /** Fetches what `oids` lack of the walk's history, `depth` commits deep (commits alone where filter allows). */
  async ready(oids: readonly string[]): Promise<GitResult<void>> {
    return safeTry(
      async function* (this: History) {
        const missing = [...new Set(oids)].filter((oid) => !this.store.has(oid) && !this.absent.has(oid));
        if (missing.length === 0) return ok(undefined);
        const { caps } = this.loader;
        const held = yield* await fetchInto(
          this.loader.remote,
          caps,
          this.store,
          {
            wants: missing,
            ...(fetchSupports(caps, "shallow") ? { deepen: this.depth } : {}),
            ...(this.loader.filters ? { filter: "tree:0" } : {}),
          },
          // Without filter the pack holds every file too: the walk keeps only commits and trees.
          (object) => object.type !== "blob",
        );
        for (const oid of held) if (this.store.isCommit(oid)) this.known.add(oid);
        this.depth *= GROWTH;
        // What the remote did not send even so, it does not have: a shallow repo's history ends there.
        for (const oid of missing) if (!this.store.has(oid)) this.absent.add(oid);
        return ok(undefined);
      }.bind(this),
    );
  }

  /**
   * What the walk does at `oid`: shows it or not, and which parents it follows (git's `try_to_simplify_commit`:
   * a parent the same on the paths is followed alone, and the commit is not shown). `undefined`: more was fetched.
   */
  async step(
    oid: string,
    queue: readonly { oid: string }[],
  ): Promise<GitResult<{ shown: boolean; follow: string[] } | undefined>> {
    return safeTry(
      async function* (this: History) {
        const parents = await this.parents(oid);
        if (parents.some((parent) => !this.store.has(parent))) {
          // Every parent the walk waits on at its edge, in one fetch.
          const waiting = await Promise.all(queue.map(({ oid: queued }) => this.parents(queued)));
          const fetched = await this.ready(waiting.flat().filter((parent) => !this.store.has(parent)));
          return fetched.map(() => undefined);
        }
        const { selection } = this.input;
        if (selection === undefined) return ok({ shown: true, follow: parents });
        if (!this.verdicts.has(oid)) {
          yield* await this.compare(selection, [oid, ...queue.map(({ oid: queued }) => queued)]);
        }
        const verdict = this.verdicts.get(oid) ?? [];
        if (parents.length === 0) return ok({ shown: !verdict[0], follow: [] });
        const same = verdict.indexOf(true);
        return ok(same === -1 ? { shown: true, follow: parents } : { shown: false, follow: [parents[same] as string] });
      }.bind(this),
    );
  }

  /** Decides every commit held whose parents are held too, all at once: their trees on the paths level by level. */
  private async compare(selection: Selection, waiting: readonly string[]): Promise<GitResult<void>> {
    return safeTry(
      async function* (this: History) {
        const pairs: { oid: string; ours: string; theirs: string | undefined }[] = [];
        for (const oid of new Set([...waiting, ...this.known])) {
          if (this.verdicts.has(oid)) continue;
          const parents = await this.parents(oid);
          if (!parents.every((parent) => this.store.has(parent))) continue;
          const ours = await this.store.commitTree(oid);
          const theirs = await Promise.all(parents.map((parent) => this.store.commitTree(parent)));
          for (const tree of theirs.length === 0 ? [undefined] : theirs) pairs.push({ oid, ours, theirs: tree });
        }
        const same = yield* await sameOnPaths(this.loader, pairs, selection);
        for (const [index, { oid }] of pairs.entries()) {
          this.verdicts.set(oid, [...(this.verdicts.get(oid) ?? []), same[index] as boolean]);
        }
        return ok(undefined);
      }.bind(this),
    );
  }
}

/**
 * For each pair of trees (`undefined`: the empty tree), whether they hold the same selected files: compared a
 * level at a time for every pair at once, one batch of trees per level, a subtree of the same id never read.
 */
export async function sameOnPaths(
  loader: ObjectLoader,
  pairs: readonly { ours: string | undefined; theirs: string | undefined }[],
  selection: Selection,
): Promise<GitResult<boolean[]>> {
  return safeTry(async function* () {
    const differs = pairs.map(() => false);
    let level = pairs.map(({ ours, theirs }, index) => ({ index, ours, theirs, prefix: "" as ByteString }));
    while (level.length > 0) {
      level = level.filter(({ index, ours, theirs }) => !differs[index] && ours !== theirs);
      yield* await loader.trees(level.flatMap(({ ours, theirs }) => [ours ?? [], theirs ?? []].flat()));
      const next: typeof level = [];
      for (const { index, ours, theirs, prefix } of level) {
        const a = new Map((ours ? await loader.store.tree(ours) : []).map((entry) => [entry.name, entry]));
        const b = new Map((theirs ? await loader.store.tree(theirs) : []).map((entry) => [entry.name, entry]));
        for (const name of new Set([...a.keys(), ...b.keys()])) {
          const [mine, yours] = [a.get(name), b.get(name)];
          if (mine && yours && mine.oid === yours.oid && mine.mode === yours.mode) continue;
          const path = `${prefix}${name}`;
          const [myTree, yourTree] = [mine, yours].map((entry) =>
            entry && kindOf(entry.mode) === "tree" ? entry.oid : undefined,
          );
          const file = (mine && !myTree) || (yours && !yourTree);
          if (file && selection.file(path)) {
            differs[index] = true;
            break;
          }
          if ((myTree || yourTree) && selection.enter(`${path}/`)) {
            next.push({ index, ours: myTree, theirs: yourTree, prefix: `${path}/` });
          }
        }
      }
      level = next;
    }
    return ok(differs.map((differ) => !differ));
  });
}
