import { extname } from "node:path";
import { git, gitBytes } from "./git.js";
import { invalid, notFound, queryInteger, type Reply, type Request, readyRepo } from "./rest.js";
import type { RepoRecord } from "./state.js";

/**
 * The local server's read-only content routes, served from the repo's real Git data. Upstream leaves the JSON
 * shapes of commits and trees undocumented; this server's are `{ hash, tree, parents, author, committer, message }`
 * and `{ mode, type, hash, name }`.
 */

const HASH = /^[0-9a-f]{40}$/;
/** A branch, tag or hash. Refs never start with `-`, so none can be read by git as an option. */
const REF = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

function repoOf({ params, ctx }: Request): { repo: RepoRecord; dir: string } {
  const repo = readyRepo(ctx, params.ns!, params.name!);
  return { repo, dir: ctx.repoDir(repo) };
}

function checkHash(hash: string | undefined): string {
  if (!hash || !HASH.test(hash)) throw invalid("hash must be 40 lowercase hex characters");
  return hash;
}

/** The object's type, or a 404 when the repo has no such object. */
async function objectType(dir: string, object: string): Promise<string> {
  const type = await git(["cat-file", "-t", object], dir).catch(() => undefined);
  if (type === undefined) throw notFound(`object '${object}' not found`);
  return type.trim();
}

async function resolveCommit(dir: string, ref: string): Promise<string> {
  if (!REF.test(ref) || ref.includes("..")) throw invalid("ref is not a valid branch, tag or commit");
  const hash = await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], dir).catch(() => undefined);
  if (hash === undefined) throw notFound(`ref '${ref}' not found`);
  return hash.trim();
}

/** A path inside the tree: relative, no empty, `.` or `..` parts. */
function checkPath(path: string | null | undefined): string {
  if (!path || path.split("/").some((part) => part === "" || part === "." || part === "..")) {
    throw invalid("path must be a relative file path");
  }
  return path;
}

const FIELDS = ["%H", "%T", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%B"];

async function commits(dir: string, args: string[]): Promise<Record<string, unknown>[]> {
  const out = await git(["log", `--format=${FIELDS.join("%x00")}%x1e`, ...args], dir);
  return out
    .split("\x1e")
    .map((record) => record.replace(/^\n/, ""))
    .filter((record) => record !== "")
    .map((record) => {
      const [hash, tree, parents, an, ae, ad, cn, ce, cd, message] = record.split("\x00");
      return {
        hash,
        tree,
        parents: parents ? parents.split(" ") : [],
        author: { name: an, email: ae, date: ad },
        committer: { name: cn, email: ce, date: cd },
        message,
      };
    });
}

export async function getLog(request: Request): Promise<Reply> {
  const { repo, dir } = repoOf(request);
  const limit = queryInteger(request.query, "limit", 50, 1, 1000);
  const offset = queryInteger(request.query, "offset", 0, 0, Number.MAX_SAFE_INTEGER);
  const head = await resolveCommit(dir, request.query.get("ref") ?? repo.default_branch);
  return { status: 200, result: await commits(dir, ["-n", `${limit}`, `--skip=${offset}`, head]) };
}

export async function getCommit(request: Request): Promise<Reply> {
  const { dir } = repoOf(request);
  const hash = checkHash(request.params.hash);
  if ((await objectType(dir, hash)) !== "commit") throw notFound(`commit '${hash}' not found`);
  const [commit] = await commits(dir, ["-n", "1", hash]);
  return { status: 200, result: commit };
}

/** A tree hash, or a commit hash standing for its tree. */
export async function getTree(request: Request): Promise<Reply> {
  const { dir } = repoOf(request);
  const hash = checkHash(request.params.hash);
  const type = await objectType(dir, hash);
  if (type !== "tree" && type !== "commit") throw notFound(`tree '${hash}' not found`);
  const listing = await git(["ls-tree", "-z", hash], dir);
  const entries = listing
    .split("\0")
    .filter((line) => line !== "")
    .map((line) => {
      const tab = line.indexOf("\t");
      const [mode, entryType, entryHash] = line.slice(0, tab).split(" ");
      return { mode, type: entryType, hash: entryHash, name: line.slice(tab + 1) };
    });
  return { status: 200, result: entries };
}

export async function getBlob(request: Request): Promise<Reply> {
  const { dir } = repoOf(request);
  const hash = checkHash(request.params.hash);
  if ((await objectType(dir, hash)) !== "blob") throw notFound(`blob '${hash}' not found`);
  return {
    status: 200,
    bytes: await gitBytes(["cat-file", "blob", hash], dir),
    contentType: "application/octet-stream",
  };
}

async function fileAt(dir: string, ref: string | null | undefined, path: string | null | undefined) {
  if (!ref) throw invalid("ref is required");
  const commit = await resolveCommit(dir, ref);
  const object = `${commit}:${checkPath(path)}`;
  if ((await objectType(dir, object)) !== "blob") throw notFound(`'${path}' is not a file at '${ref}'`);
  return gitBytes(["cat-file", "blob", object], dir);
}

export async function getFile(request: Request): Promise<Reply> {
  const { dir } = repoOf(request);
  const bytes = await fileAt(dir, request.query.get("ref"), request.query.get("path"));
  return { status: 200, bytes, contentType: "application/octet-stream" };
}

export async function getRaw(request: Request): Promise<Reply> {
  const { dir } = repoOf(request);
  const bytes = await fileAt(dir, request.params.ref, request.params.path);
  return { status: 200, bytes, contentType: sniff(request.params.path!, bytes) };
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".md": "text/markdown; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".gif": "image/gif",
  ".pdf": "application/pdf",
};

/** By extension, else text when the start has no NUL byte (git's own binary heuristic), else bytes. */
function sniff(path: string, bytes: Uint8Array): string {
  const known = TYPES[extname(path).toLowerCase()];
  if (known) return known;
  return bytes.subarray(0, 8000).includes(0) ? "application/octet-stream" : "text/plain; charset=utf-8";
}
