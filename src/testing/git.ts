import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { devNull, tmpdir } from "node:os";
import { join } from "node:path";
import { createGunzip } from "node:zlib";

/**
 * The local server's Git side: plain `git` commands for repo housekeeping, and `git http-backend` as a CGI
 * for the smart-HTTP data plane. Always asynchronous: this process also serves the remote that a `git`
 * child may be talking to, so a blocking call would deadlock both.
 */

/** A git failure, with what git printed, for mapping to an API error. */
export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
  ) {
    super(`git ${args[0]} failed: ${stderr.trim().split("\n").at(-1) ?? ""}`);
  }
}

/** `git -c name=value …` through the environment, where argv cannot show it. */
export function configEnv(config: Record<string, string>): Record<string, string> {
  const entries = Object.entries(config);
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(entries.length) };
  for (const [index, [key, value]] of entries.entries()) {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  }
  return env;
}

/**
 * What every git child inherits: only what it needs to run (an allowlist, as Cloudflare's simulator has), never the
 * rest of this process's environment, where an API token may live (`ARTIFACTS_SERVER_API_TOKEN`,
 * `CLOUDFLARE_API_TOKEN`) and where `GIT_DIR` or `GIT_SSL_NO_VERIFY` would redirect or weaken it. Then no prompts, no
 * user or system config, no credential helper, a HOME that does not exist (libcurl reads `~/.netrc`), and
 * git's own words (`LC_ALL=C`), which `importFailure` reads.
 */
const INHERITED = ["PATH", "TMPDIR", "TMP", "TEMP", "SystemRoot", "WINDIR", "PATHEXT", "GIT_SSL_CAINFO"];
const NOWHERE = join(tmpdir(), `artifacts-server-nowhere-${randomUUID()}`);

function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    INHERITED.flatMap((name) => (name in process.env ? [[name, process.env[name]]] : [])),
  );
  return {
    ...inherited,
    HOME: NOWHERE,
    LC_ALL: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: devNull,
    GIT_ASKPASS: "",
    SSH_ASKPASS: "",
    GIT_CONFIG_PARAMETERS: "'credential.helper'=''",
    ...extra,
  };
}

/**
 * `git <args>` run with umask 077, as Cloudflare's simulator runs git, so that everything it writes in the data
 * folder (objects, refs, a fork's or an import's new repository) is its owner's only. Node cannot set a child's umask
 * itself; `sh` can, then becomes git (`exec`). Windows has no umask to set.
 */
function gitCommand(args: readonly string[]): [string, string[]] {
  return process.platform === "win32"
    ? ["git", [...args]]
    : ["/bin/sh", ["-c", 'umask 077 && exec git "$@"', "git", ...args]];
}

/**
 * Runs git and resolves with what it printed. `env` adds to its environment: the place for a secret, which argv
 * would show to every user of the machine (`/proc/<pid>/cmdline`).
 */
export function git(args: readonly string[], cwd?: string, env: Record<string, string> = {}): Promise<string> {
  const [file, argv] = gitCommand(args);
  return new Promise((resolve, reject) => {
    execFile(
      file,
      argv,
      { cwd, env: gitEnv(env), timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new GitCommandError(args, `${stderr}${error.message}`)) : resolve(stdout),
    );
  });
}

/** Like `git`, for output that is bytes (blobs), not text. */
export function gitBytes(args: readonly string[], cwd: string): Promise<Uint8Array> {
  const [file, argv] = gitCommand(args);
  return new Promise((resolve, reject) => {
    execFile(
      file,
      argv,
      { cwd, env: gitEnv(), encoding: "buffer", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error
          ? reject(new GitCommandError(args, `${stderr.toString()}${error.message}`))
          : resolve(new Uint8Array(stdout)),
    );
  });
}

/**
 * An empty bare repository, written directly: what `git init --bare` makes, less the sample hooks and templates,
 * and without a process (git init spends ~30 ms copying templates, which dominated a create).
 */
export async function initBare(dir: string, defaultBranch: string): Promise<void> {
  await Promise.all(
    ["objects/info", "objects/pack", "refs/heads", "refs/tags"].map((sub) =>
      mkdir(join(dir, sub), { recursive: true, mode: 0o700 }),
    ),
  );
  await Promise.all([
    writeFile(join(dir, "HEAD"), `ref: refs/heads/${defaultBranch}\n`, { mode: 0o600 }),
    writeFile(join(dir, "config"), "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n", {
      mode: 0o600,
    }),
  ]);
}

/** Loose plus packed objects, as `git count-objects -v` reports them. */
export async function countObjects(dir: string): Promise<number> {
  const report = await git(["count-objects", "-v"], dir);
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, "m").exec(report)?.[1] ?? 0);
  return field("count") + field("in-pack");
}

export interface CgiRequest {
  projectRoot: string;
  /** Path below `projectRoot`, e.g. `/<id>.git/info/refs`. */
  pathInfo: string;
  /** The query string, without its `?` (`service=git-upload-pack`). */
  query: string;
  /** Set for authenticated callers; http-backend refuses receive-pack without it. */
  remoteUser: string;
  /** Whether upload-pack allows partial fetches (`filter`). */
  filter: boolean;
}

/**
 * Runs `git http-backend` for one request and streams its answer. Resolves with its exit code once it has
 * written all of it, leaving `res` to end: the caller records what a push changed first.
 */
export function serveGitHttp(req: IncomingMessage, res: ServerResponse, cgi: CgiRequest): Promise<number> {
  const [file, argv] = gitCommand(["http-backend"]);
  const child = spawn(file, argv, {
    env: gitEnv({
      GIT_PROJECT_ROOT: cgi.projectRoot,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: cgi.pathInfo,
      REQUEST_METHOD: req.method ?? "GET",
      QUERY_STRING: cgi.query,
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
      REMOTE_USER: cgi.remoteUser,
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
      // Partial fetches (`filter blob:none`), as Cloudflare's ArtifactFS relies on against Artifacts remotes;
      // off, as Cloudflare's local simulator runs.
      ...configEnv({ "uploadpack.allowFilter": String(cgi.filter) }),
    }),
  });
  // git gzips large request bodies; http-backend wants them plain.
  const body = req.headers["content-encoding"] === "gzip" ? req.pipe(createGunzip()) : req;
  body.on("error", () => child.kill());
  body.pipe(child.stdin);
  child.stdin.on("error", () => {});

  // The CGI head is parsed here; the body is then piped, so a client that reads slowly holds git back (the pipe
  // waits for the socket to drain) instead of this process buffering a whole pack for it.
  let head = Buffer.alloc(0);
  let headersSent = false;
  const readHead = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const end = findHeaderEnd(head);
    if (!end) return;
    headersSent = true;
    child.stdout.off("data", readHead);
    const { status, headers } = parseCgiHead(head.subarray(0, end.index).toString("latin1"));
    res.writeHead(status, headers);
    res.write(head.subarray(end.index + end.length));
    child.stdout.pipe(res, { end: false });
  };
  child.stdout.on("data", readHead);
  // A client gone mid-answer would leave git blocked on a pipe nobody reads.
  res.on("close", () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  });
  return new Promise((resolve) => {
    child.on("close", (code) => {
      if (!headersSent && !res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      resolve(code ?? 1);
    });
    child.on("error", () => resolve(1));
  });
}

function findHeaderEnd(buffer: Buffer): { index: number; length: number } | undefined {
  const crlf = buffer.indexOf("\r\n\r\n");
  const lf = buffer.indexOf("\n\n");
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { index: crlf, length: 4 };
  return lf === -1 ? undefined : { index: lf, length: 2 };
}

function parseCgiHead(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers };
}
