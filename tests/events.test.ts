import fc from "fast-check";
import { describe, expect, expectTypeOf, it } from "vitest";
import { handleBatch } from "../examples/events-worker.js";
import { type ArtifactsEvent, type PushedEvent, parseArtifactsEvent } from "../src/events/index.js";
import { artifactsEventSamples } from "../src/testing/index.js";

const samples = Object.entries(artifactsEventSamples);

describe("parseArtifactsEvent", () => {
  it("covers the nine documented events", () => {
    expect(samples.map(([type]) => type)).toEqual([
      "cf.artifacts.repo.created",
      "cf.artifacts.repo.deleted",
      "cf.artifacts.repo.forked",
      "cf.artifacts.repo.imported",
      "cf.artifacts.repo.pushed",
      "cf.artifacts.repo.cloned",
      "cf.artifacts.repo.fetched",
      "cf.artifacts.repo.token.created",
      "cf.artifacts.repo.token.revoked",
    ]);
  });

  it.each(samples)("parses the documented %s sample as it is, and from its JSON text", (_, sample) => {
    expect(parseArtifactsEvent(sample)._unsafeUnwrap()).toEqual(sample);
    expect(parseArtifactsEvent(JSON.stringify(sample))._unsafeUnwrap()).toEqual(sample);
  });

  it("keeps fields a later schema version adds", () => {
    const sample = artifactsEventSamples["cf.artifacts.repo.token.created"];
    const later = { ...sample, id: "evt_1", payload: { ...sample.payload, createdBy: "api" } };
    expect(parseArtifactsEvent(later)._unsafeUnwrap()).toEqual(later);
  });

  it("narrows on the full type string", () => {
    const event = parseArtifactsEvent(artifactsEventSamples["cf.artifacts.repo.pushed"])._unsafeUnwrap();
    expectTypeOf(event).toEqualTypeOf<ArtifactsEvent>();
    if (event.type !== "cf.artifacts.repo.pushed") throw new Error("not a push");
    expectTypeOf(event).toEqualTypeOf<PushedEvent>();
    expect(event.payload.commits[0]?.id).toBe("def789ghi012def789ghi012def789ghi012def7");
    expect(event.source).toEqual({ type: "artifacts.repo", namespace: "my-namespace", repoName: "my-repo" });
  });

  it.each([
    [
      "an unknown type",
      { ...artifactsEventSamples["cf.artifacts.repo.cloned"], type: "cf.artifacts.repo.renamed" },
      "type",
    ],
    [
      "a missing payload field",
      { ...artifactsEventSamples["cf.artifacts.repo.token.revoked"], payload: {} },
      "payload.tokenId",
    ],
    [
      "a mistyped commit",
      {
        ...artifactsEventSamples["cf.artifacts.repo.pushed"],
        payload: { ...artifactsEventSamples["cf.artifacts.repo.pushed"].payload, commits: [{ id: 7 }] },
      },
      "payload.commits.0.id",
    ],
    [
      "a source of the wrong level",
      {
        ...artifactsEventSamples["cf.artifacts.repo.created"],
        source: { type: "artifacts.repo", namespace: "n", repoName: "r" },
      },
      "source.type",
    ],
    ["no metadata", { ...artifactsEventSamples["cf.artifacts.repo.deleted"], metadata: undefined }, "metadata"],
    ["not JSON", "{not json", "body"],
    ["null", null, "body"],
  ])("refuses %s with an InvalidInputError naming where", (_, body, field) => {
    const error = parseArtifactsEvent(body)._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "InvalidInputError", field });
    expect(error.message).toMatch(/^(not an Artifacts event|the event is not JSON)/);
  });

  it("never throws, whatever it is given", () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.json(), fc.string()), (body) => {
        const result = parseArtifactsEvent(body);
        expect(result.isOk() || result.error._tag === "InvalidInputError").toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("answers an Err, never a throw, for a body whose reads throw (a getter, a Proxy)", () => {
    const sample = artifactsEventSamples["cf.artifacts.repo.created"];
    const getter = {
      ...sample,
      get payload(): never {
        throw new Error("boom art_v1_0123456789abcdef0123456789abcdef01234567");
      },
    };
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new Error("boom");
        },
        ownKeys() {
          throw new Error("boom");
        },
      },
    );
    for (const body of [getter, proxy]) {
      let result: ReturnType<typeof parseArtifactsEvent> | undefined;
      expect(() => {
        result = parseArtifactsEvent(body);
      }).not.toThrow();
      expect(result?._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "body" });
      expect(result?._unsafeUnwrapErr().message).not.toContain("art_v1_");
    }
  });

  it("never repeats a repo token it received in the error", () => {
    const token = "art_v1_0123456789abcdef0123456789abcdef01234567?expires=1767225600";
    const sample = artifactsEventSamples["cf.artifacts.repo.created"];
    const error = parseArtifactsEvent({
      ...sample,
      payload: { ...sample.payload, readOnly: token },
    })._unsafeUnwrapErr();
    expect(error.message).toContain("payload.readOnly");
    expect(error.message).not.toContain("0123456789abcdef");
    expect(error.message).toContain("[REDACTED]");
  });
});

describe("the example Queue consumer (examples/events-worker.ts)", () => {
  it("describes every documented event, skips a body that is not one, and acknowledges all", () => {
    const bodies = [...Object.values(artifactsEventSamples), "garbage"];
    const acked: number[] = [];
    const lines = handleBatch({
      messages: bodies.map((body, index) => ({ body, ack: () => acked.push(index), retry: () => {} })),
    });
    expect(acked).toEqual(bodies.map((_, index) => index));
    expect(lines).toEqual([
      "created my-namespace/my-repo (0tvugavnogssnwzk, main)",
      "deleted my-namespace/my-repo (0tvugavnogssnwzk, main)",
      "forked source-namespace/source-repo into target-namespace/target-repo",
      "imported my-namespace/my-repo from https://github.com/example/repo.git (main)",
      "pushed 1 commit(s) to my-namespace/my-repo refs/heads/main: def789ghi012def789ghi012def789ghi012def7",
      "cloned my-namespace/my-repo",
      "fetched my-namespace/my-repo",
      "token 7ngdf3ww3u84t33x (read) for default/token-evt-repo, expires 2026-05-20T16:58:14.548Z",
      "token 7ngdf3ww3u84t33x revoked for default/token-evt-repo",
      "skipped: the event is not JSON",
    ]);
  });
});
