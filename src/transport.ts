import type { Options as KyOptions } from "ky";
import { err, ok, Result, ResultAsync } from "neverthrow";
import * as v from "valibot";
import { bounds, sleep } from "./bounded.js";
import { joinBytes } from "./bytes.js";
import type { Client } from "./client.js";
import {
  type ArtifactsError,
  aborted,
  HttpError,
  InvalidInputError,
  type SchemaIssue,
  TransportError,
  timedOut,
  unreachable,
  unusableNumber,
} from "./errors.js";
import { type AttemptOutcome, parseRetryAfter, type RetryOption, resolveRetry, retryDelay } from "./retry.js";
import * as S from "./schemas.js";
import { redactJson, redactOnInspect } from "./secrets.js";
import type { ApiEnvelope } from "./types.js";

/**
 * The one place a call becomes a request and a response becomes a Result. Endpoints only declare what
 * they send and what they expect; URL, auth, retries, envelope unwrapping, validation and error mapping
 * all happen here, once.
 */

/**
 * Options any single call may override; they win over the client's.
 *
 * @example
 * const controller = new AbortController();
 * await getRepo(client, "notes", { signal: controller.signal, timeout: 5_000, headers: { "x-trace": "1" }, retry: 1 });
 */
export interface CallOptions {
  /** Aborts the call, including any retry wait. Ends as a `TransportError` with reason `abort`. */
  signal?: AbortSignal;
  /** Milliseconds per attempt, or `false` for none. Ends as a `TransportError` with reason `timeout`. */
  timeout?: number | false;
  headers?: KyOptions["headers"];
  /** A retry limit, or fields of the client's retry policy to override. `0` turns retries off. */
  retry?: RetryOption;
}

/**
 * A list call resolves to its items and `result_info` exactly as the server sent it.
 *
 * @example
 * const result = await listRepos(client);
 * if (result.isOk()) {
 *   const [repos, info]: Page<RepoWithRemote, CursorResultInfo> = result.value;
 * }
 */
export type Page<Item, Info> = [items: Item[], result_info: Info];

/** What an endpoint declares: the request, and how a successful answer becomes its Ok value. */
export interface Call<Output> {
  method: "get" | "post" | "delete";
  /** Relative to the namespace base, or with `scope: "account"` to the account's Artifacts base. */
  path: Result<string, InvalidInputError>;
  scope?: "namespace" | "account";
  /** The caller's own objects, as given: `send` reads them once, where a throwing getter cannot escape. */
  query?: object;
  body?: object;
  /** How a successful envelope becomes the Ok value, or `raw` for the byte routes, whose errors still come as envelopes. */
  expect: JsonExpectation<Output> | RawExpectation<Output>;
}

export interface JsonExpectation<Output> {
  json: (envelope: ApiEnvelope) => Result<Output, v.BaseIssue<unknown>[]>;
}

export interface RawExpectation<Output> {
  raw: (body: Uint8Array, response: Response) => Output;
}

/** Ok value = the 2xx body's bytes. */
export const bytes: RawExpectation<Uint8Array> = { raw: (body) => body };

/**
 * Ok value = the envelope's `result`, checked against `schema`. The `secrets` fields show as `[REDACTED]` when
 * the value is inspected, as the Elixir client's Inspect does.
 */
export function single<Output extends object>(
  schema: S.Schema<Output>,
  secrets?: readonly (keyof Output & string)[],
): JsonExpectation<Output> {
  const envelope = S.validator(v.looseObject({ result: schema }));
  return {
    json: (received) => envelope(received).map(({ result }) => (secrets ? redactOnInspect(result, secrets) : result)),
  };
}

/** Ok value = `[result, result_info]`, each checked. */
export function page<Item, Info>(item: S.Schema<Item>, info: S.Schema<Info>): JsonExpectation<Page<Item, Info>> {
  // `result_info` is optional in the documented envelope: absent (or null), it reads as `{}`.
  const envelope = S.validator(
    v.looseObject({ result: v.array(item), result_info: v.optional(v.nullable(info, {}), {}) }),
  );
  return { json: (received) => envelope(received).map(({ result, result_info }) => [result, result_info]) };
}

/**
 * Builds a relative path from user-supplied segments, each written as a one-key object naming its argument:
 * route`repos/${{ name }}/fork`. Segments are percent-encoded, so a name can never add a path level, and
 * a segment that would change the route (empty, `.`, `..`) or is not a string is refused before sending.
 */
export function route(
  literals: TemplateStringsArray,
  ...segments: Record<string, unknown>[]
): Result<string, InvalidInputError> {
  // Each segment is a one-key object the endpoint wrote: its key names the argument. The first refused one is the
  // error; the literals are plain path text, so their raw form is the path's.
  return Result.combine(
    segments.map((segment) => encodeSegment(...(Object.entries(segment)[0] as [string, unknown]))),
  ).map((encoded) => String.raw(literals, ...encoded));
}

function encodeSegment(field: string, value: unknown): Result<string, InvalidInputError> {
  if (typeof value !== "string") {
    return err(new InvalidInputError(`${field} must be a string`, field));
  }
  if (value === "" || value === "." || value === "..") {
    return err(new InvalidInputError(`${field} must not be empty, "." or ".."`, field));
  }
  try {
    return ok(encodeURIComponent(value));
  } catch {
    // A lone UTF-16 surrogate has no UTF-8 encoding.
    return err(new InvalidInputError(`${field} is not well-formed Unicode`, field));
  }
}

/** The query and body as they will be sent, read once. */
interface Sendable {
  searchParams?: URLSearchParams;
  json?: unknown;
}

/**
 * Reads the caller's query or body once, here, through JSON: `undefined` and `null` fields are dropped (the API never
 * receives `"default_branch": null`), and what ky sends is exactly what was checked. A getter or Proxy that throws,
 * a BigInt or a cycle is refused as the caller's input (what it threw may hold anything, so it is not repeated), as is
 * a number JSON cannot carry (it would go as `null`) or a timing not finite and 0 or more.
 */
function sendable(call: Call<unknown>, timing: object): Sendable | InvalidInputError {
  // No endpoint sends both.
  const field = call.body ? "body" : "query";
  try {
    const fields = JSON.parse(
      JSON.stringify(call.body ?? call.query ?? {}, (key, value) => {
        if (typeof value === "number" && !Number.isFinite(value)) throw unusableNumber({ [key]: value });
        return value ?? undefined;
      }),
    );
    return unusableNumber(timing) ?? (call.body ? { json: fields } : { searchParams: new URLSearchParams(fields) });
  } catch (error) {
    return error instanceof InvalidInputError ? error : new InvalidInputError(`${field} cannot be sent`, field);
  }
}

/** Sends `call` with `client` and resolves to its Ok value or a typed error. Never throws, never rejects. */
export function send<Output>(
  client: Client,
  call: Call<Output>,
  options?: CallOptions,
): ResultAsync<Output, ArtifactsError> {
  return call.path.asyncAndThen(
    (path) =>
      new ResultAsync(
        // The last guard of the contract: even a bug, or a client that is not one (untyped JS), resolves to an Err.
        exchange(client, call, path, options ?? {}).catch((error: unknown) => {
          const message = `Unexpected failure: ${String(error)}`;
          return err(new TransportError("network", client?.redact?.(message) ?? message, error));
        }),
      ),
  );
}

async function exchange<Output>(
  client: Client,
  call: Call<Output>,
  path: string,
  options: CallOptions,
): Promise<Result<Output, ArtifactsError>> {
  const policy = resolveRetry(client.retry, options.retry);
  const timeout = options.timeout ?? client.timeout;
  // `+false` is 0: no timeout is a usable one.
  const fields = sendable(call, { ...policy, timeout: +timeout });
  if (fields instanceof InvalidInputError) return err(fields);
  for (let retry = 1; ; retry++) {
    const attempt = await attemptOnce(client, call, path, options, fields, timeout);
    const outcome: AttemptOutcome = attempt.isOk()
      ? {
          status: attempt.value.response.status,
          retryAfter: parseRetryAfter(attempt.value.response.headers.get("retry-after")),
        }
      : { status: attempt.error.reason };
    const wait = retryDelay(policy, call.method, outcome, retry);
    if (wait === undefined) return attempt.andThen((received) => decode(client, received, call.expect));
    if (!(await sleep(wait, options.signal))) return err(aborted(options.signal!));
  }
}

/**
 * The most a response may hold: an envelope is small (a page of 200 repos is ~100 KB), a blob is at most 32 MB.
 * Past this the rest is not read, so a runaway body cannot exhaust memory.
 */
const MAX_JSON_BYTES = 2 ** 23; // 8 MiB
const MAX_RAW_BYTES = 2 ** 26; // 64 MiB
/** How much of a non-envelope body an `HttpError` keeps in `raw`: enough for any error page. */
const MAX_RAW_TEXT = 2 ** 16; // 64 KiB

interface Received {
  response: Response;
  body: Uint8Array;
  /** False when the body exceeded `limit` and the rest was not read. */
  complete: boolean;
  limit: number;
}

/**
 * One request and its whole body, or the reason none arrived. The timeout covers the headers and the body together
 * (bounded.ts): a server that trickles a body forever cannot hang the call.
 */
async function attemptOnce(
  client: Client,
  call: Call<unknown>,
  path: string,
  options: CallOptions,
  fields: Sendable,
  timeout: number | false,
): Promise<Result<Received, TransportError>> {
  const http = call.scope === "account" ? client.accountKy : client.ky;
  const bound = bounds(options.signal, timeout);
  try {
    // ky treats these undefined as absent. ky's timeout ends the wait for headers, the bound's the body: the two
    // timers are as long, and the bound's, set first, fires first (timers of one delay fire in order), so a
    // TimeoutError of ky's comes when the bound is already late.
    const request: KyOptions = {
      method: call.method,
      timeout: bound.timeout,
      ...fields,
      signal: options.signal,
      // Every status is ours to read: ky would throw on a non-2xx.
      throwHttpErrors: false,
    };
    // Not `headers: undefined`: ky would then drop the client's own.
    if (options.headers) request.headers = options.headers;
    const response = await http(path, request);
    const limit = "raw" in call.expect && response.ok ? MAX_RAW_BYTES : MAX_JSON_BYTES;
    const body = bound.body(response.body, limit);
    const chunks: Uint8Array[] = [];
    for (;;) {
      const chunk = await body.next();
      // `false`: past the limit, the rest unread.
      if (!chunk) return ok({ response, limit, body: joinBytes(chunks), complete: chunk === undefined });
      chunks.push(chunk);
    }
  } catch (error) {
    // Not ky's error as the cause: it carries the Request, whose headers hold the API token.
    return err(bound.late() ? timedOut(timeout) : unreachable(error, client.redact, options.signal));
  } finally {
    bound.done();
  }
}

const anEnvelope = S.validator(S.ApiEnvelope);
const utf8 = new TextDecoder();

function decode<Output>(
  client: Client,
  { response, body: bytes, complete, limit }: Received,
  expect: Call<Output>["expect"],
): Result<Output, ArtifactsError> {
  if ("raw" in expect && response.ok && complete) return ok(expect.raw(bytes, response));
  const text = utf8.decode(bytes);
  const fail = (body: ApiEnvelope, issues?: SchemaIssue[], raw?: string) =>
    err(new HttpError(response.status, body, response, raw, issues, client.redact));
  // Without an envelope (HTML, nothing, truncated, too big), one is synthesized and the text kept in `raw`:
  // redacted whole, then cut, as a token straddling the cut would otherwise leak in part.
  const unreadable = (issues: SchemaIssue[]) =>
    fail(
      { result: null, success: false, errors: [], messages: [] },
      response.ok ? issues : undefined,
      client.redact(text).slice(0, MAX_RAW_TEXT),
    );
  if (!complete) return unreadable([{ path: "", message: `the response body exceeds ${limit} bytes` }]);
  const parsed = anEnvelope(parseJson(text));
  if (parsed.isErr()) return unreadable(toIssues(client, parsed.error));
  const envelope = parsed.value;
  // Error bodies may echo a secret; a successful one is the caller's own data and is not copied.
  const redacted = () => redactJson(envelope, client.redact);
  // A byte route reaches this point only with an error status.
  if (!response.ok || !envelope.success || "raw" in expect) return fail(redacted());
  return expect.json(envelope).orElse((issues) => fail(redacted(), toIssues(client, issues)));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toIssues(client: Client, issues: readonly v.BaseIssue<unknown>[]): SchemaIssue[] {
  return issues.map((issue) => ({
    path: issue.path?.map((item) => item.key).join(".") ?? "",
    message: client.redact(issue.message),
  }));
}
