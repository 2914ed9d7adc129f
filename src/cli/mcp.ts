import { createClient } from "../index.js";
import { artifactsTools, serveTools, type ToolsTarget } from "../tools/index.js";
import { VERSION } from "../version.js";
import { authorOf, clientFrom, parse, text } from "./context.js";
import { CliFailure } from "./output.js";
import type { Command } from "./resources.js";

/**
 * `cloudflare-artifacts mcp`: the tool set served over stdio with the MCP SDK (an optional peer dependency, loaded
 * here). stdout is the protocol's: everything else goes to stderr.
 */
export const mcp: Command = {
  usage: "mcp [--repo NAME] [--read-only] [--local] [--author-name N --author-email E]   (the tools over MCP on stdio)",
  async run(args) {
    const parsed = parse(args, {
      repo: { type: "string" },
      "read-only": { type: "boolean" },
      local: { type: "boolean" },
      "author-name": { type: "string" },
      "author-email": { type: "string" },
    });
    const sdk = await loadSdk();
    let client: ReturnType<typeof createClient>;
    let close = async () => {};
    if (parsed.values.local === true) {
      // A local server in this process, with its data in a folder of its own: for trying the tools out.
      const { startArtifactsServer } = await import("../testing/index.js");
      const server = await startArtifactsServer();
      client = createClient({ ...server.clientOptions, namespace: text(parsed, "namespace") });
      close = () => server.close();
      process.stderr.write(`cloudflare-artifacts mcp: a local server at ${server.clientOptions.baseUrl}\n`);
    } else client = clientFrom(parsed);
    const repo = text(parsed, "repo");
    const target: ToolsTarget = repo === undefined ? client : { client, repo };
    const tools = artifactsTools(target, { readOnly: parsed.values["read-only"] === true, author: authorOf(parsed) });
    const server = new sdk.Server({ name: "cloudflare-artifacts", version: VERSION }, { capabilities: { tools: {} } });
    await serveTools(server, tools);
    const transport = new sdk.StdioServerTransport();
    await new Promise<void>((resolve, reject) => {
      transport.onclose = () => resolve();
      server.connect(transport).catch(reject);
      process.stdin.on("end", () => resolve());
    });
    await close();
  },
};

async function loadSdk() {
  try {
    const [{ Server }, { StdioServerTransport }] = await Promise.all([
      import("@modelcontextprotocol/sdk/server/index.js"),
      import("@modelcontextprotocol/sdk/server/stdio.js"),
    ]);
    return { Server, StdioServerTransport };
  } catch {
    throw new CliFailure("error: mcp needs @modelcontextprotocol/sdk: npm install @modelcontextprotocol/sdk", 2);
  }
}
