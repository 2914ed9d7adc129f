import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Sha1 } from "../../../src/git/objects/sha1.js";

/** SHA-1 fed in pieces (sha1.ts), judged by Node's own: any bytes, split anywhere, around every block boundary. */

const node = (bytes: Uint8Array) => createHash("sha1").update(bytes).digest("hex");

describe("Sha1", () => {
  it("gives Node's digest for lengths around each block and padding boundary, fed whole or byte by byte", () => {
    for (const length of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000]) {
      const bytes = Uint8Array.from({ length }, (_, n) => (n * 31 + 7) & 0xff);
      expect(new Sha1().update(bytes).hex()).toBe(node(bytes));
      const piecewise = new Sha1();
      for (const byte of bytes) piecewise.update(Uint8Array.of(byte));
      expect(piecewise.hex()).toBe(node(bytes));
    }
  });

  it("gives Node's digest for any bytes cut into any pieces", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 8 }), (bytes, points) => {
        const cuts = [...new Set(points.map((point) => point % (bytes.byteLength + 1)))].sort((a, b) => a - b);
        const hash = new Sha1();
        let from = 0;
        for (const cut of [...cuts, bytes.byteLength]) {
          hash.update(bytes.subarray(from, cut));
          from = cut;
        }
        expect(Buffer.from(hash.digest()).toString("hex")).toBe(node(bytes));
      }),
    );
  });
});
