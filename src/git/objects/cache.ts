import type { PackObjectType } from "../wire/pack-reader.js";

/**
 * What calls through the same target keep between them, because it cannot go stale: Git objects by id
 * (content-addressed, each checked against its id once, when it was fetched or written) and the remote's
 * capabilities. Refs are never kept: a head is read by every call that needs one, and a push names the head it
 * expects, so a head that moved is a refusal, never a lost commit.
 */
export interface Kept {
  /** The remote's upload-pack capabilities, by remote URL. */
  readonly caps: Map<string, ReadonlyMap<string, string>>;
  readonly objects: ObjectCache;
}

/**
 * The default bound of a target's object cache: sized for a Worker's 128 MB beside a call's own (which holds at most
 * 72 MiB of one answer's objects: `maxFetchBytes`).
 */
export const DEFAULT_CACHE_BYTES = 8 * 1024 * 1024;

/** A kept object: its type and bytes, which nothing else holds a way to change. */
export interface CachedObject {
  readonly type: PackObjectType;
  readonly content: Uint8Array;
}

/**
 * Objects by id, the least recently used dropped first past `maxBytes` of content. An object larger than an eighth
 * of the bound is not kept: one large file must not push out every tree. What goes in is checked already (its id is
 * the hash of its bytes), and its bytes are never handed to anything that could change them: the caller's own bytes
 * are copied on the way in (`owned: false`).
 */
export class ObjectCache {
  private readonly entries = new Map<string, CachedObject>();
  private bytes = 0;

  constructor(public maxBytes = DEFAULT_CACHE_BYTES) {}

  get(oid: string): CachedObject | undefined {
    const found = this.entries.get(oid);
    if (found) {
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(oid);
      this.entries.set(oid, found);
    }
    return found;
  }

  has(oid: string): boolean {
    return this.entries.has(oid);
  }

  /** Whether `content` is the very array kept for `oid` (then whoever gets it must get a copy). */
  holds(oid: string, content: Uint8Array): boolean {
    return this.entries.get(oid)?.content === content;
  }

  put(oid: string, type: PackObjectType, content: Uint8Array, owned = true): void {
    if (this.entries.has(oid) || content.byteLength > this.maxBytes / 8) return;
    this.entries.set(oid, { type, content: owned ? content : content.slice() });
    this.bytes += content.byteLength;
    this.trim();
  }

  /** Drops the least recently used until the cache is within `maxBytes` (after the bound changed, too). */
  trim(): void {
    for (const [oid, object] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      this.entries.delete(oid);
      this.bytes -= object.content.byteLength;
    }
  }

  get size(): { objects: number; bytes: number } {
    return { objects: this.entries.size, bytes: this.bytes };
  }
}

export const keptFresh = (maxBytes?: number): Kept => ({ caps: new Map(), objects: new ObjectCache(maxBytes) });
