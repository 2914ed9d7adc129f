import { describe, expect, it, vi } from "vitest";
import { pktLine } from "../../../src/git/wire/pkt-line.js";
import { pushPack, ZERO_OID } from "../../../src/git/wire/receive-pack.js";
import { band, bytes, bytesOf, ids, remote, replay, TOKEN, wire } from "../../support/git-wire.js";

/**
 * git-receive-pack, protocol v1, replayed from captured exchanges: the ref advertisement, one ref update with its
 * pack (sent byte for byte as captured), and every verdict a `report-status` can carry.
 */

const commit = ids.commit;
const stale = wire["push of a stale head"]!;
const created = wire["push of a branch"]!;

/** A push answer: side-band 1 holding the report-status lines, then the closing flushes. */
const report = (...lines: string[]) => bytes(band(1, bytes(...lines.map(pktLine), "0000")), "0000");

describe("pushPack", () => {
  it("creates a branch: the update line with its capabilities, the pack, and an `ok` report", async () => {
    replay(created);
    expect((await pushPack(remote(), { ref: "refs/heads/copy", old: ZERO_OID, new: commit })).isOk()).toBe(true);
  });

  it("deletes a branch with delete-refs and no pack", async () => {
    replay(wire["delete of a branch"]!);
    expect((await pushPack(remote(), { ref: "refs/heads/copy", old: commit, new: ZERO_OID })).isOk()).toBe(true);
  });

  it("reports a refused update as rejected, with what the remote said", async () => {
    replay(stale);
    const objects = [{ type: "blob" as const, content: new TextEncoder().encode("beta\n") }];
    const error = (
      await pushPack(remote(), { ref: "refs/heads/main", old: "2".repeat(40), new: commit, objects })
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "GitError", reason: "rejected" });
    expect(error.message).toMatch(
      /^the remote refused to update refs\/heads\/main: failed to update ref \(the remote said: error: cannot lock ref 'refs\/heads\/main': is at [0-9a-f]{40} but expected 2{40}\)$/,
    );
  });

  const update = async () => ({
    ref: "refs/heads/copy",
    old: ZERO_OID,
    new: commit,
  });

  it.each([
    [
      "an unpack failure",
      report("unpack index-pack abnormal exit"),
      "rejected",
      "could not store the pack: index-pack abnormal exit",
    ],
    ["no unpack line", report("ok refs/heads/copy"), "protocol", "the remote sent no push report"],
    ["no word of the ref", report("unpack ok", "ok refs/heads/other"), "protocol", "does not mention refs/heads/copy"],
    [
      "a band-3 error",
      bytes(band(2, "hook says no\n"), band(3, "fatal: the hook died\n")),
      "rejected",
      "the push failed: fatal: the hook died (the remote said: hook says no)",
    ],
    ["an unknown band", bytes(band(9, "?"), "0000"), "protocol", "malformed push report: unknown side-band 9"],
    [
      "a broken report inside band 1",
      bytes(band(1, "00"), "0000"),
      "protocol",
      "malformed push report: truncated pkt-line header",
    ],
  ])("reads %s", async (_, body, reason, message) => {
    replay({ exchange: created, body });
    const error = (await pushPack(remote(), await update()))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "GitError", reason });
    expect(error.message).toContain(message);
  });

  it("never shows the token a remote's hook echoes back", async () => {
    const secret = remote().token.split("?")[0]!;
    replay({
      exchange: created,
      body: bytes(
        band(2, `token was ${secret}\n`),
        band(1, bytes(pktLine("unpack ok"), pktLine(`ng refs/heads/copy hook saw ${secret}`), "0000")),
        "0000",
      ),
    });
    const error = (await pushPack(remote(), await update()))._unsafeUnwrapErr();
    expect(error.message).not.toContain(secret);
    expect(error.message).toContain("[REDACTED]");
  });

  it("maps a refused token to auth", async () => {
    replay({ exchange: created, status: 403, body: "this token is read-only\n" });
    expect((await pushPack(remote(), await update()))._unsafeUnwrapErr()).toMatchObject({ reason: "auth" });
  });
});

describe("pushPack to a remote that refuses the token before it reads the pack", () => {
  // Such a remote answers 403 and closes while the pack is still being written: fetch fails (EPIPE), unanswered.
  const serve = (advertisement: (token: string) => Response) => {
    const sent: string[] = [];
    vi.stubGlobal("fetch", async (input: string, init: RequestInit) => {
      const request = new Request(input, init);
      const token = request.headers.get("authorization")?.slice("Bearer ".length) ?? "";
      sent.push(
        `${request.method} ${new URL(request.url).pathname.split("/").pop()} ${token === TOKEN ? "old" : token}`,
      );
      if (request.method === "GET") return advertisement(token);
      if (token === TOKEN) throw new TypeError("fetch failed", { cause: new Error("write EPIPE") });
      return new Response(report("unpack ok", "ok refs/heads/copy"));
    });
    return sent;
  };
  const advertised = () => new Response(bytesOf(wire["receive-pack advertisement"]!, "responseBody"));
  const update = async () => ({ ref: "refs/heads/copy", old: ZERO_OID, new: commit });

  it("asks its advertisement why: a refusal there is the push's auth error", async () => {
    const sent = serve(() => new Response("Artifacts token requires write scope\n", { status: 403 }));
    const error = (await pushPack(remote(), await update()))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "GitError", reason: "auth", status: 403 });
    expect(error.message).toContain("requires write scope");
    expect(sent).toEqual(["POST git-receive-pack old", "GET refs old"]);
  });

  it("pushes once more when the advertisement renewed a refused minted token", async () => {
    const sent = serve((token) => (token === TOKEN ? new Response("expired", { status: 401 }) : advertised()));
    const renewed = remote({ renew: async () => "art_v1_0123456789abcdef0123456789abcdef01234567?expires=9999999999" });
    (await pushPack(renewed, await update()))._unsafeUnwrap();
    const fresh = renewed.token;
    expect(sent).toEqual([
      "POST git-receive-pack old",
      "GET refs old",
      `GET refs ${fresh}`,
      `POST git-receive-pack ${fresh}`,
    ]);
  });

  it("is the connection's failure when the advertisement takes the token", async () => {
    const sent = serve(advertised);
    expect((await pushPack(remote(), await update()))._unsafeUnwrapErr()).toMatchObject({
      _tag: "TransportError",
      reason: "network",
    });
    expect(sent).toEqual(["POST git-receive-pack old", "GET refs old"]);
  });
});
