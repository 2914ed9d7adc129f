import { type ByteString, fromUtf8 } from "../objects/tree.js";

/**
 * Unified diffs as `git apply` reads them (apply.c): git's extended headers (`new file mode`, `deleted file mode`,
 * `old mode`/`new mode`, `rename from`/`to`, `copy from`/`to`, `similarity index`, `index`), C-quoted paths, the
 * `a/` and `b/` prefixes (`-p1`), and `\ No newline at end of file`; a plain `--- a/x` / `+++ b/x` diff too.
 * Binary patches are not read. Everything is bytes (ByteString): the UTF-8 of the patch text.
 */

/** One line of a hunk: context (` `), removed (`-`) or added (`+`), its bytes with the newline it ends with. */
export interface HunkLine {
  kind: " " | "-" | "+";
  text: ByteString;
}

export interface Hunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  /** The hunk as the patch gives it, from its `@@` line: what a rejection shows. */
  source: string;
  lines: HunkLine[];
}

/** What a patch does to one file. `oldPath` is undefined for a new file, `newPath` for a deleted one. */
export interface FilePatch {
  oldPath: ByteString | undefined;
  newPath: ByteString | undefined;
  /** `copy from`: the old file stays. */
  copy: boolean;
  oldMode?: string;
  newMode?: string;
  hunks: Hunk[];
}

/** A patch `git apply` would call corrupt, or one this reader does not take (binary): why, and where. */
export class PatchSyntaxError extends Error {}

const MODE = /^(?:100644|100755|120000)$/;

/** Reads every file's patch, in order. Throws `PatchSyntaxError`. */
export function readPatch(patch: string): FilePatch[] {
  const lines = fromUtf8(patch).split("\n");
  if (lines.at(-1) === "") lines.pop();
  const files: FilePatch[] = [];
  let at = 0;
  const fail = (why: string): never => {
    throw new PatchSyntaxError(`${why} (line ${at + 1} of the patch)`);
  };
  while (at < lines.length) {
    const line = lines[at] as string;
    if (line.startsWith("diff --git ")) {
      files.push(gitHeader());
      continue;
    }
    if (line.startsWith("--- ") && lines[at + 1]?.startsWith("+++ ")) {
      const [from, to] = [name(line.slice(4)), name((lines[at + 1] as string).slice(4))];
      at += 2;
      files.push({ oldPath: from, newPath: to, copy: false, hunks: hunks() });
      continue;
    }
    if (line.startsWith("@@ ")) fail("a hunk outside any file");
    at++; // text before, between and after the files' patches, as git apply skips it
  }
  if (files.length === 0) throw new PatchSyntaxError("no file's patch in it");
  return files;

  /** A `diff --git` file: its extended headers, then its `---`/`+++` lines and hunks, if any. */
  function gitHeader(): FilePatch {
    const names = bothNames((lines[at] as string).slice("diff --git ".length));
    at++;
    const file: FilePatch = { oldPath: names?.[0], newPath: names?.[1], copy: false, hunks: [] };
    let isNew = false;
    let isDeleted = false;
    // git's extended header lines, each a prefix and what its value sets
    const headers: Array<[string, (value: string) => void]> = [
      [
        "new file mode ",
        (value) => {
          isNew = true;
          file.newMode = mode(value);
        },
      ],
      [
        "deleted file mode ",
        (value) => {
          isDeleted = true;
          file.oldMode = mode(value);
        },
      ],
      ["old mode ", (value) => (file.oldMode = mode(value))],
      ["new mode ", (value) => (file.newMode = mode(value))],
      ["rename from ", (value) => (file.oldPath = unquote(value))],
      ["rename to ", (value) => (file.newPath = unquote(value))],
      [
        "copy from ",
        (value) => {
          file.oldPath = unquote(value);
          file.copy = true;
        },
      ],
      ["copy to ", (value) => (file.newPath = unquote(value))],
      ["similarity index ", () => undefined],
      ["dissimilarity index ", () => undefined],
      [
        "index ",
        (value) => {
          const indexed = /^[0-9a-f]+\.\.[0-9a-f]+(?: (\d+))?$/.exec(value);
          if (!indexed) fail("a malformed index line");
          if (indexed?.[1] !== undefined) file.oldMode = file.newMode = mode(indexed[1]);
        },
      ],
    ];
    for (; at < lines.length; at++) {
      const line = lines[at] as string;
      if (line === "GIT binary patch" || line.startsWith("Binary files ")) {
        fail("a binary patch, which applyPatch does not apply");
      }
      const header = headers.find(([prefix]) => line.startsWith(prefix));
      if (!header) break;
      header[1](line.slice(header[0].length));
    }
    if (lines[at]?.startsWith("--- ") && lines[at + 1]?.startsWith("+++ ")) {
      const [from, to] = [name((lines[at] as string).slice(4)), name((lines[at + 1] as string).slice(4))];
      if (!isNew) file.oldPath = from ?? file.oldPath;
      if (!isDeleted) file.newPath = to ?? file.newPath;
      at += 2;
      file.hunks = hunks();
    }
    if (isNew) file.oldPath = undefined;
    if (isDeleted) file.newPath = undefined;
    if (file.oldPath === undefined && file.newPath === undefined) fail("a file patch that names no file");
    return file;
  }

  function mode(text: string): string {
    if (!MODE.test(text)) fail(`mode ${text}, which applyPatch does not apply (a submodule, or not git's)`);
    return text;
  }

  /** The hunks from `at`, each line counted against its `@@` header. */
  function hunks(): Hunk[] {
    const found: Hunk[] = [];
    while (lines[at]?.startsWith("@@ ")) {
      const header = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(lines[at] as string);
      if (!header) fail("a malformed @@ line");
      const [oldStart, oldCount, newStart, newCount] = [
        header?.[1],
        header?.[2] ?? "1",
        header?.[3],
        header?.[4] ?? "1",
      ].map(Number) as [number, number, number, number];
      const start = at;
      at++;
      const body: HunkLine[] = [];
      let [old, added] = [0, 0];
      while (old < oldCount || added < newCount) {
        const line = lines[at];
        if (line === undefined) fail("a hunk cut short");
        const kind = line === "" ? " " : (line as string)[0];
        if (kind !== " " && kind !== "-" && kind !== "+") fail("a hunk with fewer lines than its @@ line says");
        body.push({ kind: kind as HunkLine["kind"], text: `${(line as string).slice(1)}\n` });
        if (kind !== "+") old++;
        if (kind !== "-") added++;
        at++;
        if (old > oldCount || added > newCount) fail("a hunk with more lines than its @@ line says");
        // `\ No newline at end of file`: the line before ends the file without one.
        if (lines[at]?.startsWith("\\ ")) {
          const last = body.at(-1) as HunkLine;
          last.text = last.text.slice(0, -1);
          at++;
        }
      }
      // git apply: a hunk that neither removes nor adds is corrupt
      if (body.every((line) => line.kind === " ")) fail("a hunk that changes nothing");
      found.push({ oldStart, oldCount, newStart, newCount, lines: body, source: lines.slice(start, at).join("\n") });
    }
    return found;
  }
}

/** A `---`/`+++` name: `/dev/null` is none; otherwise unquoted, its first part (`a/`, `b/`) dropped, tabs after. */
function name(text: string): ByteString | undefined {
  const path = text.startsWith('"') ? unquote(text) : (text.split("\t")[0] as string);
  if (path === "/dev/null") return undefined;
  return stripPrefix(path);
}

function stripPrefix(path: string): ByteString {
  const slash = path.indexOf("/");
  if (slash === -1) throw new PatchSyntaxError(`the path ${JSON.stringify(path)} has no a/ or b/ prefix to take off`);
  return path.slice(slash + 1);
}

/** The two names of `diff --git a/x b/y`: quoted, or (unquoted) the same name twice, as git reads it. */
function bothNames(text: string): [ByteString, ByteString] | undefined {
  if (text.startsWith('"')) {
    const end = quotedEnd(text);
    const rest = text.slice(end + 1).trimStart();
    const second = rest.startsWith('"') ? unquote(rest) : rest;
    return [stripPrefix(unquote(text.slice(0, end + 1))), stripPrefix(second)];
  }
  // Unquoted: only a name that is the same on both sides can be told apart from its spaces.
  const half = (text.length - 1) / 2;
  if (Number.isInteger(half) && text[half] === " ") {
    const [a, b] = [text.slice(0, half), text.slice(half + 1)];
    if (stripPrefix(a) === stripPrefix(b)) return [stripPrefix(a), stripPrefix(b)];
  }
  return undefined;
}

function quotedEnd(text: string): number {
  for (let at = 1; at < text.length; at++) {
    if (text[at] === "\\") at++;
    else if (text[at] === '"') return at;
  }
  throw new PatchSyntaxError(`a quoted path that does not end: ${text}`);
}

const ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  t: "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  '"': '"',
  "\\": "\\",
};

/** A C-quoted path as git writes one (`"caf\303\251.txt"`), its bytes; an unquoted one as it is. */
function unquote(text: string): ByteString {
  if (!text.startsWith('"')) return text;
  const end = quotedEnd(text);
  let out = "";
  for (let at = 1; at < end; at++) {
    const char = text[at] as string;
    if (char !== "\\") {
      out += char;
      continue;
    }
    const next = text[++at] as string;
    if (/[0-3]/.test(next) && /^[0-7]{2}$/.test(text.slice(at + 1, at + 3))) {
      out += String.fromCharCode(Number.parseInt(text.slice(at, at + 3), 8));
      at += 2;
    } else if (ESCAPES[next] !== undefined) out += ESCAPES[next];
    else throw new PatchSyntaxError(`an unknown escape \\${next} in a quoted path`);
  }
  return out;
}
