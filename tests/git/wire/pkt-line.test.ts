import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DELIM,
  demultiplex,
  FLUSH,
  PacketReader,
  packetText,
  pktLine,
  readPackets,
  requestBody,
} from "../../../src/git/wire/pkt-line.js";
import { band, bytes, bytesOf, packet, wire } from "../../support/git-wire.js";

/** Git's pkt-line framing (gitprotocol-common), on bytes captured from git http-backend and on generated ones. */

const text = (value: string) => new TextEncoder().encode(value);

describe("pktLine", () => {
  it("frames a line with its length in 4 hex digits, counting itself and the newline it adds", () => {
    expect(pktLine("command=ls-refs")).toBe("0014command=ls-refs\n");
    expect(pktLine("done\n")).toBe("0009done\n");
    expect(pktLine("é")).toBe("0007é\n"); // bytes, not characters
  });

  it("refuses a payload past git's 65516 bytes", () => {
    expect(pktLine("x".repeat(65_515))).toHaveLength(65_520);
    expect(() => pktLine("x".repeat(65_516))).toThrow(RangeError);
  });

  it("frames the requests git sends, byte for byte", () => {
    const request = requestBody([
      pktLine("command=ls-refs"),
      pktLine("agent=cloudflare-artifacts/0.1.0"),
      pktLine("object-format=sha1"),
      DELIM,
      ...["peel", "symrefs", "unborn", "ref-prefix HEAD", "ref-prefix refs/heads/"].map(pktLine),
      FLUSH,
    ]);
    expect(request).toEqual(bytesOf(wire["ls-refs"]!, "requestBody"));
    expect(requestBody(["0000", Uint8Array.of(1, 2)])).toEqual(Uint8Array.of(0x30, 0x30, 0x30, 0x30, 1, 2));
  });
});

describe("PacketReader", () => {
  /** What the reader hands on, as text, for the body cut into pieces at `cuts`. */
  const heard = (body: Uint8Array, cuts: number[]) => {
    const seen: string[] = [];
    const reader = new PacketReader((length, bytes, start) => {
      seen.push(length < 4 ? `<${length}>` : new TextDecoder().decode(bytes.subarray(start + 4, start + length)));
      return undefined;
    });
    let from = 0;
    for (const cut of [...cuts, body.byteLength]) {
      const malformed = reader.push(body.subarray(from, cut));
      if (malformed) return malformed;
      from = cut;
    }
    return reader.end() ?? seen;
  };

  it("hands on the same packets however the answer is cut into chunks", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 300 }).filter((s) => !s.includes("\n"))),
        fc.array(fc.nat(), { maxLength: 12 }),
        (lines, points) => {
          const body = requestBody([...lines.flatMap((line) => [pktLine(line), DELIM]), FLUSH]);
          const cuts = [...new Set(points.map((point) => point % (body.byteLength + 1)))].sort((a, b) => a - b);
          expect(heard(body, cuts)).toEqual(heard(body, []));
          expect(heard(body, []).length).toBe(lines.length * 2 + 1);
        },
      ),
    );
  });

  it("reads one byte at a time, a packet of git's largest size split anywhere, and stops where told", () => {
    const big = pktLine("y".repeat(65_515));
    const body = requestBody([big, pktLine("z"), FLUSH]);
    expect(
      heard(
        body,
        Array.from({ length: body.byteLength - 1 }, (_, n) => n + 1),
      ),
    ).toEqual([`${"y".repeat(65_515)}\n`, "z\n", "<0>"]);
    const reader = new PacketReader(() => "enough");
    expect(reader.push(requestBody([pktLine("a"), pktLine("b")]))).toBe("enough");
  });

  it("says a chunked answer ends inside a header or a packet", () => {
    expect(heard(new TextEncoder().encode("0009do"), [2])).toBe("truncated pkt-line");
    expect(heard(new TextEncoder().encode("00"), [1])).toBe("truncated pkt-line header");
    expect(heard(new TextEncoder().encode("00zz"), [2])).toBe("malformed pkt-line length");
  });
});

describe("readPackets", () => {
  it("splits a captured advertisement into its lines and the flush", () => {
    const packets = readPackets(bytesOf(wire["upload-pack advertisement"]!, "responseBody"))._unsafeUnwrap();
    expect(packets.map((p) => packetText(p) ?? p.kind)).toEqual([
      "version 2",
      "agent=git/2.39.5",
      "ls-refs=unborn",
      "fetch=shallow wait-for-done filter",
      "server-option",
      "object-format=sha1",
      "object-info",
      "flush",
    ]);
  });

  it("reads flush, delimiter and response-end markers", () => {
    expect(
      readPackets(text("000000010002"))
        ._unsafeUnwrap()
        .map((p) => p.kind),
    ).toEqual(["flush", "delim", "end"]);
    expect(readPackets(new Uint8Array())._unsafeUnwrap()).toEqual([]);
  });

  it.each([
    ["000", "truncated pkt-line header"],
    ["0009don", "truncated pkt-line"],
    ["zzzzdone", "malformed pkt-line length"],
    ["0003", "malformed pkt-line length"],
    ["0006a\n0000x", "truncated pkt-line header"],
  ])("says how %j is malformed", (framed, reason) => {
    expect(readPackets(text(framed))._unsafeUnwrapErr()).toBe(reason);
  });

  it("takes upper-case hex lengths as git does", () => {
    expect(readPackets(text(`000A${"x".repeat(6)}`))._unsafeUnwrap()).toHaveLength(1);
  });

  it("gives back what pktLine framed, for any lines (round trip)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "grapheme", maxLength: 200 }).filter((s) => !s.includes("\n"))),
        (lines) => {
          const framed = requestBody([...lines.map(pktLine), FLUSH]);
          const packets = readPackets(framed)._unsafeUnwrap();
          expect(packets.map((p) => packetText(p) ?? p.kind)).toEqual([...lines, "flush"]);
        },
      ),
    );
  });

  it("keeps any bytes as a payload, unchanged (round trip)", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 })), (payloads) => {
        const packets = readPackets(bytes(...payloads.map(packet)))._unsafeUnwrap();
        expect(packets.map((p) => (p.kind === "data" ? Uint8Array.from(p.data) : p.kind))).toEqual(payloads);
      }),
    );
  });
});

describe("packetText", () => {
  it("is a data packet's text without its newline, and nothing for a marker", () => {
    expect(packetText({ kind: "data", data: text("ok refs/heads/main\n") })).toBe("ok refs/heads/main");
    expect(packetText({ kind: "data", data: text("no newline") })).toBe("no newline");
    expect(packetText({ kind: "flush" })).toBeUndefined();
  });
});

describe("demultiplex", () => {
  it("joins band 1, collects band 2's progress, and stops at the flush", () => {
    const packets = readPackets(
      bytes(band(2, "Counting "), band(1, "PA"), band(2, "objects\n"), band(1, "CK"), FLUSH, band(1, "after")),
    )._unsafeUnwrap();
    const { data, progress, error } = demultiplex(packets)._unsafeUnwrap();
    expect(new TextDecoder().decode(data)).toBe("PACK");
    expect(progress).toBe("Counting objects\n");
    expect(error).toBeUndefined();
  });

  it("ends on band 3 with its error text", () => {
    const packets = readPackets(bytes(band(1, "x"), band(3, "fatal: out of space\n"), band(1, "y")))._unsafeUnwrap();
    expect(demultiplex(packets)._unsafeUnwrap()).toEqual({
      data: text("x"),
      progress: "",
      error: "fatal: out of space",
    });
  });

  it("refuses an unknown band", () => {
    expect(demultiplex(readPackets(band(9, "?"))._unsafeUnwrap())._unsafeUnwrapErr()).toBe("unknown side-band 9");
  });

  it("reads a captured push report: the hook's words on band 2, the report-status inside band 1", () => {
    const answer = readPackets(bytesOf(wire["push of a stale head"]!, "responseBody"))._unsafeUnwrap();
    const { data, progress } = demultiplex(answer)._unsafeUnwrap();
    expect(progress).toMatch(/^error: cannot lock ref 'refs\/heads\/main'/);
    expect(
      readPackets(data)
        ._unsafeUnwrap()
        .map((p) => packetText(p) ?? p.kind),
    ).toEqual(["unpack ok", "ng refs/heads/main failed to update ref", "flush"]);
  });
});
