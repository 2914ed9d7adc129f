// An MCP server in a Worker: one repo's tools (cloudflare-artifacts/tools over the Artifacts binding), served over
// MCP's Streamable HTTP at /mcp/<repo>. Every request is answered by a server of its own (stateless: the tools keep
// no session state), so the Worker needs no Durable Object. A host connects with the URL and the bearer secret:
//   { "url": "https://<worker>/mcp/notes", "headers": { "Authorization": "Bearer <MCP_SECRET>" } }
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { type ArtifactsRepoHandle, disposeGit } from "cloudflare-artifacts/git";
import { artifactsTools, serveTools } from "cloudflare-artifacts/tools";

export interface Env {
  /** The Artifacts binding, as `wrangler.jsonc` declares it (typed by the little this Worker uses). */
  ARTIFACTS: {
    create(name: string): Promise<{ remote: string; token: string }>;
    get(name: string): Promise<ArtifactsRepoHandle>;
  };
  /** The secret a host sends as `Authorization: Bearer <MCP_SECRET>` (`wrangler secret put MCP_SECRET`). */
  MCP_SECRET?: string;
  /** "true": only the tools that read. */
  MCP_READ_ONLY?: string;
}

/** Compares in constant time: the secret leaks no prefix through timing. */
function authorized(request: Request, secret: string | undefined): boolean {
  if (!secret) return false; // no secret configured: nobody may write to the repos
  const given = new TextEncoder().encode(request.headers.get("authorization") ?? "");
  const wanted = new TextEncoder().encode(`Bearer ${secret}`);
  let differ = given.length ^ wanted.length;
  for (let i = 0; i < wanted.length; i++) differ |= (given[i] ?? 0) ^ (wanted[i] ?? 0);
  return differ === 0;
}

export default {
  async fetch(request: Request, env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<Response> {
    const [, route, name] = new URL(request.url).pathname.split("/");
    if (route !== "mcp" || !name) return new Response("MCP is at /mcp/<repo>\n", { status: 404 });
    if (!authorized(request, env.MCP_SECRET)) {
      return new Response("unauthorized\n", { status: 401, headers: { "www-authenticate": "Bearer" } });
    }
    await env.ARTIFACTS.create(name).catch(() => undefined); // already there: use it
    const repo = await env.ARTIFACTS.get(name);

    const server = new Server({ name: `artifacts-${name}`, version: "1.0.0" }, { capabilities: { tools: {} } });
    const author = { name: "MCP agent", email: "agent@example.com" };
    await serveTools(server, artifactsTools(repo, { readOnly: env.MCP_READ_ONLY === "true", author }));
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined, // stateless
      enableJsonResponse: true, // one JSON answer per request, no event stream to keep open
    });
    await server.connect(transport);
    const response = await transport.handleRequest(request);
    ctx.waitUntil(disposeGit(repo).then(() => server.close())); // after the answer: revokes the call's token
    return response;
  },
};
