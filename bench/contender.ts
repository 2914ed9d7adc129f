/**
 * One contender of `npm run bench`, alone in its process as in a real application: no other client's code shares
 * its JIT or its heap. The parent (bench/run.ts) says over IPC what to run; this answers the milliseconds it took.
 * Usage: contender.ts <name> <base URL>.
 */
import { join } from "node:path";

export const CONTENDERS = ["bare fetch", "bare ky", "cloudflare-artifacts", "cloudflare (client.get)"] as const;
export type ContenderName = (typeof CONTENDERS)[number];
export type Fn = "getRepo" | "listRepos";
export interface Task {
  fn: Fn;
  calls: number;
  concurrency: number;
}

type Call = () => Promise<unknown>;
const path = "accounts/acc/artifacts/namespaces/default";
const apiToken = "bench-api-token-0123456789abcdefghij";
const authorization = `Bearer ${apiToken}`;

const check = (ok: boolean) => {
  if (!ok) throw new Error("a contender got a wrong answer");
};

/** Each contender loads only its own library, the way an application would. */
async function load(name: ContenderName, baseUrl: string): Promise<Record<Fn, Call>> {
  switch (name) {
    case "bare fetch":
      return {
        getRepo: async () => {
          const response = await fetch(`${baseUrl}/${path}/repos/notes`, { headers: { authorization } });
          check(((await response.json()) as { result: { name: string } }).result.name === "notes");
        },
        listRepos: async () => {
          const response = await fetch(`${baseUrl}/${path}/repos`, { headers: { authorization } });
          check(((await response.json()) as { result: unknown[] }).result.length === 50);
        },
      };
    case "bare ky": {
      const { default: ky } = await import("ky");
      const api = ky.create({ prefixUrl: `${baseUrl}/${path}`, headers: { authorization }, retry: 0 });
      return {
        getRepo: async () =>
          check((await api.get("repos/notes").json<{ result: { name: string } }>()).result.name === "notes"),
        listRepos: async () => check((await api.get("repos").json<{ result: unknown[] }>()).result.length === 50),
      };
    }
    case "cloudflare-artifacts": {
      // The built package, as users run it (`npm run bench` builds first), not the sources through a loader.
      const { createClient, getRepo, listRepos } = (await import(
        join(import.meta.dirname, "../dist/index.js") as string
      )) as typeof import("../src/index.js");
      const client = createClient({ accountId: "acc", apiToken, baseUrl });
      return {
        getRepo: async () => check((await getRepo(client, "notes"))._unsafeUnwrap().name === "notes"),
        listRepos: async () => check((await listRepos(client))._unsafeUnwrap()[0].length === 50),
      };
    }
    case "cloudflare (client.get)": {
      const { default: Cloudflare } = await import("cloudflare");
      const cloudflare = new Cloudflare({ apiToken, baseURL: baseUrl, maxRetries: 0 });
      return {
        getRepo: async () =>
          check(
            ((await cloudflare.get(`/${path}/repos/notes`)) as { result: { name: string } }).result.name === "notes",
          ),
        listRepos: async () =>
          check(((await cloudflare.get(`/${path}/repos`)) as { result: unknown[] }).result.length === 50),
      };
    }
  }
}

/** Runs `calls` calls, `concurrency` at a time; resolves to the milliseconds they took. */
async function timeCalls(call: Call, calls: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < calls) await call();
    }),
  );
  return performance.now() - started;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [name, baseUrl = ""] = process.argv.slice(2) as [ContenderName, string];
  const calls = await load(name, baseUrl);
  // Each slice starts from a collected heap, so none pays for the garbage of the one before it.
  const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => {});
  process.on("message", async (task: Task) => {
    collectGarbage();
    process.send?.({ ms: await timeCalls(calls[task.fn], task.calls, task.concurrency) });
  });
  process.on("disconnect", () => process.exit(0));
  process.send?.({ ready: true });
}
