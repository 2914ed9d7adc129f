/**
 * One copy of many byte chunks, for the response bodies the core reads and the Git messages `./git` builds.
 * Always a fresh, plain Uint8Array: runtimes hand out chunks that are Buffers or views into shared pools.
 */

/** The chunks, whose total `size` the caller counted as it read them, in one array. */
export function concat(chunks: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** The parts in one array (`concat`, counting them first). */
export const joinBytes = (parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> =>
  concat(
    parts,
    parts.reduce((total, part) => total + part.byteLength, 0),
  );
