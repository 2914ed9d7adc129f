/**
 * Git's pkt-line framing (gitprotocol-common): a 4-hex-digit length that counts itself, then the payload;
 * `0000` flushes, `0001` delimits the sections of a protocol v2 message, `0002` ends a response in v2.
 * Side-band multiplexing puts a band byte first: 1 pack data, 2 progress text, 3 a fatal error.
 */

import { err, ok, type Result } from "neverthrow";
import { joinBytes } from "../../bytes.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const FLUSH = "0000";
export const DELIM = "0001";

/** The largest pkt-line payload git accepts (65520 bytes in all). */
const MAX_PAYLOAD = 65516;

/** One text line as a pkt-line, newline-terminated as git writes them. */
export function pktLine(text: string): string {
  const line = text.endsWith("\n") ? text : `${text}\n`;
  const length = encoder.encode(line).byteLength + 4;
  if (length - 4 > MAX_PAYLOAD) throw new RangeError("pkt-line payload too long");
  return length.toString(16).padStart(4, "0") + line;
}

/** A request body: pkt-lines (strings, already framed) and raw bytes (a pack), in order. */
export function requestBody(parts: readonly (string | Uint8Array)[]): Uint8Array<ArrayBuffer> {
  return joinBytes(parts.map((part) => (typeof part === "string" ? encoder.encode(part) : part)));
}

/** A packet: its payload, or a flush / delimiter / response-end marker. */
export type Packet = { kind: "data"; data: Uint8Array } | { kind: "flush" | "delim" | "end" };

/**
 * Reads pkt-lines from chunks as they arrive: in linear time, without an allocation per packet, so a flood of tiny
 * packets costs what its bytes cost. Each packet goes to `onPacket` as `(length, bytes, start)`: `length` 0, 1 or 2
 * for a flush, delimiter or response end, else the payload is `bytes[start + 4, start + length)`. `bytes` is the
 * chunk itself, or (for a packet split across chunks) a buffer reused for the next: read it before returning.
 * `onPacket` returns a reason to stop (malformed content), or undefined to go on.
 */
export class PacketReader {
  /** A packet begun in one chunk and ended in a later one: as long as 4 hex digits can say. */
  private readonly carry = new Uint8Array(0x10000);
  private carried = 0;

  constructor(private readonly onPacket: (length: number, bytes: Uint8Array, start: number) => string | undefined) {}

  /** Reads a chunk; resolves to why the answer is malformed, or undefined. */
  push(chunk: Uint8Array): string | undefined {
    let offset = 0;
    if (this.carried > 0) {
      // The header first, then the rest of its packet.
      const needHeader = Math.max(0, 4 - this.carried);
      const headerPart = Math.min(needHeader, chunk.byteLength);
      this.carry.set(chunk.subarray(0, headerPart), this.carried);
      this.carried += headerPart;
      offset = headerPart;
      if (this.carried < 4) return undefined;
      const length = lengthAt(this.carry, 0);
      if (length < 0) return "malformed pkt-line length";
      const rest = Math.min(Math.max(0, length - this.carried), chunk.byteLength - offset);
      this.carry.set(chunk.subarray(offset, offset + rest), this.carried);
      this.carried += rest;
      offset += rest;
      if (this.carried < Math.max(length, 4)) return undefined;
      this.carried = 0;
      const stop = this.onPacket(length, this.carry, 0);
      if (stop !== undefined) return stop;
    }
    while (offset < chunk.byteLength) {
      if (offset + 4 > chunk.byteLength) return this.keep(chunk, offset);
      const length = lengthAt(chunk, offset);
      if (length < 0) return "malformed pkt-line length";
      const size = Math.max(length, 4);
      if (offset + size > chunk.byteLength) return this.keep(chunk, offset);
      const stop = this.onPacket(length, chunk, offset);
      if (stop !== undefined) return stop;
      offset += size;
    }
    return undefined;
  }

  /** Says how the answer ends: undefined when on a packet's boundary. */
  end(): string | undefined {
    if (this.carried === 0) return undefined;
    return this.carried < 4 ? "truncated pkt-line header" : "truncated pkt-line";
  }

  private keep(chunk: Uint8Array, offset: number): undefined {
    this.carry.set(chunk.subarray(offset), 0);
    this.carried = chunk.byteLength - offset;
    return undefined;
  }
}

/** Each ASCII code's hex value, or -1. */
const HEX_VALUE = Array.from({ length: 256 }, (_, code) => {
  const digit = Number.parseInt(String.fromCharCode(code), 16);
  return Number.isNaN(digit) ? -1 : digit;
});

/** The length in the 4 hex digits at `offset`: 0-2 for the markers, ≥ 4 for data, -1 when malformed (or 3). */
function lengthAt(bytes: Uint8Array, offset: number): number {
  let length = 0;
  for (let index = offset; index < offset + 4; index++) {
    const digit = HEX_VALUE[bytes[index] as number] as number;
    if (digit < 0) return -1;
    length = length * 16 + digit;
  }
  return length === 3 ? -1 : length;
}

const MARKERS = ["flush", "delim", "end"] as const;

/**
 * Splits a whole response body into packets, or says how its framing is malformed (the text a `GitError` of reason
 * `protocol` reports). For the short answers (advertisements, reports); a pack's answer is read as it arrives.
 */
export function readPackets(body: Uint8Array): Result<Packet[], string> {
  const packets: Packet[] = [];
  const reader = new PacketReader((length, bytes, start) => {
    packets.push(
      length < 4
        ? { kind: MARKERS[length] as "flush" }
        : { kind: "data", data: bytes.slice(start + 4, start + length) },
    );
    return undefined;
  });
  const malformed = reader.push(body) ?? reader.end();
  return malformed === undefined ? ok(packets) : err(malformed);
}

/** A data packet as text, without its trailing newline. */
export function packetText(packet: Packet): string | undefined {
  if (packet.kind !== "data") return undefined;
  return decoder.decode(packet.data).replace(/\n$/, "");
}

/** What side-band-64k carries: the data of band 1, the progress text of band 2, the error text of band 3. */
export interface Demultiplexed {
  data: Uint8Array;
  progress: string;
  error?: string;
}

/** Joins side-band-64k packets into their bands, up to the first flush; an unknown band is malformed. */
export function demultiplex(packets: readonly Packet[]): Result<Demultiplexed, string> {
  const data: Uint8Array[] = [];
  let progress = "";
  for (const packet of packets) {
    if (packet.kind !== "data") break;
    const band = packet.data[0];
    const payload = packet.data.subarray(1);
    if (band === 1) data.push(payload);
    else if (band === 2) progress += decoder.decode(payload);
    else if (band === 3) return ok({ data: joinBytes(data), progress, error: decoder.decode(payload).trim() });
    else return err(`unknown side-band ${band}`);
  }
  return ok({ data: joinBytes(data), progress });
}
