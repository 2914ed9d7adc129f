import { GitError } from "../errors.js";
import type { Author } from "../input.js";
import type { GitObject, ObjectType } from "../wire/pack.js";
import type { PackObject } from "../wire/pack-reader.js";
import type { ObjectCache } from "./cache.js";
import { objectHash, objectId } from "./hash.js";
import { encodeTree, parseTree, type TreeEntry } from "./tree.js";

/**
 * One call's Git objects, in memory: the objects of the packs fetched from the remote (read by pack-reader.ts: every
 * object hashed, deltas resolved, inflation bounded) and the objects the call writes, kept as plain bytes by id until
 * they are packed for the push (pack.ts). Trees are parsed and encoded by tree.ts, byte for byte. Given the target's
 * cache (cache.ts), it finds there what earlier calls fetched or wrote, and keeps there what this one does.
 */
export class ObjectStore {
  constructor(private readonly cache?: ObjectCache) {}

  /** Every object of the fetched packs, by id. */
  private readonly fetched = new Map<string, PackObject>();
  /** Every object this call wrote (or checked from a source), by id. */
  private readonly written = new Map<string, GitObject>();

  has(oid: string): boolean {
    return this.written.has(oid) || this.fetched.has(oid) || this.cache?.has(oid) === true;
  }

  /** Holds the objects of a fetched pack (read by pack-reader.ts as it arrived); resolves to their ids. */
  add(objects: ReadonlyMap<string, PackObject>): string[] {
    for (const [oid, object] of objects) {
      this.fetched.set(oid, object);
      this.cache?.put(oid, object.type, object.content);
    }
    return [...objects.keys()];
  }

  /** An object's type and bytes (a `Blob` only for a blob the caller gave as one); throws where the store has none. */
  private read(oid: string): { type: ObjectType; content: Uint8Array | Blob } {
    const object = this.written.get(oid) ?? this.fetched.get(oid) ?? this.cache?.get(oid);
    if (!object) throw new Error(`object ${oid} is not in this call's store`);
    return object;
  }

  /** A tree's entries as stored. Throws (caught by the caller) when it is missing, not a tree, or malformed. */
  async tree(oid: string): Promise<TreeEntry[]> {
    const { type, content } = this.read(oid);
    if (type !== "tree" || !(content instanceof Uint8Array)) throw new Error(`object ${oid} is a ${type}, not a tree`);
    return parseTree(content);
  }

  /** Whether `oid` is held as a commit. */
  isCommit(oid: string): boolean {
    return this.has(oid) && this.read(oid).type === "commit";
  }

  /** A commit's fields as git log shows them (`%T`, `%P`, author, committer, the message as stored). */
  async commitObject(oid: string): Promise<CommitObject> {
    const content = await this.commit(oid);
    const text = new TextDecoder().decode(content);
    const end = text.indexOf("\n\n");
    const [author, committer] = [headerValues(content, "author")[0], headerValues(content, "committer")[0]];
    return {
      tree: headerValues(content, "tree")[0] ?? "",
      parents: headerValues(content, "parent"),
      author: parsePerson(author ?? ""),
      committer: parsePerson(committer ?? ""),
      message: end === -1 ? "" : text.slice(end + 2),
    };
  }

  async commitTree(oid: string): Promise<string> {
    return headerValues(await this.commit(oid), "tree")[0] ?? "";
  }

  /**
   * A commit's bytes, written by this call or fetched. An id that names another kind of object (a ref given as a
   * tree's id) is a `GitError` that says so, which the call passes on as it is.
   */
  private async commit(oid: string): Promise<Uint8Array> {
    const { type, content } = this.read(oid);
    if (type !== "commit" || !(content instanceof Uint8Array)) {
      throw new GitError("not-found", `${oid} is a ${type}, not a commit`);
    }
    return content;
  }

  /**
   * A blob's bytes, for the caller to keep: a copy where the target's cache holds the same bytes (changed by the
   * caller, they would answer for that id in later calls). Files too large for the cache are handed over as they are.
   */
  async blob(oid: string): Promise<Uint8Array> {
    const { type, content } = this.read(oid);
    if (type !== "blob") throw new Error(`object ${oid} is a ${type}, not a blob`);
    if (!(content instanceof Uint8Array)) return new Uint8Array(await content.arrayBuffer());
    return this.cache?.holds(oid, content) ? content.slice() : content;
  }

  /**
   * A file's content: bytes are held as given (and kept in the cache as a copy: the caller may change them later); a
   * `Blob` is read once to hash it, and again when it is pushed, and never kept past the call.
   */
  async writeBlob(content: Uint8Array | Blob): Promise<string> {
    if (content instanceof Uint8Array) return this.write("blob", content, false);
    const hash = objectHash("blob", content.size);
    const reader = content.stream().getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) hash.update(chunk.value);
    const oid = hash.hex();
    this.written.set(oid, { type: "blob", content, oid });
    return oid;
  }

  writeTree(entries: readonly TreeEntry[]): Promise<string> {
    return this.write("tree", encodeTree(entries));
  }

  writeCommit(commit: CommitObject): Promise<string> {
    return this.write("commit", encodeCommit(commit));
  }

  writeTag(tag: TagObject): Promise<string> {
    return this.write("tag", encodeTag(tag));
  }

  /** Exactly `oids` (written by this call, or fetched: another repo's objects to pass on), as a push packs them. */
  pack(oids: readonly string[]): GitObject[] {
    return [...new Set(oids)].map((oid) => {
      const { type, content } = this.read(oid);
      return { type, content, oid };
    });
  }

  /** The parents of a commit this store holds. */
  async parents(oid: string): Promise<string[]> {
    return headerValues(await this.commit(oid), "parent");
  }

  /** An object whose bytes this call rebuilt (a commit from a source's fields): held as if written. */
  writeObject(type: ObjectType, content: Uint8Array): Promise<string> {
    return this.write(type, content);
  }

  private async write(type: ObjectType, content: Uint8Array, owned = true): Promise<string> {
    const oid = objectId(type, content);
    this.written.set(oid, { type, content });
    this.cache?.put(oid, type, content, owned);
    return oid;
  }
}

/** The values of a header of a commit (`tree`, `parent`), in order. */
function headerValues(content: Uint8Array, name: string): string[] {
  const text = new TextDecoder().decode(content);
  const headers = text.slice(0, text.indexOf("\n\n")).split("\n");
  return headers.filter((line) => line.startsWith(`${name} `)).map((line) => line.slice(name.length + 1));
}

/**
 * `Name <email> 1767225600 +0200` read back into an `Author` (the zone as `Date#getTimezoneOffset` counts it:
 * `+0200` is `-120`, `-0000` a negative zero, as `zone` writes them). What git would not write reads as it can.
 */
function parsePerson(line: string): Required<Author> {
  const match = /^(.*?) ?<([^>]*)> (\d+) ([+-])(\d\d)(\d\d)$/.exec(line);
  if (!match) return { name: line, email: "", timestamp: 0, timezoneOffset: 0 };
  const [, name = "", email = "", seconds, sign, hours, minutes] = match;
  const offset = Number(hours) * 60 + Number(minutes);
  return {
    name,
    email,
    timestamp: Number(seconds),
    timezoneOffset: sign === "+" ? (offset === 0 ? 0 : -offset) : offset === 0 ? -0 : offset,
  };
}

/** A commit as this data plane writes one. */
export interface CommitObject {
  tree: string;
  parents: readonly string[];
  author: Required<Author>;
  committer: Required<Author>;
  message: string;
}

/** An annotated tag: the commit it names, its name, who tagged it and why. */
export interface TagObject {
  object: string;
  tag: string;
  tagger: Required<Author>;
  message: string;
}

const encoder = new TextEncoder();
const person = ({ name, email, timestamp, timezoneOffset }: Required<Author>) =>
  `${name} <${email}> ${timestamp} ${zone(timezoneOffset)}`;
/** git's cleanup of a message: no carriage returns, no leading blank lines, exactly one trailing newline. */
const cleaned = (message: string) => `${message.replace(/\r/g, "").replace(/^\n+/, "").replace(/\n+$/, "")}\n`;

/**
 * git's `stripspace` without its comment stripping (`--cleanup=whitespace`): each line's trailing whitespace
 * dropped, runs of blank lines made one, none leading or trailing, one newline at the end (none if nothing is left).
 */
export function stripspace(message: string): string {
  const lines = message.split("\n").map((line) => line.replace(/[ \t\r\v\f]+$/, ""));
  const kept = lines.filter((line, at) => line !== "" || (at > 0 && lines[at - 1] !== ""));
  while (kept[0] === "") kept.shift();
  while (kept.at(-1) === "") kept.pop();
  return kept.length === 0 ? "" : `${kept.join("\n")}\n`;
}

/**
 * An annotated tag's bytes, as `git tag -a --cleanup=whitespace -m` writes them (of a commit): git's default
 * cleanup would also drop lines starting with `#`, and an agent's `#12 fixed` is worth keeping.
 */
export function encodeTag({ object, tag, tagger, message }: TagObject): Uint8Array {
  return encoder.encode(
    `object ${object}\ntype commit\ntag ${tag}\ntagger ${person(tagger)}\n\n${stripspace(message)}`,
  );
}

/**
 * A commit's bytes: `tree`, `parent`s, `author`, `committer`, a blank line and the message, with git's newline
 * cleanup (no carriage returns, none leading, exactly one trailing).
 */
export function encodeCommit({ tree, parents, author, committer, message }: CommitObject): Uint8Array {
  return encoder.encode(
    `tree ${tree}\n${parents.map((parent) => `parent ${parent}\n`).join("")}` +
      `author ${person(author)}\ncommitter ${person(committer)}\n\n${cleaned(message)}`,
  );
}

/**
 * `+hhmm` from minutes as `Date#getTimezoneOffset` counts them (behind UTC is positive): `-120` is `+0200`. A
 * negative zero is `-0000`, as git writes a zone it does not know.
 */
function zone(offset: number): string {
  const ahead = offset < 0 || (offset === 0 && !Object.is(offset, -0));
  const minutes = Math.abs(offset);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${ahead ? "+" : "-"}${pad(Math.floor(minutes / 60))}${pad(minutes % 60)}`;
}
