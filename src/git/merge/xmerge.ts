import { type Change, diffLines, records } from "../diff/xdiff.js";

/**
 * Git's three-way line merge, ported from git 2.39's `xdiff/xmerge.c` as merge-ort calls it (`ll_xdl_merge`: level
 * `XDL_MERGE_ZEALOUS`, no favoring side, the histogram diff). Only whether it merges cleanly, and the clean result,
 * are needed here: a conflict is reported as data, never as markers. Texts are byte strings (one char per byte), so
 * a BOM, CRLF, a missing final newline or bytes that are not UTF-8 come out exactly as they went in.
 */

/** One region of the merge (xdmerge_t): 0 a conflict, 1 side one's change, 2 side two's, 4 both made the same. */
interface Region {
  mode: 0 | 1 | 2 | 4;
  i0: number;
  chg0: number;
  i1: number;
  chg1: number;
  i2: number;
  chg2: number;
}

/**
 * The merge of `ours` and `theirs` from `base`, as git makes it, or `undefined` where git reports a conflict.
 * Throws `DiffFailed` where git's own diff gives up (git fails the merge then; the caller calls it a conflict).
 */
export function mergeText(base: string, ours: string, theirs: string): string | undefined {
  const orig = records(base);
  const side1 = records(ours);
  const side2 = records(theirs);
  const xscr1 = diffLines(orig, side1);
  const xscr2 = diffLines(orig, side2);
  // xdl_merge: one side unchanged is the other side, whole.
  if (xscr1.length === 0) return theirs;
  if (xscr2.length === 0) return ours;
  const regions = doMerge(xscr1, side1, xscr2, side2, orig.length);
  // xdl_refine_conflicts: a conflict whose two sides are the same lines is no conflict (mode 4); any other stays one
  // (refined into smaller conflicts, or joined by xdl_simplify_non_conflicts, but a conflict all the same).
  for (const region of regions) {
    if (region.mode !== 0) continue;
    if (region.chg1 === 0 || region.chg2 === 0) return undefined;
    if (!sameLines(side1, region.i1, side2, region.i2, region.chg1, region.chg2)) return undefined;
    region.mode = 4;
  }
  return fill(regions, side1, side2);
}

function sameLines(a: readonly string[], i: number, b: readonly string[], j: number, m: number, n: number): boolean {
  if (m !== n) return false;
  for (let k = 0; k < m; k++) if (a[i + k] !== b[j + k]) return false;
  return true;
}

/** xdl_append_merge: a region that overlaps the last one joins it (and a different kind makes it a conflict). */
function append(regions: Region[], next: Region) {
  const last = regions.at(-1);
  if (last && (next.i1 <= last.i1 + last.chg1 || next.i2 <= last.i2 + last.chg2)) {
    if (next.mode !== last.mode) last.mode = 0;
    last.chg0 = next.i0 + next.chg0 - last.i0;
    last.chg1 = next.i1 + next.chg1 - last.i1;
    last.chg2 = next.i2 + next.chg2 - last.i2;
  } else regions.push(next);
}

/** xdl_do_merge's walk of the two scripts, at level XDL_MERGE_ZEALOUS. */
function doMerge(
  scripts1: readonly Change[],
  side1: readonly string[],
  scripts2: readonly Change[],
  side2: readonly string[],
  origLength: number,
): Region[] {
  const regions: Region[] = [];
  let a = 0;
  let b = 0;
  while (a < scripts1.length && b < scripts2.length) {
    const x1 = scripts1[a] as Change;
    const x2 = scripts2[b] as Change;
    if (x1.i1 + x1.chg1 < x2.i1) {
      append(regions, oneSide(1, x1, x2.i2 - x2.i1));
      a++;
      continue;
    }
    if (x2.i1 + x2.chg1 < x1.i1) {
      append(regions, oneSide(2, x2, x1.i2 - x1.i1));
      b++;
      continue;
    }
    // Level XDL_MERGE_EAGER and up: the same change on both sides is no conflict.
    if (
      x1.i1 !== x2.i1 ||
      x1.chg1 !== x2.chg1 ||
      x1.chg2 !== x2.chg2 ||
      !sameLines(side1, x1.i2, side2, x2.i2, x1.chg2, x1.chg2)
    ) {
      const off = x1.i1 - x2.i1;
      const ffo = off + x1.chg1 - x2.chg1;
      let i0 = x1.i1;
      let i1 = x1.i2;
      let i2 = x2.i2;
      if (off > 0) {
        i0 -= off;
        i1 -= off;
      } else i2 += off;
      let chg0 = x1.i1 + x1.chg1 - i0;
      let chg1 = x1.i2 + x1.chg2 - i1;
      let chg2 = x2.i2 + x2.chg2 - i2;
      if (ffo < 0) {
        chg0 -= ffo;
        chg1 -= ffo;
      } else chg2 += ffo;
      append(regions, { mode: 0, i0, chg0, i1, chg1, i2, chg2 });
    }
    const end1 = x1.i1 + x1.chg1;
    const end2 = x2.i1 + x2.chg1;
    if (end1 >= end2) b++;
    if (end2 >= end1) a++;
  }
  // Past the other script's last change, the other side is the base shifted by its whole change in length.
  for (; a < scripts1.length; a++) append(regions, oneSide(1, scripts1[a] as Change, side2.length - origLength));
  for (; b < scripts2.length; b++) append(regions, oneSide(2, scripts2[b] as Change, side1.length - origLength));
  return regions;
}

/**
 * A change of one side only (mode 1: side one's, 2: side two's): the other side holds the base's lines there, at
 * the base's position shifted by `offset` (where that side's lines stand against the base's).
 */
function oneSide(mode: 1 | 2, x: Change, offset: number): Region {
  const other = x.i1 + offset;
  return mode === 1
    ? { mode, i0: x.i1, chg0: x.chg1, i1: x.i2, chg1: x.chg2, i2: other, chg2: x.chg1 }
    : { mode, i0: x.i1, chg0: x.chg1, i1: other, chg1: x.chg1, i2: x.i2, chg2: x.chg2 };
}

/** xdl_fill_merge_buffer for a merge without conflicts: side one's lines, with side two's regions in. */
function fill(regions: readonly Region[], side1: readonly string[], side2: readonly string[]): string {
  const out: string[] = [];
  let i = 0;
  const copy = (lines: readonly string[], from: number, count: number) => {
    for (let k = 0; k < count; k++) out.push(lines[from + k] as string);
  };
  for (const region of regions) {
    // Mode 4 takes nothing of its own: side one's lines, copied with what follows.
    if (region.mode === 4) continue;
    copy(side1, i, region.i1 - i);
    if (region.mode === 1) copy(side1, region.i1, region.chg1);
    else copy(side2, region.i2, region.chg2);
    i = region.i1 + region.chg1;
  }
  copy(side1, i, side1.length - i);
  return out.join("");
}
