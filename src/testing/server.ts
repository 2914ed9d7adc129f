import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { controlPlane } from "./control-plane.js";
import { git } from "./git.js";
import { gitRemote } from "./git-remote.js";
import { decodeSegments, send } from "./http.js";
import type { ServerContext } from "./rest.js";
import { ArtifactsState } from "./state.js";
import { openStore } from "./store.js";

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
  /**
   * The API token it accepts. Default: a random one; with `dataDir`, the one that folder keeps (minted and saved
   * there, readable by its owner only, the first time), so a restarted server takes the same token.
   */
  apiToken?: string;
  /**
   * Where bare repositories live. Default: a new temporary folder, removed by `close()`. When given, the folder
   * also keeps the server's state (`state.json`: repos, ids, tokens as hashes, namespaces), so a server started
   * again on it serves everything as it was. Every change is written (atomically, fsynced) before it is answered,
   * and a start reconciles the folder with the state, so even a SIGKILL loses nothing the server acknowledged.
   */
  dataDir?: string;
  /** Holds every import and fork in progress this long (ms), so 409 `IMPORT_IN_PROGRESS`/`FORK_IN_PROGRESS` can be seen. */
  operationDelayMs?: number;
  /** The largest JSON body accepted; larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** The clock, in ms since the epoch (tokens expire by it). Default `Date.now`. */
  now?: () => number;
  /**
   * Answer 429 once more than `requests` authenticated REST calls arrive in a fixed window of `windowMs`, as
   * Cloudflare's API does (it allows 1,200 per 5 minutes per token): with `Retry-After`, `Ratelimit` and
   * `Ratelimit-Policy`. Requests without the API token are refused before they count. Off by default.
   */
  rateLimit?: { requests: number; windowMs: number };
  /**
   * Answer 429 once more than `requests` authenticated Git requests reach one repo in a fixed window of
   * `windowMs`, as Artifacts documents (2,000 Git requests per 10 s per repo). Off by default.
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
  /**
   * The origin its repos' `remote` URLs name, e.g. `http://127.0.0.1:8788`. Default its own: set it to a proxy's in
   * front of it (one that adds latency or faults), and the data plane's Git requests go through that proxy too.
   */
  remoteOrigin?: string;
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
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const store = ownsDataDir ? undefined : await openStore(dataDir, options.now);
  const state = store?.state ?? new ArtifactsState(options.now);
  state.tokenFormat = options.tokenFormat ?? "v1";
  const accountId = options.accountId ?? "local-account";
  const apiToken = options.apiToken ?? (await store?.apiToken()) ?? `local-${crypto.randomUUID()}`;
  const persist = async () => {
    try {
      await store?.save(state);
    } catch (error) {
      process.emitWarning(`local Artifacts server: could not save ${dataDir}: ${String(error)}`);
      throw error;
    }
  };

  let origin = "";
  const context: ServerContext = {
    state,
    repoDir: (repo) => join(dataDir, `${repo.id}.git`),
    remote: (repo) =>
      `${options.remoteOrigin?.replace(/\/+$/, "") ?? origin}/git/${encodeURIComponent(repo.namespace)}/${encodeURIComponent(repo.name)}.git`,
    operationDelayMs: options.operationDelayMs ?? 0,
  };
  const rest = controlPlane(context, {
    accountId,
    apiToken,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    rateLimit: options.rateLimit,
    persist,
  });
  const remotes = gitRemote(context, {
    dataDir,
    gitRateLimit: options.gitRateLimit,
    filter: options.gitFilter ?? true,
    persist,
  });

  const server = createServer((req, res) => {
    // Parsed once here; the handlers take it as it is.
    const url = new URL(req.url ?? "/", "http://localhost");
    const segments = decodeSegments(url.pathname);
    const handled =
      segments === undefined
        ? Promise.resolve(send(res, { status: 400, code: 10100, message: "malformed path encoding" }))
        : segments[0] === "git"
          ? remotes(req, res, url, segments.slice(1))
          : rest(req, res, url, segments);
    handled.catch(() => {
      // A bug here must answer, never crash the server; and say nothing of what was thrown: git's stderr and the
      // data folder's paths are this machine's, not the caller's.
      if (!res.headersSent) send(res, { status: 500, code: 10400, message: "internal error" });
      else res.destroy();
    });
  });
  server.on("clientError", (_, socket) => socket.destroy());

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
      await persist().catch(() => {});
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
