import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  allRepos,
  allTokens,
  type Client,
  createClient,
  createRepo,
  createToken,
  deleteRepo,
  deleteToken,
  forkRepo,
  getRepo,
  listRepos,
  repoPages,
} from "../../src/index.js";
import { type ArtifactsServer, startArtifactsServer } from "../../src/testing/index.js";

/** `npm test` runs a bounded load; `npm run test:stress` the full one. */
const STRESS = process.env.STRESS === "1";
const CALLS = STRESS ? 2000 : 400;
const CONCURRENCY = STRESS ? 64 : 32;
const WALK = STRESS ? 20_000 : 5_000;

let server: ArtifactsServer;
let client: Client;
beforeAll(async () => {
  server = await startArtifactsServer();
  client = createClient({ ...server.clientOptions, retry: 0, timeout: 120_000 });
});
afterAll(() => server.close());

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

describe("load against the local server", () => {
  it(`${CALLS} mixed calls at concurrency ${CONCURRENCY}: no failure, nothing lost or duplicated`, async () => {
    // What the calls say the server must hold afterwards.
    const repos = new Set<string>();
    const tokens = new Map<string, { repo: string; state: "active" | "revoked" }>();
    const failures: string[] = [];
    const latencies: number[] = [];
    let next = 0;
    let names = 0;

    const ops: Record<string, (worker: number, mine: string[]) => Promise<boolean>> = {
      async create(worker, mine) {
        const name = `w${worker}-r${names++}`;
        const result = await createRepo(client, { name });
        if (result.isErr()) return false;
        repos.add(name);
        mine.push(name);
        return true;
      },
      async fork(worker, mine) {
        const source = mine[0];
        if (!source) return ops.create!(worker, mine);
        const name = `w${worker}-f${names++}`;
        const result = await forkRepo(client, source, { name });
        if (result.isErr()) return false;
        repos.add(name);
        mine.push(name);
        return true;
      },
      async get(worker, mine) {
        const name = mine.at(-1);
        if (!name) return ops.create!(worker, mine);
        return (await getRepo(client, name)).map((repo) => repo.name === name).unwrapOr(false);
      },
      async list() {
        return (await listRepos(client, { limit: 200 })).isOk();
      },
      async mint(worker, mine) {
        const repo = mine.at(-1);
        if (!repo) return ops.create!(worker, mine);
        const result = await createToken(client, { repo, scope: "read" });
        if (result.isErr()) return false;
        tokens.set(result.value.id, { repo, state: "active" });
        return true;
      },
      async revoke(worker, mine) {
        const entry = [...tokens].find(([, token]) => token.state === "active" && mine.includes(token.repo));
        if (!entry) return ops.mint!(worker, mine);
        entry[1].state = "revoked";
        return (await deleteToken(client, entry[0])).isOk();
      },
      async delete(worker, mine) {
        const name = mine.shift();
        if (!name) return ops.create!(worker, mine);
        repos.delete(name);
        for (const [id, token] of tokens) if (token.repo === name) tokens.delete(id);
        return (await deleteRepo(client, name)).isOk();
      },
    };
    const mix = ["create", "create", "get", "get", "list", "fork", "mint", "mint", "revoke", "delete"];

    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, worker) => {
        const mine: string[] = [];
        while (next < CALLS) {
          const op = mix[next++ % mix.length]!;
          const t0 = performance.now();
          if (!(await ops[op]!(worker, mine))) failures.push(`${op} by worker ${worker}`);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    console.log(
      `load: ${CALLS} calls at concurrency ${CONCURRENCY} in ${seconds.toFixed(2)} s ` +
        `(${Math.round(CALLS / seconds)} calls/s), p50 ${percentile(latencies, 0.5).toFixed(1)} ms, ` +
        `p95 ${percentile(latencies, 0.95).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms`,
    );
    expect(failures).toEqual([]);

    // The server's state, read back through the API, is exactly the model.
    const listed = (await allRepos(client, { limit: 200 }))._unsafeUnwrap().map((repo) => repo.name);
    expect(listed.length).toBe(new Set(listed).size);
    expect(new Set(listed)).toEqual(repos);
    for (const repo of repos) {
      const actual = (await allTokens(client, repo, { state: "all", per_page: 100 }))._unsafeUnwrap();
      const expected = [...tokens].filter(([, token]) => token.repo === repo);
      // Every repo also holds its inline create/fork token, active.
      expect(actual.length).toBe(expected.length + 1);
      for (const [id, token] of expected) expect(actual.find((item) => item.id === id)?.state).toBe(token.state);
    }
  });

  it(`walking ${WALK} repos page by page keeps memory flat`, async () => {
    const ns = "walk";
    for (let i = 0; i < WALK; i++) {
      // Seeded straight into the state: listing never touches Git, and 20,000 `git init`s would only test git.
      server.state.addRepo({
        namespace: ns,
        name: `repo-${String(i).padStart(6, "0")}`,
        description: "x".repeat(500),
        default_branch: "main",
        source: null,
        read_only: false,
        status: "ready",
      });
    }
    const walker = createClient({ ...server.clientOptions, namespace: ns, retry: 0 });
    const gc = (globalThis as { gc?: () => void }).gc;
    const heap = () => {
      gc?.();
      return process.memoryUsage().heapUsed;
    };
    const baseline = heap();
    let peak = 0;
    let count = 0;
    let pages = 0;
    for await (const page of repoPages(walker, { limit: 200, sort: "name", direction: "asc" })) {
      count += page._unsafeUnwrap().length;
      if (++pages % 10 === 0) peak = Math.max(peak, heap() - baseline);
    }
    const held = (await allRepos(walker, { limit: 200 }))._unsafeUnwrap();
    const collected = heap() - baseline;
    console.log(
      `walk: ${count} repos in ${pages} pages; streamed peak growth ${(peak / 1e6).toFixed(1)} MB, ` +
        `all ${held.length} held at once ${(collected / 1e6).toFixed(1)} MB${gc ? "" : " (no --expose-gc: noisy)"}`,
    );
    expect(count).toBe(WALK);
    // One page is ~100 KB of JSON: streaming must stay far below holding everything.
    // Generous for a slow or busy machine; the comparison with holding everything is the real check.
    expect(peak).toBeLessThan(16e6);
    if (gc) expect(peak).toBeLessThan(collected);
  });
});
