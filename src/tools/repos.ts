import * as v from "valibot";
import type { Client } from "../client.js";
import { createRepo, deleteRepo, forkRepo, getRepo, listRepos } from "../repos.js";
import { defineTool, type ToolSpec } from "./tool.js";

/** The namespace's repos as tools: only for a tool set over a client (namespace-wide). Tokens never reach a result. */
export function repoTools(client: Client): ToolSpec[] {
  const name = v.pipe(v.string(), v.description("The repo's name."));
  return [
    defineTool({
      name: "list_repos",
      description: "List the namespace's repos (name, description, default branch, remote), newest first by default.",
      input: {
        search: v.optional(v.pipe(v.string(), v.description("Only repos whose name contains this."))),
        sort: v.optional(v.picklist(["created_at", "updated_at", "last_push_at", "name"])),
        direction: v.optional(v.picklist(["asc", "desc"])),
        limit: v.optional(
          v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(200), v.description("Default 50.")),
        ),
        cursor: v.optional(v.pipe(v.string(), v.description("The `cursor` of the previous page."))),
      },
      writes: false,
      run: (query, { signal }) =>
        listRepos(client, query, { signal }).map(([repos, info]) => ({ repos, cursor: info.cursor ?? undefined })),
    }),
    defineTool({
      name: "get_repo",
      description: "One repo's details: description, default branch, remote, when it was last pushed.",
      input: { repo: name },
      writes: false,
      run: ({ repo }, { signal }) => getRepo(client, repo, { signal }),
    }),
    defineTool({
      name: "create_repo",
      description:
        "Create an empty repo in the namespace. Its name: lowercase letters, digits, `-`, `_`, `.`. The repo token in the answer is kept from you; the other tools reach the repo by name.",
      input: {
        name,
        description: v.optional(v.string()),
        default_branch: v.optional(v.pipe(v.string(), v.description("Default `main`."))),
        read_only: v.optional(v.boolean()),
      },
      writes: true,
      run: (body, { signal }) => createRepo(client, body, { signal }),
    }),
    defineTool({
      name: "fork_repo",
      description:
        "Copy a repo to a new one (all its branches, or the default branch only). Takes a moment on a large repo.",
      input: {
        repo: v.pipe(v.string(), v.description("The repo to fork.")),
        name: v.pipe(v.string(), v.description("The new repo's name.")),
        description: v.optional(v.string()),
        read_only: v.optional(v.boolean()),
        default_branch_only: v.optional(v.boolean()),
      },
      writes: true,
      run: ({ repo, ...body }, { signal }) => forkRepo(client, repo, body, { signal }),
    }),
    defineTool({
      name: "delete_repo",
      description: "Delete a repo and everything in it. It cannot be undone.",
      input: { repo: name },
      writes: true,
      destructive: true,
      idempotent: true,
      run: ({ repo }, { signal }) => deleteRepo(client, repo, { signal }),
    }),
  ];
}
