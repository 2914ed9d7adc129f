import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitFiles, readFiles } from "../../src/git/index.js";
import { fetchInto } from "../../src/git/objects/loader.js";
import { ObjectStore } from "../../src/git/objects/store.js";
import { packetText } from "../../src/git/wire/pkt-line.js";
import { type Remote, request } from "../../src/git/wire/smart-http.js";
import { type Capabilities, capabilities, type FetchRequest, lsRefs } from "../../src/git/wire/upload-pack.js";
import { createRepo, createToken, getRepo } from "../../src/index.js";
import { useLocalServer } from "../support/local-server.js";
import { MemoryRemote } from "../support/memory-remote.js";
import { type Simulator, simulatorAvailable, startSimulator } from "../support/simulator.js";

/** The refs of receive-pack's advertisement (what a push's `auth` probe reads), capabilities left out. */
const advertisedRefs = async (remote: Remote) =>
  (await request(remote, "git-receive-pack")).map((packets) =>
    packets.flatMap((packet) => packetText(packet)?.split("\0")[0] ?? []).filter((line) => !line.startsWith("# ")),
  );

/**
 * The remote in memory the unit tests of src/git run on (tests/support/memory-remote.ts) answers as git does: the
 * same repo, built on both, gives the same refs and, for every kind of fetch the data plane makes, a pack of the
 * same objects as `git http-backend` (the local server's). A fake that drifted from git would make the unit tests
 * prove nothing; this suite is what says it has not.
 */

const local = useLocalServer();
const author = { name: "Ada", email: "ada@example.com", timestamp: 1_767_225_600, timezoneOffset: 0 };
const FILES = { "a.txt": "alpha\n", "docs/b.txt": "beta\n", "docs/deep/c.txt": "gamma\n", "z.txt": "z\n" };
const NEXT = { ...FILES, "docs/b.txt": "BETA\n", "n.txt": "n\n" };
const MEMORY_URL = "https://acc.artifacts.cloudflare.net/git/default/twin.git";

const remoteOf = (url: string, token: string): Remote => ({
  url,
  token,
  signal: undefined,
  timeout: 10_000,
  headers: undefined,
  maxFetchBytes: 1 << 24,
  debug: () => {},
});

/** The ids of the objects a remote sends for `request`, sorted. */
const sent = async (remote: Remote, caps: Capabilities, request: FetchRequest) =>
  (await fetchInto(remote, caps, new ObjectStore(), request))._unsafeUnwrap().sort();

describe("the remote in memory, beside git http-backend", () => {
  it("has the same refs and sends the same objects for each kind of fetch", async () => {
    const { client } = local;
    const repo = (await createRepo(client, { name: "twin" }))._unsafeUnwrap();
    const first = (await commitFiles(client, "twin", { message: "work", author, files: FILES }))._unsafeUnwrap();
    const later = { ...author, timestamp: author.timestamp + 1 };
    const files = { "docs/b.txt": "BETA\n", "n.txt": "n\n" };
    const second = (await commitFiles(client, "twin", { message: "next", author: later, files }))._unsafeUnwrap();
    const token = (await createToken(client, { repo: "twin", scope: "write" }))._unsafeUnwrap().plaintext;

    const memory = new MemoryRemote({ token }).serve(MEMORY_URL);
    const c1 = memory.commit(FILES, [], "work");
    const c2 = memory.branch("main", memory.commit(NEXT, [c1], "next", 1));
    // Built the same way, the commits are the same objects: the comparison below is of like with like.
    expect([c1, c2]).toEqual([first.commit, second.commit]);

    const git = remoteOf(repo.remote, token);
    const twin = remoteOf(MEMORY_URL, token);
    const [gitCaps, twinCaps] = [(await capabilities(git))._unsafeUnwrap(), (await capabilities(twin))._unsafeUnwrap()];
    expect(twinCaps.get("fetch")).toBe(gitCaps.get("fetch"));
    expect(await lsRefs(twin, twinCaps, ["HEAD", "refs/heads/"])).toEqual(
      await lsRefs(git, gitCaps, ["HEAD", "refs/heads/"]),
    );
    expect(await advertisedRefs(twin)).toEqual(await advertisedRefs(git));

    const tree = (commit: string) => memory.commitOf(commit).tree;
    const entry = (treeId: string, name: string) => memory.entries(treeId).find((e) => e.name === name)?.oid as string;
    const docs = entry(tree(c2), "docs");
    const requests: FetchRequest[] = [
      { wants: [c2], shallow: true, filter: "tree:1" },
      { wants: [c2], shallow: true, filter: "tree:0" },
      { wants: [c2], shallow: true },
      { wants: [c2] },
      { wants: [c2], filter: "tree:0" },
      { wants: [c2], haves: [c1] },
      { wants: [c2], haves: [c1], filter: "tree:0" },
      { wants: [tree(c2), docs], filter: "tree:0" },
      { wants: [docs, tree(c2)], filter: "tree:0" },
      { wants: [tree(c2), entry(tree(c2), "a.txt")] },
      { wants: [docs] },
      { wants: [entry(tree(c2), "a.txt"), entry(docs, "b.txt")] },
    ];
    for (const request of requests) {
      const named = JSON.stringify(request);
      expect({ named, objects: await sent(twin, twinCaps, request) }).toEqual({
        named,
        objects: await sent(git, gitCaps, request),
      });
    }
  });
});

describe("git's walk of several wanted trees, on git http-backend", () => {
  it("leaves out a wanted tree an earlier want holds; the data plane asks for it again, with no fallback", async () => {
    const { client } = local;
    (await createRepo(client, { name: "shadow" }))._unsafeUnwrap();
    const files = { "a/cache/k": "k\n", "cache/k": "k\n", "z.txt": "z" };
    (await commitFiles(client, "shadow", { message: "work", author, files }))._unsafeUnwrap();
    const token = (await createToken(client, { repo: "shadow", scope: "read" }))._unsafeUnwrap().plaintext;
    const target = { remote: (await getRepo(client, "shadow"))._unsafeUnwrap().remote, token };
    const heard: string[] = [];
    // On a token: no REST source to hide a fallback behind.
    const read = await readFiles(target, { paths: ["a/", "cache/"] }, { debug: (line) => heard.push(line) });
    expect([...read._unsafeUnwrap().files.keys()].sort()).toEqual(["a/cache/k", "cache/k"]);
    expect(heard).toEqual([]);
  });
});

describe.runIf(simulatorAvailable)("the remote in memory without filter, beside Cloudflare's simulator", () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startSimulator();
  }, 90_000);
  afterAll(() => simulator?.close());

  it("advertises what the simulator does, and sends the same objects for each fetch the data plane makes there", async () => {
    const repo = await simulator.create("twin");
    const target = { remote: repo.remote, token: repo.token };
    const first = (await commitFiles(target, { message: "work", author, files: FILES }))._unsafeUnwrap();
    const later = { ...author, timestamp: author.timestamp + 1 };
    const files = { "docs/b.txt": "BETA\n", "n.txt": "n\n" };
    const second = (await commitFiles(target, { message: "next", author: later, files }))._unsafeUnwrap();

    const memory = new MemoryRemote({ token: repo.token, filter: false }).serve(MEMORY_URL);
    const c1 = memory.commit(FILES, [], "work");
    const c2 = memory.branch("main", memory.commit(NEXT, [c1], "next", 1));
    expect([c1, c2]).toEqual([first.commit, second.commit]);

    const sim = remoteOf(repo.remote, repo.token);
    const twin = remoteOf(MEMORY_URL, repo.token);
    const [simCaps, twinCaps] = [(await capabilities(sim))._unsafeUnwrap(), (await capabilities(twin))._unsafeUnwrap()];
    expect(twinCaps.get("fetch")).toBe(simCaps.get("fetch"));
    expect(await lsRefs(twin, twinCaps, ["HEAD", "refs/heads/"])).toEqual(
      await lsRefs(sim, simCaps, ["HEAD", "refs/heads/"]),
    );
    expect(await advertisedRefs(twin)).toEqual(await advertisedRefs(sim));

    const tree = memory.commitOf(c2).tree;
    const blobs = memory
      .entries(tree)
      .filter((entry) => entry.mode === "100644")
      .map((entry) => entry.oid);
    const requests: FetchRequest[] = [{ wants: [c2], shallow: true }, { wants: [c2] }, { wants: blobs }];
    for (const request of requests) {
      const named = JSON.stringify(request);
      expect({ named, objects: await sent(twin, twinCaps, request) }).toEqual({
        named,
        objects: await sent(sim, simCaps, request),
      });
    }
  });
});
