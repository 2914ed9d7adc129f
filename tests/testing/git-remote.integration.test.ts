import { randomBytes } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createClient, createRepo, createToken } from "../../src/index.js";
import { startArtifactsServer } from "../../src/testing/index.js";
import { gitCli, removeTempDirs, tempDir, withBearer } from "../support/git.js";
import { startGitProxy } from "../support/git-proxy.js";
import { useLocalServer } from "../support/local-server.js";
import { freePort } from "../support/simulator.js";

/**
 * The local server's Git remotes as a client that misbehaves sees them: one that asks for a pack and reads none of
 * it holds git back, and costs the server no more memory than a socket's buffers.
 */

const local = useLocalServer();
afterAll(removeTempDirs);

/** Polls `check` until it holds, or throws after `ms`: a test must not go on as if it had. */
async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not within ${ms} ms`);
}

const pkt = (text: string) => `${(text.length + 4).toString(16).padStart(4, "0")}${text}`;

/** The pids of the `git upload-pack` processes serving a fetch right now. */
async function uploadPacks(): Promise<string[]> {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  const argvs = await Promise.all(
    pids.map(async (pid) => [pid, await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")]),
  );
  return argvs.filter(([, argv]) => /(^|\/)git\0upload-pack\0/.test(argv ?? "")).map(([pid]) => pid!);
}

/** What a process has written so far (to its pipes included), as the kernel counts it. */
async function bytesWritten(pid: string): Promise<number> {
  const io = await readFile(`/proc/${pid}/io`, "utf8");
  return Number(/^wchar: (\d+)$/m.exec(io)?.[1] ?? Number.NaN);
}

describe("a clone that reads slowly", () => {
  it("holds git back instead of buffering the pack in the server", async () => {
    const repo = (await createRepo(local.client, { name: "big" }))._unsafeUnwrap();
    const { plaintext } = (await createToken(local.client, { repo: "big", scope: "write" }))._unsafeUnwrap();
    const work = await tempDir();
    await gitCli(["init", "--quiet", "-b", "main"], work);
    // Random bytes: the pack is as large as the file.
    await writeFile(join(work, "big.bin"), randomBytes(24 * 1024 * 1024));
    await gitCli(["add", "-A"], work);
    await gitCli(["commit", "--quiet", "-m", "big"], work);
    expect((await gitCli(withBearer(plaintext, ["push", "--quiet", repo.remote, "main"]), work)).code).toBe(0);
    const oid = (await gitCli(["rev-parse", "HEAD"], work)).stdout.trim();

    const url = new URL(`${repo.remote}/git-upload-pack`);
    const body = `${pkt(`want ${oid} side-band-64k\n`)}0000${pkt("done\n")}`;
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once("connect", resolve));
    // Asks, then reads nothing at all.
    socket.pause();
    socket.write(
      `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${plaintext}\r\n` +
        `Content-Type: application/x-git-upload-pack-request\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    try {
      await until(async () => (await uploadPacks()).length > 0, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      // Git is still at it, blocked on a full pipe: it has not handed its 24 MB to the server. What git has written
      // is counted by the kernel (not by a heap that other work shares): a pipe and the sockets' buffers (loopback TCP
      // autotunes them to a few MB each way), far short of the pack.
      const pids = await uploadPacks();
      expect(pids.length).toBeGreaterThan(0);
      const written = await Promise.all(pids.map(bytesWritten));
      expect(Math.max(...written)).toBeGreaterThan(0);
      expect(Math.max(...written)).toBeLessThan(12 * 1024 * 1024);
    } finally {
      socket.destroy();
    }
    // A client gone mid-answer does not leave git blocked.
    await until(async () => (await uploadPacks()).length === 0, 10_000);
  }, 60_000);
});

describe("remoteOrigin", () => {
  it("names a proxy in front of the server in every repo's remote, and git goes through it", async () => {
    const port = await freePort();
    const proxy = await startGitProxy(`http://127.0.0.1:${port}`);
    const proxied = proxy.remote(`http://127.0.0.1:${port}`);
    const server = await startArtifactsServer({ port, remoteOrigin: `${proxied}/` });
    try {
      const client = createClient({ ...server.clientOptions, retry: 0 });
      const repo = (await createRepo(client, { name: "behind" }))._unsafeUnwrap();
      expect(repo.remote).toBe(`${proxied}/git/default/behind.git`);
      const work = await tempDir();
      await writeFile(join(work, "a.txt"), "a\n");
      await gitCli(["init", "--quiet", "-b", "main"], work);
      await gitCli(["add", "-A"], work);
      await gitCli(["-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "--quiet", "-m", "a"], work);
      const pushed = await gitCli(withBearer(repo.token, ["push", "--quiet", repo.remote, "main"]), work);
      expect(pushed.code, pushed.stderr).toBe(0);
      expect(proxy.requests).toEqual([
        "GET /git/default/behind.git/info/refs",
        "POST /git/default/behind.git/git-receive-pack",
      ]);
    } finally {
      await server.close();
      await proxy.close();
    }
  });
});
