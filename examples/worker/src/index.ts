// GET / → creates a repo, commits two files, reads them back, deletes the repo, and answers what happened as JSON.
import { createClient, createRepo, deleteRepo } from "cloudflare-artifacts";
import { commitFiles, readFiles } from "cloudflare-artifacts/git";

export interface Env {
  CLOUDFLARE_ACCOUNT_ID: string;
  /** A secret: `wrangler secret put CLOUDFLARE_API_TOKEN`. */
  CLOUDFLARE_API_TOKEN: string;
  CLOUDFLARE_API_BASE_URL?: string;
}

export default {
  async fetch(_request: Request, env: Env): Promise<Response> {
    const client = createClient({
      accountId: env.CLOUDFLARE_ACCOUNT_ID,
      apiToken: env.CLOUDFLARE_API_TOKEN,
      baseUrl: env.CLOUDFLARE_API_BASE_URL || undefined,
    });
    const name = `worker-${crypto.randomUUID().slice(0, 8)}`;
    const created = await createRepo(client, { name, default_branch: "main" });
    if (created.isErr()) return Response.json({ step: "createRepo", error: created.error.message }, { status: 502 });
    try {
      const made = await commitFiles(client, name, {
        message: "Written by a Worker",
        author: { name: "Worker", email: "worker@example.com" },
        files: { "README.md": "# Hello from a Worker\n", "data/bytes.bin": new Uint8Array([0, 1, 2, 255]) },
      });
      if (made.isErr()) return Response.json({ step: "commitFiles", error: made.error.message }, { status: 502 });
      const read = await readFiles(client, name, { paths: ["README.md", "data/"] });
      if (read.isErr()) return Response.json({ step: "readFiles", error: read.error.message }, { status: 502 });
      const files = Object.fromEntries([...read.value.files].map(([path, bytes]) => [path, [...bytes]]));
      return Response.json({ repo: name, commit: made.value.commit, read: read.value.commit, files });
    } finally {
      await deleteRepo(client, name);
    }
  },
};
