import { err, ok, type Result } from "neverthrow";
import { InvalidInputError, type TransportError } from "../../errors.js";
import { scrub } from "../../secrets.js";
import { GitError } from "../errors.js";
import { type GitObject, packStream } from "./pack.js";
import {
  type Demultiplexed,
  demultiplex,
  FLUSH,
  type Packet,
  packetText,
  pktLine,
  readPackets,
  requestBody,
} from "./pkt-line.js";
import { AGENT, protocolError, type Remote, request } from "./smart-http.js";

/**
 * Writing to a remote with `git-receive-pack`, protocol v1 (Artifacts supports no v2 push): the ref
 * advertisement, then one ref update and its pack, checked against the remote's `report-status`.
 */

export const ZERO_OID = "0000000000000000000000000000000000000000";

export interface RefUpdate {
  ref: string;
  /** The head the update expects (the compare of compare-and-swap), or `ZERO_OID` to create the ref. */
  old: string;
  /** The new head, or `ZERO_OID` to delete the ref (then no pack is sent). */
  new: string;
  /** What the pack holds: packed and deflated as the request is sent (pack.ts). None: an empty pack. */
  objects?: readonly GitObject[];
}

/**
 * Sends one ref update with its pack, streamed. Ok only when the remote reports both the unpack and the ref update
 * done; a refused update is a `GitError` `rejected` with the remote's reason (the caller tells a moved head from
 * it). A `Blob` that changed since it was hashed stops the push (an `InvalidInputError` of `files`).
 */
export async function pushPack(
  remote: Remote,
  update: RefUpdate,
): Promise<Result<void, GitError | TransportError | InvalidInputError>> {
  const deleting = update.new === ZERO_OID;
  const caps = `report-status side-band-64k quiet${deleting ? " delete-refs" : ""} agent=${AGENT}`;
  const commands = requestBody([pktLine(`${update.old} ${update.new} ${update.ref}\0${caps}`), FLUSH]);
  // Made anew each time it is sent (again after a 401: the token renewed).
  let pack: ReturnType<typeof packStream> | undefined;
  const body = () => {
    pack = packStream(update.objects ?? [], commands);
    return pack.body;
  };
  const send = deleting ? commands : body;
  let answer = await request(remote, "git-receive-pack", send);
  // A remote that refuses the token answers before it reads the pack and closes: the write fails (EPIPE) and its
  // answer is lost. Its advertisement says why, as an `auth` error, or renews a refused minted token: then the
  // push goes once more. No refusal there: the connection's failure is the answer.
  if (answer.isErr() && answer.error._tag === "TransportError" && answer.error.reason === "network") {
    const token = remote.token;
    const probe = await request(remote, "git-receive-pack");
    if (probe.isErr() && probe.error._tag === "GitError") answer = err(probe.error);
    else if (probe.isOk() && remote.token !== token) answer = await request(remote, "git-receive-pack", send);
  }
  if (answer.isErr() && pack?.changed) return err(new InvalidInputError(pack.changed.message, "files"));
  return answer.andThen((lines) => report(remote, update.ref, lines));
}

function report(remote: Remote, ref: string, lines: Packet[]): Result<void, GitError> {
  return demultiplex(lines)
    .andThen((demuxed) =>
      readPackets(demuxed.data).map((packets) => ({
        demuxed,
        status: packets.flatMap((packet) => packetText(packet) ?? []),
      })),
    )
    .mapErr((reason) => protocolError(remote, `malformed push report: ${reason}`))
    .andThen(({ demuxed, status }) => verdict(remote, ref, demuxed, status));
}

/** What the report says of the push: done, refused (and why, with what the remote's hooks printed), or unclear. */
function verdict(remote: Remote, ref: string, demuxed: Demultiplexed, status: string[]): Result<void, GitError> {
  // What the remote's hooks printed, to explain a refusal.
  const said = scrub(demuxed.progress.replace(/\s+/g, " ").trim(), remote.token);
  const because = said ? ` (the remote said: ${said.slice(0, 500)})` : "";
  if (demuxed.error !== undefined) {
    return err(new GitError("rejected", scrub(`the push failed: ${demuxed.error}${because}`, remote.token)));
  }
  const unpack = status.find((line) => line.startsWith("unpack "));
  if (unpack === undefined) return err(protocolError(remote, "the remote sent no push report"));
  if (unpack !== "unpack ok") {
    return err(
      new GitError(
        "rejected",
        scrub(`the remote could not store the pack: ${unpack.slice(7)}${because}`, remote.token),
      ),
    );
  }
  const outcome = status.find((line) => line === `ok ${ref}` || line.startsWith(`ng ${ref} `));
  if (outcome === `ok ${ref}`) return ok(undefined);
  if (outcome === undefined) return err(protocolError(remote, `the push report does not mention ${ref}`));
  const reason = outcome.slice(`ng ${ref} `.length);
  return err(new GitError("rejected", scrub(`the remote refused to update ${ref}: ${reason}${because}`, remote.token)));
}
