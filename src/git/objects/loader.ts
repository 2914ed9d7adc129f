import { err, ok, safeTry } from "neverthrow";
import { inflatedLimit, type PackObject, PackParser } from "../wire/pack-reader.js";
import { type GitResult, protocolError, type Remote } from "../wire/smart-http.js";
import { type Capabilities, type FetchRequest, fetchPack, fetchSupports } from "../wire/upload-pack.js";
import type { Selection } from "./path.js";
import { type ObjectSource, verifiedCommit } from "./sources.js";
import type { ObjectStore } from "./store.js";
import { type ByteString, kindOf } from "./tree.js";

/**
 * One call's objects, each from the cheapest source that has it, checked before it is used:
 * 1. the store (what this call already holds);
 * 2. where the remote advertises `filter`, Git protocol v2 by id: the commit with its root tree in one fetch
 *    (`deepen 1`, `filter tree:1`), then each depth's trees in one fetch (`filter tree:0`: the trees asked for alone);
 *    blobs by id on every remote (a blob has nothing below it), all of a call's in one fetch;
 * 3. the call's sources (the binding's handle, the REST contents routes): a tree must hash to its id, a commit must
 *    rebuild to its id (sources.ts `verifiedCommit`), a blob must hash to its id; several in parallel;
 * 4. the last resort: the commit fetched whole (`deepen 1`, no filter), which holds everything below it.
 * Whatever a source gets wrong (a wrong hash, an unknown shape, an error) costs a `debug` line and the next source,
 * never a wrong commit. Packs are checked as they arrive (pack-reader.ts: every object hashed).
 */
export class ObjectLoader {
  /** The commit whose objects the last resort fetches: the one `commitTree` was last asked for. */
  private commit: string | undefined;
  private readonly filter: boolean;

  constructor(
    readonly remote: Remote,
    readonly caps: Capabilities,
    readonly store: ObjectStore,
    private readonly sources: readonly ObjectSource[],
  ) {
    this.filter = fetchSupports(caps, "filter");
  }

  /** The root tree of `commit`, and that tree readable from the store. */
  async commitTree(commit: string): Promise<GitResult<string>> {
    return safeTry(
      async function* (this: ObjectLoader) {
        this.commit = commit;
        let why = "the commit alone cannot be fetched";
        // With filter, one fetch brings the commit and its root tree (`tree:1`): the cheapest there is.
        if (!this.store.has(commit) && this.filter) {
          const refused = yield* await this.byId(
            { wants: [commit], shallow: this.shallow, filter: "tree:1" },
            "the commit",
          );
          why = refused ?? why;
        }
        if (this.store.has(commit)) return this.rootOf(commit);
        if (await this.fromSources(commit)) return this.rootOf(commit);
        yield* await this.wholeCommit(why);
        return this.rootOf(commit);
      }.bind(this),
    );
  }

  /** Whether a source gave `commit` in fields that rebuild it: then the store holds it. */
  async fromSources(commit: string): Promise<boolean> {
    for (const source of this.sources) {
      const fields = await source.commit(commit);
      const bytes = fields && (await verifiedCommit(commit, fields));
      if (bytes) {
        await this.store.writeObject("commit", bytes);
        return true;
      }
      this.remote.debug(`${source.name}: no commit ${commit} that rebuilds to its id; trying the next source`);
    }
    return false;
  }

  /** Whether this loader has a source of single objects other than Git (a binding, the REST contents routes). */
  get hasSources(): boolean {
    return this.sources.length > 0;
  }

  /** Whether `other` reads the same repo into the same store: then one fetch serves both (a diff within a repo). */
  shares(other: ObjectLoader): boolean {
    return other.store === this.store && other.remote.url === this.remote.url;
  }

  /**
   * Asks Git for `oids` in one fetch, ahead of the calls that need them (`commitTree`, `trees`, `blobs`, which then
   * find them in the store): commits with their root trees, trees alone, or blobs. Only where the remote can send
   * them so (filter for commits and trees); a refusal is not an error: those calls take their next source.
   */
  async prefetch(oids: readonly string[], kind: "commit" | "tree" | "blob"): Promise<GitResult<void>> {
    if (this.missing(oids).length === 0 || (kind !== "blob" && !this.filter)) return ok(undefined);
    // Asked for in the same turn (two walks of a merge, a level each): one fetch for all.
    let batch = this.batches.get(kind);
    if (batch === undefined) {
      const wants = new Set<string>();
      const result = Promise.resolve().then(async () => {
        this.batches.delete(kind);
        const missing = this.missing([...wants]);
        if (missing.length === 0) return ok(undefined);
        const request: FetchRequest =
          kind === "commit"
            ? { wants: missing, shallow: this.shallow, filter: "tree:1" }
            : kind === "tree"
              ? { wants: missing, filter: "tree:0" }
              : { wants: missing };
        return (await this.byId(request, `${kind}s`)).map(() => undefined);
      });
      batch = { wants, result };
      this.batches.set(kind, batch);
    }
    for (const oid of oids) batch.wants.add(oid);
    return batch.result;
  }

  private readonly batches = new Map<string, { wants: Set<string>; result: Promise<GitResult<void>> }>();

  /** Whether the remote advertises `filter`: the history can come from Git without trees or blobs. */
  get filters(): boolean {
    return this.filter;
  }

  private async rootOf(commit: string): Promise<GitResult<string>> {
    const tree = await this.store.commitTree(commit);
    const root = await this.trees([tree]);
    return root.isErr() ? err(root.error) : ok(tree);
  }

  /**
   * Makes every tree of `oids` readable from the store: with filter, from Git in one fetch (`tree:0`: those trees
   * alone), else from the sources, each in parallel; the whole commit last.
   */
  async trees(oids: readonly string[]): Promise<GitResult<void>> {
    return safeTry(
      async function* (this: ObjectLoader) {
        let missing = this.missing(oids);
        let why = `${missing.length} tree(s) not found by id`;
        // Git leaves out a wanted tree that an earlier want of the same fetch holds (its walk met it first, filtered):
        // while a fetch brings some but not all, the rest are asked for again.
        for (let before = Number.POSITIVE_INFINITY; missing.length > 0 && missing.length < before && this.filter; ) {
          before = missing.length;
          const refused = yield* await this.byId({ wants: missing, filter: "tree:0" }, "trees");
          missing = this.missing(missing);
          if (refused !== undefined) {
            why = refused;
            break;
          }
        }
        for (const source of this.sources) {
          if (missing.length === 0) return ok(undefined);
          const checked = await inParallel(missing, async (oid) => {
            const entries = await source.tree(oid);
            return entries !== undefined && (await this.store.writeTree(entries)) === oid;
          });
          const failed = missing.filter((_, index) => !checked[index]);
          if (failed.length > 0) {
            this.remote.debug(`${source.name}: ${failed.length} tree(s) unusable; trying the next source`);
          }
          missing = failed;
        }
        return this.lastResort(missing, why);
      }.bind(this),
    );
  }

  /** Makes every blob of `oids` readable from the store: from Git by id in one fetch, then the sources, then the whole commit. */
  async blobs(oids: readonly string[]): Promise<GitResult<void>> {
    return safeTry(
      async function* (this: ObjectLoader) {
        let missing = this.missing(oids);
        let why = `${missing.length} file(s) not sent by id`;
        if (missing.length > 0) {
          const refused = yield* await this.byId({ wants: missing }, "files");
          why = refused ?? why;
          missing = this.missing(missing);
        }
        for (const source of this.sources) {
          if (missing.length === 0) break;
          const checked = await inParallel(missing, async (oid) => {
            const blob = await source.blob(oid);
            return blob !== undefined && (await this.store.writeBlob(blob)) === oid;
          });
          missing = missing.filter((_, index) => !checked[index]);
        }
        return this.lastResort(missing, why);
      }.bind(this),
    );
  }

  /**
   * Fetches by id into the store. A refusal of the remote's (a `GitError`: an unknown object, a filter it will not
   * apply) is not the call's end: it resolves to why, and the caller takes its next source. No answer, or one over
   * `maxFetchBytes`, ends the call.
   */
  private async byId(request: FetchRequest, what: string): Promise<GitResult<string | undefined>> {
    const added = await fetchInto(this.remote, this.caps, this.store, request);
    if (added.isOk()) return ok(undefined);
    if (added.error._tag !== "GitError" || added.error.maxFetchBytes !== undefined) return err(added.error);
    return ok(`fetching ${what} by id failed (${added.error.message})`);
  }

  private missing(oids: readonly string[]): string[] {
    return [...new Set(oids)].filter((oid) => !this.store.has(oid));
  }

  private get shallow(): boolean {
    return fetchSupports(this.caps, "shallow");
  }

  private async lastResort(missing: readonly string[], why: string): Promise<GitResult<void>> {
    return safeTry(
      async function* (this: ObjectLoader) {
        if (missing.length === 0) return ok(undefined);
        yield* await this.wholeCommit(why);
        const absent = this.missing(missing);
        if (absent.length === 0) return ok(undefined);
        return err(protocolError(this.remote, `the remote did not send object ${absent[0]}`));
      }.bind(this),
    );
  }

  private wholeHeld: string | undefined;

  /** Every object of `commit` (not its history) in one fetch: a whole read's way, and everyone's last resort. */
  async whole(commit: string): Promise<GitResult<void>> {
    this.commit = commit;
    return this.wholeCommit(undefined);
  }

  /** `why`: what was not found otherwise, said through `debug` (a fallback); undefined for a whole read. */
  private async wholeCommit(why: string | undefined): Promise<GitResult<void>> {
    const commit = this.commit;
    // No commit asked for yet (a walk of history): nothing whole to fetch; the caller says what is missing.
    if (commit === undefined || this.wholeHeld === commit) return ok(undefined);
    if (why !== undefined) {
      const because = this.filter ? why : "the remote does not advertise filter";
      this.remote.debug(`${because}: fetching the commit with its files`);
    }
    const added = await fetchInto(this.remote, this.caps, this.store, { wants: [commit], shallow: this.shallow });
    if (added.isOk()) this.wholeHeld = commit;
    return added.map(() => undefined);
  }
}

/**
 * Loads the trees below `root` that `enter` wants (it is given each folder's path, ending in `/`), one batch per
 * depth: a round trip per level of the deepest path, however many folders each level holds.
 */
export async function loadTrees(
  loader: ObjectLoader,
  root: string,
  enter: (folder: ByteString) => boolean,
): Promise<GitResult<void>> {
  return safeTry(async function* () {
    let level = new Map<string, ByteString[]>([[root, [""]]]);
    while (level.size > 0) {
      yield* await loader.trees([...level.keys()]);
      const next = new Map<string, ByteString[]>();
      for (const [oid, prefixes] of level) {
        const entries = await loader.store.tree(oid);
        for (const prefix of prefixes) {
          for (const entry of entries) {
            const folder = `${prefix}${entry.name}/`;
            if (kindOf(entry.mode) === "tree" && enter(folder))
              next.set(entry.oid, [...(next.get(entry.oid) ?? []), folder]);
          }
        }
      }
      level = next;
    }
    return ok(undefined);
  });
}

/** A file of a tree: its path from the root (its bytes) and its blob. */
export interface FileEntry {
  path: ByteString;
  oid: string;
  mode: string;
}

/** The selected files (blobs: regular, executable, symlinks; submodules are not files) below `root`. */
export async function selectFiles(store: ObjectStore, root: string, selection: Selection): Promise<FileEntry[]> {
  const files: FileEntry[] = [];
  const walk = async (oid: string, prefix: ByteString): Promise<void> => {
    for (const entry of await store.tree(oid)) {
      const path = `${prefix}${entry.name}`;
      const kind = kindOf(entry.mode);
      if (kind === "tree") {
        if (selection.enter(`${path}/`)) await walk(entry.oid, `${path}/`);
      } else if (kind !== "gitlink" && selection.file(path)) {
        files.push({ path, oid: entry.oid, mode: entry.mode });
      }
    }
  };
  await walk(root, "");
  return files;
}

/** `check` of each item, at most 8 at a time; the verdicts in order. A check that throws is a `false`. */
export async function inParallel<T>(items: readonly T[], check: (item: T) => Promise<boolean>): Promise<boolean[]> {
  const results: boolean[] = new Array(items.length).fill(false);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await check(items[index] as T).catch(() => false);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, items.length) }, worker));
  return results;
}

/**
 * Fetches a pack into the store, read as it arrives; resolves to the ids it held. `keep` picks the objects stored
 * (and cached): a walk that needs no file's bytes drops the blobs a remote without `filter` sends along.
 */
export async function fetchInto(
  remote: Remote,
  caps: Capabilities,
  store: ObjectStore,
  request: FetchRequest,
  keep?: (object: PackObject) => boolean,
): Promise<GitResult<string[]>> {
  const parser = new PackParser({ maxTotalBytes: inflatedLimit(remote.maxFetchBytes) });
  const objects = await fetchPack(remote, caps, request, parser);
  return objects.map((held) => store.add(keep ? new Map([...held].filter(([, object]) => keep(object))) : held));
}
