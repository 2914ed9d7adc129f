// Unit tests with nock: the SDK's wire requests answered by fixtures, no server needed.
import { createClient, ErrorCode } from "cloudflare-artifacts";
import { fixtures, paths } from "cloudflare-artifacts/testing";
import nock from "nock";
import { afterEach, expect, it } from "vitest";
import { ensureRepo } from "./my-code.js";

const API = "https://api.cloudflare.com";
const client = createClient({ accountId: "acc", apiToken: "test-token", retry: 0 });
afterEach(() => nock.cleanAll());

it("creates the repo when it is missing", async () => {
  nock(API)
    .post(paths.repos("acc"))
    .reply(201, fixtures.envelope(fixtures.createRepoResult({ name: "notes" })));
  nock(API)
    .get(paths.repo("acc", "default", "notes"))
    .reply(200, fixtures.envelope(fixtures.repo({ name: "notes" })));
  expect((await ensureRepo(client, "notes"))._unsafeUnwrap().name).toBe("notes");
});

it("uses the repo that already exists", async () => {
  nock(API)
    .post(paths.repos("acc"))
    .reply(...fixtures.error(ErrorCode.ALREADY_EXISTS, "repo already exists"));
  nock(API)
    .get(paths.repo("acc", "default", "notes"))
    .reply(200, fixtures.envelope(fixtures.repo({ name: "notes" })));
  expect((await ensureRepo(client, "notes"))._unsafeUnwrap().id).toBe(fixtures.repo().id);
});

it("reports any other failure", async () => {
  nock(API)
    .post(paths.repos("acc"))
    .reply(...fixtures.error(ErrorCode.INVALID_REPO_NAME, "bad name"));
  expect((await ensureRepo(client, "-bad"))._unsafeUnwrapErr()).toBe("HTTP 400: [10101] bad name");
});
