/**
 * cloudflare-artifacts/tools: the SDK's calls as tools an agent calls, one tool set for every host. Serve it over
 * MCP (`serveTools` with the MCP SDK's `Server`, or `cloudflare-artifacts mcp`), hand it to the AI SDK
 * (`toAiSdkTools`), or run `execute` yourself. Inputs are checked by the valibot schemas their JSON Schemas come
 * from; every failure is a result with `isError: true`; no result or error holds a token.
 */
import { errAsync } from "neverthrow";
import * as v from "valibot";
import type { Client } from "../client.js";
import { InvalidInputError } from "../errors.js";
import { type GitRemote, isClient, isHandle } from "../git/access.js";
import type { Author } from "../git/input.js";
import type { ArtifactsRepoHandle } from "../git/objects/sources.js";
import { scrub } from "../secrets.js";
import { fileTools, type RepoCall } from "./files.js";
import { repoTools } from "./repos.js";
import { type ArtifactsTool, buildTool, type ToolSpec } from "./tool.js";

export { type AiSdkTool, toAiSdkTools } from "./ai-sdk.js";
export { type McpServerLike, serveTools } from "./mcp.js";
export type { ArtifactsTool, ToolAnnotations, ToolContext, ToolError, ToolResult } from "./tool.js";

/**
 * What the tools reach: a whole namespace (a client: each tool takes `repo`), or one repo.
 *
 * @example
 * const target: ToolsTarget = { client, repo: "notes" }; // or client, a binding's handle, { remote, token }
 */
export type ToolsTarget = Client | { client: Client; repo: string } | ArtifactsRepoHandle | GitRemote;

/**
 * How `artifactsTools` builds the set: which tools, how large a result, who commits.
 *
 * @example
 * const options: ArtifactsToolsOptions = { readOnly: true, exclude: ["grep_files"], maxResultBytes: 20_000 };
 */
export interface ArtifactsToolsOptions {
  /** Leave out every tool that writes. Default `false`. */
  readOnly?: boolean;
  /** Only these tools, by name. */
  include?: string[];
  /** Not these tools, by name. */
  exclude?: string[];
  /** The most characters of one result's JSON: files are cut to fit, with a note. Default 100,000. */
  maxResultBytes?: number;
  /** Who commits, merges, tags. Default `{ name: "Artifacts agent", email: "agent@artifacts.invalid" }`. */
  author?: Author;
}

const DEFAULT_AUTHOR: Author = { name: "Artifacts agent", email: "agent@artifacts.invalid" };
const DEFAULT_MAX_RESULT = 100_000;

/**
 * The tool set over `target`, by name in snake_case (`read_files`, `commit_files`, `merge_refs`, ...). Over a
 * client it holds the namespace's repo tools too (`list_repos`, `create_repo`, ...) and each file tool takes `repo`.
 *
 * @example
 * const tools = artifactsTools(client, { readOnly: true });
 * const read = await tools.find((tool) => tool.name === "read_files")?.execute({ repo: "notes", paths: ["a.md"] });
 */
export function artifactsTools(target: ToolsTarget, options: ArtifactsToolsOptions = {}): ArtifactsTool[] {
  const {
    readOnly = false,
    include,
    exclude = [],
    maxResultBytes = DEFAULT_MAX_RESULT,
    author = DEFAULT_AUTHOR,
  } = options;
  const namespaceWide = isClient(target);
  const scoped = !namespaceWide && !isHandle(target) && "client" in target && isClient(target.client);
  const repoCall: RepoCall = (call, input, signal) => {
    const { repo, ...rest } = input as { repo?: string };
    const callOptions = { signal };
    if (namespaceWide) {
      if (typeof repo !== "string") return errAsync(new InvalidInputError("repo: the repo's name is required", "repo"));
      return call(target, repo, rest, callOptions);
    }
    if (scoped) return call(target.client, target.repo, rest, callOptions);
    return call(target, rest, callOptions);
  };
  const files = fileTools(repoCall, author).map((spec) => (namespaceWide ? withRepo(spec) : spec));
  const specs = [...(namespaceWide ? repoTools(target) : []), ...files];
  const client = namespaceWide ? target : scoped ? target.client : undefined;
  const token =
    !client && !isHandle(target) && typeof (target as GitRemote).token === "string" ? (target as GitRemote).token : "";
  const redact = (text: string) => {
    const scrubbed = client ? client.redact(text) : scrub(text);
    return typeof token === "string" && token.length > 0 ? scrubbed.split(token).join("[REDACTED]") : scrubbed;
  };
  return specs
    .filter((spec) => !(readOnly && spec.writes))
    .filter((spec) => (include ? include.includes(spec.name) : true) && !exclude.includes(spec.name))
    .map((spec) => buildTool(spec, redact, maxResultBytes));
}

/** A file tool over a namespace: `repo` first in its input. */
function withRepo(spec: ToolSpec): ToolSpec {
  const repo = v.pipe(v.string(), v.description("The repo's name."));
  return { ...spec, input: { repo, ...spec.input } };
}
