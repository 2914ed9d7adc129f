/**
 * The seeded text corpus git judges the line merge and the patches on: code-like lines that repeat (`}`, blank
 * lines), BOMs, CRLF, files without a final newline, Latin-1. Texts are byte strings (one char per byte).
 */

const SEED = 0x5eed;

/** A small seeded generator (mulberry32), so a failing case can be run again. */
export function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VOCABULARY = [
  "}",
  "",
  "{",
  "  return x;",
  "  if (a) {",
  "  }",
  "function f() {",
  "const a = 1;",
  "const b = 2;",
  "// comment",
  "  x++;",
  "end",
  "caf\xe9",
  "\tindent",
];

export interface Case {
  base: string;
  ours: string;
  theirs: string;
}

export function corpus(count: number, maxLines = 14, seed = SEED): Case[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  const line = () => (next() < 0.7 ? pick(VOCABULARY) : `line ${Math.floor(next() * 20)}`);
  const cases: Case[] = [];
  for (let n = 0; n < count; n++) {
    const eol = next() < 0.15 ? "\r\n" : "\n";
    const size = 1 + Math.floor(next() * maxLines);
    const base = Array.from({ length: size }, line);
    const edit = (lines: string[]) => {
      const out = [...lines];
      const edits = 1 + Math.floor(next() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(next() * (out.length + 1));
        const kind = next();
        if (kind < 0.35) out.splice(at, 0, line());
        else if (kind < 0.6 && out.length > 0) out.splice(Math.min(at, out.length - 1), 1);
        else if (out.length > 0) out[Math.min(at, out.length - 1)] = line();
        else out.push(line());
      }
      return out;
    };
    const text = (lines: string[], bom: boolean, final: boolean) =>
      (bom ? "\xef\xbb\xbf" : "") + lines.join(eol) + (final && lines.length > 0 ? eol : "");
    const bom = next() < 0.1;
    const final = () => next() > 0.15;
    const flip = () => (next() < 0.05 ? !bom : bom);
    cases.push({
      base: text(base, bom, final()),
      ours: text(edit(base), flip(), final()),
      theirs: text(edit(base), flip(), final()),
    });
  }
  return cases;
}
