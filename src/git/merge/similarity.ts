/**
 * How much of one file another holds, as git's rename detection scores it (git 2.39's `diffcore-delta.c` and
 * `estimate_similarity` in `diffcore-rename.c`): each file cut into chunks (a line, or 64 bytes), the chunks hashed,
 * and the bytes of the source's chunks found in the destination counted, over the larger file's size. A score of
 * `RENAME_SCORE` or more is a rename for git's default `-M50%`.
 */

export const MAX_SCORE = 60_000;
export const RENAME_SCORE = MAX_SCORE / 2;

const HASHBASE = 107_927;

/** hash_chars: each chunk's hash, with the bytes the chunks of that hash hold; a CR before LF ignored in text. */
function chunks(bytes: Uint8Array): Map<number, number> {
  const text = !bytes.subarray(0, 8000).includes(0);
  const counts = new Map<number, number>();
  let n = 0;
  let accum1 = 0;
  let accum2 = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (text && c === 0x0d && bytes[i + 1] === 0x0a) continue;
    const old1 = accum1;
    accum1 = ((accum1 << 7) ^ (accum2 >>> 25)) >>> 0;
    accum2 = ((accum2 << 7) ^ (old1 >>> 25)) >>> 0;
    accum1 = (accum1 + c) >>> 0;
    if (++n < 64 && c !== 0x0a) continue;
    const hash = ((accum1 + Math.imul(accum2, 0x61)) >>> 0) % HASHBASE;
    counts.set(hash, (counts.get(hash) ?? 0) + n);
    n = 0;
    accum1 = 0;
    accum2 = 0;
  }
  // A last chunk without a newline, shorter than 64 bytes, is not counted: as in git.
  return counts;
}

/** estimate_similarity for two regular files: 0 where the sizes differ too much to be a rename. */
export function similarity(src: Uint8Array, dst: Uint8Array): number {
  const maxSize = Math.max(src.length, dst.length);
  const delta = maxSize - Math.min(src.length, dst.length);
  if (maxSize * (MAX_SCORE - RENAME_SCORE) < delta * MAX_SCORE) return 0;
  if (dst.length === 0) return 0;
  const source = chunks(src);
  const destination = chunks(dst);
  let copied = 0;
  for (const [hash, count] of source) copied += Math.min(count, destination.get(hash) ?? 0);
  return Math.floor((copied * MAX_SCORE) / maxSize);
}
