import type { IncomingMessage, ServerResponse } from "node:http";
import { serveGitHttp } from "./git.js";
import { plain } from "./http.js";
import { keyedWindows, type RateLimit } from "./rate-limit.js";
import type { ServerContext } from "./rest.js";
import type { RepoRecord } from "./state.js";

/** The Git smart-HTTP remotes under `/git/{namespace}/{repo}.git`: repo tokens, scopes and `git http-backend`. */
export interface GitRemoteOptions {
  dataDir: string;
  gitRateLimit: RateLimit | undefined;
  /** Whether upload-pack allows partial fetches (`filter`). */
  filter: boolean;
  /** Resolves once the state is durable. */
  persist(): Promise<void>;
}

export function gitRemote(ctx: ServerContext, options: GitRemoteOptions) {
  const { state } = ctx;
  const limiterOf = keyedWindows(options.gitRateLimit, state.now);

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

  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL, segments: string[]): Promise<void> {
    const [namespace, repoGit, ...rest] = segments;
    const repo = namespace && repoGit?.endsWith(".git") ? state.findRepo(namespace, repoGit.slice(0, -4)) : undefined;
    if (!repo) return plain(res, 404, "repository not found");
    if (repo.status !== "ready") return plain(res, 409, `repository is ${repo.status}`);

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
    const pushing = service === "git-receive-pack";
    const token = authenticate(req.headers.authorization, repo);
    if (!token) {
      res.setHeader("www-authenticate", 'Basic realm="Artifacts"');
      return plain(res, 401, "authentication required: a repo token as Bearer, or as the Basic password");
    }
    // Counted once authenticated, as the REST limit is: git's own first, credential-less probe costs nothing.
    const limiter = limiterOf(repo.id);
    if (limiter.exceeded()) {
      res.setHeader("retry-after", String(limiter.retryAfter()));
      return plain(res, 429, "too many Git requests for this repository");
    }
    if (pushing && token.scope !== "write") return plain(res, 403, "this token is read-only");
    if (pushing && repo.read_only) return plain(res, 403, "this repository is read-only");

    const code = await serveGitHttp(req, res, {
      projectRoot: options.dataDir,
      pathInfo: `/${repo.id}.git/${rest.map(encodeURIComponent).join("/")}`,
      query: url.search.slice(1),
      remoteUser: token.id,
      filter: options.filter,
    });
    if (pushing && req.method === "POST" && code === 0) {
      repo.last_push_at = repo.updated_at = state.isoNow();
      // Git made the push itself durable; its time is kept before the answer ends. A failed save is warned of.
      await options.persist().catch(() => {});
    }
    res.end();
  };
}
