import { indexPack, readBlob, readObject } from "isomorphic-git";
import { GitError } from "./errors.js";
import { objectId } from "./hash.js";
import type { Author } from "./input.js";
import { memoryFs } from "./memory-fs.js";
import { type GitObject, type ObjectType, writePack } from "./pack.js";
import { encodeTree, parseTree, type TreeEntry } from "./tree.js";

/**
 * One call's Git objects, in memory: the packs fetched from the remote (indexed and read by isomorphic-git, which
 * does that well: every object hashed, deltas resolved) and the objects the call writes, kept as plain bytes by id
 * until they are packed for the push (pack.ts). Trees are parsed and encoded by tree.ts, byte for byte.
 */
export class ObjectStore {
  private readonly fs = memoryFs();
  /** isomorphic-git's cache of parsed pack indexes: without it every read would parse them again. */
  private readonly cache = {};
  private packs = 0;
  /** Every object of the fetched packs. */
  private readonly fetched = new Set<string>();
  /** Every object this call wrote (or checked from a source), by id. */
  private readonly written = new Map<string, GitObject>();

  has(oid: string): boolean {
    return this.written.has(oid) || this.fetched.has(oid);
  }

  /**
   * Stores and indexes a pack as received; resolves to the ids it holds. Throws (caught by the caller) when it is
   * malformed or cut short.
   */
  async addPack(pack: Uint8Array): Promise<string[]> {
    if (pack.byteLength === 0) return [];
    const filepath = `objects/pack/pack-${++this.packs}.pack`;
    await this.fs.promises.mkdir("/objects/pack", { recursive: true });
    await this.fs.promises.writeFile(`/${filepath}`, pack);
    const { oids } = await indexPack({ fs: this.fs, dir: "/", gitdir: "/", filepath, cache: this.cache });
    for (const oid of oids) this.fetched.add(oid);
    return oids;
  }

  /** A tree's entries as stored. Throws (caught by the caller) when it is missing, not a tree, or malformed. */
  async tree(oid: string): Promise<TreeEntry[]> {
    const own = this.written.get(oid);
    if (own) return parseTree(own.content);
    const { type, object } = await readObject({ fs: this.fs, gitdir: "/", oid, format: "content", cache: this.cache });
    if (type !== "tree") throw new Error(`object ${oid} is a ${type}, not a tree`);
    return parseTree(object as Uint8Array);
  }

  async commitTree(oid: string): Promise<string> {
    return headerValues(await this.commit(oid), "tree")[0] ?? "";
  }

  /**
   * A commit's bytes, written by this call or fetched. An id that names another kind of object (a ref given as a
   * tree's id) is a `GitError` that says so, which the call passes on as it is.
   */
  private async commit(oid: string): Promise<Uint8Array> {
    const own = this.written.get(oid);
    if (own) return own.content;
    const { type, object } = await readObject({ fs: this.fs, gitdir: "/", oid, format: "content", cache: this.cache });
    if (type !== "commit") throw new GitError("not-found", `${oid} is a ${type}, not a commit`);
    return object as Uint8Array;
  }

  async blob(oid: string): Promise<Uint8Array> {
    const own = this.written.get(oid);
    if (own) return own.content;
    return (await readBlob({ fs: this.fs, gitdir: "/", oid, cache: this.cache })).blob;
  }

  writeBlob(content: Uint8Array): Promise<string> {
    return this.write("blob", content);
  }

  writeTree(entries: readonly TreeEntry[]): Promise<string> {
    return this.write("tree", encodeTree(entries));
  }

  writeCommit(commit: CommitObject): Promise<string> {
    return this.write("commit", encodeCommit(commit));
  }

  /** A pack of exactly `oids` (written by this call, or fetched: another repo's objects to pass on), for a push. */
  async pack(oids: readonly string[]): Promise<Uint8Array<ArrayBuffer>> {
    const objects: GitObject[] = [];
    for (const oid of new Set(oids)) {
      const own = this.written.get(oid);
      if (own) objects.push(own);
      else {
        const { type, object } = await readObject({
          fs: this.fs,
          gitdir: "/",
          oid,
          format: "content",
          cache: this.cache,
        });
        if (type !== "blob" && type !== "tree" && type !== "commit") throw new Error(`object ${oid} is a ${type}`);
        objects.push({ type, content: object as Uint8Array });
      }
    }
    return writePack(objects);
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
    const oid = await objectId(type, content);
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
