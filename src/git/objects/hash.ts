import { Sha1 } from "./sha1.js";

/** Git object ids: the SHA-1 of `<type> <size>\0<content>`, hashed in pieces (sha1.ts), so the content is not copied. */

const encoder = new TextEncoder();

/** A full object id as Git writes them: 40 lowercase hex digits. */
export const isOid = (value: unknown): value is string => typeof value === "string" && /^[0-9a-f]{40}$/.test(value);

export type ObjectKind = "blob" | "tree" | "commit" | "tag";

/** A hash that has been given an object's header: the content follows, in one piece or many. */
export const objectHash = (type: ObjectKind, size: number): Sha1 =>
  new Sha1().update(encoder.encode(`${type} ${size}\0`));

export function objectId(type: ObjectKind, content: Uint8Array): string {
  return objectHash(type, content.byteLength).update(content).hex();
}
