/**
 * Git's pkt-line framing (gitprotocol-common): a 4-hex-digit length that counts itself, then the payload;
 * `0000` flushes, `0001` delimits the sections of a protocol v2 message, `0002` ends a response in v2.
 * Side-band multiplexing puts a band byte first: 1 pack data, 2 progress text, 3 a fatal error.
 */

import { err, ok, type Result } from "neverthrow";
import { joinBytes } from "../bytes.js";

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
 * Splits a whole response body into packets, or says how its framing is malformed (the text a `GitError` of reason
 * `protocol` reports).
 */
export function readPackets(body: Uint8Array): Result<Packet[], string> {
  const packets: Packet[] = [];
  let offset = 0;
  while (offset < body.byteLength) {
    if (offset + 4 > body.byteLength) return err("truncated pkt-line header");
    const header = decoder.decode(body.subarray(offset, offset + 4));
    const length = /^[0-9a-f]{4}$/i.test(header) ? Number.parseInt(header, 16) : Number.NaN;
    if (Number.isNaN(length) || length === 3) return err("malformed pkt-line length");
    if (length < 3) {
      packets.push({ kind: length === 0 ? "flush" : length === 1 ? "delim" : "end" });
      offset += 4;
      continue;
    }
    if (offset + length > body.byteLength) return err("truncated pkt-line");
    packets.push({ kind: "data", data: body.subarray(offset + 4, offset + length) });
    offset += length;
  }
  return ok(packets);
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
