import { err, ok, type Result, safeTry } from "neverthrow";
import { GitError } from "../errors.js";
import { isOid } from "../objects/hash.js";
import { PackError, type PackObject, type PackParser } from "./pack-reader.js";
import { DELIM, FLUSH, type Packet, PacketReader, packetText, pktLine, requestBody } from "./pkt-line.js";
import { AGENT, type Body, exchange, type GitResult, protocolError, type Remote, request } from "./smart-http.js";

/**
 * Reading from a remote with `git-upload-pack`, protocol v2 (gitprotocol-v2): the capability advertisement,
 * `ls-refs`, and `fetch` with the shallow and partial-clone arguments this data plane needs.
 */

/** The v2 capabilities, e.g. `fetch` → `"shallow wait-for-done filter"`, `ls-refs` → `"unborn"`. */
export type Capabilities = ReadonlyMap<string, string>;

/** The remote's capabilities: asked once per target and remote (they do not change between calls), then kept. */
export async function capabilities(remote: Remote): Promise<GitResult<Capabilities>> {
  const kept = remote.kept?.caps.get(remote.url);
  if (kept) return ok(kept);
  const asked = await advertisement(remote);
  if (asked.isOk()) remote.kept?.caps.set(remote.url, asked.value);
  return asked;
}

async function advertisement(remote: Remote): Promise<GitResult<Capabilities>> {
  const body = await request(remote, "git-upload-pack", undefined, { v2: true });
  return body.andThen((answer) =>
    safeTry(function* () {
      const packets = yield* parse(remote, answer);
      // Smart HTTP puts `# service=git-upload-pack` and a flush before the v2 advertisement.
      const start = packetText(packets[0] ?? { kind: "flush" })?.startsWith("# service=") ? 2 : 0;
      if (packetText(packets[start] ?? { kind: "flush" }) !== "version 2") {
        return err(protocolError(remote, "the Git remote does not speak protocol v2 for git-upload-pack"));
      }
      const lines = yield* untilFlush(remote, packets.slice(start + 1), "capability advertisement");
      const caps = new Map<string, string>();
      for (const line of lines) {
        const equals = line.indexOf("=");
        caps.set(equals === -1 ? line : line.slice(0, equals), equals === -1 ? "" : line.slice(equals + 1));
      }
      return ok(caps);
    }),
  );
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

/**
 * Fetches a pack holding `wants` (and what they reach, within `shallow` and `filter`), read as it arrives: pkt-lines
 * and side-band demultiplexed chunk by chunk into `parser`, so neither the answer nor the pack is ever held whole.
 * A pack that cannot be read is a `GitError` (`protocol`; with `maxFetchBytes` set when past a bound of size).
 */
export async function fetchPack(
  remote: Remote,
  caps: Capabilities,
  wanted: FetchRequest,
  parser: PackParser,
): Promise<GitResult<Map<string, PackObject>>> {
  return exchange(remote, "git-upload-pack", fetchBody(caps, wanted), { v2: true }, async (body) =>
    safeTry(async function* () {
      const answer = new FetchAnswer(remote, body, parser);
      while (!(yield* await answer.step()));
      return ok(parser.objects);
    }),
  );
}

/** The `fetch` command for `wanted`. */
export function fetchBody(caps: Capabilities, wanted: FetchRequest): Uint8Array<ArrayBuffer> {
  return command("fetch", caps, [
    "no-progress",
    "ofs-delta",
    ...(wanted.shallow || wanted.deepen !== undefined ? [`deepen ${wanted.deepen ?? 1}`] : []),
    ...(wanted.filter ? [`filter ${wanted.filter}`] : []),
    ...wanted.wants.map((oid) => `want ${oid}`),
    ...(wanted.haves ?? []).map((oid) => `have ${oid}`),
    "done",
  ]);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const PACKFILE = encoder.encode("packfile");
const ERR = encoder.encode("ERR ");

/**
 * A fetch answer read a chunk at a time (`step`): its sections (`acknowledgments`, `shallow-info`...) skipped up to
 * `packfile`, then its side-band packets: band 1 into the parser, band 2 (progress) dropped, band 3 the remote's
 * error; a flush ends it. Small band-1 payloads are gathered per chunk received, so a flood of tiny packets costs no
 * more than its bytes.
 */
export class FetchAnswer {
  private phase: "sections" | "pack" | "done" = "sections";
  private failure: GitError | undefined;
  private readonly gathered = new Uint8Array(64 * 1024);
  private held = 0;
  private readonly reader = new PacketReader((length, bytes, start) => this.packet(length, bytes, start));

  constructor(
    private readonly remote: Remote,
    private readonly body: Body,
    private readonly parser: PackParser,
  ) {}

  /** Reads the next chunk into the parser: `true` once the answer has ended and its pack was whole. */
  async step(): Promise<GitResult<boolean>> {
    return safeTry(
      async function* (this: FetchAnswer) {
        const { remote } = this;
        const chunk = yield* await this.body.next();
        const ended = chunk === undefined;
        const malformed = ended ? this.reader.end() : (this.reader.push(chunk as Uint8Array) ?? this.flush());
        if (this.failure) return err(this.failure);
        if (malformed !== undefined) return err(protocolError(remote, `malformed fetch response: ${malformed}`));
        if (!ended) return ok(false);
        if (this.phase === "sections") return err(protocolError(remote, "the fetch response holds no packfile"));
        // The pack ends the response with a flush; without one it was cut short.
        if (this.phase === "pack") return err(protocolError(remote, "the fetch response was cut short"));
        try {
          this.parser.end();
          return ok(true);
        } catch (error) {
          return err(packFailure(remote, error));
        }
      }.bind(this),
    );
  }

  private packet(length: number, bytes: Uint8Array, start: number): string | undefined {
    const from = start + 4;
    const to = start + length;
    if (this.phase === "done") return undefined;
    if (this.phase === "sections") {
      if (length < 4) return undefined;
      if (startsWith(bytes, from, to, ERR)) {
        return this.fail(remoteFailure(this.remote, decoder.decode(bytes.subarray(from + 4, to)).replace(/\n$/, "")));
      }
      if (startsWith(bytes, from, to, PACKFILE) && to - from <= PACKFILE.byteLength + 1) this.phase = "pack";
      return undefined;
    }
    if (length < 4) {
      if (length !== 0) return "a delimiter inside the packfile section";
      this.phase = "done";
      return this.flush();
    }
    const band = bytes[from];
    if (band === 1) {
      const size = to - from - 1;
      if (size >= 4096) return this.flush() ?? this.feed(bytes.subarray(from + 1, to));
      if (this.held + size > this.gathered.byteLength) {
        const stop = this.flush();
        if (stop !== undefined) return stop;
      }
      this.gathered.set(bytes.subarray(from + 1, to), this.held);
      this.held += size;
      return undefined;
    }
    if (band === 2) return undefined;
    if (band === 3) return this.fail(remoteFailure(this.remote, decoder.decode(bytes.subarray(from + 1, to)).trim()));
    return `unknown side-band ${band}`;
  }

  private fail(failure: GitError): string {
    this.failure = failure;
    return failure.message;
  }

  private feed(bytes: Uint8Array): string | undefined {
    try {
      this.parser.push(bytes);
      return undefined;
    } catch (error) {
      return this.fail(packFailure(this.remote, error));
    }
  }

  private flush(): string | undefined {
    const bytes = this.gathered.subarray(0, this.held);
    this.held = 0;
    return bytes.byteLength > 0 ? this.feed(bytes) : undefined;
  }
}

function startsWith(bytes: Uint8Array, from: number, to: number, prefix: Uint8Array): boolean {
  if (to - from < prefix.byteLength) return false;
  for (let index = 0; index < prefix.byteLength; index++) if (bytes[from + index] !== prefix[index]) return false;
  return true;
}

/** A pack that cannot be read: past a bound of size, the call ends (as past maxFetchBytes on the wire). */
function packFailure(remote: Remote, error: unknown): GitError {
  const reason = error instanceof Error ? error.message : String(error);
  const failure = protocolError(remote, `the fetched pack is unusable: ${reason}`);
  return error instanceof PackError && error.bound
    ? new GitError("protocol", failure.message, undefined, remote.maxFetchBytes)
    : failure;
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
