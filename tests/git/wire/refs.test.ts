import { describe, expect, it } from "vitest";
import { defaultBranch, resolveRef } from "../../../src/git/wire/refs.js";
import { ids, lsRefs, remote, replay } from "../../support/git-wire.js";

/** Which branch HEAD names, and which commit a ref names: one ls-refs each, replayed. */

const caps = new Map([
  ["ls-refs", "unborn"],
  ["object-format", "sha1"],
]);
const commit = ids.commit;
const tagged = "c".repeat(40);

describe("defaultBranch", () => {
  it("is the branch HEAD points at, born or not", async () => {
    replay(lsRefs(["HEAD"], [`${commit} HEAD symref-target:refs/heads/trunk`]));
    expect((await defaultBranch(remote(), caps))._unsafeUnwrap()).toBe("trunk");
    replay(lsRefs(["HEAD"], ["unborn HEAD symref-target:refs/heads/main"]));
    expect((await defaultBranch(remote(), caps))._unsafeUnwrap()).toBe("main");
  });

  it("is not-found when HEAD is detached or absent", async () => {
    replay(lsRefs(["HEAD"], [`${commit} HEAD`]));
    expect((await defaultBranch(remote(), caps))._unsafeUnwrapErr()).toMatchObject({
      reason: "not-found",
      message: "the remote's HEAD names no branch",
    });
    replay(lsRefs(["HEAD"], [`${commit} HEAD symref-target:refs/tags/v1`]));
    expect((await defaultBranch(remote(), caps))._unsafeUnwrapErr().reason).toBe("not-found");
  });
});

describe("resolveRef", () => {
  it("takes a commit id as it is, sending nothing", async () => {
    const { requests } = replay();
    expect((await resolveRef(remote(), caps, commit))._unsafeUnwrap()).toBe(commit);
    expect(requests).toEqual([]);
  });

  it("resolves HEAD without a ref, a branch before a tag of the same name, and a tag peeled", async () => {
    replay(lsRefs(["HEAD"], [`${commit} HEAD symref-target:refs/heads/main`]));
    expect((await resolveRef(remote(), caps, undefined))._unsafeUnwrap()).toBe(commit);
    replay(lsRefs(["refs/heads/v1", "refs/tags/v1"], [`${tagged} refs/tags/v1`, `${commit} refs/heads/v1`]));
    expect((await resolveRef(remote(), caps, "v1"))._unsafeUnwrap()).toBe(commit);
    replay(lsRefs(["refs/heads/v2", "refs/tags/v2"], [`${tagged} refs/tags/v2 peeled:${commit}`]));
    expect((await resolveRef(remote(), caps, "v2"))._unsafeUnwrap()).toBe(commit);
    replay(lsRefs(["refs/heads/v3", "refs/tags/v3"], [`${tagged} refs/tags/v3`]));
    expect((await resolveRef(remote(), caps, "v3"))._unsafeUnwrap()).toBe(tagged);
  });

  it("is not-found for a missing ref, and for the default branch of an empty repo", async () => {
    replay(lsRefs(["refs/heads/x", "refs/tags/x"], [`${commit} refs/heads/xy`]));
    expect((await resolveRef(remote(), caps, "x"))._unsafeUnwrapErr()).toMatchObject({
      reason: "not-found",
      message: "no branch or tag named x",
    });
    replay(lsRefs(["HEAD"], ["unborn HEAD symref-target:refs/heads/main"]));
    expect((await resolveRef(remote(), caps, undefined))._unsafeUnwrapErr()).toMatchObject({
      reason: "not-found",
      message: "the default branch has no commits yet",
    });
  });
});
