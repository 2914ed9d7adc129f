import { err, ok, type Result } from "neverthrow";
import { joinBytes } from "../bytes.js";
import { aborted, InvalidInputError, type TransportError, timedOut, unreachable } from "../errors.js";
import { scrub } from "../secrets.js";
import type { CallOptions } from "../transport.js";
import { VERSION } from "../version.js";
import { GitError } from "./errors.js";
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
  /** The repo token, sent as `Authorization: Bearer <token>`. */
  readonly token: string;
  readonly signal: AbortSignal | undefined;
  /** Per request, covering its whole body; `false` for none. */
  readonly timeout: number | false;
  /** The caller's extra headers, under this SDK's own (auth, protocol). */
  readonly headers: CallOptions["headers"];
  /** The most one response may hold: more is a `GitError` (with `maxFetchBytes` set), read no further. */
  readonly maxFetchBytes: number;
  /** Progress notes that are not errors (a fallback taken, a retry): the call's `debug` option. */
  readonly debug: (message: string) => void;
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
 * GETs a service's advertisement (`info/refs?service=...`), or POSTs a request to it, and splits the answer into
 * pkt-lines. A non-2xx answer is a `GitError` (401/403 `auth`, 404 `not-found`, anything else `protocol`), as is
 * malformed framing; no answer is a `TransportError`.
 */
export async function request(
  remote: Remote,
  service: Service,
  body?: Uint8Array<ArrayBuffer>,
  options: { v2?: boolean } = {},
): Promise<GitResult<Packet[]>> {
  const answer = await exchange(remote, service, body, options);
  return answer.andThen((bytes) =>
    readPackets(bytes).mapErr((reason) => protocolError(remote, `malformed answer from ${service}: ${reason}`)),
  );
}

async function exchange(
  remote: Remote,
  service: Service,
  body?: Uint8Array<ArrayBuffer>,
  options: { v2?: boolean } = {},
): Promise<GitResult<Uint8Array>> {
  const url = body ? `${remote.url}/${service}` : `${remote.url}/info/refs?service=${service}`;
  const headers = new Headers(remote.headers as HeadersInit | undefined);
  headers.set("authorization", `Bearer ${remote.token}`);
  if (!headers.has("user-agent")) headers.set("user-agent", `git/${AGENT}`);
  headers.set("accept", body ? `application/x-${service}-result` : `application/x-${service}-advertisement`);
  if (body) headers.set("content-type", `application/x-${service}-request`);
  if (options.v2) headers.set("git-protocol", "version=2");

  const controller = new AbortController();
  const { signal, timeout } = remote;
  if (signal?.aborted) return err(aborted(signal));
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  let late = false;
  const timer =
    timeout === false
      ? undefined
      : setTimeout(() => {
          late = true;
          controller.abort();
        }, timeout);
  try {
    // Redirects are answered, never followed: the token must not go to another origin.
    const response = await fetch(url, {
      method: body ? "POST" : "GET",
      headers,
      body,
      redirect: "manual",
      signal: controller.signal,
    });
    const bytes = await bounded(response, remote.maxFetchBytes);
    if (bytes === undefined) {
      return err(
        new GitError(
          "protocol",
          `the Git remote sent more than maxFetchBytes (${remote.maxFetchBytes} bytes) for ${service}`,
          undefined,
          remote.maxFetchBytes,
        ),
      );
    }
    if (response.ok) return ok(bytes);
    return err(statusError(remote, response.status, bytes));
  } catch (error) {
    if (late && !signal?.aborted) return err(timedOut(timeout));
    return err(unreachable(error, (text) => scrub(text, remote.token), signal));
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/** The whole body, or undefined (the rest left unread) once it holds more than `limit` bytes. */
async function bounded(response: Response, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > limit || !response.body) {
    await response.body?.cancel();
    return declared > limit ? undefined : new Uint8Array(0);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return joinBytes(chunks);
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
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
