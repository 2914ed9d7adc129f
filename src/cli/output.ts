import { inspect } from "node:util";
import { REDACTED } from "../secrets.js";

/**
 * What the command prints and how it exits: results as a table (or, with `--json`, the API's result verbatim), and
 * failures as one line on stderr with the exit code that says what kind they were.
 */

/** 1: the API (or the Git remote) answered with an error; 2: bad usage or input; 3: no response. */
export type ExitCode = 0 | 1 | 2 | 3;

/** A failure the command reports and exits with; thrown by the commands, caught once in main.ts. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** What `--json` prints: the SDK's error as its JSON, or `{ message }`. */
    readonly json: unknown = { message },
  ) {
    super(message);
  }
}

export const usage = (message: string) => new CliFailure(message, 2);

/** The SDK's typed errors, as the command reports them. */
export function failureOf(error: {
  _tag: string;
  message: string;
  code?: number;
  commit?: string;
  conflicts?: { path: string; kind: string; base?: Uint8Array; ours?: Uint8Array; theirs?: Uint8Array }[];
  rejects?: { path: string; reason: string; hunk?: string; current?: string }[];
}): CliFailure {
  if (error.conflicts) {
    // A merge's conflicts: where and what kind, one a line (their bytes are the SDK's, not a terminal's); with
    // --json, each side's bytes as base64 (absent where that side has no file), for a script to resolve them.
    const base64 = (bytes: Uint8Array | undefined) =>
      bytes ? { base64: Buffer.from(bytes).toString("base64") } : undefined;
    const conflicts = error.conflicts.map(({ path, kind, base, ours, theirs }) => ({
      path,
      kind,
      base: base64(base),
      ours: base64(ours),
      theirs: base64(theirs),
    }));
    const lines = conflicts.map(({ path, kind }) => `  ${kind}\t${path}`).join("\n");
    const what = error.commit ? `applying ${error.commit}` : "the merge";
    return new CliFailure(`error: ${what} has conflicts:\n${lines}`, 1, {
      _tag: error._tag,
      message: error.message,
      ...(error.commit ? { commit: error.commit } : {}),
      conflicts,
    });
  }
  if (error.rejects) {
    // A patch's rejected parts: why and where, then each rejected hunk as the patch gave it.
    const lines = error.rejects.map(({ path, reason, hunk }) => `  ${reason}\t${path}${hunk ? `\n${hunk}` : ""}`);
    return new CliFailure(
      `error: the patch does not apply:\n${lines.join("\n")}`,
      1,
      JSON.parse(JSON.stringify(error)),
    );
  }
  const json = JSON.parse(JSON.stringify(error));
  switch (error._tag) {
    case "HttpError":
      return new CliFailure(
        error.code === undefined
          ? `error: ${error.message}`
          : `error ${error.code}: ${firstMessage(json) ?? error.message}`,
        1,
        json,
      );
    case "TransportError":
      return new CliFailure(`error: no response (${error.message})`, 3, json);
    case "InvalidInputError":
      return new CliFailure(`error: ${error.message}`, 2, json);
    default:
      return new CliFailure(`error: ${error.message}`, 1, json);
  }
}

function firstMessage(json: { body?: { errors?: { message?: string }[] } }): string | undefined {
  return json.body?.errors?.[0]?.message;
}

/**
 * Prints a result: JSON verbatim, or a table of rows (one per item) or of fields (one object), with the `secrets`
 * fields shown as `[REDACTED]`.
 */
export function print(
  value: unknown,
  json: boolean,
  columns?: readonly string[],
  secrets: readonly string[] = [],
): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  if (secrets.length > 0 && typeof value === "object" && value !== null && !Array.isArray(value)) {
    const fields = value as Record<string, unknown>;
    const hidden = secrets.filter((key) => key in fields).map((key) => [key, `${REDACTED} (--json shows it)`]);
    value = { ...fields, ...Object.fromEntries(hidden) };
  }
  if (Array.isArray(value)) {
    process.stdout.write(table(value as Record<string, unknown>[], columns));
    return;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const width = Math.max(0, ...entries.map(([key]) => key.length));
  process.stdout.write(entries.map(([key, field]) => `${key.padEnd(width)}  ${cell(field)}\n`).join(""));
}

function table(rows: Record<string, unknown>[], columns?: readonly string[]): string {
  if (rows.length === 0) return "(none)\n";
  const keys = columns ?? Object.keys(rows[0] ?? {});
  const cells = [keys, ...rows.map((row) => keys.map((key) => cell(row[key])))];
  const widths = keys.map((_, index) => Math.max(...cells.map((line) => (line[index] ?? "").length)));
  return cells
    .map(
      (line) =>
        `${line
          .map((text, index) => text.padEnd(widths[index] ?? 0))
          .join("  ")
          .trimEnd()}\n`,
    )
    .join("");
}

const cell = (value: unknown) =>
  value === null || value === undefined
    ? "-"
    : typeof value === "object"
      ? inspect(value, { breakLength: Infinity })
      : String(value);
