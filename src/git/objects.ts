import { GitError } from "./errors.js";
import { objectHash, objectId } from "./hash.js";
import type { Author } from "./input.js";
import type { GitObject, ObjectType } from "./pack.js";
import type { PackObject } from "./pack-reader.js";
import { encodeTree, parseTree, type TreeEntry } from "./tree.js";

/**
 * One call's Git objects, in memory: the objects of the packs fetched from the remote (read by pack-reader.ts: every
 * object hashed, deltas resolved, inflation bounded) and the objects the call writes, kept as plain bytes by id until
 * they are packed for the push (pack.ts). Trees are parsed and encoded by tree.ts, byte for byte.
 */
export class ObjectStore {
  /** Every object of the fetched packs, by id. */
  private readonly fetched = new Map<string, PackObject>();
  /** Every object this call wrote (or checked from a source), by id. */
  private readonly written = new Map<string, GitObject>();

  has(oid: string): boolean {
    return this.written.has(oid) || this.fetched.has(oid);
  }

  /** Holds the objects of a fetched pack (read by pack-reader.ts as it arrived); resolves to their ids. */
  add(objects: ReadonlyMap<string, PackObject>): string[] {
    for (const [oid, object] of objects) this.fetched.set(oid, object);
    return [...objects.keys()];
  }

  /** An object's type and bytes (a `Blob` only for a blob the caller gave as one); throws where the store has none. */
  private read(oid: string): { type: string; content: Uint8Array | Blob } {
    const object = this.written.get(oid) ?? this.fetched.get(oid);
    if (!object) throw new Error(`object ${oid} is not in this call's store`);
    return object;
  }

  /** A tree's entries as stored. Throws (caught by the caller) when it is missing, not a tree, or malformed. */
  async tree(oid: string): Promise<TreeEntry[]> {
    const { type, content } = this.read(oid);
    if (type !== "tree" || !(content instanceof Uint8Array)) throw new Error(`object ${oid} is a ${type}, not a tree`);
    return parseTree(content);
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

  async blob(oid: string): Promise<Uint8Array> {
    const { type, content } = this.read(oid);
    if (type !== "blob") throw new Error(`object ${oid} is a ${type}, not a blob`);
    return content instanceof Uint8Array ? content : new Uint8Array(await content.arrayBuffer());
  }

  /** A file's content: bytes are held as given; a `Blob` is read once to hash it, and again when it is pushed. */
  async writeBlob(content: Uint8Array | Blob): Promise<string> {
    if (content instanceof Uint8Array) return this.write("blob", content);
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

  /** Exactly `oids` (written by this call, or fetched: another repo's objects to pass on), as a push packs them. */
  pack(oids: readonly string[]): GitObject[] {
    return [...new Set(oids)].map((oid) => {
      const { type, content } = this.read(oid);
      if (type !== "blob" && type !== "tree" && type !== "commit") throw new Error(`object ${oid} is a ${type}`);
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

  private async write(type: ObjectType, content: Uint8Array): Promise<string> {
    const oid = objectId(type, content);
    this.written.set(oid, { type, content });
    return oid;
  }
}

/** The values of a header of a commit (`tree`, `parent`), in order. */
function headerValues(content: Uint8Array, name: string): string[] {
  const text = new TextDecoder().decode(content);
  const headers = text.slice(0, text.indexOf("\n\n")).split("\n");
  return headers.filter((line) => line.startsWith(`${name} `)).map((line) => line.slice(name.length + 1));
}

/** A commit as this data plane writes one. */
export interface CommitObject {
  tree: string;
  parents: readonly string[];
  author: Required<Author>;
  committer: Required<Author>;
  message: string;
}

const encoder = new TextEncoder();

/**
 * A commit's bytes: `tree`, `parent`s, `author`, `committer`, a blank line and the message, with git's newline
 * cleanup (no carriage returns, none leading, exactly one trailing).
 */
export function encodeCommit({ tree, parents, author, committer, message }: CommitObject): Uint8Array {
  const person = ({ name, email, timestamp, timezoneOffset }: Required<Author>) =>
    `${name} <${email}> ${timestamp} ${zone(timezoneOffset)}`;
  const cleaned = `${message.replace(/\r/g, "").replace(/^\n+/, "").replace(/\n+$/, "")}\n`;
  return encoder.encode(
    `tree ${tree}\n${parents.map((parent) => `parent ${parent}\n`).join("")}` +
      `author ${person(author)}\ncommitter ${person(committer)}\n\n${cleaned}`,
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
