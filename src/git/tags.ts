import { err, errAsync, ok, type Result, type ResultAsync } from "neverthrow";
import type { Client } from "../client.js";
import { InvalidInputError } from "../errors.js";
import { type GitCallOptions, type GitRemote, type GitTarget, guard, reach, splitArgs, withAccess } from "./access.js";
import type { GitCallError } from "./errors.js";
import { type Author, checkAuthor, isMessage, isRefName } from "./input.js";
import { isOid } from "./objects/hash.js";
import type { ArtifactsRepoHandle } from "./objects/sources.js";
import { ObjectStore } from "./objects/store.js";
import { createRef, deleteRef } from "./wire/push-ref.js";

/**
 * Tags without a clone, as `git tag` makes them and `git push` sends them: a lightweight tag is a ref naming a
 * commit; an annotated one (with a `message`) names a tag object, written here and pushed with the ref. `listRefs`
 * lists them, each with its commit.
 */

/**
 * What `createTag` makes: a lightweight tag (`name` at `from`), or with `message` an annotated one, signed by
 * `tagger` (the time and zone are now's when not given), as `git tag -a -m` writes it.
 *
 * @example
 * const input: CreateTagInput = { name: "v1.0.0", from: "main", message: "First release", tagger: author };
 */
export interface CreateTagInput {
  name: string;
  /** A branch, a tag or a commit id; `HEAD` for the default branch. */
  from: string;
  /** Makes it annotated; cleaned as `git tag --cleanup=whitespace` cleans it (lines starting with `#` kept). */
  message?: string;
  /** Who tagged: required with `message`. */
  tagger?: Author;
}

/**
 * A tag as `createTag` made it or `deleteTag` removed it: its name, the commit it names and, for an annotated one
 * made here, the tag object's id (what the ref holds).
 *
 * @example
 * const result = await createTag(client, "notes", input);
 * if (result.isOk()) {
 *   const { name, commit, tag }: TagResult = result.value;
 * }
 */
export interface TagResult {
  name: string;
  commit: string;
  tag?: string;
}

/**
 * Creates tag `name` at `from`: lightweight, or annotated with `message` and `tagger`. A tag of that name already
 * there is a `GitError` `conflict`, and nothing changes. Takes the three targets `commitFiles` takes.
 *
 * @example
 * const tagged = await createTag(client, "notes", { name: "v1", from: "main", message: "v1", tagger: author });
 * if (tagged.isOk()) console.log(tagged.value.commit, tagged.value.tag);
 */
export function createTag(
  client: Client,
  repo: string,
  input: CreateTagInput,
  options?: GitCallOptions,
): ResultAsync<TagResult, GitCallError>;
export function createTag(
  target: ArtifactsRepoHandle | GitRemote,
  input: CreateTagInput,
  options?: GitCallOptions,
): ResultAsync<TagResult, GitCallError>;
export function createTag(target: GitTarget, ...rest: unknown[]): ResultAsync<TagResult, GitCallError> {
  return guard(() => {
    const [repo, input, options] = splitArgs<[CreateTagInput, GitCallOptions?]>(target, rest);
    const checked = checkTag(input);
    if (checked.isErr()) return errAsync(checked.error);
    const { name, from, annotation } = checked.value;
    return withAccess(reach(target, repo, undefined, "write", options ?? {}), async (access) => {
      const made = await createRef(access.remote, `refs/tags/${name}`, from, async (commit) => {
        if (annotation === undefined) return { oid: commit, objects: [] };
        const store = new ObjectStore();
        const oid = await store.writeTag({ object: commit, tag: name, ...annotation });
        return { oid, objects: store.pack([oid]) };
      });
      return made.map(({ commit, oid }) => ({ name, commit, ...(oid !== commit ? { tag: oid } : {}) }));
    });
  });
}

/**
 * `deleteTag`'s input: the tag, and optionally what it must name (compare-and-swap: its id, or the commit it names).
 *
 * @example
 * const input: DeleteTagInput = { name: "v1", parent: knownCommit };
 */
export interface DeleteTagInput {
  name: string;
  parent?: string;
}

/**
 * Deletes tag `name`. `parent` makes it a compare-and-swap: the tag must name that commit (or be that tag object),
 * else a `GitError` `conflict`, and the tag stays. A tag that does not exist is `not-found`.
 *
 * @example
 * const gone = await deleteTag(client, "notes", { name: "v1" });
 */
export function deleteTag(
  client: Client,
  repo: string,
  input: DeleteTagInput,
  options?: GitCallOptions,
): ResultAsync<TagResult, GitCallError>;
export function deleteTag(
  target: ArtifactsRepoHandle | GitRemote,
  input: DeleteTagInput,
  options?: GitCallOptions,
): ResultAsync<TagResult, GitCallError>;
export function deleteTag(target: GitTarget, ...rest: unknown[]): ResultAsync<TagResult, GitCallError> {
  return guard(() => {
    const [repo, input, options] = splitArgs<[{ name: string; parent?: string }, GitCallOptions?]>(target, rest);
    const { name, parent } = input ?? ({} as { name?: unknown; parent?: unknown });
    if (!isRefName(name)) return refused("name must be a valid tag name", "name");
    if (parent !== undefined && !isOid(parent))
      return refused("parent must be a commit id (40 lowercase hex)", "parent");
    return withAccess(reach(target, repo, undefined, "write", options ?? {}), async (access) =>
      (await deleteRef(access.remote, `refs/tags/${name}`, parent)).map((commit) => ({ name, commit })),
    );
  });
}

interface CheckedTag {
  name: string;
  from: string;
  annotation?: { tagger: Required<Author>; message: string };
}

function checkTag(input: CreateTagInput | undefined): Result<CheckedTag, InvalidInputError> {
  const { name, from, message, tagger } = input ?? ({} as Partial<CreateTagInput>);
  const invalid = (text: string, field: string) => err(new InvalidInputError(text, field));
  if (!isRefName(name)) return invalid("name must be a valid tag name", "name");
  if (typeof from !== "string" || !(isRefName(from) || isOid(from) || from === "HEAD")) {
    return invalid("from must be a branch, a tag or a commit id", "from");
  }
  if (message === undefined) {
    if (tagger !== undefined) return invalid("tagger is for an annotated tag: give a message too", "message");
    return ok({ name, from });
  }
  if (!isMessage(message)) return invalid("message must be a well-formed string without NUL", "message");
  return checkAuthor(tagger, "tagger").map((checked) => ({ name, from, annotation: { tagger: checked, message } }));
}

const refused = (message: string, field: string) => errAsync(new InvalidInputError(message, field));
