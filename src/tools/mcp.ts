import type { ArtifactsTool } from "./tool.js";

/**
 * The part of the MCP SDK's low-level `Server` (`@modelcontextprotocol/sdk/server/index.js`) the tools are served
 * on, by its shape: the package is an optional peer dependency, loaded only by `serveTools`.
 *
 * @example
 * const server: McpServerLike = new Server({ name: "artifacts", version: "1.0.0" }, { capabilities: { tools: {} } });
 */
export interface McpServerLike {
  /** Answers requests of the kind `schema` names. */
  // biome-ignore lint/suspicious/noExplicitAny: the MCP SDK types its handlers by zod schemas this package does not import
  setRequestHandler(schema: any, handler: (request: any, extra: { signal: AbortSignal }) => unknown): void;
}

/**
 * Serves `tools` on an MCP server made with `capabilities: { tools: {} }`: `tools/list` lists them (schemas and
 * annotations), `tools/call` runs one. A result is JSON text (and `structuredContent`); a failure is `isError: true`
 * with the error's `_tag`, `reason`, code and message, never a protocol error.
 *
 * @example
 * const server = new Server({ name: "artifacts", version: "1.0.0" }, { capabilities: { tools: {} } });
 * await serveTools(server, artifactsTools(client));
 * await server.connect(new StdioServerTransport());
 */
export async function serveTools(server: McpServerLike, tools: readonly ArtifactsTool[]): Promise<void> {
  const { CallToolRequestSchema, ListToolsRequestSchema } = await import("@modelcontextprotocol/sdk/types.js");
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map(({ name, description, inputSchema, annotations }) => ({
      name,
      description,
      inputSchema,
      annotations,
    })),
  }));
  server.setRequestHandler(
    CallToolRequestSchema,
    async (request: { params: { name: string; arguments?: unknown } }, extra: { signal: AbortSignal }) => {
      const tool = byName.get(request.params.name);
      const done = tool
        ? await tool.execute(request.params.arguments ?? {}, { signal: extra.signal })
        : ({
            isError: true,
            error: { _tag: "UnknownTool", message: `no tool ${request.params.name}; tools/list names them` },
          } as const);
      if (done.isError)
        return { isError: true, content: [{ type: "text", text: JSON.stringify({ error: done.error }) }] };
      const text = JSON.stringify(done.result) ?? "null";
      const structured =
        done.result && typeof done.result === "object" && !Array.isArray(done.result)
          ? { structuredContent: done.result }
          : {};
      return { content: [{ type: "text", text }], ...structured };
    },
  );
}
