// Integration tests against the local Artifacts server that global-setup.ts started for the suite.
import { createClient, getRepo } from "cloudflare-artifacts";
import { expect, inject, it } from "vitest";
import { ensureRepo } from "./my-code.js";

const client = createClient({ ...inject("artifacts"), retry: 0 });

it("creates a repo once, and finds it the second time", async () => {
  const first = (await ensureRepo(client, "server-notes"))._unsafeUnwrap();
  const second = (await ensureRepo(client, "server-notes"))._unsafeUnwrap();
  expect(second.id).toBe(first.id);
  expect((await getRepo(client, "server-notes"))._unsafeUnwrap().default_branch).toBe("main");
});
