import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiFailure, type Reply } from "./rest.js";

/** The local server's HTTP plumbing, shared by its REST and Git handlers: paths, bodies and answers. */

/** The path's segments, percent-decoded; `undefined` for a malformed encoding. */
export function decodeSegments(pathname: string): string[] | undefined {
  try {
    return pathname.split("/").slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/** Answers a reply or a failure in the API's JSON envelope (or as raw bytes, for the byte routes). */
export function send(res: ServerResponse, reply: Reply | Pick<ApiFailure, "status" | "code" | "message">): void {
  if ("bytes" in reply) {
    res.writeHead(reply.status, { "content-type": reply.contentType, "content-length": reply.bytes.byteLength });
    res.end(reply.bytes);
    return;
  }
  const body =
    "code" in reply
      ? { result: null, success: false, errors: [{ code: reply.code, message: reply.message }], messages: [] }
      : { result: reply.result, success: true, errors: [], messages: [], result_info: reply.result_info };
  const text = JSON.stringify(body);
  res.writeHead(reply.status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** A plain-text answer, as Git remotes give them. */
export function plain(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(`${message}\n`);
}

/** Reads a JSON body, refusing more than `limit` bytes (413). */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiFailure(10100, `request body exceeds ${limit} bytes`, 413);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiFailure(10100, "request body is not valid JSON");
  }
}
