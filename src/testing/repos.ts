import { rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { configEnv, countObjects, GitCommandError, git, initBare } from "./git.js";
import {
  ApiFailure,
  assertFree,
  branchName,
  created,
  cursorPage,
  invalid,
  isBoolean,
  isInteger,
  isString,
  notFound,
  objectBody,
  optional,
  queryChoice,
  queryInteger,
  type Reply,
  type Request,
  readyRepo,
  repoName,
  repoWithRemote,
  type ServerContext,
} from "./rest.js";
import type { RepoRecord } from "./state.js";

/** The local server's repo routes: create, list, get, delete, fork and import. */

export async function createRepo(request: Request): Promise<Reply> {
  const { params, ctx } = request;
  const body = await objectBody(request);
  const name = repoName(body.name);
  const description = optional(body, "description", isString, "a string") ?? null;
  const defaultBranch = branchName(optional(body, "default_branch", isString, "a string") ?? "main", "default_branch");
  const readOnly = optional(body, "read_only", isBoolean, "a boolean") ?? false;
  assertFree(ctx, params.ns!, name);
  // Claimed before the first await: of many concurrent creates of one name, exactly one gets here.
  const repo = ctx.state.addRepo({
    namespace: params.ns!,
    name,
    description,
    default_branch: defaultBranch,
    source: null,
    read_only: readOnly,
    status: "ready",
  });
  try {
    await initBare(ctx.repoDir(repo), defaultBranch);
  } catch (error) {
    ctx.state.removeRepo(repo);
    throw error;
  }
  // Deleted while its folder was being written: the delete removed a folder not yet complete, so remove what the
  // write left, and mint nothing for a repo that is gone.
  if (ctx.state.findRepo(repo.namespace, repo.name) !== repo) {
    await rm(ctx.repoDir(repo), { recursive: true, force: true });
    throw notFound(`repo '${name}' was deleted while being created`);
  }
  return { status: 201, result: created(ctx, repo) };
}

export function listRepos({ params, query, ctx }: Request): Reply {
  const limit = queryInteger(query, "limit", 50, 1, 200);
  const sort = queryChoice(query, "sort", ["created_at", "updated_at", "last_push_at", "name"] as const, "created_at");
  const direction = queryChoice(query, "direction", ["asc", "desc"] as const, "desc");
  // Plausible, undocumented: search is a case-insensitive substring of the name.
  const search = query.get("search")?.toLowerCase() ?? "";
  const repos = [...(ctx.state.namespaces.get(params.ns!)?.repos.values() ?? [])].filter((repo) =>
    repo.name.toLowerCase().includes(search),
  );
  const key = (repo: RepoRecord): [string, string] => [String(repo[sort] ?? ""), repo.name];
  const { page, result_info } = cursorPage(repos, key, direction, limit, query.get("cursor"));
  return { status: 200, result: page.map((repo) => repoWithRemote(ctx, repo)), result_info };
}

export function getRepo({ params, ctx }: Request): Reply {
  return { status: 200, result: repoWithRemote(ctx, readyRepo(ctx, params.ns!, params.name!)) };
}

export async function deleteRepo({ params, ctx }: Request): Promise<Reply> {
  const repo = ctx.state.findRepo(params.ns!, params.name!);
  if (!repo) throw notFound(`repo '${params.name}' not found`);
  ctx.state.removeRepo(repo);
  await rm(ctx.repoDir(repo), { recursive: true, force: true });
  return { status: 202, result: { id: repo.id } };
}

export async function forkRepo(request: Request): Promise<Reply> {
  const { params, ctx } = request;
  const body = await objectBody(request);
  const source = readyRepo(ctx, params.ns!, params.name!);
  const name = repoName(body.name);
  const description = optional(body, "description", isString, "a string") ?? null;
  const readOnly = optional(body, "read_only", isBoolean, "a boolean") ?? false;
  // The binding's default (workerd's types): only the default branch. REST leaves it undocumented.
  const defaultBranchOnly = optional(body, "default_branch_only", isBoolean, "a boolean") ?? true;
  assertFree(ctx, params.ns!, name);
  const fork = ctx.state.addRepo({
    namespace: params.ns!,
    name,
    description,
    default_branch: source.default_branch,
    // As the binding's type comment shows a fork's source: "artifacts:<namespace>/<repo>".
    source: `artifacts:${source.namespace}/${source.name}`,
    read_only: readOnly,
    status: "forking",
  });
  return runOperation(ctx, fork, async (dir) => {
    const sourceDir = ctx.repoDir(source);
    const hasDefault = await git(["rev-parse", "--verify", "--quiet", `refs/heads/${source.default_branch}`], sourceDir)
      .then(() => true)
      .catch(() => false);
    const only = defaultBranchOnly && hasDefault ? ["--single-branch", "--branch", source.default_branch] : [];
    // Through the Git protocol, not hard links: the fork holds only what the branches it took reach, so no object
    // of a branch left behind can be fetched from it by id.
    await git(["clone", "--quiet", "--bare", "--no-local", ...only, sourceDir, dir]);
    return { ...created(ctx, fork), objects: await countObjects(dir) };
  });
}

export async function importRepo(request: Request): Promise<Reply> {
  const { params, ctx } = request;
  const body = await objectBody(request);
  const name = repoName(params.name);
  if (typeof body.url !== "string") throw invalid("url is required");
  const url = parseRemote(body.url);
  const branch = optional(body, "branch", isString, "a string");
  if (branch !== undefined) branchName(branch, "branch");
  const depth = optional(body, "depth", isInteger, "an integer");
  if (depth !== undefined && depth < 1) throw invalid("depth must be at least 1");
  const readOnly = optional(body, "read_only", isBoolean, "a boolean") ?? false;
  assertFree(ctx, params.ns!, name);
  const repo = ctx.state.addRepo({
    namespace: params.ns!,
    name,
    description: null,
    default_branch: branch ?? "main",
    source: sourceOf(url),
    read_only: readOnly,
    status: "importing",
  });
  return runOperation(ctx, repo, async (dir) => {
    // Without `branch`, the remote's default branch only (the binding's documented default).
    const options = [
      "--single-branch",
      ...(branch ? ["--branch", branch] : []),
      ...(depth ? ["--depth", `${depth}`] : []),
    ];
    // Credentials in the URL go to git as a header, through its environment: in argv (git's and its
    // `git-remote-http` child's) any user of the machine could read them.
    const { href, credentials } = splitCredentials(url);
    try {
      await git(["clone", "--quiet", "--bare", ...options, href, dir], undefined, credentials);
    } catch (error) {
      throw importFailure(error);
    }
    // Nothing of the source is kept, not even its URL.
    await git(["remote", "remove", "origin"], dir);
    const head = await git(["symbolic-ref", "--short", "HEAD"], dir).catch(() => "");
    repo.default_branch = branch ?? (head.trim() || "main");
    return created(ctx, repo);
  });
}

/**
 * The import source: an http(s) URL. Upstream requires a public HTTPS remote; this server fetches any http(s) URL
 * it is given (tests use loopback remotes), so it is for trusted callers only.
 */
function parseRemote(text: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {}
  if (url?.protocol !== "https:" && url?.protocol !== "http:") throw invalid("url must be an http(s) Git remote URL");
  try {
    // Decoded when sent (`splitCredentials`): refused now, as the caller's input, rather than failing later.
    decodeURIComponent(url.username + url.password);
  } catch {
    throw invalid("url's user:password@ is not valid percent-encoding");
  }
  return url;
}

/** The URL without its userinfo, and that userinfo as the git config that sends it (Basic, as a URL would). */
function splitCredentials(url: URL): { href: string; credentials: Record<string, string> } {
  const bare = new URL(url.href);
  bare.username = "";
  bare.password = "";
  if (url.username === "" && url.password === "") return { href: bare.href, credentials: {} };
  const basic = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString(
    "base64",
  );
  return { href: bare.href, credentials: configEnv({ "http.extraHeader": `Authorization: Basic ${basic}` }) };
}

/**
 * `source` as the binding's type comment shows it: `github:owner/repo` for GitHub, the URL (without credentials,
 * which are a secret) otherwise.
 */
export function sourceOf(url: URL): string {
  const github = url.hostname === "github.com" && /^\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url.pathname);
  if (github) return `github:${github[1]}/${github[2]}`;
  return splitCredentials(url).href;
}

/** Maps what `git clone` said to the upstream codes for an import source. */
export function importFailure(error: unknown): ApiFailure {
  const text = error instanceof GitCommandError ? error.stderr : String(error);
  if (/Authentication failed|could not read Username|terminal prompts disabled|returned error: 40[13]\b/i.test(text)) {
    return new ApiFailure(10106, "the import source requires authentication");
  }
  if (/Could not resolve host|Failed to connect|Connection refused|timed out|Couldn't connect/i.test(text)) {
    return new ApiFailure(10401, "the import source is unreachable");
  }
  return new ApiFailure(10104, "the import source is not a valid git repository");
}

/**
 * Runs an import or fork: the repo answers 409 while `work` runs (held at least `operationDelayMs`),
 * then becomes ready; on failure it is removed whole, leaving nothing half-made.
 */
async function runOperation(
  ctx: ServerContext,
  repo: RepoRecord,
  work: (dir: string) => Promise<unknown>,
): Promise<Reply> {
  const dir = ctx.repoDir(repo);
  try {
    if (ctx.operationDelayMs > 0) await sleep(ctx.operationDelayMs);
    const result = await work(dir);
    if (ctx.state.findRepo(repo.namespace, repo.name) !== repo) throw notFound(`repo '${repo.name}' was deleted`);
    repo.status = "ready";
    return { status: 201, result };
  } catch (error) {
    ctx.state.removeRepo(repo);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
