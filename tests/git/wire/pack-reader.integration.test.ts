import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sha1 } from "../../../src/git/objects/sha1.js";
import { type BlobSink, PackError, type PackLimits, PackParser, readPack } from "../../../src/git/wire/pack-reader.js";
import { gitBytes, gitCli } from "../../support/git.js";

/**
 * The pack reader on packs git made (`git pack-objects`: every object type, deltas against an offset and against an
 * id), judged by `git cat-file`: every object with git's id and bytes. Cut, corrupt and oversized packs are a
 * `PackError`, whatever the place.
 */

let repo: string;
let objects: Map<string, { type: string; content: Buffer }>;
const LIMITS: PackLimits = { maxTotalBytes: 64 * 1024 * 1024 };

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), "pack-reader-"));
  await gitCli(["init", "--quiet", "-b", "main"], repo);
  // Files that differ a little from commit to commit: git stores most as deltas of the others.
  const lines = Array.from({ length: 400 }, (_, n) => `line ${n} of a file that changes a little\n`);
  for (let round = 0; round < 6; round++) {
    lines[round * 50] = `changed in round ${round}\n`;
    await writeFile(join(repo, "a.txt"), lines.join(""));
    await writeFile(join(repo, `b${round}.txt`), lines.slice(round).join(""));
    await gitCli(["add", "-A"], repo);
    await gitCli(["commit", "--quiet", "-m", `round ${round}`], repo);
  }
  await gitCli(["tag", "-a", "-m", "a tag", "v1"], repo);
  const listed = await gitCli(["cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"], repo);
  objects = new Map();
  for (const line of listed.stdout.trim().split("\n")) {
    const [oid = "", type = ""] = line.split(" ");
    const content = (await gitBytes(["cat-file", type, oid], { cwd: repo })).stdout;
    objects.set(oid, { type, content });
  }
});
afterAll(() => rm(repo, { recursive: true, force: true }));

async function pack(args: string[]): Promise<Uint8Array> {
  const input = new TextEncoder().encode(`${[...objects.keys()].join("\n")}\n`);
  const made = await gitBytes(["pack-objects", "--stdout", "--window=10", ...args], { cwd: repo, input });
  expect(made.code).toBe(0);
  return new Uint8Array(made.stdout);
}

const expectPackError = async (bytes: Uint8Array, limits: PackLimits = LIMITS) => {
  const failed = await readPack(bytes, limits).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failed).toBeInstanceOf(PackError);
  return failed as PackError;
};

describe("readPack", () => {
  it.each([
    ["deltas against an offset", ["--delta-base-offset"]],
    ["deltas against an id", []],
  ])("reads every object of git's pack with %s, with git's ids and bytes", async (_, args) => {
    const read = await readPack(await pack(args), LIMITS);
    expect(new Set(read.keys())).toEqual(new Set(objects.keys()));
    for (const [oid, object] of read) {
      expect({ oid, type: object.type }).toEqual({ oid, type: objects.get(oid)?.type });
      expect(Buffer.from(object.content).equals(objects.get(oid)?.content as Buffer)).toBe(true);
    }
    expect([...read.values()].map((object) => object.type).sort()).toContain("tag");
  });

  it("refuses a pack cut anywhere: in its header, at each object, inside its checksum", async () => {
    const whole = await pack(["--delta-base-offset"]);
    const cuts = [0, 4, 11, 12, 13, Math.floor(whole.byteLength / 2), whole.byteLength - 21, whole.byteLength - 1];
    for (const cut of cuts) await expectPackError(whole.subarray(0, cut));
  });

  it("refuses a pack with one byte changed, wherever it is", async () => {
    const whole = await pack(["--delta-base-offset"]);
    for (const at of [5, 12, 40, Math.floor(whole.byteLength / 2), whole.byteLength - 3]) {
      const spoiled = whole.slice();
      spoiled[at] = (spoiled[at] as number) ^ 0x01;
      await expectPackError(spoiled);
    }
  });

  it("refuses an object over the limit before inflating it, and a pack whose objects together are", async () => {
    const whole = await pack([]);
    expect(
      (await expectPackError(whole, { maxObjectBytes: 1024, maxTotalBytes: LIMITS.maxTotalBytes })).message,
    ).toMatch(/over the limit of 1024/);
    expect((await expectPackError(whole, { maxTotalBytes: 4096 })).message).toMatch(/inflate past 4096 bytes/);
  });

  it("refuses 100 MiB of zeros in a small pack under a small limit, before holding it", async () => {
    const bomb = await handMade(3, 100 * 1024 * 1024, deflateSync(Buffer.alloc(100 * 1024 * 1024)));
    expect(bomb.byteLength).toBeLessThan(200 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    expect((await expectPackError(bomb, { maxTotalBytes: 1024 * 1024 })).message).toMatch(/over the limit/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });

  it("refuses an object that inflates past, or short of, the size its header gives", async () => {
    await expectPackError(await handMade(3, 2, deflateSync(Buffer.from("hello"))));
    expect((await expectPackError(await handMade(3, 9, deflateSync(Buffer.from("hello"))))).message).toMatch(/short/);
  });
});

describe("PackParser (a pack as it arrives)", () => {
  /** The pack fed in pieces of `size` bytes (or cut at `cuts`): its objects, or the PackError. */
  const inPieces = (bytes: Uint8Array, cuts: number[], options: PackLimits = LIMITS) => {
    const parser = new PackParser(options);
    try {
      let from = 0;
      for (const cut of [...cuts, bytes.byteLength]) {
        parser.push(bytes.subarray(from, cut));
        from = cut;
      }
      return parser.end();
    } catch (error) {
      return error as PackError;
    }
  };
  const everyN = (length: number, size: number) => Array.from({ length: Math.ceil(length / size) }, (_, n) => n * size);

  it("reads the same objects whatever the pieces: one byte at a time, split at every offset, in odd sizes", async () => {
    const whole = await pack(["--delta-base-offset"]);
    const expected = await readPack(whole, LIMITS);
    for (const size of [1, 7, 20, 333, 4096]) {
      const read = inPieces(whole, everyN(whole.byteLength, size).slice(1));
      expect(read).toBeInstanceOf(Map);
      expect(read as Map<string, unknown>).toEqual(expected);
    }
    for (let cut = 1; cut < whole.byteLength; cut += 13) {
      expect((inPieces(whole, [cut]) as Map<string, unknown>).size).toBe(objects.size);
    }
  });

  it("refuses a pack cut at any offset, or followed by more bytes, when fed in pieces", async () => {
    const whole = await pack([]);
    for (let cut = 0; cut < whole.byteLength; cut += 97) {
      expect(inPieces(whole.subarray(0, cut), everyN(cut, 50).slice(1))).toBeInstanceOf(PackError);
    }
    const longer = inPieces(Buffer.concat([whole, Buffer.from([0])]), [whole.byteLength]);
    expect((longer as PackError).message).toBe("the pack holds bytes after its last object");
  });

  it("streams a whole blob to a sink as it inflates, with its id, keeping no copy", async () => {
    const content = Buffer.from(`${"x".repeat(300_000)}the end\n`);
    const blob = await handMade(3, content.byteLength, deflateSync(content));
    const chunks: Uint8Array[] = [];
    let oid = "";
    const sink: BlobSink = { chunk: (bytes) => chunks.push(bytes.slice()), end: (id) => (oid = id) };
    const parser = new PackParser({
      ...LIMITS,
      streamBlob: (size) => (size === content.byteLength ? sink : undefined),
    });
    for (let at = 0; at < blob.byteLength; at += 1000) parser.push(blob.subarray(at, at + 1000));
    expect(parser.end().size).toBe(0);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
    expect(oid).toBe(createHash("sha1").update(`blob ${content.byteLength}\0`).update(content).digest("hex"));
  });
});

/** A one-object pack as git frames one: the header claims `size`, the stream is `deflated`. */
async function handMade(type: number, size: number, deflated: Uint8Array): Promise<Uint8Array> {
  const head = [(type << 4) | (size & 0x0f)];
  for (let rest = Math.floor(size / 16); rest > 0; rest = Math.floor(rest / 128)) {
    head[head.length - 1] = (head.at(-1) as number) | 0x80;
    head.push(rest & 0x7f);
  }
  const body = Buffer.concat([Buffer.from("PACK"), Buffer.from([0, 0, 0, 2, 0, 0, 0, 1]), Buffer.from(head), deflated]);
  return Buffer.concat([body, new Sha1().update(body).digest()]);
}
