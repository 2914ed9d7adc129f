import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { parseArtifactsEvent } from "../src/events/index.js";
import { gitCredentials, InvalidInputError } from "../src/index.js";
import { REPO_TOKEN } from "./support/nock.js";

const SECRET = `art_v1_${"a1b2c3d4e5".repeat(4)}`;
const TOKEN = `${SECRET}?expires=1767225600`;

describe("gitCredentials", () => {
  it("splits a repo token into everything Git needs", () => {
    const creds = gitCredentials(TOKEN)._unsafeUnwrap();
    expect(creds.token).toBe(TOKEN);
    expect(creds.secret).toBe(SECRET);
    expect(creds.expiresAt).toEqual(new Date("2026-01-01T00:00:00Z"));
    expect(creds.authorization).toBe(`Bearer ${TOKEN}`);
    expect(creds.extraHeader).toBe(`Authorization: Bearer ${TOKEN}`);
    expect(creds.headers).toEqual({ Authorization: `Bearer ${TOKEN}` });
    expect(creds.basic).toEqual({ username: "x", password: SECRET });
    expect(creds.onAuth()).toEqual({ username: "x", password: SECRET });
  });

  it("tells whether the token has expired", () => {
    const creds = gitCredentials(TOKEN)._unsafeUnwrap();
    expect(creds.isExpired(new Date("2025-12-31T23:59:59Z"))).toBe(false);
    expect(creds.isExpired(new Date("2026-01-01T00:00:00Z"))).toBe(true);
  });

  it("builds a remote URL with x:<secret>@ for one-off commands", () => {
    const creds = gitCredentials(TOKEN)._unsafeUnwrap();
    expect(creds.remoteUrl("https://acc.artifacts.cloudflare.net/git/default/notes.git")._unsafeUnwrap()).toBe(
      `https://x:${SECRET}@acc.artifacts.cloudflare.net/git/default/notes.git`,
    );
    expect(creds.remoteUrl("http://127.0.0.1:8787/git/ns/a%20b.git")._unsafeUnwrap()).toBe(
      `http://x:${SECRET}@127.0.0.1:8787/git/ns/a%20b.git`,
    );
    expect(creds.remoteUrl("not a url")._unsafeUnwrapErr()).toMatchObject({
      _tag: "InvalidInputError",
      field: "remote",
      message: "remote must be an http(s) URL",
    });
    expect(creds.remoteUrl("ssh://host/repo.git")._unsafeUnwrapErr().message).toBe("remote must be an http(s) URL");
  });

  it.each([
    ["empty", ""],
    ["an unknown version", `art_v3_${"a1b2c3d4e5".repeat(4)}?expires=1`],
    ["an unknown v2 kind", `art_v2_z_${"a1b2c3d4e5".repeat(4)}`],
    ["a v2 token without its kind", `art_v2_${"a1b2c3d4e5".repeat(4)}`],
    ["a short hex", "art_v1_abc?expires=1"],
    ["uppercase hex", `${SECRET.toUpperCase().replace("ART_V1_", "art_v1_")}?expires=1`],
    ["a non-numeric expiry", `${SECRET}?expires=soon`],
    ["trailing text", `${TOKEN}&x=1`],
    ["a Cloudflare API token", "Wm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0"],
    ["a number (untyped JS)", 42],
    ["undefined (untyped JS)", undefined],
  ])("refuses %s with an InvalidInputError that does not repeat it", (_, input) => {
    const error = gitCredentials(input as string)._unsafeUnwrapErr();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.field).toBe("token");
    if (typeof input === "string" && input !== "") {
      expect(`${error.message} ${inspect(error)} ${JSON.stringify(error)}`).not.toContain(input);
    }
  });

  // Cloudflare's local simulator (miniflare) mints `art_v2_x_…` and accepts `art_v1_…` and `art_v2_[xeuf]_…`,
  // each with or without the suffix.
  it.each<[string, string, string, Date | undefined]>([
    ["v1 with its expiry", TOKEN, SECRET, new Date("2026-01-01T00:00:00Z")],
    ["v1 alone", SECRET, SECRET, undefined],
    ...["x", "e", "u", "f"].map((kind): [string, string, string, Date] => [
      `v2 (${kind}) with its expiry`,
      `art_v2_${kind}_${"0f".repeat(20)}?expires=1767225600`,
      `art_v2_${kind}_${"0f".repeat(20)}`,
      new Date("2026-01-01T00:00:00Z"),
    ]),
    ["v2 alone", `art_v2_x_${"0f".repeat(20)}`, `art_v2_x_${"0f".repeat(20)}`, undefined],
  ])("reads a %s token: Bearer of the whole, Basic of the secret", (_, token, secret, expiresAt) => {
    const creds = gitCredentials(token)._unsafeUnwrap();
    expect(creds).toMatchObject({ token, secret, expiresAt, authorization: `Bearer ${token}` });
    expect(creds.onAuth()).toEqual({ username: "x", password: secret });
    // Without a stated expiry, only the server can say it has expired.
    expect(creds.isExpired(new Date("2100-01-01T00:00:00Z"))).toBe(expiresAt !== undefined);
    expect(creds.isExpired(new Date("2025-01-01T00:00:00Z"))).toBe(false);
    const shown = `${inspect(creds, { depth: 5 })} ${String(creds)}`;
    expect(shown).not.toContain(secret);
    expect(shown).toContain("[REDACTED]");
  });

  it("shows no secret when inspected", () => {
    const shown = inspect(gitCredentials(TOKEN)._unsafeUnwrap(), { depth: 5 });
    expect(shown).not.toContain(SECRET);
    expect(shown).toContain("expiresAt");
  });
});

describe("Git credentials and events", () => {
  it("reads only a whole repo token, and says what it expected", () => {
    expect(gitCredentials(`x${REPO_TOKEN}`)._unsafeUnwrapErr().message).toBe("token is not an Artifacts repo token");
    expect(gitCredentials(42 as never).isErr()).toBe(true);
    const creds = gitCredentials(REPO_TOKEN)._unsafeUnwrap();
    expect(creds.secret).toBe(REPO_TOKEN.split("?")[0]);
    expect(creds.expiresAt?.getTime()).toBe(1_767_225_600_000);
    expect(creds.remoteUrl(42 as never)._unsafeUnwrapErr().message).toBe("remote must be an http(s) URL");
  });

  it("takes strings only, not what merely prints as one, and only http(s) itself as a remote's scheme", () => {
    const looksLike = (text: string) => ({ toString: () => text }) as never;
    expect(gitCredentials(looksLike(REPO_TOKEN))._unsafeUnwrapErr()).toBeInstanceOf(InvalidInputError);
    const creds = gitCredentials(REPO_TOKEN)._unsafeUnwrap();
    const remote = "https://acc.artifacts.cloudflare.net/git/default/notes.git";
    expect(creds.remoteUrl(looksLike(remote)).isErr()).toBe(true);
    for (const other of ["git+https://host/repo.git", "xhttp://host/repo.git"]) {
      expect(creds.remoteUrl(other)._unsafeUnwrapErr().message).toBe("remote must be an http(s) URL");
    }
  });

  it("says why an event was refused", () => {
    expect(parseArtifactsEvent("{").isErr() && parseArtifactsEvent("{")._unsafeUnwrapErr().message).toBe(
      "the event is not JSON",
    );
    expect(parseArtifactsEvent({ type: "x" })._unsafeUnwrapErr().message).toMatch(/^not an Artifacts event: type: /);
    expect(parseArtifactsEvent(7)._unsafeUnwrapErr().message).toMatch(/^not an Artifacts event: [A-Z]/);
  });
});
