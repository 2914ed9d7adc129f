import pako from "pako";
import { objectId, sha1 } from "./hash.js";

/**
 * Reads a pack as git writes one (gitformat-pack): the header, then each entry (its type and inflated size, a delta's
 * base as an offset back or an id), its zlib stream inflated while its size is checked, deltas applied, every
 * object's id computed from its bytes, and the trailing SHA-1 of the whole checked. What git would refuse, or what
 * would take more memory than the call allows, is a `PackError` saying which, never an object with wrong bytes.
 */

export type PackObjectType = "commit" | "tree" | "blob" | "tag";

export interface PackObject {
  type: PackObjectType;
  content: Uint8Array;
}

/** A pack that cannot be read as sent: cut short, corrupt, or (`bound`) past a bound of size. */
export class PackError extends Error {
  constructor(
    message: string,
    readonly bound = false,
  ) {
    super(message);
  }
}

/**
 * What one answer's objects may inflate to, together: four times what it may hold on the wire (`maxFetchBytes`),
 * and never less than one object at Artifacts' limit. Text compresses about that well; 100 MiB of zeros in a 100 KB
 * pack does not get past it.
 */
export const inflatedLimit = (maxFetchBytes: number): number => Math.max(4 * maxFetchBytes, MAX_OBJECT_BYTES);

/** Artifacts' largest file (the limits page: 32 MB a blob): no object of a pack it sends is larger. */
export const MAX_OBJECT_BYTES = 32 * 1024 * 1024;

export interface PackLimits {
  /** The most one object may inflate to. Default `MAX_OBJECT_BYTES`. */
  maxObjectBytes?: number;
  /** The most all of a pack's objects may inflate to, together. */
  maxTotalBytes: number;
}

const TYPES: Record<number, PackObjectType> = { 1: "commit", 2: "tree", 3: "blob", 4: "tag" };
const OFS_DELTA = 6;
const REF_DELTA = 7;

interface Entry {
  offset: number;
  type: PackObjectType | "ofs" | "ref";
  /** A delta's base: the entry's offset (ofs) or the object's id (ref). */
  base?: number | string;
  data: Uint8Array;
}

/** Every object of `pack` by id; `limits` bound what it may inflate to. */
export async function readPack(pack: Uint8Array, limits: PackLimits): Promise<Map<string, PackObject>> {
  const maxObject = limits.maxObjectBytes ?? MAX_OBJECT_BYTES;
  if (pack.byteLength < 32) throw new PackError("the pack is cut short");
  const view = new DataView(pack.buffer, pack.byteOffset, pack.byteLength);
  if (view.getUint32(0) !== 0x5041434b) throw new PackError("not a pack (no PACK signature)");
  const version = view.getUint32(4);
  if (version !== 2 && version !== 3) throw new PackError(`pack version ${version} is not supported`);
  const count = view.getUint32(8);
  const end = pack.byteLength - 20;
  const expected = pack.subarray(end);
  const actual = await sha1(pack.subarray(0, end));
  if (!actual.every((byte, index) => byte === expected[index])) {
    throw new PackError("the pack's checksum does not match: it is corrupt or cut short");
  }

  let total = 0;
  const entries: Entry[] = [];
  let offset = 12;
  for (let index = 0; index < count; index++) {
    if (offset >= end) throw new PackError(`the pack is cut short: ${index} of ${count} objects`);
    const start = offset;
    let byte = pack[offset++] as number;
    const code = (byte >> 4) & 7;
    let size = byte & 0x0f;
    for (let shift = 4; byte & 0x80; shift += 7) {
      if (offset >= end || shift > 49) throw new PackError("malformed object header in the pack");
      byte = pack[offset++] as number;
      size += (byte & 0x7f) * 2 ** shift;
    }
    let type: Entry["type"];
    let base: Entry["base"];
    if (code === OFS_DELTA) {
      byte = pack[offset++] as number;
      let back = byte & 0x7f;
      while (byte & 0x80) {
        if (offset >= end) throw new PackError("malformed delta offset in the pack");
        byte = pack[offset++] as number;
        back = (back + 1) * 128 + (byte & 0x7f);
      }
      base = start - back;
      if (back === 0 || base < 12) throw new PackError("a delta's base lies outside the pack");
      type = "ofs";
    } else if (code === REF_DELTA) {
      if (offset + 20 > end) throw new PackError("the pack is cut short");
      base = hex(pack.subarray(offset, offset + 20));
      offset += 20;
      type = "ref";
    } else {
      const named = TYPES[code];
      if (!named) throw new PackError(`unknown object type ${code} in the pack`);
      type = named;
    }
    // A delta's own size is not its object's: bounded here by the object limit too (a delta never outgrows it).
    if (size > maxObject) overLimit(size, maxObject);
    total += size;
    if (total > limits.maxTotalBytes) overTotal(limits.maxTotalBytes);
    const { data, used } = inflate(pack.subarray(offset, end), size);
    offset += used;
    entries.push({ offset: start, type, base, data });
  }
  if (offset !== end) throw new PackError("the pack holds bytes after its last object");

  // Deltas are resolved against their bases, which may themselves be deltas: in the order they can be.
  const byOffset = new Map<number, PackObject>();
  const objects = new Map<string, PackObject>();
  const put = async (entry: Entry, object: PackObject) => {
    byOffset.set(entry.offset, object);
    objects.set(await objectId(object.type, object.content), object);
  };
  let pending: Entry[] = [];
  for (const entry of entries) {
    if (entry.type === "ofs" || entry.type === "ref") pending.push(entry);
    else await put(entry, { type: entry.type, content: entry.data });
  }
  while (pending.length > 0) {
    const waiting: Entry[] = [];
    for (const entry of pending) {
      const base = typeof entry.base === "number" ? byOffset.get(entry.base) : objects.get(entry.base as string);
      if (!base) {
        waiting.push(entry);
        continue;
      }
      const content = applyDelta(base.content, entry.data, maxObject);
      total += content.byteLength;
      if (total > limits.maxTotalBytes)
        throw new PackError(`the pack's objects inflate past ${limits.maxTotalBytes} bytes`);
      await put(entry, { type: base.type, content });
    }
    // A delta whose base is nowhere in the pack (a thin pack): this data plane never asks for one.
    if (waiting.length === pending.length) throw new PackError("a delta's base is not in the pack");
    pending = waiting;
  }
  return objects;
}

function overLimit(size: number, limit: number): never {
  throw new PackError(`an object of the pack is ${size} bytes, over the limit of ${limit}`, true);
}

function overTotal(limit: number): never {
  throw new PackError(`the pack's objects inflate past ${limit} bytes`, true);
}

/** One zlib stream at the start of `input`: its bytes, which must be `size` long, and how much input it used. */
function inflate(input: Uint8Array, size: number): { data: Uint8Array; used: number } {
  const inflator = new pako.Inflate();
  const out = new Uint8Array(size);
  let filled = 0;
  inflator.onData = (chunk: Uint8Array) => {
    // Past its declared size an object is refused as it inflates: a bomb never gets to grow.
    if (filled + chunk.byteLength > size) throw new PackError("an object of the pack inflates past its size");
    out.set(chunk, filled);
    filled += chunk.byteLength;
  };
  inflator.onEnd = () => {};
  inflator.push(input, false);
  if (inflator.err) throw new PackError(`an object of the pack does not inflate: ${inflator.msg}`);
  if (!inflator.ended) throw new PackError("the pack is cut short inside an object");
  if (filled !== size) throw new PackError("an object of the pack inflates short of its size");
  return { data: out, used: input.byteLength - inflator.strm.avail_in };
}

/** Git's delta (gitformat-pack "Deltified representation"): the base's size, the result's, then copies and inserts. */
export function applyDelta(base: Uint8Array, delta: Uint8Array, maxObject: number): Uint8Array {
  let at = 0;
  const varint = () => {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      if (at >= delta.byteLength || shift > 49) throw new PackError("malformed delta");
      byte = delta[at++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  if (varint() !== base.byteLength) throw new PackError("a delta does not fit its base");
  const size = varint();
  if (size > maxObject) overLimit(size, maxObject);
  const out = new Uint8Array(size);
  let filled = 0;
  while (at < delta.byteLength) {
    const op = delta[at++] as number;
    if (op & 0x80) {
      let from = 0;
      let length = 0;
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) from += (delta[at++] as number) * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (op & (0x10 << bit)) length += (delta[at++] as number) * 2 ** (8 * bit);
      if (length === 0) length = 0x10000;
      if (at > delta.byteLength || from + length > base.byteLength || filled + length > size) {
        throw new PackError("a delta copies outside its base or its result");
      }
      out.set(base.subarray(from, from + length), filled);
      filled += length;
    } else if (op !== 0) {
      if (at + op > delta.byteLength || filled + op > size) throw new PackError("a delta inserts past its end");
      out.set(delta.subarray(at, at + op), filled);
      at += op;
      filled += op;
    } else throw new PackError("a delta holds the reserved instruction 0");
  }
  if (filled !== size) throw new PackError("a delta falls short of its result's size");
  return out;
}

function hex(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0");
  return text;
}
