import { Result, type ResultAsync } from "neverthrow";
import * as v from "valibot";
import type { Client } from "./client.js";
import type { ArtifactsError } from "./errors.js";
import type * as S from "./schemas.js";
import { bytes, type CallOptions, type RawExpectation, route, send, single } from "./transport.js";
import type { CommitInfo, LogQuery, RawContent, TreeEntry } from "./types.js";

/** What each route answers, declared once so its schema is compiled once (schemas.ts `validate`). */
/** Commits and tree entries: undocumented shapes, so only "a JSON object" is checked. */
export const JsonObject: S.Schema<Record<string, unknown>> = v.looseObject({});
const objects = single(v.array(JsonObject));
const object = single(JsonObject);

/*
 * Read-only repo contents under `/repos/{name}`. The JSON routes answer in the envelope; the byte routes answer
 * raw bytes on success and the envelope on error, so both end in the same `ArtifactsError`.
 */

/**
 * A repo's commit log, newest first. `GET /repos/{name}/log`.
 *
 * @example
 * const log = await getLog(client, "notes", { ref: "main", limit: 10 });
 */
export function getLog(
  client: Client,
  name: string,
  query: LogQuery = {},
  options?: CallOptions,
): ResultAsync<CommitInfo[], ArtifactsError> {
  return send(client, { method: "get", path: route`repos/${{ name }}/log`, query, expect: objects }, options);
}

/**
 * One commit by its 40-hex hash. `GET /repos/{name}/commit/{hash}`.
 *
 * @example
 * const commit = await getCommit(client, "notes", "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
 */
export function getCommit(
  client: Client,
  name: string,
  hash: string,
  options?: CallOptions,
): ResultAsync<CommitInfo, ArtifactsError> {
  return send(client, { method: "get", path: route`repos/${{ name }}/commit/${{ hash }}`, expect: object }, options);
}

/**
 * The entries of a tree by its 40-hex hash. `GET /repos/{name}/tree/{hash}`.
 *
 * @example
 * const entries = await getTree(client, "notes", treeHash);
 */
export function getTree(
  client: Client,
  name: string,
  hash: string,
  options?: CallOptions,
): ResultAsync<TreeEntry[], ArtifactsError> {
  return send(client, { method: "get", path: route`repos/${{ name }}/tree/${{ hash }}`, expect: objects }, options);
}

/**
 * A blob's bytes by its 40-hex hash. `GET /repos/{name}/blob/{hash}`.
 *
 * @example
 * const blob = await getBlob(client, "notes", blobHash);
 * if (blob.isOk()) console.log(new TextDecoder().decode(blob.value));
 */
export function getBlob(
  client: Client,
  name: string,
  hash: string,
  options?: CallOptions,
): ResultAsync<Uint8Array, ArtifactsError> {
  return send(client, { method: "get", path: route`repos/${{ name }}/blob/${{ hash }}`, expect: bytes }, options);
}

/**
 * A file's bytes at a ref. `GET /repos/{name}/file?ref=&path=`.
 *
 * @example
 * const readme = await getFile(client, "notes", { ref: "main", path: "README.md" });
 */
export function getFile(
  client: Client,
  name: string,
  query: { ref: string; path: string },
  options?: CallOptions,
): ResultAsync<Uint8Array, ArtifactsError> {
  return send(
    client,
    {
      method: "get",
      path: route`repos/${{ name }}/file`,
      query,
      expect: bytes,
    },
    options,
  );
}

const withContentType: RawExpectation<RawContent> = {
  raw: (body, response) => ({
    bytes: body,
    contentType: response.headers.get("content-type") ?? "application/octet-stream",
  }),
};

/**
 * A file at a ref with the content type the server sniffed. `GET /repos/{name}/raw/{ref}/{path}`: each part of
 * `path` stays its own encoded segment (`docs/a b.md` → `docs/a%20b.md`), and `ref` is one segment.
 *
 * @example
 * const page = await getRaw(client, "site", "main", "docs/index.html");
 * if (page.isOk()) console.log(page.value.contentType);
 */
export function getRaw(
  client: Client,
  name: string,
  ref: string,
  path: string,
  options?: CallOptions,
): ResultAsync<RawContent, ArtifactsError> {
  const segments = typeof path === "string" ? path.split("/") : [path];
  // Each segment of the path encoded on its own, so its slashes stay: the first refused is the error.
  const filePath = Result.combine([
    route`repos/${{ name }}/raw/${{ ref }}`,
    ...segments.map((segment) => route`${{ path: segment }}`),
  ]).map((parts) => parts.join("/"));
  return send(client, { method: "get", path: filePath, expect: withContentType }, options);
}
