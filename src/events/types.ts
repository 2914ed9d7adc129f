/**
 * Artifacts events as Queues event subscriptions deliver them, one type per documented event. The docs give one
 * sample per event and no schema (`shared/spec/artifacts-events.md`): every field here is read off those samples,
 * payloads are camelCase where REST is snake_case, and fields a later schema version adds are kept at run time.
 */

/**
 * Where an event comes from: `artifacts` (account-level: repo created, deleted, forked, imported) or
 * `artifacts.repo` (repo-level: pushed, cloned, fetched, token created and revoked).
 *
 * @example
 * if (event.source.type === "artifacts.repo") console.log(event.source.repoName);
 */
export interface EventSource<Type extends "artifacts" | "artifacts.repo"> {
  type: Type;
  namespace: string;
  repoName: string;
}

/**
 * What every Queues event carries besides its payload.
 *
 * @example
 * const when = new Date(event.metadata.eventTimestamp);
 */
export interface EventMetadata {
  accountId: string;
  eventSubscriptionId: string;
  eventSchemaVersion: number;
  /** ISO 8601. */
  eventTimestamp: string;
}

/**
 * A repo as account-level events describe it (no name: it is `source.repoName`).
 *
 * @example
 * if (event.type === "cf.artifacts.repo.created") console.log(event.payload.repoId, event.payload.defaultBranch);
 */
export interface RepoEventPayload {
  repoId: string;
  defaultBranch: string;
  description: string | null;
  readOnly: boolean;
  createdAt: string;
  updatedAt: string;
  /** `null` in every sample; its other type is not shown, and is read here as an ISO 8601 string. */
  lastPushAt: string | null;
}

/**
 * One commit of a push. Ids are 40 characters (the docs' sample is not even hex: they are not checked further).
 *
 * @example
 * for (const commit of event.payload.commits) console.log(commit.id.slice(0, 7), commit.message);
 */
export interface PushedCommit {
  id: string;
  message: string;
  messageTruncated: boolean;
  timestamp: string;
  author: { name: string; email: string };
  committer: { name: string; email: string };
  parents: string[];
}

/**
 * What every event has: its full `type`, where it comes from, its payload and the Queues metadata.
 *
 * @example
 * const shared: Event<"cf.artifacts.repo.cloned", "artifacts.repo", Record<string, unknown>> = event;
 */
export interface Event<Type extends string, Source extends "artifacts" | "artifacts.repo", Payload> {
  type: Type;
  source: EventSource<Source>;
  payload: Payload;
  metadata: EventMetadata;
}

/**
 * A repo was created.
 *
 * @example
 * if (event.type === "cf.artifacts.repo.created") console.log(event.source.repoName);
 */
export type RepoCreatedEvent = Event<"cf.artifacts.repo.created", "artifacts", RepoEventPayload>;
/**
 * A repo was deleted.
 *
 * @example
 * if (event.type === "cf.artifacts.repo.deleted") console.log(event.payload.repoId);
 */
export type RepoDeletedEvent = Event<"cf.artifacts.repo.deleted", "artifacts", RepoEventPayload>;
/**
 * `source` is the repo forked from; `payload.namespace` and `payload.repoName` name the new repo.
 *
 * @example
 * if (event.type === "cf.artifacts.repo.forked") console.log(`${event.source.repoName} → ${event.payload.repoName}`);
 */
export type RepoForkedEvent = Event<
  "cf.artifacts.repo.forked",
  "artifacts",
  RepoEventPayload & { namespace: string; repoName: string }
>;
/**
 * A repo was imported from an external Git remote.
 *
 * @example
 * if (event.type === "cf.artifacts.repo.imported") console.log(event.payload.sourceUrl, event.payload.branch);
 */
export type RepoImportedEvent = Event<
  "cf.artifacts.repo.imported",
  "artifacts",
  RepoEventPayload & { sourceUrl: string; branch: string }
>;
/**
 * Commits pushed to a ref. The list may be cut short (`commitsTruncated`; `totalCommitsCount` says how many).
 *
 * @example
 * if (event.type === "cf.artifacts.repo.pushed") console.log(event.payload.ref, event.payload.after);
 */
export type PushedEvent = Event<
  "cf.artifacts.repo.pushed",
  "artifacts.repo",
  {
    ref: string;
    before: string;
    after: string;
    commits: PushedCommit[];
    totalCommitsCount: number;
    commitsTruncated: boolean;
  }
>;
/**
 * The repo was cloned (its payload is empty).
 *
 * @example
 * if (event.type === "cf.artifacts.repo.cloned") console.log("cloned", event.source.repoName);
 */
export type ClonedEvent = Event<"cf.artifacts.repo.cloned", "artifacts.repo", Record<string, unknown>>;
/**
 * Updates were fetched from the repo (its payload is empty).
 *
 * @example
 * if (event.type === "cf.artifacts.repo.fetched") console.log("fetched", event.source.repoName);
 */
export type FetchedEvent = Event<"cf.artifacts.repo.fetched", "artifacts.repo", Record<string, unknown>>;
/**
 * A repo token was minted; the payload never holds its plaintext.
 *
 * @example
 * if (event.type === "cf.artifacts.repo.token.created") console.log(event.payload.tokenId, event.payload.expiresAt);
 */
export type TokenCreatedEvent = Event<
  "cf.artifacts.repo.token.created",
  "artifacts.repo",
  { tokenId: string; scope: "read" | "write" | (string & {}); expiresAt: string }
>;
/**
 * A repo token was revoked.
 *
 * @example
 * if (event.type === "cf.artifacts.repo.token.revoked") console.log(event.payload.tokenId);
 */
export type TokenRevokedEvent = Event<"cf.artifacts.repo.token.revoked", "artifacts.repo", { tokenId: string }>;

/**
 * Every Artifacts event, discriminated by its full `type`.
 *
 * @example
 * switch (event.type) {
 *   case "cf.artifacts.repo.pushed": console.log(event.payload.after); break;
 *   case "cf.artifacts.repo.token.revoked": console.log(event.payload.tokenId); break;
 * }
 */
export type ArtifactsEvent =
  | RepoCreatedEvent
  | RepoDeletedEvent
  | RepoForkedEvent
  | RepoImportedEvent
  | PushedEvent
  | ClonedEvent
  | FetchedEvent
  | TokenCreatedEvent
  | TokenRevokedEvent;

/**
 * An event's `type`.
 *
 * @example
 * const wanted: ArtifactsEventType[] = ["cf.artifacts.repo.pushed"];
 */
export type ArtifactsEventType = ArtifactsEvent["type"];
