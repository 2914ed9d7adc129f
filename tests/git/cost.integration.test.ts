import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { commitFiles, readFiles } from "../../src/git/index.js";
import { createClient, createRepo } from "../../src/index.js";
import { type ArtifactsServer, startArtifactsServer } from "../../src/testing/index.js";
import { gitCli, removeTempDirs, tempDir, withBearer } from "../support/git.js";
import { deep, makeRepo, pushRepo, type RepoShape, wide } from "../support/repos.js";
import { type Simulator, simulatorAvailable, startSimulator } from "../support/simulator.js";

/**
 * A one-file commit or read costs what it changes, not what the repo holds: the bytes received (counted at the
 * wire, REST and Git and the binding together) stay under 1 % of a 2,000-file / 32 MB repo and under 256 KB in a
 * 100,000-file repo (whose trees alone are about 3 MB), on our server with and without `filter` and on Cloudflare's
 * simulator through the binding. What lands is judged by git.
 */

const author = { name: "Ada Agent", email: "ada@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
const budget = (shape: RepoShape) => (shape === deep ? 256 * 1024 : shape.bytes * 0.01);

/** Bytes of every response this process receives through fetch. */
const wire = { bytes: 0, requests: 0 };
const realFetch = globalThis.fetch;
function countingFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  wire.requests++;
  return realFetch(input, init).then((response) => {
    if (!response.body) return response;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          wire.bytes += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  });
}

interface Target {
  commit: (files: Record<string, string>) => ReturnType<typeof commitFiles>;
  read: (paths: string[]) => ReturnType<typeof readFiles>;
  /** Bytes received outside fetch (the binding's answers). */
  extra: () => number;
  remote: string;
  token: string;
}

const seeds = new Map<RepoShape, string>();
async function seed(shape: RepoShape): Promise<string> {
  const dir = seeds.get(shape) ?? (await makeRepo(shape));
  seeds.set(shape, dir);
  return dir;
}

async function measured<T>(call: () => PromiseLike<T>, extra: () => number): Promise<{ value: T; bytes: number }> {
  wire.bytes = 0;
  const before = extra();
  const value = await call();
  return { value, bytes: wire.bytes + extra() - before };
}

/** What git says the commit changed against its parent. */
async function changed(remote: string, token: string, commit: string): Promise<string> {
  const dir = await tempDir();
  const fetched = await gitCli(withBearer(token, ["clone", "--quiet", "--bare", "--filter=blob:none", remote, dir]));
  if (fetched.code !== 0) {
    // A remote without filter: a plain clone.
    await gitCli(withBearer(token, ["clone", "--quiet", "--bare", remote, dir]));
  }
  return (await gitCli(["--git-dir", dir, "diff-tree", "-r", "--name-status", `${commit}^`, commit])).stdout;
}

function costSuite(
  name: string,
  shapes: RepoShape[],
  start: () => Promise<{ open: (repo: string, shape: RepoShape) => Promise<Target>; close: () => Promise<void> }>,
) {
  describe(`a one-file change on ${name}`, () => {
    let open: (repo: string, shape: RepoShape) => Promise<Target>;
    let close: () => Promise<void>;
    beforeAll(async () => {
      vi.stubGlobal("fetch", countingFetch);
      ({ open, close } = await start());
    }, 120_000);
    afterAll(async () => {
      vi.unstubAllGlobals();
      await close?.();
    });

    it.each(shapes.map((shape) => [shape.count, shape] as const))(
      "in %i files: a commit and a read receive within budget, and git sees one path changed",
      async (_, shape) => {
        const target = await open(`cost-${shape.count}`, shape);
        const path = shape.sample.replace(/[^/]+$/, "new-file.txt");
        const commit = await measured(() => target.commit({ [path]: "new\n" }), target.extra);
        const made = commit.value._unsafeUnwrap();
        expect(commit.bytes, `commit received ${commit.bytes} B`).toBeLessThan(budget(shape));
        expect(await changed(target.remote, target.token, made.commit)).toBe(`A\t${path}\n`);

        const read = await measured(() => target.read([shape.sample, path]), target.extra);
        const files = read.value._unsafeUnwrap().files;
        expect(read.bytes, `read received ${read.bytes} B`).toBeLessThan(budget(shape));
        expect(new TextDecoder().decode(files.get(path))).toBe("new\n");
        expect(files.get(shape.sample)?.byteLength).toBeGreaterThan(0);
      },
      180_000,
    );
  });
}

function localServer(gitFilter: boolean) {
  return async () => {
    const server: ArtifactsServer = await startArtifactsServer({ gitFilter });
    const client = createClient({ ...server.clientOptions, retry: 0 });
    return {
      async open(repo: string, shape: RepoShape): Promise<Target> {
        const created = (await createRepo(client, { name: repo }))._unsafeUnwrap();
        await pushRepo(await seed(shape), created.remote, created.token);
        return {
          commit: (files) => commitFiles(client, repo, { message: "one file", author, files }),
          read: (paths) => readFiles(client, repo, { paths }),
          extra: () => 0,
          remote: created.remote,
          token: created.token,
        };
      },
      close: () => server.close(),
    };
  };
}

costSuite("the local server with filter, client form", [wide, deep], localServer(true));
costSuite(
  "the local server without filter, client form (objects from the REST contents routes)",
  [wide, deep],
  localServer(false),
);

if (simulatorAvailable) {
  costSuite("Cloudflare's simulator, binding form", [wide, deep], async () => {
    const simulator: Simulator = await startSimulator();
    return {
      async open(repo: string, shape: RepoShape): Promise<Target> {
        const created = await simulator.create(repo);
        await pushRepo(await seed(shape), created.remote, created.token);
        const handle = simulator.handle(repo);
        return {
          commit: (files) => commitFiles(handle, { message: "one file", author, files }),
          read: (paths) => readFiles(handle, { paths }),
          extra: () => handle.received,
          remote: created.remote,
          token: created.token,
        };
      },
      close: () => simulator.close(),
    };
  });
}

afterAll(async () => {
  await Promise.all([...seeds.values()].map((dir) => rm(dir, { recursive: true, force: true })));
  await removeTempDirs();
});
