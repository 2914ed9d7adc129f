import type { Client as McpClient } from "@modelcontextprotocol/sdk/client/index.js";

/** The tool set's names, as the suites expect them listed: what reads, what writes, the namespace's and a repo's. */
export const READ_TOOLS = ["diff_refs", "grep_files", "list_commits", "list_refs", "read_files"];
export const REPO_TOOLS = [
  ...READ_TOOLS,
  "apply_patch",
  "cherry_pick",
  "commit_files",
  "create_branch",
  "create_tag",
  "delete_branch",
  "delete_tag",
  "merge_refs",
  "revert_commits",
].sort();
export const NAMESPACE_READ_TOOLS = [...READ_TOOLS, "get_repo", "list_repos"].sort();
export const NAMESPACE_TOOLS = [
  ...REPO_TOOLS,
  "create_repo",
  "delete_repo",
  "fork_repo",
  "get_repo",
  "list_repos",
].sort();

/**
 * `tools/call` through an MCP client, as a model reads the answer: `call` gives the JSON of its text (the result, or
 * `{ error }` with `isError`), `ok` the result or a thrown test failure; `texts` keeps every answer's text.
 */
export function toolCalls(client: McpClient) {
  const texts: string[] = [];
  const call = async (name: string, input: Record<string, unknown>) => {
    const answer = await client.callTool({ name, arguments: input });
    const [content] = answer.content as { type: string; text: string }[];
    texts.push(content?.text ?? "");
    return { isError: answer.isError === true, value: JSON.parse(content?.text ?? "null") };
  };
  const ok = async (name: string, input: Record<string, unknown>) => {
    const done = await call(name, input);
    if (done.isError) throw new Error(`${name} failed: ${JSON.stringify(done.value)}`);
    return done.value;
  };
  return { call, ok, texts };
}
