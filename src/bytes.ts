/**
 * One copy of many byte chunks, for the response bodies the core reads and the Git messages `./git` builds.
 * Always a fresh, plain Uint8Array: runtimes hand out chunks that are Buffers or views into shared pools.
 */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let size = 0;
  for (const part of parts) size += part.byteLength;
  const out = new Uint8Array(size);
  size = 0;
  for (const part of parts) {
    out.set(part, size);
    size += part.byteLength;
  }
  return out;
}
