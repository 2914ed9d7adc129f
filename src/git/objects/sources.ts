import type { Client } from "../../client.js";
import { getBlob, getCommit, getTree } from "../../contents.js";
import type { CallOptions } from "../../transport.js";
import { isOid, objectId } from "./hash.js";
import { fromUtf8, TREE_MODE, type TreeEntry } from "./tree.js";

/**
 * Sources of single objects by id, other than the Git protocol: the Workers binding's repo handle
 * (`readCommit`, `readTree`, `readBlob`) and the REST contents routes (`/commit`, `/tree`, `/blob`). Their JSON
 * shapes are undocumented upstream, so each answer is read loosely and trusted only once checked (loader.ts): a
 * tree or blob must hash to the id asked for, a commit must rebuild to its id. An answer of an unknown shape, an
 * error or a throw is `undefined`: the call moves on to its next source.
 */
export interface ObjectSource {
  /** How `debug` names it. */
  readonly name: string;
  commit(oid: string): Promise<CommitFields | undefined>;
  tree(oid: string): Promise<TreeEntry[] | undefined>;
  blob(oid: string): Promise<Uint8Array | undefined>;
}

/** A commit as a source describes it: enough to rebuild its object, when nothing else is in it. */
export interface CommitFields {
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}

interface Signature {
  name: string;
  email: string;
  timestamp: number;
  /** `+0200`; undefined when the source does not say (the binding gives none). */
  timezone: string | undefined;
}

/**
 * The repo handle of the Workers binding, as `await env.ARTIFACTS.get(name)` returns it (typed by its shape; no
 * dependency on Cloudflare's types). The data plane reads the remote and default branch from `info()`, mints and
 * revokes its token with `createToken()` / `revokeToken()`, and reads objects with the `read*` methods.
 *
 * @example
 * const handle: ArtifactsRepoHandle = await env.ARTIFACTS.get("notes");
 * await commitFiles(handle, { message: "From a Worker", author, files: { "a.txt": "a" } });
 */
export interface ArtifactsRepoHandle {
  /** The repo's details: the data plane reads `remote` and `defaultBranch`. */
  info(): Promise<{ remote: string; defaultBranch?: string | null } | null | undefined>;
  /** Mints a repo token (`plaintext`) for the call; revoked by `id` when it ends. */
  createToken(scope?: "read" | "write", ttl?: number): Promise<{ id: string; plaintext: string }>;
  /** Revokes the token the call minted. */
  revokeToken(tokenOrId: string): Promise<unknown>;
  /** A commit's fields (`treeHash`, `parents`, ...), or null; checked by rebuilding the commit's id. */
  readCommit?(hash: string): Promise<unknown>;
  /** A tree's entries (`{ name, mode, hash }`), or null; checked by hashing them. */
  readTree?(hash: string): Promise<unknown>;
  /** A blob's bytes, or null; checked by hashing them. */
  readBlob?(hash: string): Promise<Blob | null>;
}

/** What a binding handle's `read*` methods give. */
export function bindingSource(handle: ArtifactsRepoHandle): ObjectSource {
  return {
    name: "the binding",
    commit: (oid) => attempt(async () => commitFields(await handle.readCommit?.(oid))),
    tree: (oid) => attempt(async () => treeEntries(await handle.readTree?.(oid))),
    blob: (oid) =>
      attempt(async () => {
        const blob = await handle.readBlob?.(oid);
        return blob ? new Uint8Array(await blob.arrayBuffer()) : undefined;
      }),
  };
}

/** What the REST contents routes give, for a client. */
export function restSource(client: Client, repo: string, options: CallOptions): ObjectSource {
  return {
    name: "the REST contents routes",
    commit: async (oid) => (await getCommit(client, repo, oid, options)).map(commitFields).unwrapOr(undefined),
    tree: async (oid) => (await getTree(client, repo, oid, options)).map(treeEntries).unwrapOr(undefined),
    blob: async (oid) => (await getBlob(client, repo, oid, options)).unwrapOr(undefined),
  };
}

async function attempt<T>(read: () => Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

type Loose = Record<string, unknown>;
const record = (value: unknown): Loose | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Loose) : undefined;
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const first = (object: Loose, keys: readonly string[]) => keys.map((key) => object[key]).find((v) => v !== undefined);

/**
 * Tree entries from JSON: `{ name, mode, hash }` (the binding; `path`, `oid` or `sha` accepted too). Modes as
 * `ls-tree` prints them (`040000`) are written as Git stores them (`40000`). Names arrive as JS strings: a name that
 * was not UTF-8 has been replaced on the way, and the tree then fails its check, as it must.
 */
function treeEntries(value: unknown): TreeEntry[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const entries: TreeEntry[] = [];
  for (const item of value) {
    const entry = record(item);
    const name = entry && text(first(entry, ["name", "path"]));
    const oid = entry && text(first(entry, ["hash", "oid", "sha", "id"]));
    const mode = entry && text(entry.mode);
    if (!name || !isOid(oid) || !mode || !/^0?[0-7]{5,6}$/.test(mode)) return undefined;
    entries.push({ mode: mode === "040000" ? TREE_MODE : mode, name: fromUtf8(name), oid });
  }
  return entries;
}

/** Commit fields from JSON: the binding's (`treeHash`, `authoredAt` in seconds) or the local server's REST shape. */
function commitFields(value: unknown): CommitFields | undefined {
  const commit = record(value);
  if (!commit) return undefined;
  const tree = text(first(commit, ["treeHash", "tree", "tree_hash"]));
  const parents = first(commit, ["parents", "parent_hashes"]);
  const message = text(commit.message);
  const author = signature(commit.author, first(commit, ["authoredAt", "authored_at"]));
  const committer = signature(commit.committer, first(commit, ["committedAt", "committed_at"]));
  if (!isOid(tree) || !Array.isArray(parents) || !parents.every(isOid) || message === undefined) return undefined;
  if (!author || !committer) return undefined;
  return { tree, parents, author, committer, message };
}

function signature(value: unknown, at: unknown): Signature | undefined {
  const person = record(value);
  const name = text(person?.name);
  const email = text(person?.email);
  if (name === undefined || email === undefined) return undefined;
  if (typeof at === "number" && Number.isSafeInteger(at)) return { name, email, timestamp: at, timezone: undefined };
  // An ISO 8601 date with its offset (`2026-11-24T18:40:00+02:00`) says both.
  const date = text(first(person as Loose, ["date", "timestamp"]));
  const zone = date && /(?:([+-])(\d\d):?(\d\d)|Z)$/.exec(date);
  const timestamp = date ? Date.parse(date) / 1000 : Number.NaN;
  if (!zone || !Number.isSafeInteger(timestamp)) return undefined;
  return { name, email, timestamp, timezone: zone[1] ? `${zone[1]}${zone[2]}${zone[3]}` : "+0000" };
}

/** Every offset a clock has used, whole hours first: what to try when a source gives no timezone. */
const ZONES = (() => {
  const zones: string[] = [];
  const format = (minutes: number) => {
    const sign = minutes < 0 ? "-" : "+";
    const abs = Math.abs(minutes);
    return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}${String(abs % 60).padStart(2, "0")}`;
  };
  for (let hours = -12; hours <= 14; hours++) zones.push(format(hours * 60));
  for (let minutes = -720; minutes <= 840; minutes += 15) if (minutes % 60 !== 0) zones.push(format(minutes));
  return ["+0000", ...zones.filter((zone) => zone !== "+0000" && zone !== "-0000")];
})();

const encoder = new TextEncoder();

/**
 * The commit's bytes, when `fields` rebuild the object whose id is `oid`: the id is the hash of every byte of the
 * commit, so a tree id that rebuilds it is the commit's own, whatever the source. Without timezones (the binding's),
 * each offset is tried: the author's and committer's alike, then every pair of whole hours. A commit with headers
 * the fields do not carry (a signature, an encoding) does not rebuild, and the call takes its next source.
 */
export async function verifiedCommit(oid: string, fields: CommitFields): Promise<Uint8Array | undefined> {
  const { author, committer } = fields;
  const messages = [...new Set([fields.message, `${fields.message}\n`])];
  const pairs: [string, string][] = [];
  if (author.timezone && committer.timezone) pairs.push([author.timezone, committer.timezone]);
  else if (author.timezone || committer.timezone) {
    const known = (author.timezone ?? committer.timezone) as string;
    for (const zone of ZONES) pairs.push(author.timezone ? [known, zone] : [zone, known]);
  } else {
    for (const zone of ZONES) pairs.push([zone, zone]);
    for (const a of ZONES.slice(0, 27)) for (const c of ZONES.slice(0, 27)) if (a !== c) pairs.push([a, c]);
  }
  const head = `tree ${fields.tree}\n${fields.parents.map((parent) => `parent ${parent}\n`).join("")}`;
  const line = (role: string, who: Signature, zone: string) =>
    `${role} ${who.name} <${who.email}> ${who.timestamp} ${zone}\n`;
  for (const [authorZone, committerZone] of pairs) {
    for (const message of messages) {
      const body = `${head}${line("author", author, authorZone)}${line("committer", committer, committerZone)}\n${message}`;
      const bytes = encoder.encode(body);
      if ((await objectId("commit", bytes)) === oid) return bytes;
    }
  }
  return undefined;
}
