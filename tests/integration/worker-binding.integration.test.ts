import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulatorAvailable, startExample, type WranglerDev } from "../support/simulator.js";

/** examples/worker-binding as its README runs it: `wrangler dev` on Cloudflare's simulator, no account. */

let worker: WranglerDev;
beforeAll(async () => {
  if (simulatorAvailable) worker = await startExample("worker-binding");
}, 120_000);
afterAll(() => worker?.close());

describe.runIf(simulatorAvailable)("examples/worker-binding on Cloudflare's simulator", () => {
  it("commits two files through the binding and reads them back, byte for byte", async () => {
    const answer = await fetch(`${worker.origin}/?repo=binding-notes`);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as {
      repo: string;
      commit: string;
      read: string;
      files: Record<string, number[]>;
    };
    expect(body.repo).toBe("binding-notes");
    expect(body.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(body.read).toBe(body.commit);
    expect(body.files).toEqual({
      "README.md": [...new TextEncoder().encode("# Hello from the binding\n")],
      "data/bytes.bin": [0, 1, 2, 255],
    });
    // Again on the same repo: a second commit on top of the first (nothing to change: the same tree).
    const again = (await (await fetch(`${worker.origin}/?repo=binding-notes`)).json()) as { commit: string };
    expect(again.commit).toMatch(/^[0-9a-f]{40}$/);
  });
});
