import * as v from "valibot";
import type * as T from "./types.js";

/**
 * The events' schemas, built from the documented samples: every documented field checked for its JSON type,
 * nothing more (the `pushed` sample's commit ids are not hex, so ids are only strings), and objects loose, so the
 * fields a later schema version adds are kept.
 */

const metadata = v.looseObject({
  accountId: v.string(),
  eventSubscriptionId: v.string(),
  eventSchemaVersion: v.number(),
  eventTimestamp: v.string(),
});

const source = <Type extends "artifacts" | "artifacts.repo">(type: Type) =>
  v.looseObject({ type: v.literal(type), namespace: v.string(), repoName: v.string() });

const repo = {
  repoId: v.string(),
  defaultBranch: v.string(),
  description: v.nullable(v.string()),
  readOnly: v.boolean(),
  createdAt: v.string(),
  updatedAt: v.string(),
  lastPushAt: v.nullable(v.string()),
};

const person = v.looseObject({ name: v.string(), email: v.string() });

const event = <Type extends T.ArtifactsEventType, Source extends "artifacts" | "artifacts.repo", Payload>(
  type: Type,
  from: Source,
  payload: v.GenericSchema<unknown, Payload>,
) => v.looseObject({ type: v.literal(type), source: source(from), payload, metadata });

export const ArtifactsEvent: v.GenericSchema<unknown, T.ArtifactsEvent> = v.variant("type", [
  event("cf.artifacts.repo.created", "artifacts", v.looseObject(repo)),
  event("cf.artifacts.repo.deleted", "artifacts", v.looseObject(repo)),
  event(
    "cf.artifacts.repo.forked",
    "artifacts",
    v.looseObject({ ...repo, namespace: v.string(), repoName: v.string() }),
  ),
  event(
    "cf.artifacts.repo.imported",
    "artifacts",
    v.looseObject({ ...repo, sourceUrl: v.string(), branch: v.string() }),
  ),
  event(
    "cf.artifacts.repo.pushed",
    "artifacts.repo",
    v.looseObject({
      ref: v.string(),
      before: v.string(),
      after: v.string(),
      commits: v.array(
        v.looseObject({
          id: v.string(),
          message: v.string(),
          messageTruncated: v.boolean(),
          timestamp: v.string(),
          author: person,
          committer: person,
          parents: v.array(v.string()),
        }),
      ),
      totalCommitsCount: v.number(),
      commitsTruncated: v.boolean(),
    }),
  ),
  event("cf.artifacts.repo.cloned", "artifacts.repo", v.looseObject({})),
  event("cf.artifacts.repo.fetched", "artifacts.repo", v.looseObject({})),
  event(
    "cf.artifacts.repo.token.created",
    "artifacts.repo",
    v.looseObject({ tokenId: v.string(), scope: v.string(), expiresAt: v.string() }),
  ),
  event("cf.artifacts.repo.token.revoked", "artifacts.repo", v.looseObject({ tokenId: v.string() })),
]);
