import { randomBytes } from "node:crypto";
import { openAsBlob } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commitFiles, disposeGit, readFileStream, readFiles } from "../../src/git/index.js";
import { createRepo, deleteRepo } from "../../src/index.js";
import { gitBytes, removeTempDirs } from "../support/git.js";
import { useLocalServer } from "../support/local-server.js";

/**
 * Files at Artifacts' size limit (31 MB of random bytes, just under its 32 MB) through the local server and the real
 * git: committed from bytes and from a `Blob` of a file on disk, read back buffered and as a stream; git judges
 * every byte. The streamed read keeps its minted token until the stream ends.
 */

const local = useLocalServer();
const SIZE = 31 * 1024 * 1024;
const author = { name: "Ada", email: "ada@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
const names: string[] = [];
afterAll(async () => {
  await Promise.all(names.map((name) => deleteRepo(local.client, name)));
  await removeTempDirs();
});

async function newRepo() {
  const name = `large-${names.length + 1}`;
  names.push(name);
  return (await createRepo(local.client, { name }))._unsafeUnwrap();
}
const bareDir = (name: string) => join(local.server.dataDir, `${local.server.state.findRepo("default", name)?.id}.git`);
const gitBlob = async (name: string, spec: string) =>
  (await gitBytes(["--git-dir", bareDir(name), "cat-file", "blob", spec])).stdout;
/** The tokens of the repo still live, less the one `createRepo` returned inline. */
const liveTokens = (name: string) => {
  const id = local.server.state.findRepo("default", name)?.id;
  return [...local.server.state.tokens.values()].filter((token) => token.repoId === id && !token.revoked).slice(1);
};

describe("files at the size limit", () => {
  it("commits 31 MB of bytes and of a Blob on disk, byte for byte as git reads them", { timeout: 60_000 }, async () => {
    const repo = await newRepo();
    const bytes = randomBytes(SIZE);
    const onDisk = randomBytes(SIZE);
    const dir = await mkdtemp(join(tmpdir(), "large-"));
    await writeFile(join(dir, "disk.bin"), onDisk);
    const made = await commitFiles(local.client, repo.name, {
      message: "large",
      author,
      files: { "bytes.bin": bytes, "disk.bin": await openAsBlob(join(dir, "disk.bin")) },
    });
    expect(made.isOk()).toBe(true);
    expect((await gitBlob(repo.name, "main:bytes.bin")).equals(bytes)).toBe(true);
    expect((await gitBlob(repo.name, "main:disk.bin")).equals(onDisk)).toBe(true);

    const read = (await readFiles(local.client, repo.name, { paths: ["disk.bin"] }))._unsafeUnwrap();
    expect(Buffer.from(read.files.get("disk.bin") as Uint8Array).equals(onDisk)).toBe(true);
  });

  it("streams a 31 MB file as git has it, on the token the commit minted, until the client is disposed", {
    timeout: 60_000,
  }, async () => {
    const repo = await newRepo();
    const bytes = randomBytes(SIZE);
    (
      await commitFiles(local.client, repo.name, { message: "large", author, files: { "big.bin": bytes } })
    )._unsafeUnwrap();
    const file = (await readFileStream(local.client, repo.name, { path: "big.bin" }))._unsafeUnwrap();
    expect({ size: file.size, mode: file.mode, path: file.path }).toEqual({
      size: SIZE,
      mode: "100644",
      path: "big.bin",
    });
    // The commit's write token serves the read too: no other was minted.
    expect(liveTokens(repo.name).map((token) => token.scope)).toEqual(["write"]);
    const received = Buffer.from(await new Response(file.stream).arrayBuffer());
    expect(received.equals(await gitBlob(repo.name, "main:big.bin"))).toBe(true);
    expect(liveTokens(repo.name)).toHaveLength(1);
    await disposeGit(local.client);
    expect(liveTokens(repo.name)).toEqual([]);
  });
});
