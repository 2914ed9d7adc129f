import { randomBytes } from "node:crypto";
import { ResultAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { type GitError, readFileStream } from "../../src/git/index.js";
import { heard, MemoryRemote, type RemoteOptions, withEachRequestFailing } from "../support/memory-remote.js";

/**
 * `readFileStream` on a Git remote held in memory: the file's entry and size before its bytes, the bytes as the
 * answer arrives, checked against the file's id (a spoiled or cut pack errors the stream, never ends it cleanly),
 * what it fetches, and the paths that are not files.
 */

const URL = "https://acc.artifacts.cloudflare.net/git/default/notes.git";
const BIG = randomBytes(300_000);
const FILES = {
  "a.txt": "alpha\n",
  "data/big.bin": BIG,
  "run.sh": { mode: "100755", content: "#!/bin/sh\n" },
  lib: { mode: "160000", oid: "5".repeat(40) },
};

function repo(options: RemoteOptions = {}) {
  const remote = new MemoryRemote(options).serve(URL);
  const head = remote.branch("main", remote.commit(FILES));
  return { remote, head, target: { remote: URL, token: remote.options.token } };
}
const fetched = (remote: MemoryRemote) =>
  remote.fetches().map((served) => served.args.filter((arg) => /^(want|deepen|filter)/.test(arg)));
const drain = async (stream: ReadableStream<Uint8Array>) => {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(read.value);
  return { bytes: Buffer.concat(chunks), chunks: chunks.length };
};
const failure = (stream: ReadableStream<Uint8Array>) =>
  drain(stream).then(
    () => undefined,
    (error: unknown) => error,
  );

describe("readFileStream", () => {
  it("gives the file's commit, path, mode and size, then its bytes, fetching its folder's trees and it by id", async () => {
    const { remote, head, target } = repo();
    const file = (await readFileStream(target, { path: "data/big.bin" }))._unsafeUnwrap();
    expect({ ...file, stream: undefined }).toEqual({
      commit: head,
      path: "data/big.bin",
      mode: "100644",
      size: BIG.byteLength,
      stream: undefined,
    });
    const read = await drain(file.stream);
    expect(read.bytes.equals(BIG)).toBe(true);
    expect(read.chunks).toBeGreaterThan(1);
    const blob = remote.blob(BIG);
    expect(fetched(remote)).toEqual([
      ["deepen 1", "filter tree:1", `want ${head}`],
      [expect.stringMatching(/^filter tree:0$/), expect.stringMatching(/^want /)],
      [`want ${blob}`],
    ]);
  });

  it("reads an executable at a tag or commit, and an empty file", async () => {
    const { remote, head, target } = repo();
    const file = (await readFileStream(target, { path: "run.sh", ref: head }))._unsafeUnwrap();
    expect(file.mode).toBe("100755");
    expect((await drain(file.stream)).bytes.toString()).toBe("#!/bin/sh\n");
    remote.branch("empty", remote.commit({ "e.txt": "" }));
    const empty = (await readFileStream(target, { path: "e.txt", ref: "empty" }))._unsafeUnwrap();
    expect(empty.size).toBe(0);
    expect((await drain(empty.stream)).bytes.byteLength).toBe(0);
  });

  it("errors the stream, holding back its last chunk, when the remote sends bytes of another id", async () => {
    const { remote, target } = repo();
    const other = remote.blob(randomBytes(BIG.byteLength));
    remote.tamper = (pack) => (pack.byteLength > BIG.byteLength ? remote.pack([other]) : pack);
    const file = (await readFileStream(target, { path: "data/big.bin" }))._unsafeUnwrap();
    const chunks: Uint8Array[] = [];
    const reader = file.stream.getReader();
    const error = await (async () => {
      for (;;) {
        const read = await reader.read().catch((caught: unknown) => caught);
        if (!(read as ReadableStreamReadResult<Uint8Array>).value) return read;
        chunks.push((read as ReadableStreamReadResult<Uint8Array>).value as Uint8Array);
      }
    })();
    expect(error).toMatchObject({ _tag: "GitError", reason: "protocol" });
    expect((error as Error).message).toMatch(/^the remote sent bytes that are not those of [0-9a-f]{40}$/);
    expect(Buffer.concat(chunks).byteLength).toBeLessThan(BIG.byteLength);
  });

  it("fails, as the call or as its stream, when the pack is cut short or corrupt", async () => {
    const cut = (pack: Buffer) => pack.subarray(0, pack.byteLength - 30);
    const corrupt = (pack: Buffer) => Buffer.concat([pack.subarray(0, -1), Buffer.from([(pack.at(-1) as number) ^ 1])]);
    for (const spoil of [cut, corrupt]) {
      const { remote, target } = repo();
      remote.tamper = (pack) => (pack.byteLength > BIG.byteLength ? spoil(pack) : pack);
      const file = await readFileStream(target, { path: "data/big.bin" });
      // An answer that arrives at once is read at once: its failure is the call's; else the stream's.
      const error = file.isErr() ? file.error : await failure(file.value.stream);
      expect(error).toMatchObject({
        _tag: "GitError",
        reason: "protocol",
        message: expect.stringMatching(/cut short|checksum does not match/),
      });
    }
  });

  it("reads the file whole from the commit where the remote will not send it by id, and says so", async () => {
    const { remote, target } = repo();
    remote.refuseFetch = (args) => (args.some((arg) => arg === `want ${remote.blob(BIG)}`) ? "not our ref" : undefined);
    const { lines, debug } = heard();
    const file = (await readFileStream(target, { path: "data/big.bin" }, { debug }))._unsafeUnwrap();
    expect(file.size).toBe(BIG.byteLength);
    expect((await drain(file.stream)).bytes.equals(BIG)).toBe(true);
    expect(lines.some((line) => line.startsWith("the file could not be streamed by id"))).toBe(true);
  });

  it("is not-found for a path that is missing, a folder, a submodule or below a file", async () => {
    const { target, head } = repo();
    for (const [path, message] of [
      ["nope.txt", `no file nope.txt at ${head}`],
      ["data", `data is a folder at ${head}`],
      ["lib", `lib is a submodule at ${head}`],
      ["a.txt/inner", `no file a.txt/inner at ${head}`],
    ]) {
      expect((await readFileStream(target, { path: path as string }))._unsafeUnwrapErr()).toMatchObject({
        _tag: "GitError",
        reason: "not-found",
        message,
      });
    }
  });

  it("refuses a path that is not a file's, and a bad ref, before any request", async () => {
    const { remote, target } = repo();
    for (const input of [{ path: "docs/" }, { path: "" }, { path: "../x" }, { path: "a.txt", ref: "a..b" }]) {
      const error = (await readFileStream(target, input))._unsafeUnwrapErr();
      expect(error._tag).toBe("InvalidInputError");
    }
    expect(remote.requests).toEqual([]);
  });

  it("ends in a typed error whichever request fails, never a rejection", async () => {
    const outcomes = await withEachRequestFailing(() => {
      const { remote, target } = repo();
      return {
        remote,
        call: () =>
          readFileStream(target, { path: "data/big.bin" }).andThen((file) =>
            // The stream's own failure counts as the call's.
            ResultAsync.fromPromise(new Response(file.stream).arrayBuffer(), (error) => error as GitError),
          ),
      };
    });
    expect(outcomes.length).toBeGreaterThan(3);
    for (const outcome of outcomes) expect(outcome).toMatch(/^\d+ (GET|POST) \S+: TransportError network$/);
  });
});
