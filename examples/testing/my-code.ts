// The code under test in these examples: what a user's own module built on the SDK might look like.
import { type Client, createRepo, ErrorCode, getRepo, type RepoWithRemote } from "cloudflare-artifacts";
import { err, ok, type Result } from "neverthrow";

/** The repo `name`, created if it does not exist yet. */
export async function ensureRepo(client: Client, name: string): Promise<Result<RepoWithRemote, string>> {
  const created = await createRepo(client, { name, default_branch: "main" });
  if (created.isErr()) {
    const error = created.error;
    if (!(error._tag === "HttpError" && error.code === ErrorCode.ALREADY_EXISTS)) return err(error.message);
  }
  const repo = await getRepo(client, name);
  return repo.isOk() ? ok(repo.value) : err(repo.error.message);
}
