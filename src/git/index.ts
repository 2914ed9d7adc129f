/**
 * cloudflare-artifacts/git: the Git data plane. Commit files to a repo and read them back in one call each, from
 * any runtime with `fetch` (Workers included), without a git binary and without cloning the repo: Git's smart HTTP
 * protocol, packs and merges in its own code (pako for inflating), all of it out of the core package's bundle.
 */
export type { GitCallOptions, GitRemote, GitTarget } from "./access.js";
export { type ApplyPatchError, type ApplyPatchInput, applyPatch, PatchConflict, type RejectedHunk } from "./apply.js";
export {
  type BranchResult,
  type CreateBranchInput,
  createBranch,
  type DeleteBranchInput,
  deleteBranch,
  type ListRefsResult,
  listRefs,
  type RefsResult,
} from "./branches.js";
export type { GitCall, GitLookup, GitQuery } from "./call.js";
export { commitFiles } from "./commit.js";
export { type Change, type DiffRefsInput, type DiffRefsResult, diffRefs, type RefSpec } from "./diff.js";
export { type GitCallError, GitError, type GitFailure } from "./errors.js";
export { readFileStream } from "./file-stream.js";
export { type GrepFilesInput, type GrepFilesResult, type GrepMatch, grepFiles } from "./grep.js";
export type {
  Author,
  CommitFilesInput,
  CommitFilesResult,
  FileContent,
  FileStream,
  NonUtf8File,
  ReadFileStreamInput,
  ReadFilesInput,
  ReadFilesResult,
} from "./input.js";
export { type ListCommitsInput, type ListCommitsResult, type LoggedCommit, listCommits } from "./log.js";
export { type MemoryFs, type MemoryStats, memoryFs } from "./memory-fs.js";
export {
  MergeConflict,
  type MergeConflictEntry,
  type MergeRefsError,
  type MergeRefsInput,
  type MergeRefsResult,
  mergeRefs,
} from "./merge.js";
export type { ArtifactsRepoHandle } from "./objects/sources.js";
export {
  type CherryPickInput,
  cherryPick,
  type PickResult,
  type RevertCommitsInput,
  revertCommits,
} from "./pick.js";
export { readFiles } from "./read.js";
export { endSession as disposeGit, gitSession } from "./session.js";
export { type CreateTagInput, createTag, type DeleteTagInput, deleteTag, type TagResult } from "./tags.js";
