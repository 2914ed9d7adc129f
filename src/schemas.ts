import { err, ok, type Result } from "neverthrow";
import * as v from "valibot";
import type * as T from "./types.js";

/**
 * What the server must answer, checked before a value becomes `Ok`. Each schema is typed against its
 * interface in types.ts, so the two cannot drift apart. Objects are loose: fields the API adds later are
 * kept, never rejected.
 */
export type Schema<Output> = v.GenericSchema<unknown, Output>;

export const nullableString = v.nullable(v.string());

/**
 * Checked: what callers match on (`code`) and read (`message`). The optional `documentation_url` and `source` pass
 * as sent, so an odd one (a `null` URL) never costs the caller the error's code.
 */
export const ApiError: Schema<T.ApiError> = v.looseObject({ code: v.number(), message: v.string() });

export const optionalString = v.optional(v.string());
export const optionalNumber = v.optional(v.number());

export const CursorResultInfo: Schema<T.CursorResultInfo> = v.looseObject({
  cursor: v.optional(nullableString),
  per_page: optionalNumber,
  count: optionalNumber,
});

export const OffsetResultInfo: Schema<T.OffsetResultInfo> = v.looseObject({
  page: optionalNumber,
  per_page: optionalNumber,
  total_pages: optionalNumber,
  count: optionalNumber,
  total_count: optionalNumber,
});

/**
 * The envelope as real traffic sends it: error answers sometimes omit `result` or `messages`, so those
 * default to `null` and `[]` and every envelope comes out complete.
 */
export const ApiEnvelope: Schema<T.ApiEnvelope> = v.looseObject({
  result: v.optional(v.unknown(), null),
  success: v.boolean(),
  errors: v.optional(v.array(ApiError), []),
  messages: v.optional(v.array(ApiError), []),
  // Checked where a list expects it (transport.ts `page`): which kind depends on the route.
  result_info: v.optional(v.unknown()) as v.GenericSchema<unknown, T.ResultInfo | undefined>,
});

const repoInfoEntries = {
  id: v.string(),
  name: v.string(),
  description: nullableString,
  default_branch: v.string(),
  created_at: v.string(),
  updated_at: v.string(),
  last_push_at: nullableString,
  source: nullableString,
  read_only: v.boolean(),
  status: optionalString,
};

export const RepoWithRemote: Schema<T.RepoWithRemote> = v.looseObject({ ...repoInfoEntries, remote: v.string() });

const createRepoResultEntries = {
  id: v.string(),
  name: v.string(),
  description: nullableString,
  default_branch: v.string(),
  remote: v.string(),
  token: v.string(),
  token_expires_at: optionalString,
  expires_at: optionalString,
};

export const CreateRepoResult: Schema<T.CreateRepoResult> = v.looseObject(createRepoResultEntries);

export const ForkRepoResult: Schema<T.ForkRepoResult> = v.looseObject({
  ...createRepoResultEntries,
  objects: v.number(),
});

/** `{id}`: what both deletes answer. */
export const Deleted: Schema<T.DeleteRepoResult & T.DeleteTokenResult> = v.looseObject({ id: v.string() });

/**
 * One of `options`, as `v.picklist` checks, in less code: a custom schema, whose predicate is its own check.
 */
const oneOf = <const Options extends readonly string[]>(...options: Options) =>
  v.custom<Options[number]>((value) => options.includes(value as string), `Expected ${options.join(" | ")}`);

const Scope = oneOf("read", "write");

export const TokenInfo: Schema<T.TokenInfo> = v.looseObject({
  id: v.string(),
  scope: Scope,
  state: oneOf("active", "expired", "revoked"),
  created_at: v.string(),
  expires_at: v.string(),
});

export const CreateTokenResult: Schema<T.CreateTokenResult> = v.looseObject({
  id: v.string(),
  plaintext: v.string(),
  scope: Scope,
  expires_at: v.string(),
});

/**
 * `value` as `schema`'s output, or valibot's issues. valibot builds a fresh copy of every object it checks
 * (about 1 µs per repo here, 15–30 % of a listRepos call), yet valid answers are the rule. So each schema is
 * also compiled, once, into a plain predicate that accepts only what valibot would return unchanged; the value
 * itself is then the output. When the predicate says no, valibot runs: it fills defaults or names the issues.
 */
export function validator<Output>(schema: Schema<Output>): Validator<Output> {
  const check = compile(schema as Known);
  return (value) => {
    if (check(value)) return ok(value as Output);
    const parsed = v.safeParse(schema, value);
    return parsed.success ? ok(parsed.output) : err(parsed.issues);
  };
}

/** `value` as the schema's output, or valibot's issues. */
export type Validator<Output> = (value: unknown) => Result<Output, v.BaseIssue<unknown>[]>;

type Predicate = (value: unknown) => boolean;
type Inner = Schema<unknown>;
/** The schema kinds this file uses; any other kind compiles to "ask valibot". */
type Known =
  | v.StringSchema<undefined>
  | v.NumberSchema<undefined>
  | v.BooleanSchema<undefined>
  | v.UnknownSchema
  | v.CustomSchema<unknown, undefined>
  | v.NullableSchema<Inner, unknown>
  | v.OptionalSchema<Inner, unknown>
  | v.ArraySchema<Inner, undefined>
  | v.LooseObjectSchema<Record<string, Inner>, undefined>;

/**
 * Keys JSON.parse makes own properties but valibot's loose objects drop: `Object.assign` would turn an own
 * `__proto__` into a prototype.
 */
const UNSAFE_KEYS = ["__proto__", "prototype", "constructor"];

/** Mirrors each kind's check in valibot 1.x; a default to fill is left to valibot. */
function compile(schema: Known): Predicate {
  switch (schema.type) {
    case "string":
    case "boolean":
      return (value) => typeof value === schema.type;
    case "number":
      return (value) => typeof value === "number" && !Number.isNaN(value);
    case "unknown":
      return () => true;
    case "custom":
      return schema.check;
    case "nullable":
    case "optional": {
      const wrapped = compile(schema.wrapped as Known);
      const empty = schema.type === "nullable" ? null : undefined;
      return (value) => (value === empty ? schema.default === undefined : wrapped(value));
    }
    case "array": {
      const item = compile(schema.item as Known);
      return (value) => Array.isArray(value) && value.every(item);
    }
    case "loose_object": {
      // An absent key reads as `undefined`, which each field's own predicate judges (JSON has no `undefined`).
      const fields = Object.entries(schema.entries).map(([key, entry]) => ({ key, check: compile(entry as Known) }));
      // Plain loops, not every() over destructured pairs: this runs for each of a page's items, on every call.
      return (value) => {
        // valibot copies an array into a plain object, and leaves these keys out of its copy: such values go to it.
        if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
        for (const key of UNSAFE_KEYS) if (Object.hasOwn(value, key)) return false;
        for (const field of fields) if (!field.check((value as Record<string, unknown>)[field.key])) return false;
        return true;
      };
    }
    default:
      return () => false;
  }
}
