import { describe, expect, it } from "vitest";
import { PackParser } from "../../../src/git/wire/pack-reader.js";
import { DELIM, FLUSH, pktLine, requestBody } from "../../../src/git/wire/pkt-line.js";
import { AGENT } from "../../../src/git/wire/smart-http.js";
import { capabilities, fetchPack, fetchSupports, lsRefs } from "../../../src/git/wire/upload-pack.js";
import { band, bytes, bytesOf, ids, remote, replay, wire } from "../../support/git-wire.js";
import { MemoryRemote } from "../../support/memory-remote.js";

const parser = () => new PackParser({ maxTotalBytes: 64 * 1024 * 1024 });

/**
 * git-upload-pack, protocol v2, replayed from captured exchanges: what the data plane sends (byte for byte) and
 * what it makes of each answer, including the ones a broken or hostile remote could send.
 */

const advertisement = wire["upload-pack advertisement"]!;
const commit = ids.commit;

describe("capabilities", () => {
  it("reads the v2 advertisement into a map", async () => {
    replay(advertisement);
    const caps = (await capabilities(remote()))._unsafeUnwrap();
    expect([...caps]).toEqual([
      ["agent", "git/2.39.5"],
      ["ls-refs", "unborn"],
      ["fetch", "shallow wait-for-done filter"],
      ["server-option", ""],
      ["object-format", "sha1"],
      ["object-info", ""],
    ]);
    expect(fetchSupports(caps, "filter")).toBe(true);
    expect(fetchSupports(caps, "sideband-all")).toBe(false);
  });

  it("skips smart HTTP's `# service=` preamble", async () => {
    const body = bytes("001e# service=git-upload-pack\n", "0000", bytesOf(advertisement, "responseBody"));
    replay({ exchange: advertisement, body });
    expect((await capabilities(remote()))._unsafeUnwrap().get("fetch")).toBe("shallow wait-for-done filter");
  });

  it("refuses a remote that does not speak v2, and an advertisement cut short", async () => {
    replay({ exchange: advertisement, body: "000eversion 1\n0000" });
    expect((await capabilities(remote()))._unsafeUnwrapErr()).toMatchObject({
      _tag: "GitError",
      reason: "protocol",
      message: expect.stringContaining("does not speak protocol v2"),
    });
    replay({ exchange: advertisement, body: "" });
    expect((await capabilities(remote()))._unsafeUnwrapErr().message).toBe(
      "the Git remote does not speak protocol v2 for git-upload-pack",
    );
    replay({ exchange: advertisement, body: "000eversion 2\n0015agent=git/2.39.5\n" });
    expect((await capabilities(remote()))._unsafeUnwrapErr().message).toContain(
      "the capability advertisement was cut short",
    );
  });

  it.each([
    [401, "auth"],
    [403, "auth"],
    [404, "not-found"],
    [500, "protocol"],
  ])("maps a %i to a GitError %s", async (status, reason) => {
    replay({ exchange: advertisement, status, body: "no" });
    expect((await capabilities(remote()))._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", reason });
  });
});

describe("lsRefs", () => {
  const caps = new Map([
    ["ls-refs", "unborn"],
    ["object-format", "sha1"],
  ]);

  it("asks for peeled refs, symrefs and unborn HEAD under the prefixes, and reads them", async () => {
    replay(wire["ls-refs"]!);
    expect((await lsRefs(remote(), caps, ["HEAD", "refs/heads/"]))._unsafeUnwrap()).toEqual([
      { name: "HEAD", oid: commit, target: "refs/heads/main" },
      { name: "refs/heads/main", oid: commit },
    ]);
  });

  it("reads an empty repo's unborn HEAD", async () => {
    replay(wire["ls-refs of an empty repo"]!);
    expect((await lsRefs(remote(), caps, ["HEAD", "refs/heads/"]))._unsafeUnwrap()).toEqual([
      { name: "HEAD", oid: undefined, target: "refs/heads/main" },
    ]);
  });

  it("reads a peeled tag", async () => {
    const tag = `${"a".repeat(40)} refs/tags/v1 peeled:${commit}\n`;
    replay({ exchange: wire["ls-refs"]!, body: `${(tag.length + 4).toString(16).padStart(4, "0")}${tag}0000` });
    expect((await lsRefs(remote(), caps, ["HEAD", "refs/heads/"]))._unsafeUnwrap()).toEqual([
      { name: "refs/tags/v1", oid: "a".repeat(40), peeled: commit },
    ]);
  });

  it.each([
    [`${pktLine("nonsense ref")}0000`, "malformed ls-refs line: nonsense ref"],
    [`${pktLine("HEAD")}0000`, "malformed ls-refs line: HEAD"],
    [pktLine(`${commit} refs/heads/main`), "the ls-refs answer was cut short"],
    [pktLine("ERR upload-pack: access denied"), "git-upload-pack: upload-pack: access denied"],
  ])("refuses %j", async (body, message) => {
    replay({ exchange: wire["ls-refs"]!, body });
    const error = (await lsRefs(remote(), caps, ["HEAD", "refs/heads/"]))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "GitError", reason: "protocol" });
    expect(error.message).toContain(message);
  });

  it("sends no `unborn` and no object-format to a remote that offers neither", async () => {
    const sent = requestBody([
      pktLine("command=ls-refs"),
      pktLine(`agent=${AGENT}`),
      DELIM,
      ...["peel", "symrefs", "ref-prefix HEAD"].map(pktLine),
      FLUSH,
    ]);
    replay({ exchange: { ...wire["ls-refs"]!, requestBody: Buffer.from(sent).toString("base64") }, body: "0000" });
    expect((await lsRefs(remote(), new Map(), ["HEAD"]))._unsafeUnwrap()).toEqual([]);
  });
});

describe("fetchPack", () => {
  const caps = new Map([
    ["fetch", "shallow wait-for-done filter"],
    ["object-format", "sha1"],
  ]);
  const fetched = wire.fetch!;
  const wanted = { wants: [commit], shallow: true, filter: "tree:0" };

  it("asks for the wants, shallow and filtered, and reads the pack of band 1 into its objects", async () => {
    replay(fetched);
    const objects = (await fetchPack(remote(), caps, wanted, parser()))._unsafeUnwrap();
    expect([...objects.keys()]).toEqual([commit]);
    expect(objects.get(commit)?.type).toBe("commit");
  });

  it("reads a pack sent one byte a packet, between empty packets and progress, as git would send it whole", async () => {
    const memory = new MemoryRemote();
    const blob = memory.blob("a file of a few bytes\n");
    const pack = memory.pack([blob, memory.tree([{ mode: "100644", name: "a", oid: blob }])]);
    const packets = [...pack].flatMap((byte) => [band(1, Uint8Array.of(byte)), "0005\x01", band(2, ".")]);
    replay({ exchange: fetched, body: bytes("000dpackfile\n", ...packets, "0000") });
    const objects = (await fetchPack(remote(), caps, wanted, parser()))._unsafeUnwrap();
    expect(new TextDecoder().decode(objects.get(blob)?.content)).toBe("a file of a few bytes\n");
    expect(objects.size).toBe(2);
  });

  it("refuses a pack that cannot be read, and one past the bound on what it inflates to, with maxFetchBytes", async () => {
    const memory = new MemoryRemote();
    const pack = memory.pack([memory.blob("x".repeat(5000))]);
    replay({ exchange: fetched, body: bytes("000dpackfile\n", band(1, pack.subarray(0, -1)), "0000") });
    const cut = (await fetchPack(remote(), caps, wanted, parser()))._unsafeUnwrapErr();
    expect(cut).toMatchObject({ reason: "protocol", maxFetchBytes: undefined });
    expect(cut.message).toContain("the fetched pack is unusable: the pack's checksum does not match");
    replay({ exchange: fetched, body: bytes("000dpackfile\n", band(1, pack), "0000") });
    const big = (await fetchPack(remote(), caps, wanted, new PackParser({ maxTotalBytes: 4000 })))._unsafeUnwrapErr();
    expect(big).toMatchObject({ reason: "protocol", maxFetchBytes: remote().maxFetchBytes });
    expect(big.message).toContain("inflate past 4000 bytes");
  });

  it("says not-found for an object the remote does not have", async () => {
    replay(wire["fetch of an unknown object"]!);
    const error = (await fetchPack(remote(), caps, { wants: ["1".repeat(40)] }, parser()))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "GitError", reason: "not-found" });
    expect(error.message).toContain("not our ref");
  });

  it("refuses an answer with no packfile section, or one cut before its flush", async () => {
    replay({ exchange: fetched, body: "0011shallow-info\n0000" });
    expect((await fetchPack(remote(), caps, wanted, parser()))._unsafeUnwrapErr().message).toContain(
      "holds no packfile",
    );
    const whole = bytesOf(fetched, "responseBody");
    replay({ exchange: fetched, body: whole.subarray(0, whole.byteLength - 4) });
    expect((await fetchPack(remote(), caps, wanted, parser()))._unsafeUnwrapErr().message).toContain("was cut short");
  });

  it("reports the remote's band-3 error, and refuses an unknown band", async () => {
    replay({ exchange: fetched, body: bytes("000dpackfile\n", band(3, "fatal: pack-objects died\n"), "0000") });
    expect((await fetchPack(remote(), caps, wanted, parser()))._unsafeUnwrapErr()).toMatchObject({
      reason: "protocol",
      message: expect.stringContaining("git-upload-pack: fatal: pack-objects died"),
    });
    replay({ exchange: fetched, body: bytes("000dpackfile\n", band(9, "?"), "0000") });
    expect((await fetchPack(remote(), caps, wanted, parser()))._unsafeUnwrapErr().message).toContain(
      "malformed fetch response: unknown side-band 9",
    );
  });

  it("refuses an answer whose framing is broken, naming the service", async () => {
    replay({ exchange: fetched, body: "00" });
    expect((await fetchPack(remote(), caps, wanted, parser()))._unsafeUnwrapErr().message).toContain(
      "malformed fetch response: truncated pkt-line header",
    );
  });
});
