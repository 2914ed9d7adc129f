import { type GitCall, gitCall } from "./call.js";
import { type Author, checkDeleteRef, checkTag } from "./input.js";
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
 * @function
 * @example
 * const tagged = await createTag(client, "notes", { name: "v1", from: "main", message: "v1", tagger: author });
 * if (tagged.isOk()) console.log(tagged.value.commit, tagged.value.tag);
 */
export const createTag: GitCall<CreateTagInput, TagResult> = gitCall({
  scope: "write",
  check: checkTag,
  run: async (access, { name, from, annotation }) => {
    const made = await createRef(access.remote, `refs/tags/${name}`, from, async (commit) => {
      if (annotation === undefined) return { oid: commit, objects: [] };
      const store = new ObjectStore();
      const oid = await store.writeTag({ object: commit, tag: name, ...annotation });
      return { oid, objects: store.pack([oid]) };
    });
    return made.map(({ commit, oid }) => ({ name, commit, ...(oid !== commit ? { tag: oid } : {}) }));
  },
});

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
 * @function
 * @example
 * const gone = await deleteTag(client, "notes", { name: "v1" });
 */
export const deleteTag: GitCall<DeleteTagInput, TagResult> = gitCall({
  scope: "write",
  check: (input) => checkDeleteRef(input, "tag"),
  run: async (access, { name, parent }) =>
    (await deleteRef(access.remote, `refs/tags/${name}`, parent)).map((commit) => ({ name, commit })),
});
