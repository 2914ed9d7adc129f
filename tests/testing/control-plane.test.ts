import { describe, expect, it } from "vitest";
import { sameSecret } from "../../src/testing/control-plane.js";

/** How the local server's control plane compares the API token it was given. */
describe("sameSecret", () => {
  it("is true for the same token only, whatever the lengths, and false for none", () => {
    expect(sameSecret("Bearer local-abc", "Bearer local-abc")).toBe(true);
    expect(sameSecret("Bearer local-abd", "Bearer local-abc")).toBe(false);
    expect(sameSecret("Bearer local-ab", "Bearer local-abc")).toBe(false);
    expect(sameSecret("Bearer local-abcd", "Bearer local-abc")).toBe(false);
    expect(sameSecret("", "Bearer local-abc")).toBe(false);
    expect(sameSecret(undefined, "Bearer local-abc")).toBe(false);
  });
});
