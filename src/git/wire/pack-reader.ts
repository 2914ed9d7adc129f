import pako from "pako";
import { objectHash, objectId } from "../objects/hash.js";
import { Sha1 } from "../objects/sha1.js";

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
 * What one answer's objects may inflate to, together: twice what it may hold on the wire (`maxFetchBytes`), and
 * never less than one object at Artifacts' limit. The objects are what a call holds (the answer is not held), so
 * this is the call's memory bound; 100 MiB of zeros in a 100 KB pack does not get past it.
 */
export const inflatedLimit = (maxFetchBytes: number): number => Math.max(2 * maxFetchBytes, MAX_OBJECT_BYTES);

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

/** Where a blob's bytes go instead of the parser's map: as they inflate, then its id once all have passed. */
export interface BlobSink {
  chunk(bytes: Uint8Array): void;
  end(oid: string): void;
}

export interface PackParserOptions extends PackLimits {
  /**
   * Asked at each whole (not deltified) blob's header, with its size: a sink to stream it to (then the parser keeps
   * no copy), or undefined to keep it.
   */
  streamBlob?: (size: number) => BlobSink | undefined;
}

/** An entry being inflated: its header, and where its bytes go. */
interface Current {
  offset: number;
  type: PackObjectType | "ofs" | "ref";
  base?: number | string;
  size: number;
  inflator: InstanceType<typeof pako.Inflate>;
  /** Its bytes, unless they stream to a sink. */
  out: Uint8Array | undefined;
  filled: number;
  hash: Sha1 | undefined;
  sink: BlobSink | undefined;
}

/** A delta waiting for its base (by offset, or by id: a base later in the pack). */
interface Waiting {
  offset: number;
  base: number | string;
  delta: Uint8Array;
}

/**
 * A pack read as it arrives (`push` each chunk, then `end`): entry by entry, each object inflated as it passes (with
 * its declared size checked, so a bomb never grows), hashed, deltas applied once their base is read, and the
 * trailing SHA-1 of the whole checked. What it cannot read is a `PackError`, thrown by `push` or `end`.
 * The pack's bytes are not held: only the objects (and a blob streamed to a sink, not even that).
 */
export class PackParser {
  readonly objects = new Map<string, PackObject>();
  /** The object count the pack's header declares (once read). */
  count = -1;
  private readonly byOffset = new Map<number, PackObject>();
  private readonly waiting: Waiting[] = [];
  private readonly hash = new Sha1();
  /** A header (of the pack, an entry or the trailer) split across chunks: at most 32 bytes. */
  private carry = new Uint8Array(0);
  private offset = 0;
  private read = 0;
  private total = 0;
  private current: Current | undefined;
  private done = false;
  private readonly maxObject: number;

  constructor(private readonly options: PackParserOptions) {
    this.maxObject = options.maxObjectBytes ?? MAX_OBJECT_BYTES;
  }

  push(chunk: Uint8Array): void {
    let input = chunk;
    if (this.carry.byteLength > 0) {
      input = new Uint8Array(this.carry.byteLength + chunk.byteLength);
      input.set(this.carry);
      input.set(chunk, this.carry.byteLength);
      this.carry = new Uint8Array(0);
    }
    let at = 0;
    while (at < input.byteLength) {
      if (this.done) throw new PackError("the pack holds bytes after its last object");
      if (this.current) {
        at += this.inflate(input.subarray(at));
        continue;
      }
      const used =
        this.count < 0
          ? this.header(input, at)
          : this.read < this.count
            ? this.entry(input, at)
            : this.trailer(input, at);
      if (used === 0) {
        this.carry = input.slice(at);
        return;
      }
      at += used;
    }
  }

  /** The objects by id, once the pack has ended where it should; else a `PackError`. */
  end(): Map<string, PackObject> {
    if (!this.done) {
      if (this.count < 0 && this.offset + this.carry.byteLength < 12) throw new PackError("the pack is cut short");
      if (this.read < this.count || this.current) {
        throw new PackError(
          this.current
            ? "the pack is cut short inside an object"
            : `the pack is cut short: ${this.read} of ${this.count} objects`,
        );
      }
      throw new PackError("the pack's checksum does not match: it is corrupt or cut short");
    }
    // A delta whose base is nowhere in the pack (a thin pack): this data plane never asks for one.
    if (this.waiting.length > 0) throw new PackError("a delta's base is not in the pack");
    return this.objects;
  }

  private consumed(bytes: Uint8Array): number {
    this.hash.update(bytes);
    this.offset += bytes.byteLength;
    return bytes.byteLength;
  }

  private header(input: Uint8Array, at: number): number {
    if (input.byteLength - at < 12) return 0;
    const view = new DataView(input.buffer, input.byteOffset + at, 12);
    if (view.getUint32(0) !== 0x5041434b) throw new PackError("not a pack (no PACK signature)");
    const version = view.getUint32(4);
    if (version !== 2 && version !== 3) throw new PackError(`pack version ${version} is not supported`);
    this.count = view.getUint32(8);
    return this.consumed(input.subarray(at, at + 12));
  }

  /** An entry's header at `at`: how many bytes it took, or 0 when the chunk ends inside it. */
  private entry(input: Uint8Array, from: number): number {
    let at = from;
    const next = () => (at < input.byteLength ? (input[at++] as number) : -1);
    let byte = next();
    const code = (byte >> 4) & 7;
    let size = byte & 0x0f;
    for (let shift = 4; byte & 0x80; shift += 7) {
      if (shift > 49) throw new PackError("malformed object header in the pack");
      byte = next();
      if (byte < 0) return 0;
      size += (byte & 0x7f) * 2 ** shift;
    }
    let type: Current["type"];
    let base: Current["base"];
    if (code === OFS_DELTA) {
      byte = next();
      if (byte < 0) return 0;
      let back = byte & 0x7f;
      while (byte & 0x80) {
        byte = next();
        if (byte < 0) return 0;
        back = (back + 1) * 128 + (byte & 0x7f);
      }
      base = this.offset - back;
      if (back === 0 || base < 12) throw new PackError("a delta's base lies outside the pack");
      type = "ofs";
    } else if (code === REF_DELTA) {
      if (at + 20 > input.byteLength) return 0;
      base = hex(input.subarray(at, at + 20));
      at += 20;
      type = "ref";
    } else {
      const named = TYPES[code];
      if (!named) throw new PackError(`unknown object type ${code} in the pack`);
      type = named;
    }
    // A delta's own size is not its object's: bounded here by the object limit too (a delta never outgrows it).
    if (size > this.maxObject) overLimit(size, this.maxObject);
    this.total += size;
    if (this.total > this.options.maxTotalBytes) overTotal(this.options.maxTotalBytes);
    const sink = type === "blob" ? this.options.streamBlob?.(size) : undefined;
    const whole = type !== "ofs" && type !== "ref";
    const inflator = new pako.Inflate({ chunkSize: 64 * 1024 });
    const current: Current = {
      offset: this.offset,
      type,
      base,
      size,
      inflator,
      out: sink ? undefined : new Uint8Array(size),
      filled: 0,
      hash: whole ? objectHash(type as PackObjectType, size) : undefined,
      sink,
    };
    inflator.onData = (bytes: Uint8Array) => {
      // Past its declared size an object is refused as it inflates: a bomb never gets to grow.
      if (current.filled + bytes.byteLength > size) throw new PackError("an object of the pack inflates past its size");
      if (current.out) current.out.set(bytes, current.filled);
      else current.sink?.chunk(bytes);
      current.hash?.update(bytes);
      current.filled += bytes.byteLength;
    };
    inflator.onEnd = () => {};
    this.current = current;
    return this.consumed(input.subarray(from, at));
  }

  /** Feeds the current entry's zlib stream; how many bytes of `input` it took. */
  private inflate(input: Uint8Array): number {
    const current = this.current as Current;
    const { inflator } = current;
    inflator.push(input, false);
    if (inflator.err) throw new PackError(`an object of the pack does not inflate: ${inflator.msg}`);
    const used = this.consumed(input.subarray(0, input.byteLength - inflator.strm.avail_in));
    if (!inflator.ended) return used;
    if (current.filled !== current.size) throw new PackError("an object of the pack inflates short of its size");
    this.current = undefined;
    this.read++;
    if (current.type === "ofs" || current.type === "ref") {
      this.waiting.push({
        offset: current.offset,
        base: current.base as number | string,
        delta: current.out as Uint8Array,
      });
      this.resolve();
    } else {
      const oid = (current.hash as Sha1).hex();
      if (current.sink) current.sink.end(oid);
      else this.keep(current.offset, oid, { type: current.type, content: current.out as Uint8Array });
    }
    return used;
  }

  private keep(offset: number, oid: string, object: PackObject): void {
    this.byOffset.set(offset, object);
    this.objects.set(oid, object);
  }

  /** Applies every waiting delta whose base is known, until none is. */
  private resolve(): void {
    for (let progress = true; progress; ) {
      progress = false;
      for (let index = 0; index < this.waiting.length; index++) {
        const entry = this.waiting[index] as Waiting;
        const base = typeof entry.base === "number" ? this.byOffset.get(entry.base) : this.objects.get(entry.base);
        if (!base) continue;
        const content = applyDelta(base.content, entry.delta, this.maxObject);
        this.total += content.byteLength;
        if (this.total > this.options.maxTotalBytes) overTotal(this.options.maxTotalBytes);
        this.keep(entry.offset, objectId(base.type, content), { type: base.type, content });
        this.waiting.splice(index--, 1);
        progress = true;
      }
    }
  }

  private trailer(input: Uint8Array, at: number): number {
    if (input.byteLength - at < 20) return 0;
    const expected = input.subarray(at, at + 20);
    const actual = this.hash.digest();
    if (!actual.every((byte, index) => byte === expected[index])) {
      throw new PackError("the pack's checksum does not match: it is corrupt or cut short");
    }
    this.done = true;
    this.offset += 20;
    return 20;
  }
}

/** Every object of a whole `pack` by id; `limits` bound what it may inflate to. */
export async function readPack(pack: Uint8Array, limits: PackLimits): Promise<Map<string, PackObject>> {
  const parser = new PackParser(limits);
  parser.push(pack);
  return parser.end();
}

function overLimit(size: number, limit: number): never {
  throw new PackError(`an object of the pack is ${size} bytes, over the limit of ${limit}`, true);
}

function overTotal(limit: number): never {
  throw new PackError(`the pack's objects inflate past ${limit} bytes`, true);
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
