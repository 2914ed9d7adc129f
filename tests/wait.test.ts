import nock from "nock";
import { describe, expect, it } from "vitest";
import { ErrorCode, type HttpError, waitForRepo } from "../src/index.js";
import { api, BASE, envelope, failure, sampleRepo, testClient, useNock } from "./support/nock.js";

useNock();
const client = testClient();
const importing = failure(ErrorCode.IMPORT_IN_PROGRESS, "repo is still importing");
const forking = failure(ErrorCode.FORK_IN_PROGRESS, "repo is still forking");

describe("waitForRepo", () => {
  it("polls through 409 IMPORT_IN_PROGRESS / FORK_IN_PROGRESS until the repo is ready", async () => {
    api().get(`${BASE}/repos/notes`).reply(409, importing);
    api().get(`${BASE}/repos/notes`).reply(409, forking);
    api().get(`${BASE}/repos/notes`).reply(200, envelope(sampleRepo));
    const result = await waitForRepo(client, "notes", { interval: 10 });
    expect(result._unsafeUnwrap()).toEqual(sampleRepo);
  });

  it("backs off exponentially between polls", async () => {
    const times: number[] = [];
    api()
      .get(`${BASE}/repos/notes`)
      .times(3)
      .reply(() => {
        times.push(Date.now());
        return times.length < 3 ? [409, importing] : [200, envelope(sampleRepo)];
      });
    expect((await waitForRepo(client, "notes", { interval: 100 })).isOk()).toBe(true);
    const [first = 0, second = 0, third = 0] = times;
    // 100 ms, then 200 ms: the second pause is longer, and neither is a multiple of what was asked.
    expect(second - first).toBeGreaterThanOrEqual(90);
    expect(third - second).toBeGreaterThanOrEqual(190);
    expect(second - first).toBeLessThan(1000);
    expect(third - second).toBeLessThan(2000);
    expect(third - second).toBeGreaterThan(second - first);
  });

  it("ends at once on any other error", async () => {
    api().get(`${BASE}/repos/notes`).reply(409, failure(ErrorCode.ALREADY_EXISTS, "other conflict"));
    const started = Date.now();
    const error = (await waitForRepo(client, "notes", { interval: 1000 }))._unsafeUnwrapErr() as HttpError;
    expect(error.code).toBe(ErrorCode.ALREADY_EXISTS);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("gives up at the deadline with the last in-progress error", async () => {
    api().get(`${BASE}/repos/notes`).times(100).optionally().reply(409, importing);
    const started = Date.now();
    const error = (await waitForRepo(client, "notes", { interval: 20, deadline: 200 }))._unsafeUnwrapErr() as HttpError;
    expect([error.status, error.code]).toEqual([409, ErrorCode.IMPORT_IN_PROGRESS]);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1000);
  });

  it("stops when the signal aborts", async () => {
    api().get(`${BASE}/repos/notes`).times(100).optionally().reply(409, importing);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = (
      await waitForRepo(client, "notes", { interval: 5000, signal: controller.signal })
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "TransportError", reason: "abort" });
    // Well before the 5 s pause would have ended.
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe("waitForRepo's timings", () => {
  it.each([
    ["interval", { interval: Number.NaN }],
    ["deadline", { deadline: Number.NaN }],
    ["maxInterval", { maxInterval: -1 }],
  ])("refuses a bad waitForRepo timing (%s) before polling", async (field, options) => {
    expect((await waitForRepo(client, "notes", options))._unsafeUnwrapErr()).toMatchObject({
      _tag: "InvalidInputError",
      field,
    });
  });

  it("keeps a floor on the polling interval: interval 0 does not flood the server", async () => {
    const busy = { result: null, success: false, errors: [{ code: 10302, message: "importing" }], messages: [] };
    let polls = 0;
    api()
      .get(`${BASE}/repos/notes`)
      .times(100)
      .reply(() => {
        polls++;
        return [409, busy];
      });
    const result = await waitForRepo(client, "notes", { interval: 0, maxInterval: 0, deadline: 450 });
    expect(result._unsafeUnwrapErr()).toMatchObject({ status: 409 });
    expect(polls).toBeGreaterThanOrEqual(3);
    expect(polls).toBeLessThanOrEqual(6);
    nock.cleanAll();
  });
});
