import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git, serveGitHttp } from "./git.js";
import { ApiFailure, type Reply, type ServerContext } from "./rest.js";
import { checkNamespace, routes } from "./routes.js";
import { ArtifactsState, type RepoRecord, type StateSnapshot } from "./state.js";

/**
 * How to start the local Artifacts server.
 *
 * @example
 * const server = await startArtifactsServer({ operationDelayMs: 200, rateLimit: { requests: 100, windowMs: 1000 } });
 */
export interface ArtifactsServerOptions {
  /** Default 0: a free port. The server binds 127.0.0.1 only. */
  port?: number;
  /** Default `"local-account"`. */
  accountId?: string;
  /** The API token it accepts. Default: a random one. */
  apiToken?: string;
  /**
   * Where bare repositories live. Default: a new temporary folder, removed by `close()`. When given, the folder
   * also keeps the server's state (`state.json`: repos, ids, tokens as hashes, namespaces), so a server started
   * again on it serves everything as it was.
   */
  dataDir?: string;
  /** Holds every import and fork in progress this long (ms), so 409 `IMPORT_IN_PROGRESS`/`FORK_IN_PROGRESS` can be seen. */
  operationDelayMs?: number;
  /** The largest JSON body accepted; larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** The clock, in ms since the epoch (tokens expire by it). Default `Date.now`. */
  now?: () => number;
  /**
   * Answer 429 once more than `requests` REST calls arrive in a fixed window of `windowMs`, as Cloudflare's API
   * does (it allows 1,200 per 5 minutes per token): with `Retry-After`, `Ratelimit` and `Ratelimit-Policy`.
   * Off by default.
   */
  rateLimit?: { requests: number; windowMs: number };
  /**
   * Answer 429 once more than `requests` Git requests reach one repo in a fixed window of `windowMs`, as Artifacts
   * documents (2,000 Git requests per 10 s per repo). Off by default.
   */
  gitRateLimit?: { requests: number; windowMs: number };
  /**
   * The format of the repo tokens it mints: `"v1"` (default, `art_v1_<hex>?expires=…`, as the REST docs show) or
   * `"v2"` (`art_v2_x_<hex>?expires=…`, as Cloudflare's local simulator mints them). Both are accepted either way.
   */
  tokenFormat?: "v1" | "v2";
  /**
   * Whether its Git remotes allow partial fetches (`filter`, advertised by upload-pack). Default `true`;
   * `false` serves as Cloudflare's local simulator does, which advertises no `filter`.
   */
  gitFilter?: boolean;
}

/**
 * A running local Artifacts server.
 *
 * @example
 * const server: ArtifactsServer = await startArtifactsServer();
 * const client = createClient(server.clientOptions);
 * await server.close();
 */
export interface ArtifactsServer {
  /** The `baseUrl` to give `createClient`, e.g. `http://127.0.0.1:54321/client/v4`. */
  baseUrl: string;
  /** The server's origin, e.g. `http://127.0.0.1:54321`. Git remotes live under `/git/`. */
  origin: string;
  accountId: string;
  apiToken: string;
  namespace: string;
  /** `{ accountId, apiToken, baseUrl }`: spread into `createClient`. */
  clientOptions: { accountId: string; apiToken: string; baseUrl: string };
  /** The in-memory state, for assertions in tests. */
  state: ArtifactsState;
  /** The folder holding the bare repositories, one `<repo id>.git` each. */
  dataDir: string;
  /** Stops listening, drops open connections and removes the data folder if the server made it. */
  close(): Promise<void>;
}

/**
 * Starts a local Artifacts server on 127.0.0.1: the REST control plane under `/client/v4/accounts/{id}/artifacts`
 * and a real Git smart-HTTP remote under `/git/{namespace}/{repo}.git`, backed by `git http-backend`.
 *
 * @example
 * const server = await startArtifactsServer();
 * const client = createClient(server.clientOptions);
 * // ...
 * await server.close();
 */
export async function startArtifactsServer(options: ArtifactsServerOptions = {}): Promise<ArtifactsServer> {
  await git(["--version"]); // fail early and clearly when git is missing
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "artifacts-server-")));
  await mkdir(dataDir, { recursive: true });
  const accountId = options.accountId ?? "local-account";
  const apiToken = options.apiToken ?? `local-${crypto.randomUUID()}`;
  const store = ownsDataDir ? undefined : stateStore(dataDir);
  const state =
    (await store?.load(options.now, (repo) => join(dataDir, `${repo.id}.git`))) ?? new ArtifactsState(options.now);
  state.tokenFormat = options.tokenFormat ?? "v1";

  const context: ServerContext = {
    state,
    repoDir: (repo) => join(dataDir, `${repo.id}.git`),
    remote: (repo) => `${origin}/git/${encodeURIComponent(repo.namespace)}/${encodeURIComponent(repo.name)}.git`,
    operationDelayMs: options.operationDelayMs ?? 0,
  };
  let origin = "";

  const limiter = fixedWindow(options.rateLimit, state.now);
  const gitLimiters = new Map<string, ReturnType<typeof fixedWindow>>();
  const gitLimiter = (repoId: string) => {
    const window = gitLimiters.get(repoId) ?? fixedWindow(options.gitRateLimit, state.now);
    gitLimiters.set(repoId, window);
    return window;
  };
  function rateLimited(res: ServerResponse): void {
    const seconds = Math.max(1, Math.ceil(limiter.resetMs() / 1000));
    res.setHeader("retry-after", String(seconds));
    res.setHeader("ratelimit", `"default";r=0;t=${seconds}`);
    res.setHeader(
      "ratelimit-policy",
      `"default";q=${options.rateLimit?.requests};w=${(options.rateLimit?.windowMs ?? 0) / 1000}`,
    );
    // 971 is the code Cloudflare's API has been seen to send with a 429; the Artifacts table lists none.
    send(res, { status: 429, code: 971, message: "Please wait and consider throttling your request speed" });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug here must answer, never crash the server.
      if (!res.headersSent) send(res, { status: 500, code: 10400, message: `internal error: ${String(error)}` });
      else res.destroy();
    });
  });
  server.on("clientError", (_, socket) => socket.destroy());

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const segments = decodeSegments(url.pathname);
    if (segments === undefined) return send(res, { status: 400, code: 10100, message: "malformed path encoding" });
    if (segments[0] === "git") return handleGit(req, res, segments.slice(1));

    const [client, v4, accounts, account, artifacts, ...rest] = segments;
    if (client !== "client" || v4 !== "v4" || accounts !== "accounts" || artifacts !== "artifacts") {
      return send(res, { status: 404, code: 7003, message: "No route for that URI" });
    }
    if (limiter.exceeded()) return rateLimited(res);
    if (req.headers.authorization !== `Bearer ${apiToken}`) {
      return send(res, { status: 401, code: 10000, message: "Authentication error" });
    }
    // Plausible, undocumented: a token that is valid but for another account is refused like a bad token.
    if (account !== accountId) return send(res, { status: 403, code: 10000, message: "Authentication error" });

    const match = routes.match(req.method ?? "GET", rest);
    if (match === "method") return send(res, { status: 405, code: 7001, message: "Method not allowed" });
    if (match === undefined) return send(res, { status: 404, code: 7003, message: "No route for that URI" });
    try {
      checkNamespace(match.params.ns);
      const reply = await match.handler({
        params: match.params,
        query: url.searchParams,
        body: () => readJson(req, options.maxBodyBytes ?? 1024 * 1024),
        ctx: context,
      });
      send(res, reply);
      if (req.method !== "GET") store?.save(state);
    } catch (error) {
      if (req.method !== "GET") store?.save(state);
      if (!(error instanceof ApiFailure)) throw error;
      if (error.status === 413) {
        // Answer now and drop the rest of the upload with the connection.
        res.setHeader("connection", "close");
        req.resume();
      }
      send(res, error);
    }
  }

  async function handleGit(req: IncomingMessage, res: ServerResponse, segments: string[]): Promise<void> {
    const [namespace, repoGit, ...rest] = segments;
    const repo = namespace && repoGit?.endsWith(".git") ? state.findRepo(namespace, repoGit.slice(0, -4)) : undefined;
    if (!repo) return plain(res, 404, "repository not found");
    if (repo.status !== "ready") return plain(res, 409, `repository is ${repo.status}`);

    const url = new URL(req.url ?? "/", "http://localhost");
    // Smart HTTP only: the advertisement and the two services. Dumb HTTP (`objects/...`, `HEAD`) would serve any
    // object by path, whatever the refs reach.
    const services = url.searchParams.getAll("service");
    const route = rest.join("/");
    const service =
      req.method === "GET" && route === "info/refs" && services.length === 1
        ? services[0]
        : req.method === "POST" && services.length === 0
          ? route
          : undefined;
    if (service !== "git-upload-pack" && service !== "git-receive-pack") {
      // One `service`: git http-backend reads the last, so a second one would dodge the scope check below.
      return plain(res, services.length > 1 ? 400 : 404, "not a Git smart-HTTP route");
    }
    if (gitLimiter(repo.id).exceeded()) {
      res.setHeader("retry-after", String(Math.max(1, Math.ceil(gitLimiter(repo.id).resetMs() / 1000))));
      return plain(res, 429, "too many Git requests for this repository");
    }
    const pushing = service === "git-receive-pack";
    const token = authenticate(req.headers.authorization, repo);
    if (!token) {
      res.setHeader("www-authenticate", 'Basic realm="Artifacts"');
      return plain(res, 401, "authentication required: a repo token as Bearer, or as the Basic password");
    }
    if (pushing && token.scope !== "write") return plain(res, 403, "this token is read-only");
    if (pushing && repo.read_only) return plain(res, 403, "this repository is read-only");

    const code = await serveGitHttp(req, res, {
      projectRoot: dataDir,
      pathInfo: `/${repo.id}.git/${rest.map(encodeURIComponent).join("/")}`,
      remoteUser: token.id,
      filter: options.gitFilter ?? true,
    });
    if (pushing && req.method === "POST" && code === 0) {
      repo.last_push_at = repo.updated_at = state.isoNow();
      store?.save(state);
    }
  }

  /** Bearer with the full token, or Basic with any non-empty username and the secret, as Artifacts accepts. */
  function authenticate(header: string | undefined, repo: RepoRecord) {
    let presented: string | undefined;
    if (header?.startsWith("Bearer ")) presented = header.slice(7).trim();
    else if (header?.startsWith("Basic ")) {
      const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon > 0) presented = decoded.slice(colon + 1);
    }
    if (!presented) return undefined;
    const [secret = "", suffix] = presented.split("?expires=");
    const token = state.tokenForSecret(secret);
    if (!token || token.repoId !== repo.id || state.tokenState(token) !== "active") return undefined;
    // A suffix, when sent, must be the one minted: an edited expiry is not a longer-lived token.
    if (suffix !== undefined && suffix !== String(token.expires)) return undefined;
    return token;
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  const baseUrl = `${origin}/client/v4`;

  return {
    baseUrl,
    origin,
    accountId,
    apiToken,
    namespace: "default",
    clientOptions: { accountId, apiToken, baseUrl },
    state,
    dataDir,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store?.save(state);
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The state file of a data folder. Every save writes a temporary file and renames it over `state.json`, so a
 * server killed mid-write leaves the previous state whole; saves run one at a time, each writing the latest state.
 */
function stateStore(dataDir: string) {
  const file = join(dataDir, "state.json");
  let queue: Promise<void> = Promise.resolve();
  return {
    async load(now: (() => number) | undefined, repoDir: (repo: RepoRecord) => string) {
      const text = await readFile(file, "utf8").catch(() => undefined);
      if (text === undefined) return undefined;
      const { state, unfinished } = ArtifactsState.restore(JSON.parse(text) as StateSnapshot, now);
      // An import or fork the stop cut off: its half-made folder goes with it.
      await Promise.all(unfinished.map((repo) => rm(repoDir(repo), { recursive: true, force: true })));
      return state;
    },
    /** Never rejects: a save that fails is reported as a process warning, and the next one tries again. */
    save(state: ArtifactsState): Promise<void> {
      queue = queue.then(async () => {
        const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
        try {
          await writeFile(temporary, JSON.stringify(state.snapshot()));
          await rename(temporary, file);
        } catch (error) {
          process.emitWarning(`local Artifacts server: could not save ${file}: ${String(error)}`);
        }
      });
      return queue;
    },
  };
}

/** A fixed-window request counter; without a limit it never trips. */
function fixedWindow(limit: ArtifactsServerOptions["rateLimit"], now: () => number) {
  let windowStart = now();
  let count = 0;
  return {
    exceeded(): boolean {
      if (!limit) return false;
      if (now() - windowStart >= limit.windowMs) {
        windowStart = now();
        count = 0;
      }
      return ++count > limit.requests;
    },
    resetMs: () => (limit ? windowStart + limit.windowMs - now() : 0),
  };
}

function decodeSegments(pathname: string): string[] | undefined {
  try {
    return pathname.split("/").slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, reply: Reply | Pick<ApiFailure, "status" | "code" | "message">): void {
  if ("bytes" in reply) {
    res.writeHead(reply.status, { "content-type": reply.contentType, "content-length": reply.bytes.byteLength });
    res.end(reply.bytes);
    return;
  }
  const body =
    "code" in reply
      ? { result: null, success: false, errors: [{ code: reply.code, message: reply.message }], messages: [] }
      : { result: reply.result, success: true, errors: [], messages: [], result_info: reply.result_info };
  const text = JSON.stringify(body);
  res.writeHead(reply.status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function plain(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(`${message}\n`);
}

/** Reads a JSON body, refusing more than `limit` bytes. */
async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiFailure(413, 10100, `request body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiFailure(400, 10100, "request body is not valid JSON");
  }
}
