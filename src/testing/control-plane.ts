import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readJson, send } from "./http.js";
import { fixedWindow, type RateLimit, setRateLimitHeaders } from "./rate-limit.js";
import { ApiFailure, type Reply, type ServerContext } from "./rest.js";
import { checkNamespace, routes } from "./routes.js";

/**
 * The REST control plane under `/client/v4/accounts/{account_id}/artifacts/`: authentication, the rate limit,
 * routing, and a change made durable before it is acknowledged.
 */
export interface ControlPlaneOptions {
  accountId: string;
  apiToken: string;
  maxBodyBytes: number;
  rateLimit: RateLimit | undefined;
  /** Resolves once the state is durable; rejects when it could not be saved. */
  persist(): Promise<void>;
}

/**
 * Refusals that are not the Artifacts table's (`statusOf` maps those): Cloudflare's API-wide codes, with the
 * statuses its API is seen to send them with.
 */
const REFUSED = {
  unauthenticated: { status: 401, code: 10000, message: "Authentication error" },
  // Plausible, undocumented: a token that is valid but for another account is refused like a bad token.
  otherAccount: { status: 403, code: 10000, message: "Authentication error" },
  noRoute: { status: 404, code: 7003, message: "No route for that URI" },
  method: { status: 405, code: 7001, message: "Method not allowed" },
  // 971 is the code Cloudflare's API has been seen to send with a 429; the Artifacts table lists none.
  rateLimited: { status: 429, code: 971, message: "Please wait and consider throttling your request speed" },
  unsaved: { status: 500, code: 10400, message: "internal error: the change could not be saved" },
} as const;

export function controlPlane(ctx: ServerContext, options: ControlPlaneOptions) {
  const limiter = fixedWindow(options.rateLimit, ctx.state.now);

  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL, segments: string[]): Promise<void> {
    const [client, v4, accounts, account, artifacts, ...rest] = segments;
    if (client !== "client" || v4 !== "v4" || accounts !== "accounts" || artifacts !== "artifacts") {
      return send(res, REFUSED.noRoute);
    }
    if (!sameSecret(req.headers.authorization, `Bearer ${options.apiToken}`)) return send(res, REFUSED.unauthenticated);
    if (account !== options.accountId) return send(res, REFUSED.otherAccount);
    // Counted once authenticated: a stranger's requests never spend the token holder's budget.
    if (options.rateLimit && limiter.exceeded()) {
      setRateLimitHeaders(res, options.rateLimit, limiter.retryAfter());
      return send(res, REFUSED.rateLimited);
    }

    const match = routes.match(req.method ?? "GET", rest);
    if (match === "method") return send(res, REFUSED.method);
    if (match === undefined) return send(res, REFUSED.noRoute);
    const changes = req.method !== "GET";
    // Resolves to whether the state is durable; the server warns of a failed save itself.
    const saved = () =>
      changes
        ? options.persist().then(
            () => true,
            () => false,
          )
        : Promise.resolve(true);
    let reply: Reply;
    try {
      checkNamespace(match.params.ns);
      reply = await match.handler({
        params: match.params,
        query: url.searchParams,
        body: () => readJson(req, options.maxBodyBytes),
        ctx,
      });
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      // A failed change may have undone part of itself (a fork removed whole): keep that too.
      await saved();
      if (error.status === 413) {
        // Answer now and drop the rest of the upload with the connection.
        res.setHeader("connection", "close");
        req.resume();
      }
      return send(res, error);
    }
    // Acknowledged only once durable: a SIGKILL right after this answer loses nothing it said.
    send(res, (await saved()) ? reply : REFUSED.unsaved);
  };
}

/**
 * Whether `given` is `expected`, in time that does not depend on where they first differ (a comparison that stops
 * early tells a patient caller the token one character at a time). Both are hashed first, so lengths match.
 */
export function sameSecret(given: string | undefined, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return given !== undefined && timingSafeEqual(digest(given), digest(expected));
}
