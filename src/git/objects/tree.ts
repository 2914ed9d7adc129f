/**
 * Git tree objects, byte for byte (gitformat-tree): a sequence of `<mode> <name>\0<20-byte id>` entries, sorted
 * as Git sorts them. Parsed and written here, not by isomorphic-git, because a tree must survive a commit exactly
 * as someone else pushed it: names that are not UTF-8, backslashes, a legacy mode such as `100664`, symlinks,
 * submodules. isomorphic-git parses names into JS strings (lossy) and refuses names it calls unsafe.
 *
 * Names and paths are "byte strings" here: one char per byte (0–255), which keeps them exact, comparable and
 * usable as Map keys. `toBytes`/`fromUtf8` convert at the edges.
 */

/** A string holding one byte per char (`\u0000`–`\u00ff`): a name or path exactly as Git stores it. */
export type ByteString = string;

/** One entry of a tree: its mode as written (`100644`, `40000`, `100664`...), its name's bytes, its object id. */
export interface TreeEntry {
  readonly mode: string;
  readonly name: ByteString;
  readonly oid: string;
}

export const TREE_MODE = "40000";
export const FILE_MODE = "100644";
export const EXECUTABLE_MODE = "100755";
export const SYMLINK_MODE = "120000";
export const GITLINK_MODE = "160000";
export const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/** What an entry is, from its mode's type bits (a zero-padded `040000` is still a tree). */
export type EntryKind = "tree" | "blob" | "symlink" | "gitlink";
export function kindOf(mode: string): EntryKind {
  const type = Number.parseInt(mode, 8) & 0o170000;
  if (type === 0o040000) return "tree";
  if (type === 0o120000) return "symlink";
  if (type === 0o160000) return "gitlink";
  return "blob";
}

/** A tree object's content could not be parsed: the message says where. */
export class TreeFormatError extends Error {}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** Parses a tree object's content (without the `tree <size>\0` header). Throws `TreeFormatError` when malformed. */
export function parseTree(content: Uint8Array): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let offset = 0;
  while (offset < content.byteLength) {
    const space = content.indexOf(0x20, offset);
    const nul = space === -1 ? -1 : content.indexOf(0, space + 1);
    if (space === -1 || nul === -1 || nul + 21 > content.byteLength) {
      throw new TreeFormatError(`truncated tree entry at byte ${offset}`);
    }
    const mode = toByteString(content.subarray(offset, space));
    if (!/^[0-7]{5,6}$/.test(mode)) throw new TreeFormatError(`malformed mode at byte ${offset}`);
    let oid = "";
    for (let index = nul + 1; index < nul + 21; index++) oid += HEX[content[index] as number];
    entries.push({ mode, name: toByteString(content.subarray(space + 1, nul)), oid });
    offset = nul + 21;
  }
  return entries;
}

/** A tree object's content from its entries, in Git's order (see `compareEntries`). */
export function encodeTree(entries: readonly TreeEntry[]): Uint8Array {
  const sorted = [...entries].sort(compareEntries);
  let size = 0;
  for (const entry of sorted) size += entry.mode.length + entry.name.length + 22;
  const content = new Uint8Array(size);
  let offset = 0;
  for (const entry of sorted) {
    const head = `${entry.mode} ${entry.name}\0`;
    for (let index = 0; index < head.length; index++) content[offset++] = head.charCodeAt(index);
    for (let index = 0; index < 40; index += 2)
      content[offset++] = Number.parseInt(entry.oid.slice(index, index + 2), 16);
  }
  return content;
}

/**
 * Git's tree order: names compared byte by byte, a tree's name as if it ended with `/` (so `a.txt` sorts before
 * the folder `a`, which sorts before `a0`). Byte strings compare as their bytes do.
 */
export function compareEntries(a: TreeEntry, b: TreeEntry): number {
  const left = kindOf(a.mode) === "tree" ? `${a.name}/` : a.name;
  const right = kindOf(b.mode) === "tree" ? `${b.name}/` : b.name;
  return left < right ? -1 : left > right ? 1 : 0;
}

export function toByteString(bytes: Uint8Array): ByteString {
  let text = "";
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let start = 0; start < bytes.byteLength; start += 8192) {
    text += String.fromCharCode(...bytes.subarray(start, start + 8192));
  }
  return text;
}

export function toBytes(text: ByteString): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index);
  return bytes;
}

const utf8 = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF: dropping it would make two names one.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A path the caller named (a JS string), as the bytes Git stores: its UTF-8. */
export const fromUtf8 = (path: string): ByteString => toByteString(utf8.encode(path));

/** A stored path as a JS string, when its bytes are valid UTF-8 (then the string maps back to exactly them). */
export function decodeUtf8(path: ByteString): string | undefined {
  try {
    return strictUtf8.decode(toBytes(path));
  } catch {
    return undefined;
  }
}

/**
 * A stored path as every result names it: `path`, its text, and where the bytes are not valid UTF-8 (Git keeps
 * names as bytes), `pathBytes`, those bytes exactly (`path` is then a lossy rendering of them).
 */
export function namedPath(path: ByteString): { path: string; pathBytes?: Uint8Array } {
  const decoded = decodeUtf8(path);
  if (decoded !== undefined) return { path: decoded };
  const bytes = toBytes(path);
  return { path: new TextDecoder().decode(bytes), pathBytes: bytes };
}
