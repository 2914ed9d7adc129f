import type { ByteString } from "./tree.js";

/**
 * Globs in `paths`, as git reads a pathspec without magic (wildmatch without `WM_PATHNAME`, wildmatch.c): `*` and
 * `**` match any run of characters, `/` included, `?` any one, `[abc]`, `[a-z]`, `[!a]` (or `[^a]`) and
 * `[[:alpha:]]` one of a set, `\x` the character `x`. So `*.md` is every Markdown file at any depth and
 * `src/**\/*.ts` a `.ts` file at least one folder below `src/`. A glob matches a file's whole path (`sr?` selects
 * nothing in `src/`, as in `git diff-tree`). Bytes compare as git compares them: the UTF-8 of what was written.
 */

/** Whether `path` holds a character that makes it a glob in git's pathspec. */
export const isGlob = (path: string): boolean => /[*?[\\]/.test(path);

/** A glob, compiled: what it matches, and the fixed part before its first wildcard (only folders on it are read). */
export interface Glob {
  matches(path: ByteString): boolean;
  prefix: ByteString;
}

/** POSIX bracket classes as RegExp ranges (the C locale's). */
export const POSIX_CLASSES: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  blank: " \\t",
  cntrl: "\\x00-\\x1f\\x7f",
  digit: "0-9",
  graph: "\\x21-\\x7e",
  lower: "a-z",
  print: "\\x20-\\x7e",
  punct: "!-\\/:-@\\[-`{-~",
  space: " \\t\\n\\v\\f\\r",
  upper: "A-Z",
  xdigit: "0-9A-Fa-f",
};

const escaped = (char: string) => char.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");

/** Compiles `glob` (its bytes). A bracket left open or an unknown class matches nothing, as wildmatch aborts. */
export function compileGlob(glob: ByteString): Glob {
  const prefix = glob.slice(0, glob.search(/[*?[\\]/) === -1 ? glob.length : glob.search(/[*?[\\]/));
  const source = translate(glob);
  if (source === undefined) return { matches: () => false, prefix };
  const pattern = new RegExp(`^(?:${source})$`);
  return { prefix, matches: (path) => pattern.test(path) };
}

function translate(glob: ByteString): string | undefined {
  let out = "";
  for (let at = 0; at < glob.length; at++) {
    const char = glob[at] as string;
    if (char === "*") {
      while (glob[at + 1] === "*") at++;
      out += "[\\s\\S]*";
    } else if (char === "?") {
      out += "[\\s\\S]";
    } else if (char === "\\") {
      at++;
      if (at >= glob.length) return undefined;
      out += escaped(glob[at] as string);
    } else if (char === "[") {
      const set = bracket(glob, at);
      if (set === undefined) return undefined;
      out += set.source;
      at = set.end;
    } else {
      out += escaped(char);
    }
  }
  return out;
}

/**
 * The set that opens at `start` (`[`): its RegExp class and where it closes, or undefined if it never does. As
 * wildmatch reads it, or with `ere` as a POSIX ERE does (grep.ts): `^` alone negates, a backslash is itself, and a
 * range backwards is left for the RegExp to refuse, as git grep refuses it.
 */
export function bracket(glob: ByteString, start: number, ere = false): { source: string; end: number } | undefined {
  let at = start + 1;
  let negated = false;
  if (glob[at] === "^" || (glob[at] === "!" && !ere)) {
    negated = true;
    at++;
  }
  let members = "";
  for (let first = true; at < glob.length; at++, first = false) {
    const char = glob[at] as string;
    if (char === "]" && !first) return { source: `[${negated ? "^" : ""}${members}]`, end: at };
    if (char === "[" && glob[at + 1] === ":") {
      const close = glob.indexOf(":]", at + 2);
      const members_ = close === -1 ? undefined : POSIX_CLASSES[glob.slice(at + 2, close)];
      if (members_ === undefined) return undefined;
      members += members_;
      at = close + 1;
      continue;
    }
    let literal = char;
    if (char === "\\" && !ere) {
      at++;
      if (at >= glob.length) return undefined;
      literal = glob[at] as string;
    }
    if (glob[at + 1] === "-" && glob[at + 2] !== undefined && glob[at + 2] !== "]") {
      let high = glob[at + 2] as string;
      at += 2;
      if (high === "\\" && !ere) {
        at++;
        if (at >= glob.length) return undefined;
        high = glob[at] as string;
      }
      // A range backwards (z-a) matches nothing in wildmatch; an empty class keeps that.
      if (high >= literal || ere) members += `${escaped(literal)}-${escaped(high)}`;
      continue;
    }
    members += escaped(literal);
  }
  return undefined;
}
