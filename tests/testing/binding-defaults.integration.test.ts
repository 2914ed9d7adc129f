import { afterAll, describe, expect, it } from "vitest";
import { forkRepo, getRepo, importRepo, listRepos } from "../../src/index.js";
import { sourceOf } from "../../src/testing/repos.js";
import { gitCli, removeTempDirs, tempDir, withBearer } from "../support/git.js";
import { useLocalServer } from "../support/local-server.js";
import { readToken as readTokenOf, twoBranchRepo, withSecret } from "../support/repos.js";
import { untilRegistered } from "../support/until.js";

/**
 * The local server follows the Workers binding's documented defaults where the REST docs are silent (imports take
 * the remote's default branch, sources named as the binding names them), and serves blobless clones and protocol v2.
 */

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;

const local = useLocalServer({ operationDelayMs: 200, gitRateLimit: { requests: 1000, windowMs: 60_000 } });
afterAll(() => removeTempDirs());

const twoBranches = () => twoBranchRepo(local.client, unique("src"));
const readToken = (repo: string) => readTokenOf(local.client, repo);

describe("fidelity to the binding's documented defaults", () => {
  it("imports the remote's default branch only when no branch is given", async () => {
    const source = await twoBranches();
    const token = await readToken(source.name);
    const url = withSecret(source.repo.remote, token);
    const name = unique("imp");
    const imported = (await importRepo(local.client, name, { url: url.href }))._unsafeUnwrap();
    const heads = await gitCli(withBearer(imported.token, ["ls-remote", "--heads", imported.remote]));
    expect(
      heads.stdout
        .trim()
        .split("\n")
        .map((line) => line.split("\t")[1]),
    ).toEqual(["refs/heads/main"]);
  });

  it("names sources as the binding does: artifacts:<namespace>/<repo>, github:owner/repo, else the URL", async () => {
    const source = await twoBranches();
    const name = unique("fork");
    await forkRepo(local.client, source.name, { name });
    expect((await getRepo(local.client, name))._unsafeUnwrap().source).toBe(`artifacts:default/${source.name}`);
    expect(sourceOf(new URL("https://github.com/sindresorhus/ky.git"))).toBe("github:sindresorhus/ky");
    expect(sourceOf(new URL("https://github.com/sindresorhus/ky"))).toBe("github:sindresorhus/ky");
    expect(sourceOf(new URL("https://user:pw@gitlab.com/group/project.git"))).toBe(
      "https://gitlab.com/group/project.git",
    );
  });

  it("shows a repo being imported as importing in listings, then ready", async () => {
    const source = await twoBranches();
    const token = await readToken(source.name);
    const url = withSecret(source.repo.remote, token);
    const name = unique("imp");
    const importing = importRepo(local.client, name, { url: url.href });
    await untilRegistered(local.server, name);
    const [during] = (await listRepos(local.client, { search: name }))._unsafeUnwrap();
    expect(during.map((repo) => repo.status)).toEqual(["importing"]);
    await importing;
    const [after] = (await listRepos(local.client, { search: name }))._unsafeUnwrap();
    expect(after.map((repo) => repo.status)).toEqual(["ready"]);
  });

  it("serves blobless clones and protocol v2 to the git CLI", async () => {
    const { repo } = await twoBranches();
    const token = await readToken(repo.name);
    const clone = await tempDir();
    const result = await gitCli(
      withBearer(token, ["-c", "protocol.version=2", "clone", "--quiet", "--filter=blob:none", repo.remote, clone]),
    );
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain("filtering not recognized");
    expect((await gitCli(["config", "remote.origin.promisor"], clone)).stdout.trim()).toBe("true");
  });
});
