import { err, ok, type Result } from "neverthrow";
import { InvalidInputError } from "./errors.js";
import { redactOnInspect } from "./secrets.js";

/**
 * Git credentials from a repo token, a port of `Exgit.Credentials.Artifacts.auth/1`. A repo token is
 * `art_v1_<40 hex>` (the REST API's) or `art_v2_<x|e|u|f>_<40 hex>` (Cloudflare's local simulator's), each usually
 * followed by `?expires=<unix seconds>`: the part before `?expires=` is the secret Git's Basic auth wants, the whole
 * token is what the Bearer header wants, and the suffix is the expiry.
 *
 * @example
 * const result = gitCredentials(token.plaintext);
 * if (result.isOk()) {
 *   const creds: GitCredentials = result.value;
 *   await git.push({ fs, http, dir, url: repo.remote, onAuth: creds.onAuth });
 * }
 */
export interface GitCredentials {
  /** The full token, e.g. `art_v1_<hex>?expires=<unix>`. */
  readonly token: string;
  /** The token without `?expires=...`: the Basic-auth password. */
  readonly secret: string;
  /** The expiry the token's suffix states; undefined for a token without one (its lifetime is the server's). */
  readonly expiresAt: Date | undefined;
  /** `Bearer <token>`: the `Authorization` value for Git smart HTTP or any fetch. */
  readonly authorization: string;
  /** `Authorization: Bearer <token>`, for `git -c http.extraHeader=<this> clone <remote>`. */
  readonly extraHeader: string;
  /** `{ Authorization }`, for isomorphic-git's `headers` option or a fetch. */
  readonly headers: { readonly Authorization: string };
  /** Basic credentials: any non-empty username and the secret, as isomorphic-git's `onAuth` returns them. */
  readonly basic: { readonly username: string; readonly password: string };
  /** isomorphic-git's `onAuth` callback. */
  readonly onAuth: () => { username: string; password: string };
  /**
   * True once the expiry has passed (at `now`, default the current time; anything but a Date means now). A token
   * without a stated expiry is never expired by this check: only the server knows.
   */
  isExpired(now?: Date): boolean;
  /**
   * The remote with `x:<secret>@` in it, for one-off commands (`git clone <url>`). The URL then holds a secret:
   * prefer `extraHeader` where you can, and never log it.
   */
  remoteUrl(remote: string): Result<string, InvalidInputError>;
}

/** `art_v1_<40 hex>` or `art_v2_<x|e|u|f>_<40 hex>`, with or without `?expires=<unix seconds>`. */
const TOKEN = /^(art_v(?:1|2_[xeuf])_[0-9a-f]{40})(?:\?expires=(\d{1,15}))?$/;

/** Whether `value` is a repo token in a format Artifacts issues (see `gitCredentials`). */
export const isRepoToken = (value: unknown): value is string => typeof value === "string" && TOKEN.test(value);
/** Any non-empty username works; `x` is the convention in Cloudflare's docs. */
const USERNAME = "x";

/**
 * Reads a repo token (`CreateTokenResult.plaintext`, or the `token` of create/fork/import) into Git credentials.
 * Anything else is an `InvalidInputError`, whose message never repeats the string it was given.
 *
 * @example
 * const creds = gitCredentials(minted.plaintext);
 * if (creds.isOk()) await git.clone({ fs, http, dir, url: repo.remote, onAuth: creds.value.onAuth });
 */
export function gitCredentials(token: string): Result<GitCredentials, InvalidInputError> {
  const match = typeof token === "string" ? TOKEN.exec(token) : null;
  if (!match) {
    return err(new InvalidInputError("token is not an Artifacts repo token", "token"));
  }
  const [, secret = "", expires] = match;
  // NaN without a suffix: no time is past it.
  const expiry = expires ? Number(expires) * 1000 : NaN;
  const authorization = `Bearer ${token}`;
  const basic = { username: USERNAME, password: secret };
  const credentials: GitCredentials = {
    token,
    secret,
    expiresAt: expires ? new Date(expiry) : undefined,
    authorization,
    extraHeader: `Authorization: ${authorization}`,
    headers: { Authorization: authorization },
    basic,
    onAuth: () => ({ ...basic }),
    // Anything but a Date (from untyped code) reads as now: this must answer, not throw.
    isExpired: (now) => expiry <= (now instanceof Date ? now.getTime() : Date.now()),
    remoteUrl: (remote) => withCredentials(remote, secret),
  };
  return ok(redactOnInspect(credentials, ["token", "secret", "authorization", "extraHeader", "headers", "basic"]));
}

function withCredentials(remote: string, secret: string): Result<string, InvalidInputError> {
  const url = typeof remote === "string" && URL.canParse(remote) ? new URL(remote) : undefined;
  if (!url || !/^https?:$/.test(url.protocol)) {
    return err(new InvalidInputError("remote must be an http(s) URL", "remote"));
  }
  url.username = USERNAME;
  url.password = secret;
  return ok(url.href);
}
