import type { ByteString } from "../objects/tree.js";
import { type Change, diffLines, records } from "./xdiff.js";

/**
 * A file's patch as `git diff` prints it from its `---` line on, ported from git 2.39 (`xdiff/xemit.c`,
 * `xutils.c`, `diff.c`, `quote.c`) with git's defaults: the Myers diff with the indent heuristic, 3 lines of
 * context, hunks that meet within 6 lines joined, the nearest line above a hunk that starts with a letter, `_` or
 * `$` after its `@@`, labels quoted as `core.quotePath` does. Everything is a byte string (one char per byte).
 */

const CONTEXT = 3;
/** Two changes closer than twice the context share a hunk (xdl_get_hunk, `interHunkContext` 0). */
const MAX_COMMON = 2 * CONTEXT;
/** The most of a function line a hunk header shows (struct func_line's buffer). */
const FUNC_LINE_MAX = 80;

/**
 * The patch from `before` to `after` under the labels of each side (`a/<path>`, `b/<path>` or `/dev/null`, see
 * `label`). Empty when git prints no hunk: the same bytes on both sides, an empty file added or deleted.
 */
export function unifiedPatch(
  oldLabel: ByteString,
  newLabel: ByteString,
  before: ByteString,
  after: ByteString,
): ByteString {
  const recs1 = records(before);
  const recs2 = records(after);
  const script = diffLines(recs1, recs2, "myers");
  if (script.length === 0) return "";
  const out: string[] = [fileLine("---", oldLabel), fileLine("+++", newLabel)];
  const emit = (prefix: string, rec: string) => {
    out.push(prefix, rec);
    if (!rec.endsWith("\n")) out.push("\n\\ No newline at end of file\n");
  };
  let func = "";
  let funcLinePrev = -1;
  for (let first = 0; first < script.length; ) {
    let last = first;
    while (last + 1 < script.length && distance(script[last] as Change, script[last + 1] as Change) <= MAX_COMMON)
      last++;
    const xch = script[first] as Change;
    const xche = script[last] as Change;
    const s1 = Math.max(xch.i1 - CONTEXT, 0);
    let s2 = Math.max(xch.i2 - CONTEXT, 0);
    const lctx = Math.min(CONTEXT, recs1.length - (xche.i1 + xche.chg1), recs2.length - (xche.i2 + xche.chg2));
    const e1 = xche.i1 + xche.chg1 + lctx;
    const e2 = xche.i2 + xche.chg2 + lctx;

    // The function line: searched upwards from the hunk to the last one's start; none found keeps the last one's.
    for (let l = s1 - 1; l > funcLinePrev && l >= 0; l--) {
      const found = funcLine(recs1[l] as string);
      if (found !== undefined) {
        func = found;
        break;
      }
    }
    funcLinePrev = s1 - 1;
    out.push(hunkHeader(s1 + 1, e1 - s1, s2 + 1, e2 - s2, func));

    for (; s2 < xch.i2; s2++) emit(" ", recs2[s2] as string);
    let i1 = xch.i1;
    let i2 = xch.i2;
    for (let index = first; index <= last; index++) {
      const change = script[index] as Change;
      for (; i1 < change.i1 && i2 < change.i2; i1++, i2++) emit(" ", recs2[i2] as string);
      for (i1 = change.i1; i1 < change.i1 + change.chg1; i1++) emit("-", recs1[i1] as string);
      for (i2 = change.i2; i2 < change.i2 + change.chg2; i2++) emit("+", recs2[i2] as string);
    }
    for (s2 = xche.i2 + xche.chg2; s2 < e2; s2++) emit(" ", recs2[s2] as string);
    first = last + 1;
  }
  return out.join("");
}

const distance = (previous: Change, next: Change) => next.i1 - (previous.i1 + previous.chg1);

/** diff.c's `---`/`+++` line: a tab after a label holding a space. */
const fileLine = (marker: string, label: string) => `${marker} ${label}${label.includes(" ") ? "\t" : ""}\n`;

/** xdl_format_hunk_hdr: a count of 1 is left out, an empty side's start is the line before it. */
function hunkHeader(s1: number, c1: number, s2: number, c2: number, func: string): string {
  const side = (start: number, count: number) => `${count ? start : start - 1}${count === 1 ? "" : `,${count}`}`;
  return `@@ -${side(s1, c1)} +${side(s2, c2)} @@${func ? ` ${func}` : ""}\n`;
}

/**
 * def_ff: a line starting with a letter, `_` or `$`, cut to 80 bytes, trailing space dropped; then, as diff.c's
 * sane_truncate_line does to the whole header, cut before its first byte that does not start valid UTF-8.
 */
function funcLine(rec: string): string | undefined {
  if (!/^[A-Za-z_$]/.test(rec)) return undefined;
  const func = rec.slice(0, FUNC_LINE_MAX).replace(/[ \t\n\r]+$/, "");
  return func.slice(0, utf8Prefix(func));
}

/** How many bytes of `text` are whole UTF-8 characters as git's pick_one_utf8_char reads them (no U+FFFE, U+FFFF). */
function utf8Prefix(text: string): number {
  const at = (i: number) => text.charCodeAt(i);
  const tail = (i: number) => i < text.length && (at(i) & 0xc0) === 0x80;
  let i = 0;
  while (i < text.length) {
    const c = at(i);
    let size = 0;
    if (c < 0x80) size = 1;
    else if ((c & 0xe0) === 0xc0) size = tail(i + 1) && (c & 0xfe) !== 0xc0 ? 2 : 0;
    else if ((c & 0xf0) === 0xe0) {
      const c1 = at(i + 1);
      const fine =
        tail(i + 1) &&
        tail(i + 2) &&
        !(c === 0xe0 && (c1 & 0xe0) === 0x80) &&
        !(c === 0xed && (c1 & 0xe0) === 0xa0) &&
        !(c === 0xef && c1 === 0xbf && (at(i + 2) & 0xfe) === 0xbe);
      size = fine ? 3 : 0;
    } else if ((c & 0xf8) === 0xf0) {
      const c1 = at(i + 1);
      const fine =
        tail(i + 1) &&
        tail(i + 2) &&
        tail(i + 3) &&
        !(c === 0xf0 && (c1 & 0xf0) === 0x80) &&
        !(c === 0xf4 && c1 > 0x8f) &&
        c <= 0xf4;
      size = fine ? 4 : 0;
    }
    if (size === 0) break;
    i += size;
  }
  return i;
}

/** cq_lookup: the escapes of quote.c; other bytes below 0x20, 0x7f and every byte from 0x80 are octal. */
const ESCAPES: Record<number, string> = {
  7: "a",
  8: "b",
  9: "t",
  10: "n",
  11: "v",
  12: "f",
  13: "r",
  34: '"',
  92: "\\",
};

/** `prefix` + `path` as diff.c labels a side: C-quoted as a whole where any byte needs it (quote_two_c_style). */
export function label(prefix: string, path: ByteString): ByteString {
  const whole = prefix + path;
  let quoted = "";
  let needed = false;
  for (let i = 0; i < whole.length; i++) {
    const code = whole.charCodeAt(i);
    const named = ESCAPES[code];
    if (named !== undefined) quoted += `\\${named}`;
    else if (code < 0x20 || code >= 0x7f) quoted += `\\${code.toString(8).padStart(3, "0")}`;
    else {
      quoted += whole[i];
      continue;
    }
    needed = true;
  }
  return needed ? `"${quoted}"` : whole;
}
