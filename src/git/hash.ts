/**
 * Git object ids: the SHA-1 of `<type> <size>\0<content>`. Computed with Web Crypto, which every runtime this
 * package runs on has (Node ≥ 20, Bun, Deno, Workers).
 */

const encoder = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** A full object id as Git writes them: 40 lowercase hex digits. */
export const isOid = (value: unknown): value is string => typeof value === "string" && /^[0-9a-f]{40}$/.test(value);

export async function sha1(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-1", bytes as Uint8Array<ArrayBuffer>));
}

export async function objectId(type: "blob" | "tree" | "commit" | "tag", content: Uint8Array): Promise<string> {
  const header = encoder.encode(`${type} ${content.byteLength}\0`);
  const whole = new Uint8Array(header.byteLength + content.byteLength);
  whole.set(header);
  whole.set(content, header.byteLength);
  let hex = "";
  for (const byte of await sha1(whole)) hex += HEX[byte];
  return hex;
}
