import { err, type Result } from "neverthrow";
import type { InvalidInputError, TransportError } from "../errors.js";
import type { GitError } from "./errors.js";
import { pushPack, type RefUpdate, ZERO_OID } from "./receive-pack.js";
import { refsNamed } from "./refs.js";
import type { Remote } from "./smart-http.js";
import type { Capabilities, Ref } from "./upload-pack.js";

/**
 * The ref moved between the look and the update: another push won the race. What each call makes of it differs (a
 * commit without `parent` re-applies its files, the others report a conflict), so it is said, not worded.
 */
export interface RefMoved {
  _tag: "RefMoved";
  /** The ref as it is now; undefined when it no longer (or does not yet) exist. */
  now: Ref | undefined;
}

/**
 * Pushes one ref update (a compare-and-swap from `update.old`). A refusal is looked at once more: when the ref is no
 * longer at `old`, the push lost a race (`RefMoved`); else the refusal stands, as the remote gave it (or, when the
 * look itself fails, that failure).
 */
export async function pushRef(
  remote: Remote,
  caps: Capabilities,
  update: RefUpdate,
): Promise<Result<void, RefMoved | GitError | TransportError | InvalidInputError>> {
  const pushed = await pushPack(remote, update);
  if (pushed.isOk() || pushed.error._tag !== "GitError" || pushed.error.reason !== "rejected") return pushed;
  const refs = await refsNamed(remote, caps, [update.ref]);
  if (refs.isErr()) return err(refs.error); // the look failed: that failure is what is known
  const now = refs.value.get(update.ref);
  const at = now?.oid ?? ZERO_OID;
  return at === update.old ? err(pushed.error) : err({ _tag: "RefMoved", now });
}
