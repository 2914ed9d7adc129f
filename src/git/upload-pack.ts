import { err, ok, type Result } from "neverthrow";
import { GitError } from "./errors.js";
import { isOid } from "./hash.js";
import { DELIM, demultiplex, FLUSH, type Packet, packetText, pktLine, requestBody } from "./pkt-line.js";
import { AGENT, type GitResult, protocolError, type Remote, request } from "./smart-http.js";

/**
 * Reading from a remote with `git-upload-pack`, protocol v2 (gitprotocol-v2): the capability advertisement,
 * `ls-refs`, and `fetch` with the shallow and partial-clone arguments this data plane needs.
 */

/** The v2 capabilities, e.g. `fetch` → `"shallow wait-for-done filter"`, `ls-refs` → `"unborn"`. */
export type Capabilities = ReadonlyMap<string, string>;

export async function capabilities(remote: Remote): Promise<GitResult<Capabilities>> {
  const body = await request(remote, "git-upload-pack", undefined, { v2: true });
  return body.andThen((answer) => {
    const parsed = parse(remote, answer);
    if (parsed.isErr()) return err(parsed.error);
    // Smart HTTP puts `# service=git-upload-pack` and a flush before the v2 advertisement.
    const packets = parsed.value;
    const start = packetText(packets[0] ?? { kind: "flush" })?.startsWith("# service=") ? 2 : 0;
    if (packetText(packets[start] ?? { kind: "flush" }) !== "version 2") {
      return err(protocolError(remote, "the Git remote does not speak protocol v2 for git-upload-pack"));
    }
    const lines = untilFlush(remote, packets.slice(start + 1), "capability advertisement");
    if (lines.isErr()) return err(lines.error);
    const caps = new Map<string, string>();
    for (const line of lines.value) {
      const equals = line.indexOf("=");
      caps.set(equals === -1 ? line : line.slice(0, equals), equals === -1 ? "" : line.slice(equals + 1));
    }
    return ok(caps);
  });
}

/** Whether `fetch` takes the argument `feature` (`filter`, `shallow`...). */
export const fetchSupports = (caps: Capabilities, feature: string): boolean =>
  (caps.get("fetch") ?? "").split(" ").includes(feature);

/** A ref as `ls-refs` reports it. `oid` is undefined for an unborn `HEAD` (an empty repo). */
export interface Ref {
  name: string;
  oid: string | undefined;
  /** Where a symbolic ref points (`HEAD` → `refs/heads/main`). */
  target?: string;
  /** What an annotated tag points at. */
  peeled?: string;
}

/** The refs under `prefixes` (`HEAD`, `refs/heads/main`...), with symref targets and peeled tags. */
export async function lsRefs(
  remote: Remote,
  caps: Capabilities,
  prefixes: readonly string[],
): Promise<GitResult<Ref[]>> {
  const args = ["peel", "symrefs", ...((caps.get("ls-refs") ?? "").split(" ").includes("unborn") ? ["unborn"] : [])];
  const body = command("ls-refs", caps, [...args, ...prefixes.map((prefix) => `ref-prefix ${prefix}`)]);
  const answer = await request(remote, "git-upload-pack", body, { v2: true });
  return answer
    .andThen((packets) => parse(remote, packets))
    .andThen((packets) => untilFlush(remote, packets, "ls-refs answer"))
    .andThen((lines) => {
      const refs: Ref[] = [];
      for (const line of lines) {
        const [oid, name, ...attributes] = line.split(" ");
        if (!name || !(oid === "unborn" || isOid(oid)))
          return err(protocolError(remote, `malformed ls-refs line: ${line}`));
        const ref: Ref = { name, oid: oid === "unborn" ? undefined : oid };
        for (const attribute of attributes) {
          if (attribute.startsWith("symref-target:")) ref.target = attribute.slice("symref-target:".length);
          if (attribute.startsWith("peeled:")) ref.peeled = attribute.slice("peeled:".length);
        }
        refs.push(ref);
      }
      return ok(refs);
    });
}

export interface FetchRequest {
  wants: readonly string[];
  /** Only the wanted commits themselves, not their history (`deepen 1`). */
  shallow?: boolean;
  /** The wanted commits and their history this many commits deep (`deepen <n>`); `shallow` is `deepen: 1`. */
  deepen?: number;
  /** A partial-clone filter spec, e.g. `blob:none`; send only when the remote advertises `filter`. */
  filter?: string;
  /** Commits the caller has: what they reach is left out of the pack. */
  haves?: readonly string[];
}

/** Fetches a pack holding `wants` (and what they reach, within `shallow` and `filter`). */
export async function fetchPack(
  remote: Remote,
  caps: Capabilities,
  wanted: FetchRequest,
): Promise<GitResult<Uint8Array>> {
  const args = [
    "no-progress",
    "ofs-delta",
    ...(wanted.shallow || wanted.deepen !== undefined ? [`deepen ${wanted.deepen ?? 1}`] : []),
    ...(wanted.filter ? [`filter ${wanted.filter}`] : []),
    ...wanted.wants.map((oid) => `want ${oid}`),
    ...(wanted.haves ?? []).map((oid) => `have ${oid}`),
    "done",
  ];
  const answer = await request(remote, "git-upload-pack", command("fetch", caps, args), { v2: true });
  return answer.andThen((packets) => parse(remote, packets)).andThen((packets) => packfileSection(remote, packets));
}

/** The sections of a fetch response are `shallow-info`, `wanted-refs`, `packfile`...; the pack is the last. */
function packfileSection(remote: Remote, packets: Packet[]): Result<Uint8Array, GitError> {
  const start = packets.findIndex((packet) => packetText(packet) === "packfile");
  if (start === -1) return err(protocolError(remote, "the fetch response holds no packfile"));
  const section = packets.slice(start + 1);
  return demultiplex(section)
    .mapErr((reason) => protocolError(remote, `malformed fetch response: ${reason}`))
    .andThen(({ data, error }) => {
      if (error !== undefined) return err(remoteFailure(remote, error));
      // The pack ends the response with a flush; without one it was cut short.
      if (!section.some((packet) => packet.kind === "flush")) {
        return err(protocolError(remote, "the fetch response was cut short"));
      }
      return ok(data);
    });
}

/** The text lines before the flush that ends a list; without the flush, the answer was cut short. */
function untilFlush(remote: Remote, packets: readonly Packet[], what: string): Result<string[], GitError> {
  const end = packets.findIndex((packet) => packet.kind !== "data");
  if (end === -1 || packets[end]?.kind !== "flush") return err(protocolError(remote, `the ${what} was cut short`));
  return ok(packets.slice(0, end).map((packet) => packetText(packet) ?? ""));
}

/** A v2 command request: the command, the capabilities this client uses, a delimiter, its arguments. */
function command(name: string, caps: Capabilities, args: readonly string[]): Uint8Array<ArrayBuffer> {
  const head = [`command=${name}`, `agent=${AGENT}`];
  if (caps.has("object-format")) head.push("object-format=sha1");
  return requestBody([...head.map(pktLine), DELIM, ...args.map(pktLine), FLUSH]);
}

/** An answer's packets, unless the remote sent an `ERR` line instead. */
function parse(remote: Remote, packets: Packet[]): Result<Packet[], GitError> {
  for (const packet of packets) {
    // Only a line starting with "E" can be an error; side-band data starts with its band byte (1, 2 or 3).
    const line = packet.kind === "data" && packet.data[0] === 0x45 ? packetText(packet) : undefined;
    if (line?.startsWith("ERR ")) return err(remoteFailure(remote, line.slice(4)));
  }
  return ok(packets);
}

/** What upload-pack says when it refuses: an unknown object is `not-found`, anything else a protocol failure. */
function remoteFailure(remote: Remote, message: string): GitError {
  const error = protocolError(remote, `git-upload-pack: ${message}`);
  return /not our ref|not found|no such|unadvertised object/i.test(message)
    ? new GitError("not-found", error.message)
    : error;
}
