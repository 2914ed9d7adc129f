/**
 * cloudflare-artifacts/events: Artifacts events (repo created, pushed, token revoked...) as Queues deliver them,
 * parsed into one discriminated union. Its own subpath: the core's bundle does not carry these schemas.
 */
import { err, ok, type Result } from "neverthrow";
import * as v from "valibot";
import { InvalidInputError } from "../errors.js";
import { scrub } from "../secrets.js";
import { ArtifactsEvent } from "./schemas.js";

export type * from "./types.js";

/**
 * Reads a Queues message body (the object, or its JSON text) into a typed Artifacts event, or an
 * `InvalidInputError` naming what did not fit: an unknown `type`, a missing or mistyped field. Never throws.
 *
 * @example
 * export default {
 *   async queue(batch: MessageBatch<unknown>) {
 *     for (const message of batch.messages) {
 *       const event = parseArtifactsEvent(message.body);
 *       if (event.isOk() && event.value.type === "cf.artifacts.repo.pushed") console.log(event.value.payload.after);
 *       message.ack();
 *     }
 *   },
 * };
 */
export function parseArtifactsEvent(body: unknown): Result<T.ArtifactsEvent, InvalidInputError> {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      return err(new InvalidInputError("the event is not JSON", "body"));
    }
  }
  let parsed: v.SafeParseResult<typeof ArtifactsEvent>;
  try {
    parsed = v.safeParse(ArtifactsEvent, value);
  } catch {
    // A getter or Proxy that throws while it is read: what it threw may hold anything, so it is not repeated.
    return err(new InvalidInputError("the event cannot be read", "body"));
  }
  if (parsed.success) return ok(parsed.output);
  const [issue] = parsed.issues;
  // valibot's message repeats the value it received, which may be a repo token: scrubbed, as the path is.
  const path = scrub(issue.path?.map((item) => String(item.key)).join(".") ?? "");
  return err(
    new InvalidInputError(`not an Artifacts event: ${path ? `${path}: ` : ""}${scrub(issue.message)}`, path || "body"),
  );
}

import type * as T from "./types.js";
