import { parseRetryAfter } from "./retry.js";
import { scrub, showWhenInspected } from "./secrets.js";
import type { ApiEnvelope } from "./types.js";

/**
 * The upstream error codes, names verbatim from the Artifacts error table.
 *
 * @example
 * if (err._tag === "HttpError" && err.code === ErrorCode.ALREADY_EXISTS) reuseTheExistingRepo();
 */
export const ErrorCode = {
  INVALID_INPUT: 10100,
  INVALID_REPO_NAME: 10101,
  INVALID_TTL: 10103,
  INVALID_URL: 10104,
  REMOTE_AUTH_REQUIRED: 10106,
  NOT_FOUND: 10200,
  ALREADY_EXISTS: 10201,
  IMPORT_IN_PROGRESS: 10302,
  FORK_IN_PROGRESS: 10303,
  INTERNAL_ERROR: 10400,
  UPSTREAM_UNAVAILABLE: 10401,
  MEMORY_LIMIT: 10402,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Why a 2xx body was rejected: where in the body (`result.remote`) and what was wrong, secrets removed.
 *
 * @example
 * if (err._tag === "HttpError") for (const issue of err.issues ?? []) console.log(issue.path, issue.message);
 */
export interface SchemaIssue {
  path: string;
  message: string;
}

/**
 * What every SDK error shares: `_tag` to switch on, and one `toJSON` that is also what `util.inspect` shows,
 * so what a log line prints is exactly the redacted fields, never a Request or its headers.
 *
 * @example
 * if (error instanceof TaggedError) console.log(error); // prints the redacted fields only
 */
export abstract class TaggedError extends Error {
  constructor(
    /** What to switch on; also the error's `name`. */
    readonly _tag: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = _tag;
    showWhenInspected(this, () => this.toJSON());
  }

  /** Its own enumerable fields and the message; `response` and `cause` are deliberately not enumerable. */
  toJSON(): object {
    return { ...this, message: this.message };
  }
}

/**
 * The server answered but gave no result: a non-2xx status, a 2xx with `success: false`, or a 2xx whose body is
 * not the expected shape. `body` is always an envelope, so `err.body.errors[0]?.code === ErrorCode.INVALID_TTL`
 * works whatever came back; when the server sent none, one is synthesized with `errors: []` and `raw` keeps the text.
 * Every string in it has had secrets replaced by `[REDACTED]`.
 *
 * @example
 * const result = await getRepo(client, "notes");
 * if (result.isErr() && result.error._tag === "HttpError" && result.error.status === 404) console.log("no such repo");
 */
export class HttpError extends TaggedError {
  declare readonly _tag: "HttpError";
  declare readonly response: Response;
  /**
   * Seconds the server asked to wait before trying again (`Retry-After`, sent as seconds or an HTTP date).
   * Set on a 429 the retry policy would not wait for, because the wait exceeds `maxRetryAfter`.
   */
  readonly retryAfter: number | undefined;
  /** The rate-limit headers as the server sent them (`Ratelimit`, `Ratelimit-Policy`), secrets removed, when it did. */
  readonly rateLimit: RateLimitInfo | undefined;
  /**
   * Which of the three ways the answer failed: `"status"` a non-2xx, `"envelope"` a 2xx with `success: false`,
   * `"shape"` a 2xx whose body is not the expected shape (then `issues` says how).
   */
  readonly reason: "status" | "envelope" | "shape";

  constructor(
    readonly status: number,
    readonly body: ApiEnvelope,
    response: Response,
    /** The response text, kept when it was not an envelope (an HTML 502 page, an empty or truncated body). */
    readonly raw?: string,
    /** Why a 2xx body was rejected: the schema's issues. */
    readonly issues?: readonly SchemaIssue[],
    /** Applied to the headers kept (`rateLimit`): the client's redaction, or repo tokens only. */
    redact: (text: string) => string = scrub,
  ) {
    super("HttpError", describeHttp(status, body, issues));
    this.reason = response.ok ? (issues ? "shape" : "envelope") : "status";
    // Kept off the enumerable fields (defineProperty's default): a Response is not data to serialize, and its headers
    // are the server's to choose.
    Object.defineProperty(this, "response", { value: response });
    const wait = parseRetryAfter(response.headers.get("retry-after"));
    this.retryAfter = wait && wait / 1000;
    // An empty header is no header.
    const header = (name: string) => redact(response.headers.get(name) ?? "") || undefined;
    const ratelimit = header("ratelimit");
    const policy = header("ratelimit-policy");
    this.rateLimit = ratelimit || policy ? { ratelimit, policy } : undefined;
  }

  /** The first upstream error code, if the server sent one. */
  get code(): number | undefined {
    return this.body.errors[0]?.code;
  }
}

/**
 * Rate-limit headers, verbatim, e.g. `ratelimit: '"default";r=0;t=30'`.
 *
 * @example
 * if (err._tag === "HttpError" && err.status === 429) console.log(err.retryAfter, err.rateLimit?.ratelimit);
 */
export interface RateLimitInfo {
  ratelimit: string | undefined;
  policy: string | undefined;
}

/**
 * Why no response arrived.
 *
 * @example
 * if (err._tag === "TransportError" && err.reason === "timeout") console.log("try a longer timeout");
 */
export type TransportFailure = "network" | "timeout" | "abort";

/**
 * No usable response: DNS, refused, reset, TLS, a timeout or the caller's abort.
 *
 * @example
 * const result = await getRepo(client, "notes", { timeout: 1000 });
 * if (result.isErr() && result.error._tag === "TransportError") console.log(result.error.reason);
 */
export class TransportError extends TaggedError {
  declare readonly _tag: "TransportError";

  declare readonly cause: unknown;

  constructor(
    readonly reason: TransportFailure,
    message: string,
    /** The underlying error or abort reason, as thrown: inspect it with care, it is the runtime's own object. */
    cause?: unknown,
  ) {
    super("TransportError", message, { cause });
  }
}

/** The caller's signal ended the call (or a retry wait, a page walk, a wait for a repo). */
export const aborted = (signal: AbortSignal): TransportError =>
  new TransportError("abort", "Aborted by the caller", signal.reason);

/** No complete response within the timeout: said one way for REST and Git. */
export const timedOut = (ms: number | false): TransportError =>
  new TransportError("timeout", `No complete response within ${ms} ms`);

/**
 * What failed to reach a server, REST or Git: the caller's abort, else the network's error, with Node's socket error
 * (`ECONNREFUSED`…, which it keeps in `cause`, behind a bare `fetch failed`), passed through `redact`.
 */
export function unreachable(error: unknown, redact: (text: string) => string, signal?: AbortSignal): TransportError {
  if (signal?.aborted) return aborted(signal);
  const detail =
    error instanceof Error
      ? error.message + (error.cause instanceof Error ? ` (${error.cause.message})` : "")
      : String(error);
  return new TransportError("network", redact(`Network error: ${detail}`), error);
}

/**
 * The call could not be sent safely (an empty, `.` or `..` path segment, a non-string name). Nothing was sent.
 *
 * @example
 * const result = await getRepo(client, "..");
 * if (result.isErr() && result.error._tag === "InvalidInputError") console.log(result.error.field); // "name"
 */
export class InvalidInputError extends TaggedError {
  declare readonly _tag: "InvalidInputError";

  constructor(
    message: string,
    /** Which argument was refused. */
    readonly field: string,
  ) {
    super("InvalidInputError", message);
  }
}

/** The one check of a timing the caller gave: the first of `fields` that is not finite and 0 or more, refused. */
export function unusableNumber(fields: object): InvalidInputError | undefined {
  for (const [field, value] of Object.entries(fields)) {
    if (!(Number.isFinite(value) && value >= 0)) return new InvalidInputError(`${field} is not a usable number`, field);
  }
}

/**
 * Every way an endpoint call can fail, discriminated by `_tag`.
 *
 * @example
 * const message = await getRepo(client, "notes").match(
 *   (repo) => repo.remote,
 *   (err: ArtifactsError) => `${err._tag}: ${err.message}`,
 * );
 */
export type ArtifactsError = HttpError | TransportError | InvalidInputError;

function describeHttp(status: number, body: ApiEnvelope, issues?: readonly SchemaIssue[]): string {
  const details =
    body.errors.map((error) => `[${error.code}] ${error.message}`).join("; ") ||
    (issues &&
      `unexpected response body (${issues.map(({ path, message }) => (path ? `${path}: ` : "") + message).join("; ")})`);
  return `HTTP ${status}: ${details || "no details"}`;
}
