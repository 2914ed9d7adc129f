import { randomBytes } from "node:crypto";
import { open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { ArtifactsState, type RepoRecord, type StateSnapshot } from "./state.js";

/**
 * A data folder that outlives the server: `state.json` (repos, ids, tokens as hashes, namespaces), one bare
 * repository per repo (`<repo id>.git`) and the API token the server accepts (`api-token`, readable by its owner
 * only). The server awaits `save` before it answers a change, so whatever it acknowledged survives a SIGKILL, and
 * `open` reconciles what a kill left half-done: the folders and the state agree again before the first request.
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

export async function openStore(dataDir: string, now?: () => number): Promise<DataStore> {
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
      await writeDurably(dataDir, API_TOKEN, `${minted}\n`, 0o600);
      return minted;
    },
  };
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
  const strays = entries.filter(
    (entry) =>
      (entry.name.endsWith(".git") && !owned.has(entry.name)) || (entry.isFile() && entry.name.endsWith(".tmp")),
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
async function writeDurably(dir: string, name: string, text: string, mode = 0o644): Promise<void> {
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
