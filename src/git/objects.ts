import {
  indexPack,
  packObjects,
  readBlob,
  readCommit,
  readObject,
  writeBlob,
  writeCommit,
  writeObject,
} from "isomorphic-git";
import { memoryFs } from "./memory-fs.js";
import { encodeTree, parseTree, type TreeEntry } from "./tree.js";

/**
 * One call's Git objects, in memory: the packs fetched from the remote and the objects the call writes.
 * isomorphic-git does what it does well here (pack indexing, object storage and hashing, pack writing); trees are
 * parsed and encoded by tree.ts, byte for byte. This is its bare repository at `/` of an in-memory filesystem.
 */
export class ObjectStore {
  private readonly fs = memoryFs();
  /** isomorphic-git's cache of parsed pack indexes: without it every read would parse them again. */
  private readonly cache = {};
  private packs = 0;
  /** Every object this store holds: indexed from a pack or written here. */
  private readonly held = new Set<string>();

  has(oid: string): boolean {
    return this.held.has(oid);
  }

  /** Stores and indexes a pack as received. Throws (caught by the caller) when it is malformed or cut short. */
  async addPack(pack: Uint8Array): Promise<void> {
    if (pack.byteLength === 0) return;
    const filepath = `objects/pack/pack-${++this.packs}.pack`;
    await this.fs.promises.mkdir("/objects/pack", { recursive: true });
    await this.fs.promises.writeFile(`/${filepath}`, pack);
    const { oids } = await indexPack({ fs: this.fs, dir: "/", gitdir: "/", filepath, cache: this.cache });
    for (const oid of oids) this.held.add(oid);
  }

  /** A tree's entries as stored. Throws (caught by the caller) when it is missing, not a tree, or malformed. */
  async tree(oid: string): Promise<TreeEntry[]> {
    const { type, object } = await readObject({ fs: this.fs, gitdir: "/", oid, format: "content", cache: this.cache });
    if (type !== "tree") throw new Error(`object ${oid} is a ${type}, not a tree`);
    return parseTree(object as Uint8Array);
  }

  async commitTree(oid: string): Promise<string> {
    return (await readCommit({ fs: this.fs, gitdir: "/", oid, cache: this.cache })).commit.tree;
  }

  async blob(oid: string): Promise<Uint8Array> {
    return (await readBlob({ fs: this.fs, gitdir: "/", oid, cache: this.cache })).blob;
  }

  async writeBlob(blob: Uint8Array): Promise<string> {
    return this.hold(await writeBlob({ fs: this.fs, gitdir: "/", blob }));
  }

  async writeTree(entries: readonly TreeEntry[]): Promise<string> {
    const object = encodeTree(entries);
    return this.hold(await writeObject({ fs: this.fs, gitdir: "/", type: "tree", object, format: "content" }));
  }

  async writeCommit(commit: Parameters<typeof writeCommit>[0]["commit"]): Promise<string> {
    return this.hold(await writeCommit({ fs: this.fs, gitdir: "/", commit }));
  }

  private hold(oid: string): string {
    this.held.add(oid);
    return oid;
  }

  /** A pack of exactly `oids`, for a push. */
  async pack(oids: readonly string[]): Promise<Uint8Array> {
    const { packfile } = await packObjects({ fs: this.fs, gitdir: "/", oids: [...oids], cache: this.cache });
    return packfile ?? new Uint8Array(0);
  }
}
