import { ok, safeTry } from "neverthrow";
import { fetchInto, inParallel, type ObjectLoader } from "../objects/loader.js";
import type { ObjectStore } from "../objects/store.js";
import type { GitResult, Remote } from "../wire/smart-http.js";
import { type Capabilities, fetchSupports } from "../wire/upload-pack.js";

/**
 * The commit graph a merge needs, fetched only as deep as its merge bases lie: each round fetches both tips'
 * history `deepen <n>` commits deep (without trees or blobs where the remote advertises `filter`), four times deeper
 * each time, until the commits held settle the merge bases or the remote has no more. So a merge whose base is one
 * commit back costs one round however long the history is. On a remote without `filter` that has sources of single
 * objects (the binding, the REST contents routes), the commits come from them instead, a generation a round, no
 * tree or blob at all; past `SOURCE_LIMIT` commits, or where a source fails, from Git as above.
 */

/** One side of the merge: its tip, the remote that holds it and its loader (for its sources). */
export interface Tip {
  remote: Remote;
  caps: Capabilities;
  loader: ObjectLoader;
  commit: string;
}

const FIRST_DEPTH = 16;
const GROWTH = 4;
/** The most commits read one by one from sources before the history is fetched from Git instead. */
const SOURCE_LIMIT = 256;

/** The merge bases from the sources' commits alone, or undefined where they cannot settle them. */
async function fromSources(store: ObjectStore, ours: Tip, theirs: Tip): Promise<string[] | undefined> {
  let read = 0;
  let wanted = [...new Set([ours.commit, theirs.commit])];
  while (wanted.length > 0 && read + wanted.length <= SOURCE_LIMIT) {
    read += wanted.length;
    const got = await inParallel(wanted, (oid) => ours.loader.fromSources(oid));
    if (got.includes(false)) return undefined;
    const verdict = await settled(store, ours.commit, theirs.commit);
    if (verdict.bases !== undefined) return verdict.bases;
    wanted = verdict.missing;
  }
  return undefined;
}

/** The merge bases of `ours` and `theirs` (see `mergeBases`), their history fetched into `store` as deep as needed. */
export async function fetchMergeBases(store: ObjectStore, ours: Tip, theirs: Tip): Promise<GitResult<string[]>> {
  return safeTry(async function* () {
    if (ours.loader === theirs.loader && !ours.loader.filters && ours.loader.hasSources) {
      const bases = await fromSources(store, ours, theirs);
      if (bases !== undefined) return ok(bases);
    }
    // One fetch per remote a round: both tips in one request when they share it.
    const remotes = ours.remote === theirs.remote ? [[ours, theirs]] : [[ours], [theirs]];
    const known = new Set<string>();
    for (let depth = FIRST_DEPTH; ; depth *= GROWTH) {
      let grew = false;
      let limited = false;
      for (const tips of remotes) {
        const { remote, caps } = tips[0] as Tip;
        const deepen = fetchSupports(caps, "shallow");
        limited ||= deepen;
        const held = yield* await fetchInto(remote, caps, store, {
          wants: [...new Set(tips.map((tip) => tip.commit))],
          ...(deepen ? { deepen: depth } : {}),
          ...(fetchSupports(caps, "filter") ? { filter: "tree:0" } : {}),
        });
        grew ||= held.some((oid) => !known.has(oid));
        for (const oid of held) known.add(oid);
      }
      const { bases } = await settled(store, ours.commit, theirs.commit);
      if (bases !== undefined) return ok(bases);
      // The whole history the remote has (a shallow repo's ends early): its merge bases are what it says.
      if (!limited || !grew) return ok(await mergeBases(store, ours.commit, theirs.commit));
    }
  });
}

/**
 * The merge bases, when the commits held settle them: the whole history of both tips held, or one merge base found
 * while every commit not held yet is reached from both tips (its own history can then hold no better base: anything
 * below it is below the one found). Undefined where deeper history could change the answer (several bases, none);
 * `missing`: the commits reached and not held.
 */
async function settled(
  store: ObjectStore,
  ours: string,
  theirs: string,
): Promise<{ bases: string[] | undefined; missing: string[] }> {
  const [mine, yours] = [await ancestors(store, ours), await ancestors(store, theirs)];
  const missing = [...new Set([...mine, ...yours])].filter((oid) => !store.has(oid));
  const bases = await mergeBases(store, ours, theirs);
  const settles =
    missing.length === 0 || (bases.length === 1 && missing.every((oid) => mine.has(oid) && yours.has(oid)));
  return { bases: settles ? bases : undefined, missing };
}

/** `start` and every commit it reaches through the commits held (a parent not held is included, not walked). */
async function ancestors(store: ObjectStore, start: string): Promise<Set<string>> {
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    for (const parent of store.has(next) ? await store.parents(next) : []) {
      if (!seen.has(parent)) {
        seen.add(parent);
        queue.push(parent);
      }
    }
  }
  return seen;
}

/**
 * The merge bases, as `git merge-base --all` finds them in the commits held: walking back from `theirs`, the first
 * commits that `ours` also reaches, less any that is an ancestor of another. None for unrelated histories, several
 * for a criss-cross.
 */
export async function mergeBases(store: ObjectStore, ours: string, theirs: string): Promise<string[]> {
  const reached = await ancestors(store, ours);
  const candidates: string[] = [];
  const seen = new Set<string>([theirs]);
  const queue = [theirs];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (reached.has(next)) {
      candidates.push(next);
      continue;
    }
    for (const parent of store.has(next) ? await store.parents(next) : []) {
      if (!seen.has(parent)) {
        seen.add(parent);
        queue.push(parent);
      }
    }
  }
  const bases: string[] = [];
  for (const candidate of candidates) {
    let below = false;
    for (const other of candidates)
      if (other !== candidate && (await ancestors(store, other)).has(candidate)) below = true;
    if (!below) bases.push(candidate);
  }
  return bases;
}
