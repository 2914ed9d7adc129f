import { describe, expect, it } from "vitest";
import { readFiles } from "../../src/git/index.js";
import { createClient } from "../../src/index.js";
import { MemoryRemote, memoryClient } from "../support/memory-remote.js";

/**
 * A client's read of a few files by exact path comes from the REST contents routes: the commit the ref names
 * (`/log?ref=&limit=1`), then each file at that commit (`/file`), with the client's API token. No repo token is
 * minted and Git is not spoken; anything those routes answer otherwise than expected sends the read to Git.
 */

const URL = "https://acc.artifacts.cloudflare.net/git/default/notes.git";
const FILES = { "a.txt": "alpha\n", "docs/b.txt": "beta\n", "docs/deep/c.txt": "gamma\n" };
const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);

function notes() {
  const remote = new MemoryRemote().serve(URL);
  const head = remote.branch("main", remote.commit(FILES));
  return { remote, head, ...memoryClient({ notes: { remote, url: URL } }) };
}

describe("readFiles of a few named files, with a client", () => {
  it("reads them at one commit in 1 + one request per file, and none of Git", async () => {
    const { remote, head, client, calls } = notes();
    const read = (
      await readFiles(client, "notes", { ref: "main", paths: ["a.txt", "docs/deep/c.txt", "nothing.txt", "docs"] })
    )._unsafeUnwrap();
    expect(read.commit).toBe(head);
    // A path that names no file (or a folder, without its trailing slash) is not among the files, as by Git.
    expect([...read.files].map(([path, bytes]) => [path, text(bytes)])).toEqual([
      ["a.txt", "alpha\n"],
      ["docs/deep/c.txt", "gamma\n"],
    ]);
    expect(read.nonUtf8Files).toEqual([]);
    expect(calls).toEqual([
      "GET repos/notes/log",
      "GET repos/notes/file",
      "GET repos/notes/file",
      "GET repos/notes/file",
      "GET repos/notes/file",
    ]);
    expect(remote.requests).toEqual([]);
  });

  it("sends the ref, then the commit it named, in the query", async () => {
    const { head, client, urls } = notes();
    (await readFiles(client, "notes", { ref: "main", paths: ["docs/b.txt"] }))._unsafeUnwrap();
    expect(urls).toEqual([
      "GET repos/notes/log?ref=main&limit=1",
      `GET repos/notes/file?ref=${head}&path=docs%2Fb.txt`,
    ]);
  });

  it("asks getRepo for the default branch once per client and repo", async () => {
    const { client, calls } = notes();
    (await readFiles(client, "notes", { paths: ["a.txt"] }))._unsafeUnwrap();
    (await readFiles(client, "notes", { paths: ["a.txt"] }))._unsafeUnwrap();
    expect(calls).toEqual([
      "GET repos/notes",
      "GET repos/notes/log",
      "GET repos/notes/file",
      "GET repos/notes/log",
      "GET repos/notes/file",
    ]);
  });

  it("reads by Git what the routes do not answer as expected, and says why through debug", async () => {
    const { remote, head } = notes();
    const { client, calls } = memoryClient({ notes: { remote, url: URL } });
    const heard: string[] = [];
    // No such route on this server: the log is a 404.
    const read = await readFiles(
      client,
      "notes",
      { ref: "no-such-branch", paths: ["a.txt"] },
      { debug: (line) => heard.push(line) },
    );
    expect(read._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", reason: "not-found" });
    expect(heard).toEqual([
      expect.stringMatching(/^the REST contents routes could not name the commit \(.*\): reading by Git$/),
    ]);
    expect(calls.slice(0, 3)).toEqual(["GET repos/notes/log", "GET repos/notes", "POST tokens"]);
    expect(remote.requests[0]).toBe("GET info/refs?service=git-upload-pack");
    expect((await readFiles(client, "notes", { ref: head, paths: ["a.txt"] }))._unsafeUnwrap().commit).toBe(head);
  });

  it("is the read's error when the server cannot be reached, without trying Git", async () => {
    const { remote } = notes();
    const client = createClient({
      accountId: "acc",
      apiToken: "an-api-token-for-tests",
      retry: 0,
      fetch: () => Promise.reject(new TypeError("fetch failed")),
    });
    const read = await readFiles(client, "notes", { ref: "main", paths: ["a.txt"] });
    expect(read._unsafeUnwrapErr()).toMatchObject({ _tag: "TransportError", reason: "network" });
    expect(remote.requests).toEqual([]);
  });

  it("checks the options first, as every call does", async () => {
    const { client, calls } = notes();
    const read = await readFiles(client, "notes", { paths: ["a.txt"] }, { cacheBytes: -1 });
    expect(read._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "cacheBytes" });
    expect(calls).toEqual([]);
  });
});
