import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  createClient,
  createRepo,
  createToken,
  deleteRepo,
  deleteToken,
  forkRepo,
  getRepo,
  listRepos,
  listTokens,
} from "../../src/index.js";

/**
 * The local server's promise with a data folder: what it acknowledged survives a SIGKILL. Each round kills the
 * server the moment a 2xx answer is whole, starts it again on the same folder and checks the change is there,
 * over REST and over Git, with no folder the state does not own.
 */

const ROUNDS = 20;
const API_TOKEN = "durability-api-token-0123456789";
const root = join(import.meta.dirname, "../..");

interface Running {
  child: ChildProcess;
  baseUrl: string;
  client: Client;
  /** A client whose every 2xx answer kills the server as soon as it has arrived whole. */
  killing: Client;
}

let dataDir: string;
let running: Running;

async function start(): Promise<Running> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/testing/cli.ts", "--data-dir", dataDir], {
    cwd: root,
    env: { ...process.env, ARTIFACTS_SERVER_API_TOKEN: API_TOKEN },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const url = /CLOUDFLARE_API_BASE_URL=(\S+)/.exec(output)?.[1];
      if (url) resolve(url);
    });
    child.once("exit", (code) => reject(new Error(`server exited early (${code}): ${output}`)));
  });
  const options = { accountId: "local-account", apiToken: API_TOKEN, baseUrl, retry: 0 };
  const killing = createClient({
    ...options,
    fetch: async (input: Request | string | URL, init?: RequestInit) => {
      const response = await fetch(input, init);
      const body = await response.arrayBuffer();
      if (response.ok) child.kill("SIGKILL");
      return new Response(body, { status: response.status, headers: response.headers });
    },
  });
  return { child, baseUrl, client: createClient(options), killing };
}

/** Kills what is running (if the last call did not) and starts a server again on the same folder. */
async function restart(): Promise<void> {
  const { child } = running;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }
  running = await start();
}

function gitAccepts(remote: string, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      "git",
      ["-c", `http.extraHeader=Authorization: Bearer ${token}`, "ls-remote", remote],
      { env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } },
      (error) => resolve(!error),
    );
  });
}

/** A remote of an earlier run, on this run's port (every start takes a free one). */
function moved(remote: string): string {
  const url = new URL(remote);
  url.port = new URL(running.baseUrl).port;
  return url.href;
}

/** Every repo folder belongs to a listed repo: no orphan, and no repo without its folder. */
async function expectFolderMatchesState(): Promise<void> {
  const [repos] = (await listRepos(running.client, { limit: 200 }))._unsafeUnwrap();
  const folders = (await readdir(dataDir)).filter((name) => name.endsWith(".git")).sort();
  expect(folders).toEqual(repos.map((repo) => `${repo.id}.git`).sort());
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "artifacts-durability-"));
  running = await start();
  await createRepo(running.client, { name: "base" });
});

afterAll(async () => {
  running?.child.kill("SIGKILL");
  await rm(dataDir, { recursive: true, force: true });
});

describe(`a change acknowledged with a 2xx survives a SIGKILL right after it (${ROUNDS} rounds each)`, () => {
  it("create", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const made = (await createRepo(running.killing, { name: `created-${round}` }))._unsafeUnwrap();
      await restart();
      const kept = (await getRepo(running.client, `created-${round}`))._unsafeUnwrap();
      expect(kept.id).toBe(made.id);
      expect(await gitAccepts(kept.remote, made.token)).toBe(true);
    }
    await expectFolderMatchesState();
  });

  it("delete", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const made = (await createRepo(running.client, { name: `deleted-${round}` }))._unsafeUnwrap();
      (await deleteRepo(running.killing, `deleted-${round}`))._unsafeUnwrap();
      await restart();
      const gone = (await getRepo(running.client, `deleted-${round}`))._unsafeUnwrapErr();
      expect(gone._tag === "HttpError" && gone.status).toBe(404);
      expect(await gitAccepts(moved(made.remote), made.token)).toBe(false);
    }
    await expectFolderMatchesState();
  });

  it("fork", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const fork = (await forkRepo(running.killing, "base", { name: `fork-${round}` }))._unsafeUnwrap();
      await restart();
      expect((await getRepo(running.client, `fork-${round}`))._unsafeUnwrap()).toMatchObject({
        id: fork.id,
        source: "artifacts:default/base",
        status: "ready",
      });
      expect(await gitAccepts(moved(fork.remote), fork.token)).toBe(true);
    }
    await expectFolderMatchesState();
  });

  it("token create and revoke", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const token = (await createToken(running.killing, { repo: "base", scope: "read" }))._unsafeUnwrap();
      await restart();
      const { remote } = (await getRepo(running.client, "base"))._unsafeUnwrap();
      expect(await gitAccepts(remote, token.plaintext)).toBe(true);

      (await deleteToken(running.killing, token.id))._unsafeUnwrap();
      await restart();
      expect(await gitAccepts(moved(remote), token.plaintext)).toBe(false);
      const [listed] = (await listTokens(running.client, "base", { state: "all", per_page: 100 }))._unsafeUnwrap();
      expect(listed.find((info) => info.id === token.id)?.state).toBe("revoked");
    }
  });
});
