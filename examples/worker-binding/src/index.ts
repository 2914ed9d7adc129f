// GET /?repo=<name> → creates the repo through the binding (or reuses it), commits two files with the repo handle,
// reads them back, and answers what happened as JSON. The handle mints one token, both calls use it, and
// disposeGit revokes it once the answer is sent.
import { type ArtifactsRepoHandle, commitFiles, disposeGit, readFiles } from "cloudflare-artifacts/git";

export interface Env {
  /** The Artifacts binding, as `wrangler.jsonc` declares it (typed by the little this Worker uses). */
  ARTIFACTS: {
    create(name: string): Promise<{ remote: string; token: string }>;
    get(name: string): Promise<ArtifactsRepoHandle>;
  };
}

export default {
  async fetch(request: Request, env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<Response> {
    const name = new URL(request.url).searchParams.get("repo") ?? `notes-${crypto.randomUUID().slice(0, 8)}`;
    await env.ARTIFACTS.create(name).catch(() => undefined); // already there: use it
    const repo = await env.ARTIFACTS.get(name);

    try {
      const made = await commitFiles(repo, {
        message: "Written by a Worker through its binding",
        author: { name: "Worker", email: "worker@example.com" },
        files: { "README.md": "# Hello from the binding\n", "data/bytes.bin": new Uint8Array([0, 1, 2, 255]) },
      });
      if (made.isErr()) return Response.json({ step: "commitFiles", error: made.error.message }, { status: 502 });

      const read = await readFiles(repo, { paths: ["README.md", "data/"] });
      if (read.isErr()) return Response.json({ step: "readFiles", error: read.error.message }, { status: 502 });
      const files = Object.fromEntries([...read.value.files].map(([path, bytes]) => [path, [...bytes]]));
      return Response.json({ repo: name, commit: made.value.commit, read: read.value.commit, files });
    } finally {
      ctx.waitUntil(disposeGit(repo)); // after the answer: revokes the token both calls shared
    }
  },
};
