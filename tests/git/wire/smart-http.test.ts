import { afterEach, describe, expect, it, vi } from "vitest";
import { AGENT, protocolError, remoteUrl, request } from "../../../src/git/wire/smart-http.js";
import { remote, TOKEN } from "../../support/git-wire.js";

/**
 * Git smart HTTP, one request at a time, through a stubbed `fetch`: the headers sent, and every way a request ends
 * (an answer, a status, too many bytes, a timeout, the caller's abort, a network failure) as a typed error.
 */

const SECRET = TOKEN.split("?")[0]!;
const flush = "0000";
let seen: Request[] = [];
const answer = (response: () => Response | Promise<Response>) => {
  seen = [];
  vi.stubGlobal("fetch", async (input: string, init: RequestInit) => {
    seen.push(new Request(input, init));
    return response();
  });
};
afterEach(() => vi.unstubAllGlobals());

describe("remoteUrl", () => {
  it("takes an http(s) URL, without trailing slashes", () => {
    expect(remoteUrl("https://a.example/git/default/r.git/")._unsafeUnwrap()).toBe(
      "https://a.example/git/default/r.git",
    );
    expect(remoteUrl("http://127.0.0.1:1/git/x.git")._unsafeUnwrap()).toBe("http://127.0.0.1:1/git/x.git");
  });

  it.each([
    [42, "remote must be an http(s) Git remote URL"],
    ["not a url", "remote must be an http(s) Git remote URL"],
    ["ssh://git@a.example/r.git", "remote must be an http(s) Git remote URL"],
    ["file:///tmp/r.git", "remote must be an http(s) Git remote URL"],
    ["https://x:secret@a.example/r.git", "remote must not hold credentials: pass the token as `token`"],
    ["https://x@a.example/r.git", "remote must not hold credentials: pass the token as `token`"],
  ])("refuses %j", (value, message) => {
    expect(remoteUrl(value)._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", message, field: "remote" });
  });
});

describe("request", () => {
  it("GETs the advertisement with the bearer token, git's user-agent and the v2 header", async () => {
    answer(() => new Response(flush));
    expect((await request(remote(), "git-upload-pack", undefined, { v2: true }))._unsafeUnwrap()).toEqual([
      { kind: "flush" },
    ]);
    const [sent] = seen;
    expect(sent?.method).toBe("GET");
    expect(sent?.url).toBe(`${remote().url}/info/refs?service=git-upload-pack`);
    expect(Object.fromEntries(sent!.headers)).toEqual({
      accept: "application/x-git-upload-pack-advertisement",
      authorization: `Bearer ${TOKEN}`,
      "git-protocol": "version=2",
      "user-agent": `git/${AGENT}`,
    });
    expect(sent?.redirect).toBe("manual");
  });

  it("POSTs a request body with its content type, and no v2 header unless asked", async () => {
    answer(() => new Response(flush));
    await request(
      remote({ headers: { "user-agent": "mine", "x-trace": "1", authorization: "not this" } }),
      "git-receive-pack",
      Uint8Array.of(0x30),
    );
    const [sent] = seen;
    expect(sent?.method).toBe("POST");
    expect(sent?.url).toBe(`${remote().url}/git-receive-pack`);
    expect(Object.fromEntries(sent!.headers)).toEqual({
      accept: "application/x-git-receive-pack-result",
      authorization: `Bearer ${TOKEN}`,
      "content-type": "application/x-git-receive-pack-request",
      "user-agent": "mine",
      "x-trace": "1",
    });
    expect(new Uint8Array(await sent!.arrayBuffer())).toEqual(Uint8Array.of(0x30));
  });

  it.each([
    [401, "auth", "the Git remote refused the token (HTTP 401: go away)"],
    [403, "auth", "the Git remote refused the token (HTTP 403: go away)"],
    [404, "not-found", "no such repository on the Git remote (HTTP 404: go away)"],
    [302, "protocol", "the Git remote answered HTTP 302: go away"],
    [500, "protocol", "the Git remote answered HTTP 500: go away"],
  ])("maps HTTP %i to %s, with the first line the remote said", async (status, reason, message) => {
    answer(() => new Response(status === 302 ? "go away\nmore" : "go away\nmore", { status }));
    expect((await request(remote(), "git-upload-pack"))._unsafeUnwrapErr()).toMatchObject({
      _tag: "GitError",
      reason,
      message,
      status,
    });
  });

  it("says nothing more for an empty error body, and never the token the remote echoes", async () => {
    answer(() => new Response("", { status: 500 }));
    expect((await request(remote(), "git-upload-pack"))._unsafeUnwrapErr().message).toBe(
      "the Git remote answered HTTP 500",
    );
    answer(() => new Response(`bad token ${SECRET}`, { status: 401 }));
    const error = (await request(remote(), "git-upload-pack"))._unsafeUnwrapErr();
    expect(error.message).not.toContain(SECRET);
    expect(error.message).toContain("[REDACTED]");
  });

  it("refuses an answer over maxFetchBytes, declared or streamed, and takes one of exactly that size", async () => {
    answer(() => new Response("0".repeat(10), { headers: { "content-length": "10" } }));
    expect((await request(remote({ maxFetchBytes: 9 }), "git-upload-pack"))._unsafeUnwrapErr()).toMatchObject({
      reason: "protocol",
      maxFetchBytes: 9,
      message: "the Git remote sent more than maxFetchBytes (9 bytes) for git-upload-pack",
    });
    const streamed = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("0000"));
            controller.enqueue(new TextEncoder().encode("0000"));
            controller.close();
          },
        }),
      );
    answer(streamed);
    expect((await request(remote({ maxFetchBytes: 7 }), "git-upload-pack"))._unsafeUnwrapErr()).toMatchObject({
      maxFetchBytes: 7,
    });
    answer(streamed);
    expect((await request(remote({ maxFetchBytes: 8 }), "git-upload-pack"))._unsafeUnwrap()).toHaveLength(2);
  });

  it("takes a declared length of exactly maxFetchBytes", async () => {
    answer(() => new Response("0000000000000000", { headers: { "content-length": "16" } }));
    expect((await request(remote({ maxFetchBytes: 16 }), "git-upload-pack"))._unsafeUnwrap()).toHaveLength(4);
  });

  it("waits as long as an answer takes with timeout false", async () => {
    answer(() => new Promise((resolve) => setTimeout(() => resolve(new Response("0000")), 30)));
    expect((await request(remote({ timeout: false }), "git-upload-pack"))._unsafeUnwrap()).toEqual([{ kind: "flush" }]);
  });

  it("reads an answer without a body as no packets", async () => {
    answer(() => new Response(null, { status: 200 }));
    expect((await request(remote(), "git-upload-pack"))._unsafeUnwrap()).toEqual([]);
  });

  it("ends a request past its timeout as a TransportError timeout", async () => {
    vi.stubGlobal(
      "fetch",
      (_: string, init: RequestInit) =>
        new Promise((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(init.signal?.reason))),
    );
    expect((await request(remote({ timeout: 20 }), "git-upload-pack"))._unsafeUnwrapErr()).toMatchObject({
      _tag: "TransportError",
      reason: "timeout",
      message: "No complete response within 20 ms",
    });
  });

  it("ends at the caller's abort, before sending when already aborted", async () => {
    const controller = new AbortController();
    let calls = 0;
    vi.stubGlobal("fetch", (_: string, init: RequestInit) => {
      calls++;
      return new Promise((_resolve, reject) =>
        init.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
      );
    });
    const pending = request(remote({ signal: controller.signal, timeout: false }), "git-upload-pack");
    controller.abort(new Error("stop"));
    expect((await pending)._unsafeUnwrapErr()).toMatchObject({ _tag: "TransportError", reason: "abort" });
    expect((await request(remote({ signal: controller.signal }), "git-upload-pack"))._unsafeUnwrapErr()).toMatchObject({
      reason: "abort",
    });
    expect(calls).toBe(1);
  });

  it("describes a network failure with its cause, the token scrubbed", async () => {
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("fetch failed", { cause: new Error(`connect ECONNREFUSED for ${SECRET}`) });
    });
    const error = (await request(remote(), "git-upload-pack"))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "TransportError", reason: "network" });
    expect(error.message).toBe("Network error: fetch failed (connect ECONNREFUSED for art_v1_[REDACTED])");
  });

  it("names the service when the framing is broken", async () => {
    answer(() => new Response("zz"));
    expect((await request(remote(), "git-receive-pack"))._unsafeUnwrapErr().message).toBe(
      "malformed answer from git-receive-pack: truncated pkt-line header",
    );
  });
});

describe("protocolError", () => {
  it("is a GitError protocol with the token scrubbed", () => {
    expect(protocolError(remote(), `saw ${SECRET}`)).toMatchObject({
      _tag: "GitError",
      reason: "protocol",
      message: "saw art_v1_[REDACTED]",
    });
  });
});
