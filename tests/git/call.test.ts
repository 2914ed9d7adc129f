import { err, ok, okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/errors.js";
import { gitCall, gitLookup, gitQuery } from "../../src/git/call.js";
import { MemoryRemote, memoryClient } from "../support/memory-remote.js";

/**
 * One declaration per call (call.ts): the overloads of every `./git` call, its input checked before anything is
 * sent, its repo reached with the call's token and options, its algorithm run there, and nothing thrown.
 */

const URL = "https://acc.artifacts.cloudflare.net/git/default/notes.git";
const FORK_URL = "https://acc.artifacts.cloudflare.net/git/default/fork.git";

/** A call that names the remote it reached and the input it was given, checked. */
const echo = gitCall<{ word: string }, { url: string; word: string; repo: string | undefined }>({
  scope: "read",
  check: (input) =>
    typeof (input as { word?: unknown })?.word === "string"
      ? ok(input as { word: string })
      : err(new InvalidInputError("word must be a string", "word")),
  run: async (access, { word }, { repo }) => ok({ url: access.remote.url, word, repo }),
});

describe("gitCall", () => {
  it("takes a client and the repo's name, and reaches its remote with a minted token", async () => {
    const remote = new MemoryRemote().serve(URL);
    const { client, calls } = memoryClient({ notes: { remote, url: URL } });
    expect((await echo(client, "notes", { word: "hi" }))._unsafeUnwrap()).toEqual({
      url: URL,
      word: "hi",
      repo: "notes",
    });
    expect(calls).toEqual(["GET repos/notes", "POST tokens"]);
  });

  it("takes { remote, token }, with nothing before its input", async () => {
    const remote = new MemoryRemote().serve(URL);
    const target = { remote: URL, token: remote.options.token };
    expect((await echo(target, { word: "hi" }))._unsafeUnwrap()).toEqual({ url: URL, word: "hi", repo: undefined });
  });

  it("refuses a bad input before any request, and a bad option too", async () => {
    const remote = new MemoryRemote().serve(URL);
    const { client, calls } = memoryClient({ notes: { remote, url: URL } });
    const refused = await echo(client, "notes", { word: 5 } as never);
    expect(refused._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "word" });
    const badOption = await echo(client, "notes", { word: "hi" }, { maxFetchBytes: -1 });
    expect(badOption._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "maxFetchBytes" });
    expect(calls).toEqual([]);
    expect(remote.requests).toEqual([]);
  });

  it("uses options.token as given: no token minted", async () => {
    const remote = new MemoryRemote().serve(URL);
    const { client, calls } = memoryClient({ notes: { remote, url: URL } });
    const done = await echo(client, "notes", { word: "hi" }, { token: remote.options.token });
    expect(done.isOk()).toBe(true);
    expect(calls).toEqual(["GET repos/notes"]);
  });

  it("resolves a throw of the algorithm, or of a getter of the caller's, to an Err", async () => {
    const remote = new MemoryRemote().serve(URL);
    const target = { remote: URL, token: remote.options.token };
    const broken = gitCall<{ word: string }, never>({
      scope: "read",
      check: (input) => ok(input as { word: string }),
      run: async () => {
        throw new Error(`a bug, holding ${remote.options.token}`);
      },
    });
    const failed = (await broken(target, { word: "x" }))._unsafeUnwrapErr();
    expect(failed).toMatchObject({ _tag: "GitError", reason: "protocol" });
    expect(failed.message).not.toContain(remote.options.token);
    const trap = Object.defineProperty({}, "word", {
      get() {
        throw new Error("trap");
      },
    });
    expect((await echo(target, trap as never))._unsafeUnwrapErr()).toMatchObject({
      _tag: "InvalidInputError",
      message: "the input could not be read: trap",
    });
  });

  it("gives the algorithm a way to reach another repo of the namespace, with its own token", async () => {
    const remote = new MemoryRemote().serve(URL);
    const fork = new MemoryRemote().serve(FORK_URL);
    const { client, calls } = memoryClient({ notes: { remote, url: URL }, fork: { remote: fork, url: FORK_URL } });
    const both = gitCall<{ word: string }, string[]>({
      scope: "write",
      check: (input) => ok(input as { word: string }),
      run: (here, _, { reach }) => reach("fork", "read").map((there) => [here.remote.url, there.remote.url]),
    });
    expect((await both(client, "notes", { word: "x" }))._unsafeUnwrap()).toEqual([URL, FORK_URL]);
    expect(calls.sort()).toEqual(["GET repos/fork", "GET repos/notes", "POST tokens", "POST tokens"]);
  });

  it("answers from `first` when it has the answer, and by Git when it says undefined", async () => {
    const remote = new MemoryRemote().serve(URL);
    const { client, calls } = memoryClient({ notes: { remote, url: URL } });
    const cheap = gitCall<{ word: string }, string>({
      scope: "read",
      check: (input) => ok(input as { word: string }),
      first: (_, { input }) => okAsync(input.word === "cheap" ? "without Git" : undefined),
      run: async () => ok("by Git"),
    });
    expect((await cheap(client, "notes", { word: "cheap" }))._unsafeUnwrap()).toBe("without Git");
    expect(calls).toEqual([]);
    expect((await cheap(client, "notes", { word: "dear" }))._unsafeUnwrap()).toBe("by Git");
    expect(calls).toEqual(["GET repos/notes", "POST tokens"]);
  });
});

describe("gitQuery and gitLookup", () => {
  it("a query's input may be left out; a lookup takes none, its options right after the target", async () => {
    const remote = new MemoryRemote().serve(URL);
    const target = { remote: URL, token: remote.options.token };
    const query = gitQuery<{ word?: string }, string>({
      scope: "read",
      check: (input) => ok((input ?? {}) as { word?: string }),
      run: async (_, { word }) => ok(word ?? "nothing"),
    });
    expect((await query(target))._unsafeUnwrap()).toBe("nothing");
    expect((await query(target, { word: "said" }))._unsafeUnwrap()).toBe("said");
    const lookup = gitLookup<string>({ scope: "read", run: async (access) => ok(access.remote.url) });
    expect((await lookup(target))._unsafeUnwrap()).toBe(URL);
    // The options are the lookup's second argument: a bad one is refused as such.
    const refused = await lookup(target, { cacheBytes: -1 });
    expect(refused._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "cacheBytes" });
  });
});
