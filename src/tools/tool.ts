import { toJsonSchema } from "@valibot/to-json-schema";
import type { Result, ResultAsync } from "neverthrow";
import * as v from "valibot";
import { scrub } from "../secrets.js";

/**
 * The one shape every tool has, whichever host runs it (MCP, the AI SDK, an agent loop of your own): a name, a
 * description written for a model, a JSON Schema of its input, MCP's hints, and `execute`, which never throws and
 * never rejects: a failure is a result with `isError: true`.
 */

/**
 * MCP's tool annotations: what a host may tell its user, or decide, before it runs the tool.
 *
 * @example
 * if (tool.annotations.destructiveHint) console.log(`${tool.name} may remove what is there: ask first`);
 */
export interface ToolAnnotations {
  /** The tool changes nothing. */
  readOnlyHint: boolean;
  /** It may remove or overwrite what is there (a repo, a branch, a tag). */
  destructiveHint: boolean;
  /** Calling it again with the same input changes nothing more. */
  idempotentHint: boolean;
}

/**
 * A failure, as a model can act on it: the typed error's `_tag`, its `reason` or code, and a message.
 *
 * @example
 * const done = await tool.execute({ repo: "notes", from: "agent", into: "main" });
 * if (done.isError && done.error._tag === "MergeConflict") console.log(done.error.conflicts);
 */
export interface ToolError {
  _tag: string;
  message: string;
  /** `GitError.reason` ("conflict", "not-found", ...) or `HttpError.reason`. */
  reason?: string;
  /** The Artifacts error code (`HttpError.code`, e.g. 10200 for not found). */
  code?: number;
  status?: number;
  /** `InvalidInputError.field`: which input was refused. */
  field?: string;
  /** A `MergeConflict`'s paths, each with the sides' text where it is text. */
  conflicts?: unknown[];
  /** A `PatchConflict`'s hunks that did not apply. */
  rejects?: unknown[];
  /** The commit a cherry-pick or revert stopped on. */
  commit?: string;
}

/**
 * What a tool's `execute` resolves to: the call's result (JSON-safe), or its error.
 *
 * @example
 * const done: ToolResult = await tool.execute({ repo: "notes", paths: ["README.md"] });
 * console.log(done.isError ? done.error.message : done.result);
 */
export type ToolResult = { isError: false; result: unknown } | { isError: true; error: ToolError };

/**
 * What the host gives a call besides its input.
 *
 * @example
 * await tool.execute({ repo: "notes" }, { signal: AbortSignal.timeout(30_000) });
 */
export interface ToolContext {
  /** Aborts the call (an MCP cancellation, the AI SDK's `abortSignal`). */
  signal?: AbortSignal;
}

/**
 * One tool of the set: what a host lists, and `execute`, which runs it.
 *
 * @example
 * for (const { name, description, inputSchema } of artifactsTools(client)) console.log(name, description, inputSchema);
 */
export interface ArtifactsTool {
  /** The call's name in snake_case: `read_files` for `readFiles`. */
  name: string;
  description: string;
  /** JSON Schema (draft-07) of the input: an object. */
  inputSchema: Record<string, unknown>;
  annotations: ToolAnnotations;
  /** Checks the input, then calls; resolves to the result or the error, never throws or rejects. */
  execute(input: unknown, context?: ToolContext): Promise<ToolResult>;
}

/** What the tool set hands a tool's `run`: the call's options, and the bound of one result. */
export interface RunContext {
  signal: AbortSignal | undefined;
  maxResultBytes: number;
}

/** A tool as the tool set declares it: its input's fields (valibot, the one source of its schema and its check). */
export interface ToolSpec<Entries extends v.ObjectEntries = v.ObjectEntries> {
  name: string;
  description: string;
  input: Entries;
  /** Whether it changes the repo or the namespace (then `readOnly` leaves it out). */
  writes: boolean;
  destructive?: boolean;
  idempotent?: boolean;
  run(
    input: v.InferOutput<v.StrictObjectSchema<Entries, undefined>>,
    context: RunContext,
  ): ResultAsync<unknown, Error> | Promise<Result<unknown, Error>>;
}

/** Declares a tool, its input typed by its fields. */
export const defineTool = <Entries extends v.ObjectEntries>(spec: ToolSpec<Entries>): ToolSpec =>
  spec as unknown as ToolSpec;

/** A tool ready to run: its input checked by the schema its JSON Schema was made from, its output made safe. */
export function buildTool(spec: ToolSpec, redact: (text: string) => string, maxResultBytes: number): ArtifactsTool {
  const schema = v.strictObject(spec.input);
  return {
    name: spec.name,
    description: spec.description,
    inputSchema: toJsonSchema(schema, { errorMode: "ignore" }) as Record<string, unknown>,
    annotations: {
      readOnlyHint: !spec.writes,
      destructiveHint: spec.destructive ?? false,
      idempotentHint: spec.idempotent ?? !spec.writes,
    },
    async execute(input, context = {}) {
      try {
        const parsed = v.safeParse(schema, input);
        if (!parsed.success) {
          const issue = parsed.issues[0];
          const field = issue ? (v.getDotPath(issue) ?? "input") : "input";
          return failed(
            { _tag: "InvalidInputError", field, message: `${field}: ${issue?.message ?? "invalid"}` },
            redact,
          );
        }
        const result = await spec.run(parsed.output as never, { signal: context.signal, maxResultBytes });
        if (result.isErr()) return failed(toolError(result.error), redact);
        return { isError: false, result: bounded(safe(result.value, redact), maxResultBytes) };
      } catch (error) {
        // Not a path any call takes (they return their failures), but a tool must never throw at its host.
        return failed(
          { _tag: "UnexpectedError", message: error instanceof Error ? error.message : String(error) },
          redact,
        );
      }
    },
  };
}

const failed = (error: ToolError, redact: (text: string) => string): ToolResult => ({
  isError: true,
  error: safe(error, redact),
});

/** A typed error of the SDK as a tool error: its data, never its `Response` or stack. */
export function toolError(error: Error): ToolError {
  const fields = error as Error & Partial<ToolError> & { _tag?: string; code?: unknown };
  const found: ToolError = { _tag: fields._tag ?? error.name, message: error.message };
  if (typeof fields.reason === "string") found.reason = fields.reason;
  if (typeof fields.code === "number") found.code = fields.code;
  if (typeof fields.status === "number") found.status = fields.status;
  if (typeof fields.field === "string") found.field = fields.field;
  if (Array.isArray(fields.conflicts)) found.conflicts = fields.conflicts;
  if (Array.isArray(fields.rejects)) found.rejects = fields.rejects;
  if (typeof fields.commit === "string") found.commit = fields.commit;
  return found;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Bytes as a model reads them: UTF-8 text when they are text, else base64. */
export function bytesForModel(bytes: Uint8Array): { text: string } | { base64: string } {
  if (!bytes.includes(0)) {
    try {
      return { text: decoder.decode(bytes) };
    } catch {
      // not UTF-8: base64 below
    }
  }
  let binary = "";
  for (let at = 0; at < bytes.byteLength; at += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  }
  return { base64: btoa(binary) };
}

/** JSON-safe and secret-free: bytes as text or base64, Maps as objects, every string scrubbed of tokens. */
function safe<T>(value: T, redact: (text: string) => string): T {
  const walk = (item: unknown, depth: number): unknown => {
    if (depth > 32) return "[too deep]";
    if (typeof item === "string") return redact(scrub(item));
    if (item instanceof Uint8Array) return walk(bytesForModel(item), depth + 1);
    if (item instanceof Map) return walk(Object.fromEntries(item), depth + 1);
    if (Array.isArray(item)) return item.map((entry) => walk(entry, depth + 1));
    if (item && typeof item === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(item)) {
        // A repo token in an answer (createRepo's, forkRepo's) is the caller's secret, never the model's.
        if (key === "token" || key === "plaintext") continue;
        if (entry !== undefined) out[key] = walk(entry, depth + 1);
      }
      return out;
    }
    return item;
  };
  return walk(value, 0) as T;
}

/** A result past `maxBytes` of JSON: its text cut there, with a note saying so, never the whole. */
function bounded(value: unknown, maxBytes: number): unknown {
  const text = JSON.stringify(value) ?? "null";
  if (text.length <= maxBytes) return value;
  return {
    truncated: true,
    note: `The result was ${text.length} characters, over this tool set's limit of ${maxBytes}: cut there. Ask for less (fewer paths, a lower limit).`,
    partial: text.slice(0, maxBytes),
  };
}
