import { objectHash } from "../objects/hash.js";
import { Sha1 } from "../objects/sha1.js";

/**
 * Packs as a push sends them (gitformat-pack): `PACK`, version 2, the object count, each object as a type-and-size
 * header and its zlib-deflated content (no deltas: a commit's few new objects gain little from them), then the SHA-1
 * of all that. Written as a stream, deflated as it goes (the runtime's `CompressionStream`), so a push holds neither
 * the pack nor a second copy of a file: a `Blob`'s bytes are read as they are sent.
 */

export type ObjectType = "commit" | "tree" | "blob" | "tag";
const TYPE_BITS: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };

export interface GitObject {
  type: ObjectType;
  /** A `Blob` (only ever a blob's content) is read when the pack is sent, and checked against `oid` then. */
  content: Uint8Array | Blob;
  /** The id the content must hash to; only checked for a `Blob`, which may have changed since it was hashed. */
  oid?: string;
}

/** A `Blob` whose bytes were not those hashed for the commit: what a push of it must not send. */
export class ChangedBlobError extends Error {}

/** How much of a file is deflated at a time: the memory a push holds per file, whatever its size. */
const SLICE = 64 * 1024;

/** A pack being sent: its bytes, and (once the stream has errored for it) the `Blob` that changed. */
export interface PackStream {
  body: ReadableStream<Uint8Array>;
  changed: ChangedBlobError | undefined;
}

/**
 * The pack of `objects` as a stream of bytes, after `prefix` (the push's command lines, not part of the pack).
 * A `Blob` that reads other than it hashed errors the stream, and is said in `changed`.
 */
export function packStream(objects: readonly GitObject[], prefix?: Uint8Array): PackStream {
  const hash = new Sha1();
  let next = 0;
  let current: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const pack: PackStream = { body: new ReadableStream(), changed: undefined };
  const read = async (reader: ReadableStreamDefaultReader<Uint8Array>) => {
    try {
      return await reader.read();
    } catch (error) {
      if (error instanceof ChangedBlobError) pack.changed = error;
      throw error;
    }
  };
  pack.body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (prefix) controller.enqueue(prefix);
      const head = new Uint8Array([0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2, ...u32(objects.length)]);
      hash.update(head);
      controller.enqueue(head);
    },
    async pull(controller) {
      for (;;) {
        if (current) {
          const { done, value } = await read(current);
          if (!done) {
            hash.update(value);
            controller.enqueue(value);
            return;
          }
          current = undefined;
        }
        const object = objects[next++];
        if (!object) {
          controller.enqueue(hash.digest());
          controller.close();
          return;
        }
        const size = object.content instanceof Uint8Array ? object.content.byteLength : object.content.size;
        const head = header(TYPE_BITS[object.type], size);
        hash.update(head);
        controller.enqueue(head);
        current = contentOf(object, size).pipeThrough(new CompressionStream("deflate")).getReader();
      }
    },
    cancel: (reason) => current?.cancel(reason),
  });
  return pack;
}

/** An object's bytes a slice at a time; a `Blob`'s checked, as they pass, to be the `size` and id it had. */
function contentOf({ type, content, oid }: GitObject, size: number): ReadableStream<Uint8Array<ArrayBuffer>> {
  if (content instanceof Uint8Array) return slices(content);
  const check = objectHash(type, size);
  let read = 0;
  return content.stream().pipeThrough(
    new TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>>({
      transform(chunk, controller) {
        read += chunk.byteLength;
        if (read > size) throw new ChangedBlobError("a Blob given as content grew after it was hashed");
        check.update(chunk);
        controller.enqueue(chunk);
      },
      flush() {
        if (read !== size || (oid !== undefined && check.hex() !== oid)) {
          throw new ChangedBlobError("a Blob given as content changed after it was hashed");
        }
      },
    }),
  );
}

/** Bytes held whole as a stream, a slice at a time (views, not copies). */
export function slices(bytes: Uint8Array): ReadableStream<Uint8Array<ArrayBuffer>> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.subarray(at, at + SLICE) as Uint8Array<ArrayBuffer>);
      at += SLICE;
    },
  });
}

/** The whole pack of `objects` in one array (a pack of none, for a push that only moves a ref; tests). */
export async function writePack(objects: readonly GitObject[]): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await new Response(packStream(objects).body).arrayBuffer());
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
