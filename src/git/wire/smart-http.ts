import { err, ok, type Result, safeTry } from "neverthrow";
import { bounds } from "../../bounded.js";
import { joinBytes } from "../../bytes.js";
import { aborted, InvalidInputError, type TransportError, timedOut, unreachable } from "../../errors.js";
import { scrub } from "../../secrets.js";
import type { CallOptions } from "../../transport.js";
import { VERSION } from "../../version.js";
import { GitError } from "../errors.js";
import type { Kept } from "../objects/cache.js";
import { type Packet, readPackets } from "./pkt-line.js";

/**
 * Git smart HTTP, one request at a time: the remote's URL and token, the caller's signal and timeout, and the
 * mapping of every way a request can end to a typed error. The protocols (upload-pack.ts, receive-pack.ts) build
 * on this and never touch `fetch` themselves.
 */

/** A repo's Git remote, as one call of the data plane uses it. */
export interface Remote {
  /** `https://.../<repo>.git`, without a trailing slash. */
  readonly url: string;
  /** The repo token, sent as `Authorization: Bearer <token>`; replaced when `renew` gives another. */
  token: string;
  /**
   * Gives a token in place of one the remote refused (401): a minted one minted anew, or the caller's function asked
   * again. Used once a call: after it, a refusal is the call's `auth` error.
   */
  renew?: (() => Promise<string | undefined>) | undefined;
  readonly signal: AbortSignal | undefined;
  /** Per request, covering its whole body; `false` for none. */
  readonly timeout: number | false;
  /** The caller's extra headers, under this SDK's own (auth, protocol). */
  readonly headers: CallOptions["headers"];
  /** The most one response may hold: more is a `GitError` (with `maxFetchBytes` set), read no further. */
  readonly maxFetchBytes: number;
  /** Progress notes that are not errors (a fallback taken, a retry): the call's `debug` option. */
  readonly debug: (message: string) => void;
  /** What calls through the same target keep (cache.ts): capabilities, objects. */
  readonly kept?: Kept;
}

export type Service = "git-upload-pack" | "git-receive-pack";
export type GitResult<T> = Result<T, GitError | TransportError>;

/** What this SDK calls itself on the wire; servers that speak smart HTTP expect a `git/` user-agent. */
export const AGENT = `cloudflare-artifacts/${VERSION}`;

/** Checks a remote given by the caller: an http(s) URL without credentials in it. */
export function remoteUrl(remote: unknown): Result<string, InvalidInputError> {
  const url = typeof remote === "string" && URL.canParse(remote) ? new URL(remote) : undefined;
  if (url?.protocol !== "https:" && url?.protocol !== "http:") {
    return err(new InvalidInputError("remote must be an http(s) Git remote URL", "remote"));
  }
  if (url.username || url.password) {
    return err(new InvalidInputError("remote must not hold credentials: pass the token as `token`", "remote"));
  }
  return ok(url.href.replace(/\/+$/, ""));
}

/**
 * GETs a service's advertisement (`info/refs?service=...`), or POSTs a request to it, and splits the whole answer
 * into pkt-lines: for the short answers (advertisements, ref lists, push reports). A non-2xx answer is a `GitError`
 * (401/403 `auth`, 404 `not-found`, anything else `protocol`), as is malformed framing; no answer is a
 * `TransportError`.
 */
export async function request(
  remote: Remote,
  service: Service,
  body?: RequestBody,
  options: { v2?: boolean } = {},
): Promise<GitResult<Packet[]>> {
  const answer = await exchange(remote, service, body, options, whole);
  return answer.andThen((bytes) =>
    readPackets(bytes).mapErr((reason) => protocolError(remote, `malformed answer from ${service}: ${reason}`)),
  );
}

/**
 * A 2xx answer's body as it arrives: each chunk in turn, `undefined` at its end. Past `maxFetchBytes` (counted as
 * received: on the wire) the rest is left unread and it is a `GitError` with `maxFetchBytes` set; a connection that
 * fails, times out or is aborted midway is a `TransportError`.
 */
export interface Body {
  next(): Promise<GitResult<Uint8Array | undefined>>;
}

/** Reads a whole body (short answers only: the bound is the caller's maxFetchBytes). */
export async function whole(body: Body): Promise<GitResult<Uint8Array>> {
  return safeTry(async function* () {
    const chunks: Uint8Array[] = [];
    for (;;) {
      const chunk = yield* await body.next();
      if (chunk === undefined) return ok(joinBytes(chunks));
      chunks.push(chunk);
    }
  });
}

/** A request's body: bytes, or a stream made anew for each time it is sent (a push sent again after a 401). */
export type RequestBody = Uint8Array<ArrayBuffer> | (() => ReadableStream<Uint8Array>);

/** What a refused token asks for: the request sent again with the token `renew` gave. */
const RENEWED = Symbol("renewed");

/**
 * Sends one request (a stream body goes as it is produced: `duplex: "half"`) and has `read` take a 2xx answer's
 * body as it arrives; the call's timeout and signal cover both, until `read` is done. A 401 on a token the call can
 * renew (`Remote.renew`) sends it once more with the new one. The one place `./git` calls `fetch`.
 */
export async function exchange<T>(
  remote: Remote,
  service: Service,
  body: RequestBody | undefined,
  options: { v2?: boolean },
  /** `signal` aborts when the call's timeout or signal ends the exchange (for a reader that is not pulling). */
  read: (body: Body, signal: AbortSignal) => Promise<GitResult<T>>,
): Promise<GitResult<T>> {
  for (;;) {
    const answer = await exchangeOnce(remote, service, typeof body === "function" ? body() : body, options, read);
    if (answer !== RENEWED) return answer;
  }
}

async function exchangeOnce<T>(
  remote: Remote,
  service: Service,
  body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | undefined,
  options: { v2?: boolean },
  read: (body: Body, signal: AbortSignal) => Promise<GitResult<T>>,
): Promise<GitResult<T> | typeof RENEWED> {
  const url = body ? `${remote.url}/${service}` : `${remote.url}/info/refs?service=${service}`;
  const headers = new Headers(remote.headers as HeadersInit | undefined);
  headers.set("authorization", `Bearer ${remote.token}`);
  if (!headers.has("user-agent")) headers.set("user-agent", `git/${AGENT}`);
  headers.set("accept", body ? `application/x-${service}-result` : `application/x-${service}-advertisement`);
  if (body) headers.set("content-type", `application/x-${service}-request`);
  if (options.v2) headers.set("git-protocol", "version=2");

  const { signal, timeout } = remote;
  if (signal?.aborted) return err(aborted(signal));
  const bound = bounds(signal, timeout);
  const ended = bound.signal();
  const failed = (error: unknown) =>
    err(bound.late() ? timedOut(timeout) : unreachable(error, (text) => scrub(text, remote.token), signal));
  try {
    // Redirects are answered, never followed: the token must not go to another origin.
    const response = await fetch(url, {
      method: body ? "POST" : "GET",
      headers,
      body,
      redirect: "manual",
      signal: ended,
      ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);
    if (response.status === 401 && remote.renew) {
      const renew = remote.renew;
      remote.renew = undefined;
      await response.body?.cancel().catch(() => {});
      const fresh = await renew().catch(() => undefined);
      if (fresh === undefined) return err(statusError(remote, 401, new Uint8Array()));
      remote.token = fresh;
      remote.debug("the Git remote refused the call's token: sending the request again with a new one");
      return RENEWED;
    }
    const overLimit = () =>
      new GitError(
        "protocol",
        `the Git remote sent more than maxFetchBytes (${remote.maxFetchBytes} bytes) for ${service}`,
        undefined,
        remote.maxFetchBytes,
      );
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > remote.maxFetchBytes) {
      await response.body?.cancel().catch(() => {});
      return err(overLimit());
    }
    const incoming = bound.body(response.body, remote.maxFetchBytes);
    const answer: Body = {
      async next() {
        try {
          const chunk = await incoming.next();
          return chunk === false ? err(overLimit()) : ok(chunk);
        } catch (error) {
          return failed(error);
        }
      },
    };
    if (!response.ok) {
      const said = await whole(answer);
      return err(said.isErr() ? said.error : statusError(remote, response.status, said.value));
    }
    const result = await read(answer, ended);
    // What `read` left unread (it stopped at a malformed packet, or its error) is not waited for.
    await incoming.cancel();
    return result;
  } catch (error) {
    return failed(error);
  } finally {
    bound.done();
  }
}

function statusError(remote: Remote, status: number, body: Uint8Array): GitError {
  const said = scrub(new TextDecoder().decode(body.subarray(0, 512)).trim().split("\n")[0] ?? "", remote.token);
  const detail = said ? `: ${said}` : "";
  if (status === 401 || status === 403) {
    return new GitError("auth", `the Git remote refused the token (HTTP ${status}${detail})`, status);
  }
  if (status === 404)
    return new GitError("not-found", `no such repository on the Git remote (HTTP 404${detail})`, status);
  return new GitError("protocol", `the Git remote answered HTTP ${status}${detail}`, status);
}

/** A protocol failure with the remote's own words, secrets removed. */
export function protocolError(remote: Remote, message: string): GitError {
  return new GitError("protocol", scrub(message, remote.token));
}
