import * as v from "valibot";
import { redactOnInspect } from "./secrets.js";
import type * as T from "./types.js";

/**
 * What the server must answer, checked before a value becomes `Ok`. Each schema is typed against its
 * interface in types.ts, so the two cannot drift apart. Objects are loose: fields the API adds later are
 * kept, never rejected.
 */
type Schema<Output> = v.GenericSchema<unknown, Output>;

const nullableString = v.nullable(v.string());

export const ApiError: Schema<T.ApiError> = v.looseObject({
  code: v.number(),
  message: v.string(),
  documentation_url: v.optional(v.string()),
  source: v.optional(v.looseObject({ pointer: v.optional(v.string()) })),
});

export const CursorResultInfo: Schema<T.CursorResultInfo> = v.looseObject({
  cursor: v.string(),
  per_page: v.number(),
  count: v.number(),
});

export const OffsetResultInfo: Schema<T.OffsetResultInfo> = v.looseObject({
  page: v.number(),
  per_page: v.number(),
  total_pages: v.number(),
  count: v.number(),
  total_count: v.number(),
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
};

export const RepoWithRemote: Schema<T.RepoWithRemote> = v.looseObject({ ...repoInfoEntries, remote: v.string() });

const createRepoResultEntries = {
  id: v.string(),
  name: v.string(),
  description: nullableString,
  default_branch: v.string(),
  remote: v.string(),
  token: v.string(),
};

const redacting = <Output extends object>(schema: Schema<Output>, fields: readonly (keyof Output & string)[]) =>
  v.pipe(
    schema,
    v.transform((value: Output) => redactOnInspect(value, fields)),
  );

export const CreateRepoResult: Schema<T.CreateRepoResult> = redacting(v.looseObject(createRepoResultEntries), [
  "token",
]);

export const ForkRepoResult: Schema<T.ForkRepoResult> = redacting(
  v.looseObject({ ...createRepoResultEntries, objects: v.number() }),
  ["token"],
);

/** `{id}`: what both deletes answer. */
export const Deleted: Schema<T.DeleteRepoResult & T.DeleteTokenResult> = v.looseObject({ id: v.string() });

const Scope = v.picklist(["read", "write"]);

export const TokenInfo: Schema<T.TokenInfo> = v.looseObject({
  id: v.string(),
  scope: Scope,
  state: v.picklist(["active", "expired", "revoked"]),
  created_at: v.string(),
  expires_at: v.string(),
});

export const CreateTokenResult: Schema<T.CreateTokenResult> = redacting(
  v.looseObject({ id: v.string(), plaintext: v.string(), scope: Scope, expires_at: v.string() }),
  ["plaintext"],
);

export const NamespaceInfo: Schema<T.NamespaceInfo> = v.looseObject({
  namespace: v.string(),
  jurisdiction: v.optional(v.nullable(v.string())),
  repo_count: v.optional(v.number()),
  created_at: v.optional(v.string()),
  updated_at: v.optional(v.string()),
});

/** Commits and tree entries: undocumented shapes, so only "a JSON object" is checked. */
export const JsonObject: Schema<Record<string, unknown>> = v.looseObject({});
