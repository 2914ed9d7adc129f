import type { ResultAsync } from "neverthrow";
import * as v from "valibot";
import {
  applyPatch,
  cherryPick,
  commitFiles,
  createBranch,
  createTag,
  deleteBranch,
  deleteTag,
  diffRefs,
  grepFiles,
  listCommits,
  listRefs,
  mergeRefs,
  readFiles,
  revertCommits,
} from "../git/index.js";
import type { Author } from "../git/input.js";
import { bytesForModel, defineTool, type ToolSpec } from "./tool.js";

/**
 * The data plane's calls as tools, each over one repo. `call` puts the repo in front of the input the way the call
 * takes it: `(client, repo, input, options)` or `(handle | remote, input, options)`.
 */

// biome-ignore lint/suspicious/noExplicitAny: one adapter for the overloads of every call; inputs are checked by the tools' schemas
type AnyCall = (...args: any[]) => ResultAsync<unknown, Error>;
export type RepoCall = (call: AnyCall, input: object, signal: AbortSignal | undefined) => ResultAsync<unknown, Error>;

const text = (description: string) => v.pipe(v.string(), v.description(description));
const optionalText = (description: string) => v.optional(text(description));
const ref = optionalText("A branch, tag or commit id. Default: the repo's default branch.");
const paths = (description: string) => v.optional(v.pipe(v.array(v.string()), v.description(description)));
const commits = v.pipe(v.array(v.string()), v.minLength(1), v.description("Commit ids (or refs), oldest first."));
const parent = optionalText("Compare-and-swap: the head the branch must have, else a conflict and nothing changes.");
const message = text("The commit message.");

/** What a model reads of a file: its text (or base64), cut past `budget` characters with a note. */
function filesForModel(files: Map<string, Uint8Array>, maxBytes: number) {
  let left = maxBytes;
  return [...files].map(([path, bytes]) => {
    const shown = bytesForModel(bytes);
    const content = "text" in shown ? shown.text : shown.base64;
    const kept = content.slice(0, Math.max(0, left));
    left -= kept.length;
    const file = { path, size: bytes.byteLength, ...("text" in shown ? { text: kept } : { base64: kept }) };
    return kept.length < content.length
      ? { ...file, truncated: true, note: `cut at ${kept.length} of ${content.length} characters; read fewer paths` }
      : file;
  });
}

export function fileTools(repoCall: RepoCall, author: Author): ToolSpec[] {
  return [
    defineTool({
      name: "read_files",
      description:
        "Read files of the repo at a ref, without a clone. Give `paths` (files, folders, or globs like `src/**/*.ts`); without them every file is read, which costs as much as the repo is large. Text comes back as text, binary files as base64; long files are cut with a note.",
      input: { ref, paths: paths("Files, folders or globs (git's pathspec rules). Default: every file.") },
      writes: false,
      run: (input, { signal, maxResultBytes }) =>
        repoCall(readFiles, input, signal).map((read) => {
          const { commit, files, nonUtf8Files } = read as { commit: string; files: Map<string, Uint8Array> } & {
            nonUtf8Files: unknown[];
          };
          return { commit, files: filesForModel(files, maxResultBytes / 2), nonUtf8Files: nonUtf8Files.length };
        }),
    }),
    defineTool({
      name: "commit_files",
      description:
        "Write files and make one commit on a branch, pushed at once (no clone). `files` maps each path to its new text, or to null to delete it (a file or a folder). A branch that moved meanwhile gets the files re-applied on its new head, unless `parent` is given.",
      input: {
        message,
        files: v.pipe(
          v.record(v.string(), v.nullable(v.string())),
          v.description("Path → new UTF-8 text, or null to delete."),
        ),
        branch: optionalText("Default: the repo's default branch. Created when it does not exist."),
        from: optionalText("When `branch` does not exist yet: start it at this branch."),
        parent,
      },
      writes: true,
      run: (input, { signal }) => repoCall(commitFiles, { ...input, author }, signal),
    }),
    defineTool({
      name: "diff_refs",
      description:
        "Compare two refs of the repo: the paths added, modified or deleted between them, with each file's unified diff. Cheap: it reads only the trees and files that differ.",
      input: {
        from: text("The ref to compare from."),
        to: text("The ref to compare to."),
        paths: paths("Limit to these files, folders or globs."),
      },
      writes: false,
      run: (input, { signal }) => repoCall(diffRefs, { ...input, contents: true }, signal),
    }),
    defineTool({
      name: "merge_refs",
      description:
        "Merge `from` into the branch `into` as git merges (three-way, git's line merge), pushed at once. A conflict comes back as an error with each conflicting path and both sides' text, and nothing is pushed: resolve it with commit_files on `into` (its head as `parent`).",
      input: {
        from: text("The branch or commit to merge."),
        into: text("The branch to merge into."),
        message: optionalText("Default: `Merge <from> into <into>`."),
        fastForward: v.optional(
          v.pipe(v.picklist(["allow", "never", "only"]), v.description("Default `allow`: move `into` when it can.")),
        ),
        squash: v.optional(v.pipe(v.boolean(), v.description("One commit of the changes, with `into` as its parent."))),
        parent,
      },
      writes: true,
      run: (input, { signal }) => repoCall(mergeRefs, { ...input, author }, signal),
    }),
    defineTool({
      name: "list_refs",
      description: "List the repo's branches and tags, with the commit each names, and the default branch.",
      input: {},
      writes: false,
      run: (input, { signal }) => repoCall(listRefs, input, signal),
    }),
    defineTool({
      name: "create_branch",
      description: "Create a branch at another branch's head, a tag or a commit. Refused if the branch exists.",
      input: { name: text("The new branch."), from: text("A branch, tag or commit id.") },
      writes: true,
      run: (input, { signal }) => repoCall(createBranch, input, signal),
    }),
    defineTool({
      name: "delete_branch",
      description: "Delete a branch (its commits stay reachable from other refs, if any).",
      input: { name: text("The branch to delete."), parent },
      writes: true,
      destructive: true,
      run: (input, { signal }) => repoCall(deleteBranch, input, signal),
    }),
    defineTool({
      name: "list_commits",
      description:
        "The history of a ref, newest first, as `git log [-- paths]`: with `paths`, only the commits that changed them. Pages with `cursor` (returned while more remain).",
      input: {
        ref,
        paths: paths("Only commits that changed these files or folders."),
        limit: v.optional(
          v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000), v.description("Default 100.")),
        ),
        cursor: optionalText("The `cursor` of the previous page."),
        firstParent: v.optional(v.pipe(v.boolean(), v.description("Follow only the first parent of merges."))),
      },
      writes: false,
      run: (input, { signal }) => repoCall(listCommits, input, signal),
    }),
    defineTool({
      name: "grep_files",
      description:
        "Search the files at a ref for a POSIX extended regular expression (as `git grep -E -n --column -I`): each match's path, line, column and line text. Binary files are skipped. Narrow it with `paths` (globs) on a large repo.",
      input: {
        pattern: text("A POSIX extended regexp, or a fixed string with `fixedStrings`."),
        ref,
        paths: paths("Files, folders or globs to search. Default: every file."),
        fixedStrings: v.optional(v.boolean()),
        ignoreCase: v.optional(v.boolean()),
        maxMatches: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.description("Default 1000."))),
      },
      writes: false,
      run: (input, { signal }) => repoCall(grepFiles, input, signal),
    }),
    defineTool({
      name: "apply_patch",
      description:
        "Apply a unified diff (as `git diff` writes it: new, deleted, renamed files, mode changes) and commit it, as `git apply` then `git commit`. A hunk that does not apply comes back as an error with the file's current lines there, and nothing is pushed.",
      input: {
        patch: text("The unified diff."),
        message,
        branch: optionalText("Default: the default branch."),
        parent,
      },
      writes: true,
      run: (input, { signal }) => repoCall(applyPatch, { ...input, author }, signal),
    }),
    defineTool({
      name: "revert_commits",
      description:
        "Undo commits on a branch, one revert commit each (as `git revert --no-edit`). A conflict comes back as an error naming the commit and paths; nothing is pushed.",
      input: { commits, branch: text("The branch to revert on."), message: optionalText("Default: git's."), parent },
      writes: true,
      run: (input, { signal }) => repoCall(revertCommits, { ...input, author }, signal),
    }),
    defineTool({
      name: "cherry_pick",
      description:
        "Copy commits onto a branch, one commit each (as `git cherry-pick`). A conflict comes back as an error naming the commit and paths; nothing is pushed. A commit whose change is already there is skipped.",
      input: { commits, into: text("The branch to pick onto."), parent },
      writes: true,
      run: (input, { signal }) => repoCall(cherryPick, { ...input, author }, signal),
    }),
    defineTool({
      name: "create_tag",
      description: "Tag a commit: annotated when `message` is given, else lightweight. Refused if the tag exists.",
      input: { name: text("The tag."), from: text("A branch, tag or commit id."), message: optionalText("Annotates.") },
      writes: true,
      run: (input, { signal }) => repoCall(createTag, { ...input, tagger: author }, signal),
    }),
    defineTool({
      name: "delete_tag",
      description: "Delete a tag.",
      input: { name: text("The tag to delete."), parent: optionalText("The commit (or tag object) it must name.") },
      writes: true,
      destructive: true,
      run: (input, { signal }) => repoCall(deleteTag, input, signal),
    }),
  ];
}
