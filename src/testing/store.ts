import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { ArtifactsState, type RepoRecord, type StateSnapshot } from "./state.js";

/**
 * A data folder that outlives the server: `state.json` (repos, ids, tokens as hashes, namespaces), one bare
 * repository per repo (`<repo id>.git`) and the API token the server accepts (`api-token`, readable by its owner
 * only). The server awaits `save` before it answers a change, so whatever it acknowledged survives a SIGKILL, and
 * `open` reconciles what a kill left half-done: the folders and the state agree again before the first request.
 *
 * The folder may be one the user named (`--data-dir ~/src` by mistake), so the server only ever removes what is
 * shaped like its own (`<16 chars of [0-9a-z]>.git`, its temporary files) in a folder it marked as its own
 * (`.cloudflare-artifacts-server`), and refuses a folder that holds anything else and no mark. Everything in it is
 * its owner's only: folders 0700, files 0600.
 */
export interface DataStore {
  /** The state the folder keeps, reconciled with its repositories, or a new one for a new folder. */
  readonly state: ArtifactsState;
  /** The folder's API token, minted (and kept) the first time a server runs on it without one given. */
  apiToken(): Promise<string>;
  /** Writes the state atomically and durably (temporary file, fsync, rename, fsync of the folder). Rejects on failure. */
  save(state: ArtifactsState): Promise<void>;
}

const STATE = "state.json";
const API_TOKEN = "api-token";
/** The mark of a folder this server made its own; what it holds is for people, not parsed. */
const MARKER = ".cloudflare-artifacts-server";
/** What the server names in its folder: a repo by its id, and its temporary files (`writeDurably`). */
const REPO_FOLDER = /^[0-9a-z]{16}\.git$/;
const TEMPORARY = /^[\w.-]+\.\d+\.[0-9a-f]+\.tmp$/;
const isOwn = (name: string) =>
  name === MARKER || name === STATE || name === API_TOKEN || REPO_FOLDER.test(name) || TEMPORARY.test(name);

/** A data folder the server will not take: it holds what is not the server's. */
export class DataDirRefused extends Error {
  override readonly name = "DataDirRefused";
}

export async function openStore(dataDir: string, now?: () => number): Promise<DataStore> {
  await claim(dataDir);
  const file = join(dataDir, STATE);
  const text = await readFile(file, "utf8").catch(() => undefined);
  const { state, unfinished } =
    text === undefined
      ? { state: new ArtifactsState(now), unfinished: [] }
      : ArtifactsState.restore(JSON.parse(text) as StateSnapshot, now);

  // One save at a time, each writing the state as it is when it runs: a save awaited by a request always holds
  // that request's change.
  let queue: Promise<void> = Promise.resolve();
  const save = (current: ArtifactsState): Promise<void> => {
    const run = queue.then(() => writeDurably(dataDir, STATE, JSON.stringify(current.snapshot())));
    queue = run.catch(() => {});
    return run;
  };

  const leftovers = await reconcile(dataDir, state, unfinished);
  if (leftovers) await save(state);

  return {
    state,
    save,
    async apiToken() {
      const kept = await readFile(join(dataDir, API_TOKEN), "utf8").catch(() => undefined);
      if (kept?.trim()) return kept.trim();
      const minted = `local-${randomBytes(24).toString("base64url")}`;
      await writeDurably(dataDir, API_TOKEN, `${minted}\n`);
      return minted;
    },
  };
}

/**
 * Makes `dataDir` the server's: a new or empty folder is marked, a marked one taken as it is; a folder of an earlier
 * version (a `state.json` and only names of the server's own, no mark) is marked too. Anything else is refused,
 * untouched.
 */
async function claim(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const names = await readdir(dataDir);
  if (!names.includes(MARKER)) {
    const earlier = names.includes(STATE) && names.every(isOwn);
    if (names.length > 0 && !earlier) {
      throw new DataDirRefused(
        `${dataDir} is not empty and is not a data folder of the local Artifacts server (it has no ${MARKER}): ` +
          "give a new or empty folder, so that nothing of yours is ever removed",
      );
    }
    await writeDurably(dataDir, MARKER, "A data folder of the local Artifacts server (cloudflare-artifacts).\n");
  }
  await chmod(dataDir, 0o700);
}

/**
 * Makes folders and state agree after a stop: a folder no ready repo owns goes (an import or fork cut off, a
 * create killed before its save, a delete killed between its save and its `rm`), as do stale temporary files;
 * a repo whose folder is gone goes with its tokens, so no repo comes back without its Git data. Whether anything
 * changed.
 */
async function reconcile(dataDir: string, state: ArtifactsState, unfinished: RepoRecord[]): Promise<boolean> {
  const owned = new Set<string>();
  for (const ns of state.namespaces.values()) for (const repo of ns.repos.values()) owned.add(`${repo.id}.git`);
  const entries = await readdir(dataDir, { withFileTypes: true });
  const present = new Set(entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name));
  // Only what the server itself names: a repo folder by id that no repo owns, a temporary file of its own.
  const strays = entries.filter(
    (entry) =>
      (REPO_FOLDER.test(entry.name) && !owned.has(entry.name)) || (entry.isFile() && TEMPORARY.test(entry.name)),
  );
  await Promise.all(strays.map((entry) => rm(join(dataDir, entry.name), { recursive: true, force: true })));
  let changed = unfinished.length > 0;
  for (const ns of state.namespaces.values()) {
    for (const repo of ns.repos.values()) {
      if (present.has(`${repo.id}.git`)) continue;
      state.removeRepo(repo);
      changed = true;
    }
  }
  return changed;
}

/** `name` in `dir` holds `text`, whole, on disk: never a torn file, whenever the process dies. */
async function writeDurably(dir: string, name: string, text: string, mode = 0o600): Promise<void> {
  const temporary = join(dir, `${name}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(temporary, "w", mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, join(dir, name));
  // The rename itself is durable only once the folder's entry is.
  const folder = await open(dir, "r");
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
