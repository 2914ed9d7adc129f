/**
 * Git's line diff, ported from git 2.39's `xdiff/` (xprepare.c, xhistogram.c, xdiffi.c) with the two setups git
 * uses: the histogram diff merge-ort runs for every content merge (no indent heuristic; the classic diff where every
 * common line repeats more than 64 times), and `git diff`'s default, the classic (Myers) diff with the indent
 * heuristic. Then the compaction that slides each change group as git does, and the edit script. No whitespace
 * flags. Lines are byte strings (one char per byte, newline included), compared exactly, as xdiff compares records.
 *
 * Names follow the C so that each function can be read beside its original.
 */

/** One change of an edit script: `chg1` lines at `i1` of the first file became `chg2` lines at `i2` of the second. */
export interface Change {
  i1: number;
  i2: number;
  chg1: number;
  chg2: number;
}

/** A file as xdiff prepares it: its records, each record's class, and which records changed. */
interface XdFile {
  recs: readonly string[];
  /** The class of each record: equal lines, equal classes (xdl_classify_record). */
  ha: Int32Array;
  /** `rchg[i + 1]`: whether record `i` changed; one zero before the first record and one after the last. */
  rchg: Uint8Array;
}

/** A line-diff gave up (a histogram chain past its limit, as git's does): the caller treats it as a conflict. */
export class DiffFailed extends Error {}

/** Splits bytes into records as xdiff does: each line with its `\n`, the last one without if the bytes lack it. */
export function records(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const newline = text.indexOf("\n", start);
    if (newline === -1) break;
    lines.push(text.slice(start, newline + 1));
    start = newline + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** xdl_prepare_env without its optimizations: both files' records classified together, first file first. */
function prepare(
  recs1: readonly string[],
  recs2: readonly string[],
): { xdf1: XdFile; xdf2: XdFile; counts: Map<number, [number, number]> } {
  const classes = new Map<string, number>();
  // Per class: how many records of it each file has (xdlclass_t's len1, len2).
  const counts = new Map<number, [number, number]>();
  const classify = (recs: readonly string[], pass: 0 | 1) => {
    const ha = new Int32Array(recs.length);
    for (const [index, rec] of recs.entries()) {
      let idx = classes.get(rec);
      if (idx === undefined) {
        idx = classes.size;
        classes.set(rec, idx);
        counts.set(idx, [0, 0]);
      }
      (counts.get(idx) as [number, number])[pass]++;
      ha[index] = idx;
    }
    return { recs, ha, rchg: new Uint8Array(recs.length + 2) };
  };
  return { xdf1: classify(recs1, 0), xdf2: classify(recs2, 1), counts };
}

const changed = (xdf: XdFile, i: number) => xdf.rchg[i + 1] === 1;
const mark = (xdf: XdFile, i: number, value: 0 | 1) => {
  xdf.rchg[i + 1] = value;
};

/** xdl_hashbits. */
function hashbits(size: number): number {
  let bits = 0;
  for (let value = 1; value < size && bits < 32; value *= 2) bits++;
  return bits || 1;
}

/** XDL_HASHLONG. */
const hashlong = (value: number, bits: number) => (value + Math.floor(value / 2 ** bits)) % 2 ** bits;

/** xdl_bogosqrt. */
function bogosqrt(n: number): number {
  let i = 1;
  for (; n > 0; n = Math.floor(n / 4)) i *= 2;
  return i;
}

/**
 * xdl_diff's core: the diff, then both files compacted, then the script. `recs1` and `recs2` are the files' records
 * (see `records`). `"histogram"` is the diff merge-ort runs; `"myers"` is `git diff`'s (with its indent heuristic).
 */
export function diffLines(
  recs1: readonly string[],
  recs2: readonly string[],
  algorithm: "histogram" | "myers" = "histogram",
): Change[] {
  const { xdf1, xdf2, counts } = prepare(recs1, recs2);
  const myers = algorithm === "myers";
  if (myers) classicDiff(xdf1, xdf2, counts);
  else histogramDiff(xdf1, xdf2, 1, recs1.length, 1, recs2.length);
  changeCompact(xdf1, xdf2, myers);
  changeCompact(xdf2, xdf1, myers);
  return buildScript(xdf1, xdf2);
}

// ---- xhistogram.c ----

const MAX_CHAIN_LENGTH = 64;
const MAX_CNT = 0xffffffff;

interface HistRecord {
  ptr: number;
  cnt: number;
  next: HistRecord | undefined;
}

interface Region {
  begin1: number;
  end1: number;
  begin2: number;
  end2: number;
}

/** histogram_diff, with its tail recursion as a loop. Lines are 1-based, as in the C. */
function histogramDiff(xdf1: XdFile, xdf2: XdFile, line1: number, count1: number, line2: number, count2: number) {
  for (;;) {
    if (count1 <= 0 && count2 <= 0) return;
    if (!count1) {
      while (count2--) mark(xdf2, line2++ - 1, 1);
      return;
    }
    if (!count2) {
      while (count1--) mark(xdf1, line1++ - 1, 1);
      return;
    }
    const lcs: Region = { begin1: 0, end1: 0, begin2: 0, end2: 0 };
    const found = findLcs(xdf1, xdf2, lcs, line1, count1, line2, count2);
    if (found) {
      fallBackToClassicDiff(xdf1, xdf2, line1, count1, line2, count2);
      return;
    }
    if (lcs.begin1 === 0 && lcs.begin2 === 0) {
      while (count1--) mark(xdf1, line1++ - 1, 1);
      while (count2--) mark(xdf2, line2++ - 1, 1);
      return;
    }
    histogramDiff(xdf1, xdf2, line1, lcs.begin1 - line1, line2, lcs.begin2 - line2);
    const end1 = line1 + count1 - 1;
    const end2 = line2 + count2 - 1;
    count1 = end1 - lcs.end1;
    line1 = lcs.end1 + 1;
    count2 = end2 - lcs.end2;
    line2 = lcs.end2 + 1;
  }
}

/** find_lcs: whether to fall back to the classic diff (every common line too common); `lcs` is set otherwise. */
function findLcs(
  xdf1: XdFile,
  xdf2: XdFile,
  lcs: Region,
  line1: number,
  count1: number,
  line2: number,
  count2: number,
): boolean {
  const tableBits = hashbits(count1);
  const records: (HistRecord | undefined)[] = new Array(2 ** tableBits).fill(undefined);
  const lineMap: HistRecord[] = new Array(count1);
  const nextPtrs = new Float64Array(count1);
  const shift = line1;
  const ha1 = (line: number) => xdf1.ha[line - 1] as number;
  const ha2 = (line: number) => xdf2.ha[line - 1] as number;
  const end1 = line1 + count1 - 1;
  const end2 = line2 + count2 - 1;

  // scanA
  for (let ptr = end1; line1 <= ptr; ptr--) {
    const bucket = hashlong(ha1(ptr), tableBits);
    let rec = records[bucket];
    let chainLength = 0;
    let seen = false;
    while (rec) {
      if (ha1(rec.ptr) === ha1(ptr)) {
        nextPtrs[ptr - shift] = rec.ptr;
        rec.ptr = ptr;
        rec.cnt = Math.min(MAX_CNT, rec.cnt + 1);
        lineMap[ptr - shift] = rec;
        seen = true;
        break;
      }
      rec = rec.next;
      chainLength++;
    }
    if (seen) continue;
    if (chainLength === MAX_CHAIN_LENGTH) throw new DiffFailed("a histogram chain is too long");
    const created: HistRecord = { ptr, cnt: 1, next: records[bucket] };
    records[bucket] = created;
    lineMap[ptr - shift] = created;
  }

  let cnt = MAX_CHAIN_LENGTH + 1;
  let hasCommon = false;
  const count = (ptr: number) => (lineMap[ptr - shift] as HistRecord).cnt;

  // try_lcs, for each line of the second file.
  for (let bPtr = line2; bPtr <= end2; ) {
    let bNext = bPtr + 1;
    for (let rec = records[hashlong(ha2(bPtr), tableBits)]; rec; rec = rec.next) {
      if (rec.cnt > cnt) {
        if (!hasCommon) hasCommon = ha1(rec.ptr) === ha2(bPtr);
        continue;
      }
      let as = rec.ptr;
      if (ha1(as) !== ha2(bPtr)) continue;
      hasCommon = true;
      for (;;) {
        let np = nextPtrs[as - shift] as number;
        let bs = bPtr;
        let ae = as;
        let be = bs;
        let rc = rec.cnt;
        while (line1 < as && line2 < bs && ha1(as - 1) === ha2(bs - 1)) {
          as--;
          bs--;
          if (1 < rc) rc = Math.min(rc, count(as));
        }
        while (ae < end1 && be < end2 && ha1(ae + 1) === ha2(be + 1)) {
          ae++;
          be++;
          if (1 < rc) rc = Math.min(rc, count(ae));
        }
        if (bNext <= be) bNext = be + 1;
        if (lcs.end1 - lcs.begin1 < ae - as || rc < cnt) {
          lcs.begin1 = as;
          lcs.begin2 = bs;
          lcs.end1 = ae;
          lcs.end2 = be;
          cnt = rc;
        }
        if (np === 0) break;
        let stop = false;
        while (np <= ae) {
          np = nextPtrs[np - shift] as number;
          if (np === 0) {
            stop = true;
            break;
          }
        }
        if (stop) break;
        as = np;
      }
    }
    bPtr = bNext;
  }
  return hasCommon && MAX_CHAIN_LENGTH < cnt;
}

// ---- xdiffi.c and xprepare.c: the classic diff, on a range, as xdl_fall_back_diff runs it ----

const MAX_COST_MIN = 256;
const HEUR_MIN_COST = 256;
const SNAKE_CNT = 20;
const K_HEUR = 4;
const LINE_MAX = 2 ** 52;
const MAX_EQLIMIT = 1024;
const SIMSCAN_WINDOW = 100;
const KPDIS_RUN = 4;

/** xdl_fall_back_diff: the classic diff of the ranges, as files of their own, its changes copied back. */
function fallBackToClassicDiff(
  xdf1: XdFile,
  xdf2: XdFile,
  line1: number,
  count1: number,
  line2: number,
  count2: number,
) {
  const sub1 = xdf1.recs.slice(line1 - 1, line1 - 1 + count1);
  const sub2 = xdf2.recs.slice(line2 - 1, line2 - 1 + count2);
  const env = prepare(sub1, sub2);
  classicDiff(env.xdf1, env.xdf2, env.counts);
  for (let i = 0; i < count1; i++) mark(xdf1, line1 - 1 + i, changed(env.xdf1, i) ? 1 : 0);
  for (let i = 0; i < count2; i++) mark(xdf2, line2 - 1 + i, changed(env.xdf2, i) ? 1 : 0);
}

/** What xdl_recs_cmp works on: the records left after xdl_cleanup_records, by class, and where each came from. */
interface DiffData {
  ha: Int32Array;
  rindex: Int32Array;
  xdf: XdFile;
}

/** xdl_do_diff for the classic algorithm: xdl_optimize_ctxs, then xdl_recs_cmp, not minimal. */
function classicDiff(xdf1: XdFile, xdf2: XdFile, counts: Map<number, [number, number]>) {
  // xdl_trim_ends
  const n1 = xdf1.recs.length;
  const n2 = xdf2.recs.length;
  let lim = Math.min(n1, n2);
  let start = 0;
  while (start < lim && xdf1.ha[start] === xdf2.ha[start]) start++;
  let tail = 0;
  for (lim -= start; tail < lim && xdf1.ha[n1 - 1 - tail] === xdf2.ha[n2 - 1 - tail]; tail++);
  const dend1 = n1 - tail - 1;
  const dend2 = n2 - tail - 1;

  // xdl_cleanup_records: lines without a match on the other side, and some of those with many, are changed at once.
  const cleanup = (xdf: XdFile, dend: number, pass: 0 | 1): DiffData => {
    const mlim = Math.min(bogosqrt(xdf.recs.length), MAX_EQLIMIT);
    const dis = new Uint8Array(xdf.recs.length + 1);
    for (let i = start; i <= dend; i++) {
      const nm = (counts.get(xdf.ha[i] as number) as [number, number])[1 - pass] as number;
      dis[i] = nm === 0 ? 0 : nm >= mlim ? 2 : 1;
    }
    const rindex: number[] = [];
    const ha: number[] = [];
    for (let i = start; i <= dend; i++) {
      if (dis[i] === 1 || (dis[i] === 2 && !cleanMmatch(dis, i, start, dend))) {
        rindex.push(i);
        ha.push(xdf.ha[i] as number);
      } else mark(xdf, i, 1);
    }
    return { ha: Int32Array.from(ha), rindex: Int32Array.from(rindex), xdf };
  };
  const dd1 = cleanup(xdf1, dend1, 0);
  const dd2 = cleanup(xdf2, dend2, 1);

  const ndiags = dd1.ha.length + dd2.ha.length + 3;
  const offset = dd2.ha.length + 1;
  const kvdf = new Float64Array(ndiags);
  const kvdb = new Float64Array(ndiags);
  const env: AlgoEnv = {
    mxcost: Math.max(bogosqrt(ndiags), MAX_COST_MIN),
    kvdf: { get: (d) => kvdf[d + offset] as number, set: (d, v) => (kvdf[d + offset] = v) },
    kvdb: { get: (d) => kvdb[d + offset] as number, set: (d, v) => (kvdb[d + offset] = v) },
  };
  recsCmp(dd1, 0, dd1.ha.length, dd2, 0, dd2.ha.length, false, env);
}

/** xdl_clean_mmatch: whether a line with many matches sits in a run of lines without one (and so goes too). */
function cleanMmatch(dis: Uint8Array, i: number, s: number, e: number): boolean {
  if (i - s > SIMSCAN_WINDOW) s = i - SIMSCAN_WINDOW;
  if (e - i > SIMSCAN_WINDOW) e = i + SIMSCAN_WINDOW;
  let rdis0 = 0;
  let rpdis0 = 1;
  for (let r = 1; i - r >= s; r++) {
    if (!dis[i - r]) rdis0++;
    else if (dis[i - r] === 2) rpdis0++;
    else break;
  }
  if (rdis0 === 0) return false;
  let rdis1 = 0;
  let rpdis1 = 1;
  for (let r = 1; i + r <= e; r++) {
    if (!dis[i + r]) rdis1++;
    else if (dis[i + r] === 2) rpdis1++;
    else break;
  }
  if (rdis1 === 0) return false;
  rdis1 += rdis0;
  rpdis1 += rpdis0;
  return rpdis1 * KPDIS_RUN < rpdis1 + rdis1;
}

interface Diagonals {
  get(d: number): number;
  set(d: number, value: number): void;
}

interface AlgoEnv {
  mxcost: number;
  kvdf: Diagonals;
  kvdb: Diagonals;
}

interface Split {
  i1: number;
  i2: number;
  minLo: boolean;
  minHi: boolean;
}

/** xdl_recs_cmp: divide and conquer on the box, marking what has no counterpart as changed. */
function recsCmp(
  dd1: DiffData,
  off1: number,
  lim1: number,
  dd2: DiffData,
  off2: number,
  lim2: number,
  needMin: boolean,
  env: AlgoEnv,
) {
  const ha1 = dd1.ha;
  const ha2 = dd2.ha;
  for (; off1 < lim1 && off2 < lim2 && ha1[off1] === ha2[off2]; off1++, off2++);
  for (; off1 < lim1 && off2 < lim2 && ha1[lim1 - 1] === ha2[lim2 - 1]; lim1--, lim2--);
  if (off1 === lim1) {
    for (; off2 < lim2; off2++) mark(dd2.xdf, dd2.rindex[off2] as number, 1);
  } else if (off2 === lim2) {
    for (; off1 < lim1; off1++) mark(dd1.xdf, dd1.rindex[off1] as number, 1);
  } else {
    const spl = split(ha1, off1, lim1, ha2, off2, lim2, needMin, env);
    recsCmp(dd1, off1, spl.i1, dd2, off2, spl.i2, spl.minLo, env);
    recsCmp(dd1, spl.i1, lim1, dd2, spl.i2, lim2, spl.minHi, env);
  }
}

/** xdl_split: the middle snake of the box, or, past the cost limits, a good enough split point. */
function split(
  ha1: Int32Array,
  off1: number,
  lim1: number,
  ha2: Int32Array,
  off2: number,
  lim2: number,
  needMin: boolean,
  env: AlgoEnv,
): Split {
  const { kvdf, kvdb } = env;
  const dmin = off1 - lim2;
  const dmax = lim1 - off2;
  const fmid = off1 - off2;
  const bmid = lim1 - lim2;
  const odd = (fmid - bmid) & 1;
  let fmin = fmid;
  let fmax = fmid;
  let bmin = bmid;
  let bmax = bmid;
  kvdf.set(fmid, off1);
  kvdb.set(bmid, lim1);

  for (let ec = 1; ; ec++) {
    let gotSnake = false;
    if (fmin > dmin) kvdf.set(--fmin - 1, -1);
    else ++fmin;
    if (fmax < dmax) kvdf.set(++fmax + 1, -1);
    else --fmax;
    for (let d = fmax; d >= fmin; d -= 2) {
      let i1 = kvdf.get(d - 1) >= kvdf.get(d + 1) ? kvdf.get(d - 1) + 1 : kvdf.get(d + 1);
      const prev1 = i1;
      let i2 = i1 - d;
      for (; i1 < lim1 && i2 < lim2 && ha1[i1] === ha2[i2]; i1++, i2++);
      if (i1 - prev1 > SNAKE_CNT) gotSnake = true;
      kvdf.set(d, i1);
      if (odd && bmin <= d && d <= bmax && kvdb.get(d) <= i1) return { i1, i2, minLo: true, minHi: true };
    }

    if (bmin > dmin) kvdb.set(--bmin - 1, LINE_MAX);
    else ++bmin;
    if (bmax < dmax) kvdb.set(++bmax + 1, LINE_MAX);
    else --bmax;
    for (let d = bmax; d >= bmin; d -= 2) {
      let i1 = kvdb.get(d - 1) < kvdb.get(d + 1) ? kvdb.get(d - 1) : kvdb.get(d + 1) - 1;
      const prev1 = i1;
      let i2 = i1 - d;
      for (; i1 > off1 && i2 > off2 && ha1[i1 - 1] === ha2[i2 - 1]; i1--, i2--);
      if (prev1 - i1 > SNAKE_CNT) gotSnake = true;
      kvdb.set(d, i1);
      if (!odd && fmin <= d && d <= fmax && i1 <= kvdf.get(d)) return { i1, i2, minLo: true, minHi: true };
    }

    if (needMin) continue;

    if (gotSnake && ec > HEUR_MIN_COST) {
      let best = 0;
      let found: Split | undefined;
      for (let d = fmax; d >= fmin; d -= 2) {
        const dd = d > fmid ? d - fmid : fmid - d;
        const i1 = kvdf.get(d);
        const i2 = i1 - d;
        const v = i1 - off1 + (i2 - off2) - dd;
        if (v > K_HEUR * ec && v > best && off1 + SNAKE_CNT <= i1 && i1 < lim1 && off2 + SNAKE_CNT <= i2 && i2 < lim2) {
          for (let k = 1; ha1[i1 - k] === ha2[i2 - k]; k++) {
            if (k === SNAKE_CNT) {
              best = v;
              found = { i1, i2, minLo: true, minHi: false };
              break;
            }
          }
        }
      }
      if (found) return found;
      best = 0;
      for (let d = bmax; d >= bmin; d -= 2) {
        const dd = d > bmid ? d - bmid : bmid - d;
        const i1 = kvdb.get(d);
        const i2 = i1 - d;
        const v = lim1 - i1 + (lim2 - i2) - dd;
        if (v > K_HEUR * ec && v > best && off1 < i1 && i1 <= lim1 - SNAKE_CNT && off2 < i2 && i2 <= lim2 - SNAKE_CNT) {
          for (let k = 0; ha1[i1 + k] === ha2[i2 + k]; k++) {
            if (k === SNAKE_CNT - 1) {
              best = v;
              found = { i1, i2, minLo: false, minHi: true };
              break;
            }
          }
        }
      }
      if (found) return found;
    }

    if (ec >= env.mxcost) {
      let fbest = -1;
      let fbest1 = -1;
      for (let d = fmax; d >= fmin; d -= 2) {
        let i1 = Math.min(kvdf.get(d), lim1);
        let i2 = i1 - d;
        if (lim2 < i2) {
          i1 = lim2 + d;
          i2 = lim2;
        }
        if (fbest < i1 + i2) {
          fbest = i1 + i2;
          fbest1 = i1;
        }
      }
      let bbest = LINE_MAX;
      let bbest1 = LINE_MAX;
      for (let d = bmax; d >= bmin; d -= 2) {
        let i1 = Math.max(off1, kvdb.get(d));
        let i2 = i1 - d;
        if (i2 < off2) {
          i1 = off2 + d;
          i2 = off2;
        }
        if (i1 + i2 < bbest) {
          bbest = i1 + i2;
          bbest1 = i1;
        }
      }
      if (lim1 + lim2 - bbest < fbest - (off1 + off2)) {
        return { i1: fbest1, i2: fbest - fbest1, minLo: true, minHi: false };
      }
      return { i1: bbest1, i2: bbest - bbest1, minLo: false, minHi: true };
    }
  }
}

// ---- xdiffi.c: compaction and the script ----

interface Group {
  start: number;
  end: number;
}

function groupInit(xdf: XdFile): Group {
  const g = { start: 0, end: 0 };
  while (changed(xdf, g.end)) g.end++;
  return g;
}

function groupNext(xdf: XdFile, g: Group): boolean {
  if (g.end === xdf.recs.length) return false;
  g.start = g.end + 1;
  for (g.end = g.start; changed(xdf, g.end); g.end++);
  return true;
}

function groupPrevious(xdf: XdFile, g: Group): boolean {
  if (g.start === 0) return false;
  g.end = g.start - 1;
  for (g.start = g.end; changed(xdf, g.start - 1); g.start--);
  return true;
}

function groupSlideDown(xdf: XdFile, g: Group): boolean {
  if (g.end < xdf.recs.length && xdf.ha[g.start] === xdf.ha[g.end]) {
    mark(xdf, g.start++, 0);
    mark(xdf, g.end++, 1);
    while (changed(xdf, g.end)) g.end++;
    return true;
  }
  return false;
}

function groupSlideUp(xdf: XdFile, g: Group): boolean {
  if (g.start > 0 && xdf.ha[g.start - 1] === xdf.ha[g.end - 1]) {
    mark(xdf, --g.start, 1);
    mark(xdf, --g.end, 0);
    while (changed(xdf, g.start - 1)) g.start--;
    return true;
  }
  return false;
}

/** The "group sync broken" of the C: the two files' groups no longer pair up, a bug of this port. */
function broken(): never {
  throw new DiffFailed("xdiff: group sync broken");
}

/**
 * xdl_change_compact: each group slid up, then down, then back to meet the other file's group; a group that meets
 * none is placed, with `indentHeuristic`, where its two edges split the text best.
 */
function changeCompact(xdf: XdFile, xdfo: XdFile, indentHeuristic: boolean) {
  const g = groupInit(xdf);
  const go = groupInit(xdfo);
  for (;;) {
    if (g.end !== g.start) {
      let groupsize: number;
      let earliestEnd: number;
      let endMatchingOther: number;
      do {
        groupsize = g.end - g.start;
        endMatchingOther = -1;
        while (groupSlideUp(xdf, g)) if (!groupPrevious(xdfo, go)) broken();
        earliestEnd = g.end;
        if (go.end > go.start) endMatchingOther = g.end;
        for (;;) {
          if (!groupSlideDown(xdf, g)) break;
          if (!groupNext(xdfo, go)) broken();
          if (go.end > go.start) endMatchingOther = g.end;
        }
      } while (groupsize !== g.end - g.start);
      if (g.end === earliestEnd) {
        // No shifting was possible.
      } else if (endMatchingOther !== -1) {
        while (go.end === go.start) {
          if (!groupSlideUp(xdf, g)) broken();
          if (!groupPrevious(xdfo, go)) broken();
        }
      } else if (indentHeuristic) {
        const best = bestShift(xdf, g.end, groupsize, earliestEnd);
        while (g.end > best) {
          if (!groupSlideUp(xdf, g)) broken();
          if (!groupPrevious(xdfo, go)) broken();
        }
      }
    }
    if (!groupNext(xdf, g)) break;
    if (!groupNext(xdfo, go)) broken();
  }
  if (groupNext(xdfo, go)) broken();
}

// ---- xdiffi.c: the indent heuristic ----

const MAX_INDENT = 200;
const MAX_BLANKS = 20;
const START_OF_FILE_PENALTY = 1;
const END_OF_FILE_PENALTY = 21;
const TOTAL_BLANK_WEIGHT = -30;
const POST_BLANK_WEIGHT = 6;
const RELATIVE_INDENT_PENALTY = -4;
const RELATIVE_INDENT_WITH_BLANK_PENALTY = 10;
const RELATIVE_OUTDENT_PENALTY = 24;
const RELATIVE_OUTDENT_WITH_BLANK_PENALTY = 17;
const RELATIVE_DEDENT_PENALTY = 23;
const RELATIVE_DEDENT_WITH_BLANK_PENALTY = 17;
const INDENT_WEIGHT = 60;
const INDENT_HEURISTIC_MAX_SLIDING = 100;

/** git's isspace (sane_ctype): tab, newline, carriage return and space only. */
const isSpace = (code: number) => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

/** get_indent: columns of leading space (a tab to the next multiple of 8), -1 for a blank line, at most 200. */
function getIndent(rec: string): number {
  let ret = 0;
  for (let i = 0; i < rec.length; i++) {
    const c = rec.charCodeAt(i);
    if (!isSpace(c)) return ret;
    if (c === 0x20) ret += 1;
    else if (c === 0x09) ret += 8 - (ret % 8);
    if (ret >= MAX_INDENT) return MAX_INDENT;
  }
  return -1;
}

/**
 * From record `start` on, `step` at a time: how many blank records come first, and the indent of the first that is
 * not blank (-1 past the file's edge, 0 after `MAX_BLANKS` blanks), as measure_split counts both ways.
 */
function blankRun(xdf: XdFile, start: number, step: 1 | -1): [number, number] {
  let blanks = 0;
  for (let i = start; i >= 0 && i < xdf.recs.length; i += step) {
    const indent = getIndent(xdf.recs[i] as string);
    if (indent !== -1) return [blanks, indent];
    if (++blanks === MAX_BLANKS) return [blanks, 0];
  }
  return [blanks, -1];
}

/** measure_split and score_add_split: the badness of splitting the file above record `split`, added to `score`. */
function scoreSplit(xdf: XdFile, split: number, score: { effectiveIndent: number; penalty: number }) {
  const n = xdf.recs.length;
  const endOfFile = split >= n;
  const indentHere = endOfFile ? -1 : getIndent(xdf.recs[split] as string);
  const [preBlank, preIndent] = blankRun(xdf, split - 1, -1);
  const [postBlank, postIndent] = blankRun(xdf, split + 1, 1);

  if (preIndent === -1 && preBlank === 0) score.penalty += START_OF_FILE_PENALTY;
  if (endOfFile) score.penalty += END_OF_FILE_PENALTY;
  const blankAfter = indentHere === -1 ? 1 + postBlank : 0;
  const totalBlank = preBlank + blankAfter;
  score.penalty += TOTAL_BLANK_WEIGHT * totalBlank + POST_BLANK_WEIGHT * blankAfter;
  const indent = indentHere !== -1 ? indentHere : postIndent;
  const anyBlanks = totalBlank !== 0;
  score.effectiveIndent += indent;
  if (indent === -1 || preIndent === -1 || indent === preIndent) return;
  if (indent > preIndent) {
    score.penalty += anyBlanks ? RELATIVE_INDENT_WITH_BLANK_PENALTY : RELATIVE_INDENT_PENALTY;
  } else if (postIndent !== -1 && postIndent > indent) {
    score.penalty += anyBlanks ? RELATIVE_OUTDENT_WITH_BLANK_PENALTY : RELATIVE_OUTDENT_PENALTY;
  } else {
    score.penalty += anyBlanks ? RELATIVE_DEDENT_WITH_BLANK_PENALTY : RELATIVE_DEDENT_PENALTY;
  }
}

/** The end, between `earliestEnd` and `end`, where the group's two splits score best (the lowest, the last on a tie). */
function bestShift(xdf: XdFile, end: number, groupsize: number, earliestEnd: number): number {
  let shift = Math.max(earliestEnd, end - groupsize - 1, end - INDENT_HEURISTIC_MAX_SLIDING);
  let best = -1;
  let bestScore = { effectiveIndent: 0, penalty: 0 };
  for (; shift <= end; shift++) {
    const score = { effectiveIndent: 0, penalty: 0 };
    scoreSplit(xdf, shift, score);
    scoreSplit(xdf, shift - groupsize, score);
    const cmp =
      INDENT_WEIGHT * Math.sign(score.effectiveIndent - bestScore.effectiveIndent) +
      (score.penalty - bestScore.penalty);
    if (best === -1 || cmp <= 0) {
      bestScore = score;
      best = shift;
    }
  }
  return best;
}

/** xdl_build_script: the groups of changes, in order. */
function buildScript(xdf1: XdFile, xdf2: XdFile): Change[] {
  const script: Change[] = [];
  for (let i1 = xdf1.recs.length, i2 = xdf2.recs.length; i1 >= 0 || i2 >= 0; i1--, i2--) {
    if (changed(xdf1, i1 - 1) || changed(xdf2, i2 - 1)) {
      const l1 = i1;
      const l2 = i2;
      for (; changed(xdf1, i1 - 1); i1--);
      for (; changed(xdf2, i2 - 1); i2--);
      script.push({ i1, i2, chg1: l1 - i1, chg2: l2 - i2 });
    }
  }
  return script.reverse();
}
