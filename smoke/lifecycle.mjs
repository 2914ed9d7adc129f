// The lifecycle, as one function of the SDK's exports, so every runtime runs the same steps:
// create → mint → check the Git remote answers the token → commit and read files (the `./git` subpath, when
// given) → get → list → fork → list tokens → revoke → delete.
// Plain JavaScript on purpose: it runs unchanged under Node, Bun, Deno and workerd.

export async function runLifecycle(sdk, { baseUrl, accountId, apiToken, runtime, git }) {
  const { createClient, createRepo, createToken, deleteRepo, deleteToken, forkRepo, getRepo, gitCredentials } = sdk;
  const { listRepos, listTokens, ErrorCode } = sdk;
  const client = createClient({ accountId, apiToken, baseUrl, retry: 0 });
  const name = `smoke-${runtime}-${Date.now().toString(36)}`;
  const steps = [];
  const expect = (condition, what) => {
    if (!condition) throw new Error(`${runtime}: ${what}`);
    steps.push(what);
  };
  const value = async (result, what) => {
    const settled = await result;
    if (settled.isErr()) throw new Error(`${runtime}: ${what} failed: ${settled.error.message}`);
    return settled.value;
  };

  const repo = await value(createRepo(client, { name, default_branch: "main", description: runtime }), "createRepo");
  expect(repo.name === name && repo.default_branch === "main", "createRepo");
  const token = await value(createToken(client, { repo: name, scope: "write", ttl: 600 }), "createToken");
  const creds = gitCredentials(token.plaintext);
  expect(creds.isOk() && creds.value.expiresAt.getTime() === Date.parse(token.expires_at), "gitCredentials");
  // Where the runtime has its own inspect (Deno's, Bun's), tokens stay hidden there too.
  const inspect = globalThis.Deno?.inspect ?? globalThis.Bun?.inspect;
  if (inspect) {
    const shown = `${inspect(token)} ${inspect(repo)} ${inspect(creds.value)}`;
    expect(!shown.includes(creds.value.secret) && !shown.includes(repo.token.split("?")[0]), "inspect hides tokens");
  }

  // The Git data plane accepts the token: the smart-HTTP advertisement for a push.
  const refs = await fetch(`${repo.remote}/info/refs?service=git-receive-pack`, { headers: creds.value.headers });
  expect(refs.status === 200 && (await refs.text()).includes("git-receive-pack"), "Git remote accepts the token");

  if (git) {
    const author = { name: "Smoke", email: "smoke@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
    const bytes = new Uint8Array([0, 255, 1, 128]);
    const files = { "hello.txt": `hello from ${runtime}`, "bin/bytes": bytes };
    const made = await value(git.commitFiles(client, name, { message: runtime, author, files }), "commitFiles");
    expect(made.parent === null && made.branch === "main", "commitFiles");
    const read = await value(git.readFiles(client, name, { paths: ["hello.txt", "bin/"] }), "readFiles");
    const same = (a, b) => a?.length === b.length && a.every((byte, index) => byte === b[index]);
    expect(
      read.commit === made.commit &&
        new TextDecoder().decode(read.files.get("hello.txt")) === files["hello.txt"] &&
        same(read.files.get("bin/bytes"), bytes),
      "readFiles",
    );
    const remote = { remote: repo.remote, token: token.plaintext };
    const next = await value(
      git.commitFiles(remote, { message: "2", author, files: { "hello.txt": null } }),
      "commitFiles",
    );
    const after = await value(git.readFiles(remote), "readFiles");
    expect(next.parent === made.commit && [...after.files.keys()].join() === "bin/bytes", "{ remote, token } form");
  }

  expect((await value(getRepo(client, name), "getRepo")).remote === repo.remote, "getRepo");
  const [repos] = await value(listRepos(client, { search: name }), "listRepos");
  expect(repos.length === 1, "listRepos");
  const fork = await value(forkRepo(client, name, { name: `${name}-fork` }), "forkRepo");
  expect(typeof fork.objects === "number", "forkRepo");
  await value(deleteToken(client, token.id), "deleteToken");
  const [all] = await value(listTokens(client, name, { state: "all" }), "listTokens");
  expect(all.find((item) => item.id === token.id)?.state === "revoked", "listTokens shows the revoked token");
  const ttl = await createToken(client, { repo: name, ttl: 99_999_999 });
  expect(
    ttl.isErr() && ttl.error._tag === "HttpError" && ttl.error.code === ErrorCode.INVALID_TTL,
    "typed error 10103",
  );
  await value(deleteRepo(client, `${name}-fork`), "deleteRepo fork");
  await value(deleteRepo(client, name), "deleteRepo");
  const gone = await getRepo(client, name);
  expect(gone.isErr() && gone.error.code === ErrorCode.NOT_FOUND, "deleted repo is gone");
  return steps;
}
