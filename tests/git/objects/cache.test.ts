import { describe, expect, it } from "vitest";
import { DEFAULT_CACHE_BYTES, ObjectCache } from "../../../src/git/objects/cache.js";
import { ObjectStore } from "../../../src/git/objects/store.js";

/**
 * What a target keeps of objects between calls: by id, bounded, least recently used first out, and never an array
 * someone else can change.
 */

const bytes = (size: number, fill = 1) => new Uint8Array(size).fill(fill);

describe("ObjectCache", () => {
  it("is sized for a Worker by default: 8 MiB", () => {
    expect(new ObjectCache().maxBytes).toBe(DEFAULT_CACHE_BYTES);
    expect(DEFAULT_CACHE_BYTES).toBe(8 * 1024 * 1024);
  });

  it("answers an id with the type and bytes put under it, and nothing for another id", () => {
    const cache = new ObjectCache(1000);
    cache.put("a".repeat(40), "blob", bytes(10, 7));
    expect(cache.get("a".repeat(40))).toEqual({ type: "blob", content: bytes(10, 7) });
    expect(cache.get("b".repeat(40))).toBeUndefined();
    expect(cache.has("b".repeat(40))).toBe(false);
  });

  it("drops the least recently used past its bound; a read counts as a use", () => {
    const cache = new ObjectCache(800);
    const ids = ["1", "2", "3", "4", "5", "6", "7", "8"];
    for (const oid of ids) cache.put(oid, "blob", bytes(100));
    cache.get("1");
    cache.put("9", "blob", bytes(100));
    expect([...ids, "9"].filter((oid) => !cache.has(oid))).toEqual(["2"]);
    expect(cache.size).toEqual({ objects: 8, bytes: 800 });
  });

  it("keeps no object over an eighth of its bound, and nothing at 0", () => {
    const cache = new ObjectCache(800);
    cache.put("big", "blob", bytes(101));
    cache.put("fits", "blob", bytes(100));
    expect([cache.has("big"), cache.has("fits")]).toEqual([false, true]);
    const none = new ObjectCache(0);
    none.put("x", "tree", bytes(1));
    expect(none.size).toEqual({ objects: 0, bytes: 0 });
  });

  it("trims to a lowered bound", () => {
    const cache = new ObjectCache(1000);
    for (const oid of ["1", "2", "3"]) cache.put(oid, "blob", bytes(100));
    cache.maxBytes = 150;
    cache.trim();
    expect(cache.size).toEqual({ objects: 1, bytes: 100 });
    expect(cache.has("3")).toBe(true);
  });

  it("copies what is not its own (owned: false), so a change to the caller's array changes nothing it holds", () => {
    const cache = new ObjectCache(1000);
    const given = bytes(4, 1);
    cache.put("oid", "blob", given, false);
    given.fill(9);
    expect(cache.get("oid")?.content).toEqual(bytes(4, 1));
  });
});

describe("ObjectStore over a cache", () => {
  it("hands a caller a copy of a blob the cache holds: changing it does not change the blob for later calls", async () => {
    const cache = new ObjectCache(1000);
    const oid = await new ObjectStore(cache).writeBlob(new TextEncoder().encode("kept\n"));
    const handed = await new ObjectStore(cache).blob(oid);
    handed.fill(0);
    expect(new TextDecoder().decode(await new ObjectStore(cache).blob(oid))).toBe("kept\n");
  });

  it("finds what an earlier store on the same cache wrote, and a store without it does not", async () => {
    const cache = new ObjectCache(1000);
    const oid = await new ObjectStore(cache).writeTree([]);
    expect(new ObjectStore(cache).has(oid)).toBe(true);
    expect(new ObjectStore().has(oid)).toBe(false);
    expect(await new ObjectStore(cache).tree(oid)).toEqual([]);
  });
});
