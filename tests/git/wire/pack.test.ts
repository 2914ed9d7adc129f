import { createHash } from "node:crypto";
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { isOid, objectId } from "../../../src/git/objects/hash.js";
import { writePack } from "../../../src/git/wire/pack.js";

/** Object ids and the packs a push sends (gitformat-pack), checked against what git and zlib say of them. */

describe("object ids", () => {
  it("hash `<type> <size>\\0<content>` as git does", async () => {
    // `printf 'hello\n' | git hash-object --stdin`, and git's empty tree.
    expect(await objectId("blob", new TextEncoder().encode("hello\n"))).toBe(
      "ce013625030ba8dba906f756967f9e9ca394464a",
    );
    expect(await objectId("tree", new Uint8Array())).toBe("4b825dc642cb6eb9a060e54bf8d69288fbee4904");
  });

  it("are 40 lowercase hex digits, nothing around them", () => {
    expect(isOid("a".repeat(40))).toBe(true);
    for (const not of [
      "A".repeat(40),
      "a".repeat(39),
      "a".repeat(41),
      ` ${"a".repeat(40)}`,
      `${"a".repeat(40)}\n`,
      7,
      null,
    ]) {
      expect(isOid(not)).toBe(false);
    }
  });
});

describe("writePack", () => {
  const entryAt = (pack: Uint8Array, offset: number) => {
    // Type and size: 3 bits of type, then the size 4 bits and 7 bits at a time, a set top bit meaning "more".
    let byte = pack[offset]!;
    const type = (byte >> 4) & 7;
    let size = byte & 0x0f;
    let shift = 4;
    let at = offset + 1;
    while (byte & 0x80) {
      byte = pack[at++]!;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    }
    return { type, size, at };
  };

  it("writes PACK, version 2, the count, each object deflated, and the SHA-1 of it all", async () => {
    const content = Uint8Array.from({ length: 5000 }, (_, index) => index % 251);
    const pack = await writePack([{ type: "blob", content }]);
    expect(Buffer.from(pack.subarray(0, 12)).toString("hex")).toBe("5041434b0000000200000001");
    expect(Array.from(pack.subarray(12, 15))).toEqual([0xb8, 0xb8, 0x02]); // blob, 5000 = 8 + 16 × 312
    expect(entryAt(pack, 12)).toEqual({ type: 3, size: 5000, at: 15 });
    expect(new Uint8Array(inflateSync(pack.subarray(15, pack.byteLength - 20)))).toEqual(content);
    expect(Buffer.from(pack.subarray(-20)).toString("hex")).toBe(
      createHash("sha1").update(pack.subarray(0, -20)).digest("hex"),
    );
  });

  it("writes each type's number and small sizes in one byte", async () => {
    const text = (value: string) => new TextEncoder().encode(value);
    const pack = await writePack([
      { type: "commit", content: text("c") },
      { type: "tree", content: new Uint8Array() },
      { type: "blob", content: text("fifteen bytes!!") },
      { type: "blob", content: text("sixteen bytes!!!") },
    ]);
    expect(Array.from(pack.subarray(8, 12))).toEqual([0, 0, 0, 4]);
    let offset = 12;
    const headers: { type: number; size: number }[] = [];
    for (let index = 0; index < 4; index++) {
      const { type, size, at } = entryAt(pack, offset);
      headers.push({ type, size });
      // Skip the deflated stream: zlib reports how much of the input it used.
      const used = inflateSync(pack.subarray(at, pack.byteLength - 20), { info: true }) as unknown as {
        engine: { bytesWritten: number };
      };
      offset = at + used.engine.bytesWritten;
    }
    expect(headers).toEqual([
      { type: 1, size: 1 },
      { type: 2, size: 0 },
      { type: 3, size: 15 },
      { type: 3, size: 16 },
    ]);
    expect(offset).toBe(pack.byteLength - 20);
  });

  it("writes an empty pack for a ref update that adds no object", async () => {
    const pack = await writePack([]);
    expect(pack.byteLength).toBe(32);
    expect(Buffer.from(pack.subarray(0, 12)).toString("hex")).toBe("5041434b0000000200000000");
  });
});
