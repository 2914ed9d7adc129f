import { joinBytes } from "../bytes.js";
import { sha1 } from "./hash.js";

/**
 * Packs as a push sends them (gitformat-pack): `PACK`, version 2, the object count, each object as a type-and-size
 * header and its zlib-deflated content (no deltas: a commit's few new objects gain little from them), then the SHA-1
 * of all that. Deflated with the runtime's `CompressionStream`, which every runtime this package runs on has.
 */

export type ObjectType = "commit" | "tree" | "blob";
const TYPE_BITS: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3 };

export interface GitObject {
  type: ObjectType;
  content: Uint8Array;
}

export async function writePack(objects: readonly GitObject[]): Promise<Uint8Array<ArrayBuffer>> {
  const parts: Uint8Array[] = [new Uint8Array([0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2, ...u32(objects.length)])];
  for (const { type, content } of objects) {
    parts.push(header(TYPE_BITS[type], content.byteLength), await deflate(content));
  }
  const body = joinBytes(parts);
  return joinBytes([body, await sha1(body)]);
}

/** `<type:3 bits><size:4 bits>`, then the rest of the size 7 bits at a time, low first, each byte but the last with its top bit set. */
function header(type: number, size: number): Uint8Array {
  const bytes = [(type << 4) | (size & 0x0f)];
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes[bytes.length - 1] = (bytes.at(-1) as number) | 0x80;
    bytes.push(rest & 0x7f);
    rest = Math.floor(rest / 128);
  }
  return new Uint8Array(bytes);
}

const u32 = (value: number) => [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];

async function deflate(content: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([content as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
