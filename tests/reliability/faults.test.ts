import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ArtifactsError, type Client, createClient, getRepo } from "../../src/index.js";
import { type FaultServer, startFaultServer } from "../support/fault-server.js";

const API_TOKEN = "fault-test-api-token-0123456789abcdef";
let server: FaultServer;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  server = await startFaultServer();
  process.on("unhandledRejection", onUnhandled);
});
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await server.close();
});

/** A short timeout where the fault needs one; elsewhere a long one, so a timer left behind would still be pending. */
const clientWith = (retry: number | object, timeout = 300): Client =>
  createClient({ accountId: "acc", apiToken: API_TOKEN, baseUrl: server.baseUrl, timeout, retry });

/** What each fault must end as: `[tag, status or reason]`. */
const expected: Record<string, [ArtifactsError["_tag"], number | string]> = {
  html502: ["HttpError", 502],
  empty200: ["HttpError", 200],
  truncated: ["HttpError", 200],
  wrongShape: ["HttpError", 200],
  successFalse: ["HttpError", 200],
  retryAfterSeconds: ["HttpError", 429],
  retryAfterDate: ["HttpError", 429],
  retryAfterFar: ["HttpError", 429],
  storm503: ["HttpError", 503],
  resetBeforeHeaders: ["TransportError", "network"],
  resetMidBody: ["TransportError", "network"],
  hang: ["TransportError", "timeout"],
  trickle: ["TransportError", "timeout"],
  trickleWithLength: ["TransportError", "timeout"],
  garbage50MB: ["HttpError", 200],
  redirect: ["HttpError", 302],
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;

/**
 * Sockets of aborted or cancelled requests are released by the runtime, not the SDK: Node's fetch (undici)
 * closes them at its keep-alive timeout, 4 s. Waiting up to 6 s proves none is leaked.
 */
async function waitForNoConnections(): Promise<number> {
  for (let i = 0; i < 120 && (await server.openConnections()) > 0; i++) await settle();
  return server.openConnections();
}

describe.each([
  ["retries off", 0, 1],
  ["retries on", { limit: 2, delay: 5, backoffLimit: 20, maxRetryAfter: 2000 }, 3],
] as const)("faults, %s", (_, retry, attemptsForRetriable) => {
  const retriable = new Set([
    "html502",
    "retryAfterSeconds",
    "retryAfterDate",
    "storm503",
    "resetBeforeHeaders",
    "resetMidBody",
  ]);

  it.each(Object.keys(expected))("%s ends as the right typed error, bounded, leaving nothing open", async (fault) => {
    const client = clientWith(retry, fault.startsWith("trickle") || fault === "hang" ? 300 : 60_000);
    server.hits.delete(fault);
    const timersBefore = timers();
    const started = Date.now();

    const result = await getRepo(client, fault);

    const elapsed = Date.now() - started;
    const [tag, detail] = expected[fault]!;
    const error = result._unsafeUnwrapErr();
    expect(error._tag).toBe(tag);
    expect(error._tag === "HttpError" ? error.status : error._tag === "TransportError" ? error.reason : "").toBe(
      detail,
    );
    expect(elapsed).toBeLessThan(6000);
    expect(server.hits.get(fault)).toBe(retriable.has(fault) ? attemptsForRetriable : 1);

    for (const rendering of [error.message, String(error), JSON.stringify(error), inspect(error, { depth: 10 })]) {
      expect(rendering).not.toContain(API_TOKEN);
    }
    await settle();
    expect(timers()).toBeLessThanOrEqual(timersBefore);
    expect(unhandled).toEqual([]);
  });
});

describe("after every fault", () => {
  it("leaves no socket open", async () => {
    expect(await waitForNoConnections()).toBe(0);
  });
});

describe("specific fault details", () => {
  it("a 429 far beyond the cap fails at once with the wait it asked for", async () => {
    const started = Date.now();
    const error = (await getRepo(clientWith(2), "retryAfterFar"))._unsafeUnwrapErr();
    // At once: far below the day asked for, with room for a slow machine.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toMatchObject({ _tag: "HttpError", status: 429, retryAfter: 86400 });
  });

  it("keeps a non-envelope page's text, and only the start of a huge body", async () => {
    const page = (await getRepo(clientWith(0), "html502"))._unsafeUnwrapErr();
    expect(page).toMatchObject({ raw: expect.stringContaining("502 Bad Gateway"), body: { errors: [] } });
    const huge = (await getRepo(clientWith(0), "garbage50MB"))._unsafeUnwrapErr();
    expect(huge._tag === "HttpError" && huge.raw?.length).toBeLessThanOrEqual(64 * 1024);
    expect(huge._tag === "HttpError" && huge.issues?.[0]?.message).toMatch(/exceeds/);
  });

  it("never follows a redirect to another origin, so the token goes nowhere else", async () => {
    const before = server.redirected.length;
    const error = (await getRepo(clientWith(2), "redirect"))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "HttpError", status: 302 });
    expect(server.redirected.length).toBe(before);
  });

  it("even when the caller opts into following redirects, the token is not forwarded", async () => {
    const following = createClient({
      accountId: "acc",
      apiToken: API_TOKEN,
      baseUrl: server.baseUrl,
      retry: 0,
      redirect: "follow",
    });
    const before = server.redirected.length;
    const result = await getRepo(following, "redirect");
    // The redirect was followed (the target answered), yet without the Authorization header.
    expect(server.redirected.length).toBe(before + 1);
    expect(server.redirected.at(-1)).toBeUndefined();
    expect(result.isErr()).toBe(true);
  });
});
