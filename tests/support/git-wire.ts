import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, vi } from "vitest";
import { DELIM, FLUSH, pktLine, requestBody } from "../../src/git/wire/pkt-line.js";
import { AGENT, type Remote } from "../../src/git/wire/smart-http.js";

/**
 * Replays Git exchanges captured from a real `git http-backend` (tests/fixtures/git-wire.json, made by
 * tests/support/capture-git-wire.ts) through a stubbed `fetch`: no server, no git binary. Each request the code
 * sends must be the captured one, byte for byte, and gets the captured answer (or a spoiled copy of it).
 */

export interface Exchange {
  method: string;
  path: string;
  gitProtocol: string | null;
  requestBody: string;
  status: number;
  contentType: string | null;
  responseBody: string;
}

const fixtures = JSON.parse(readFileSync(join(import.meta.dirname, "../fixtures/git-wire.json"), "utf8")) as {
  ids: { commit: string; second: string };
  exchanges: Record<string, Exchange>;
  flows: Record<string, Exchange[]>;
};
/** The captured exchanges, one request and answer each, by what they do. */
export const wire = fixtures.exchanges;
/** Every exchange of a whole call (`commitFiles`, `readFiles` on a token), in order. */
export const flows = fixtures.flows;
/** The commits of the captured repo: `commit` (a.txt), then `second` (docs/b.txt added). */
export const ids = fixtures.ids;

export const bytesOf = (exchange: Exchange, side: "requestBody" | "responseBody") =>
  new Uint8Array(Buffer.from(exchange[side], "base64"));

export const REMOTE_URL = "https://acc.artifacts.cloudflare.net/git/default/wire.git";
export const TOKEN = `art_v1_${"ab".repeat(20)}?expires=1893456000`;

export const remote = (overrides: Partial<Remote> = {}): Remote => ({
  url: REMOTE_URL,
  token: TOKEN,
  signal: undefined,
  timeout: 5_000,
  headers: undefined,
  maxFetchBytes: 1 << 20,
  debug: () => {},
  ...overrides,
});

/** An answer to serve: a captured exchange, optionally with its answer replaced. */
export interface Served {
  exchange: Exchange;
  status?: number;
  body?: Uint8Array | string;
}

/**
 * Serves `answers` to the code under test: each request gets the answer of the first capture it equals (method,
 * path, `git-protocol`, body, byte for byte; a call that sends in parallel may send in any order), and a request
 * that equals none fails the call. Every request must carry the token.
 */
export function replay(...answers: (Exchange | Served)[]): { requests: Request[]; unmatched: string[] } {
  const requests: Request[] = [];
  const unmatched: string[] = [];
  const queue = answers.map((answer) => ("exchange" in answer ? answer : { exchange: answer }));
  vi.stubGlobal("fetch", async (input: string, init: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request);
    const url = new URL(request.url);
    const path = `${url.pathname.replace(/^\/git\/default\/wire\.git/, "")}${url.search}`;
    const body = Buffer.from(await request.arrayBuffer()).toString("base64");
    const index = queue.findIndex(
      ({ exchange }) =>
        exchange.method === request.method &&
        exchange.path === path &&
        exchange.gitProtocol === request.headers.get("git-protocol") &&
        exchange.requestBody === body,
    );
    if (index === -1 || request.headers.get("authorization") !== `Bearer ${TOKEN}`) {
      unmatched.push(`${request.method} ${path} ${Buffer.from(body, "base64").toString("latin1").slice(0, 200)}`);
      throw new TypeError(`no captured exchange for ${request.method} ${path}`);
    }
    const [next] = queue.splice(index, 1) as [Served];
    const answer = next.body ?? bytesOf(next.exchange, "responseBody");
    return new Response(typeof answer === "string" ? answer : (answer as Uint8Array<ArrayBuffer>), {
      status: next.status ?? next.exchange.status,
      headers: next.exchange.contentType ? { "content-type": next.exchange.contentType } : {},
    });
  });
  return { requests, unmatched };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

const encoder = new TextEncoder();
/** A pkt-line of raw bytes (a side-band packet): 4 hex digits of length, then the payload. */
export const packet = (payload: Uint8Array | string): Uint8Array => {
  const data = typeof payload === "string" ? encoder.encode(payload) : payload;
  const head = encoder.encode((data.byteLength + 4).toString(16).padStart(4, "0"));
  const out = new Uint8Array(head.byteLength + data.byteLength);
  out.set(head);
  out.set(data, head.byteLength);
  return out;
};
/** A side-band packet of `band` carrying `payload`. */
export const band = (number: 1 | 2 | 3 | 9, payload: Uint8Array | string) => {
  const data = typeof payload === "string" ? encoder.encode(payload) : payload;
  return packet(Uint8Array.from([number, ...data]));
};
export const bytes = (...parts: (Uint8Array | string)[]) =>
  Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part) : Buffer.from(part))));

/** The ls-refs the code must send for `prefixes` (to a remote offering `unborn`), answered with `lines`. */
export const lsRefs = (prefixes: string[], lines: string[]): Served => ({
  exchange: {
    ...wire["ls-refs"]!,
    requestBody: Buffer.from(
      requestBody([
        pktLine("command=ls-refs"),
        pktLine(`agent=${AGENT}`),
        pktLine("object-format=sha1"),
        DELIM,
        ...["peel", "symrefs", "unborn", ...prefixes.map((prefix) => `ref-prefix ${prefix}`)].map(pktLine),
        FLUSH,
      ]),
    ).toString("base64"),
  },
  body: `${lines.map(pktLine).join("")}0000`,
});

/** A captured flow with its ls-refs exchanges left out: for a target that asks for other refs (`lsRefs`). */
export const withoutLsRefs = (flow: Exchange[]) =>
  flow.filter(
    (exchange) => !Buffer.from(exchange.requestBody, "base64").toString("latin1").includes("command=ls-refs"),
  );
