/**
 * A Queue consumer for Artifacts events: subscribe a queue to the `artifacts` and `artifacts.repo` sources
 * (`wrangler queues subscription create <queue> --source artifacts ...`), bind this Worker as its consumer, and each
 * event arrives typed. Queues deliver at least once: make what you do with an event safe to repeat.
 *
 *   wrangler.jsonc: { "main": "examples/events-worker.ts", "compatibility_date": "2026-11-01",
 *                     "queues": { "consumers": [{ "queue": "artifacts-events" }] } }
 */
import { type ArtifactsEvent, parseArtifactsEvent } from "cloudflare-artifacts/events";

/** The parts of Workers' `MessageBatch` this consumer uses (`@cloudflare/workers-types` has the full type). */
export interface Batch {
  readonly messages: readonly { readonly body: unknown; ack(): void; retry(): void }[];
}

/** One line per event: what a real consumer would act on (start a build on a push, audit token changes...). */
export function describe(event: ArtifactsEvent): string {
  const repo = `${event.source.namespace}/${event.source.repoName}`;
  switch (event.type) {
    case "cf.artifacts.repo.created":
    case "cf.artifacts.repo.deleted":
      return `${event.type.slice(18)} ${repo} (${event.payload.repoId}, ${event.payload.defaultBranch})`;
    case "cf.artifacts.repo.forked":
      return `forked ${repo} into ${event.payload.namespace}/${event.payload.repoName}`;
    case "cf.artifacts.repo.imported":
      return `imported ${repo} from ${event.payload.sourceUrl} (${event.payload.branch})`;
    case "cf.artifacts.repo.pushed":
      return `pushed ${event.payload.totalCommitsCount} commit(s) to ${repo} ${event.payload.ref}: ${event.payload.after}`;
    case "cf.artifacts.repo.cloned":
    case "cf.artifacts.repo.fetched":
      return `${event.type.slice(18)} ${repo}`;
    case "cf.artifacts.repo.token.created":
      return `token ${event.payload.tokenId} (${event.payload.scope}) for ${repo}, expires ${event.payload.expiresAt}`;
    case "cf.artifacts.repo.token.revoked":
      return `token ${event.payload.tokenId} revoked for ${repo}`;
  }
}

/**
 * Handles a batch: each readable event is described and acknowledged. A body that is not an Artifacts event is
 * acknowledged too, with a note: retrying it would only fail again.
 */
export function handleBatch(batch: Batch): string[] {
  const lines: string[] = [];
  for (const message of batch.messages) {
    const event = parseArtifactsEvent(message.body);
    lines.push(event.isOk() ? describe(event.value) : `skipped: ${event.error.message}`);
    message.ack();
  }
  return lines;
}

export default {
  async queue(batch: Batch): Promise<void> {
    for (const line of handleBatch(batch)) console.log(line);
  },
};
