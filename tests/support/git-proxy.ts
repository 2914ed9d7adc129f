import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A proxy on 127.0.0.1 in front of the local server's Git remote: it forwards every request as is, counts the
 * bytes it answers, and lets a test spoil one kind of request on purpose (`fault`), to see the data plane fail
 * cleanly when a server dies mid-pack, cuts a pack short or refuses the token half-way through a call; or adds a
 * round trip's latency to every request (`delayMs`), as a network would.
 */
export type GitFault =
  | { kind: "reset-mid-body" }
  | { kind: "truncate"; drop: number }
  | { kind: "status"; status: number }
  | { kind: "transform"; apply: (body: Buffer) => Buffer };

export interface GitProxy {
  /** The remote URL through the proxy for a remote of the local server. */
  remote(remote: string): string;
  /** Response bytes forwarded unspoiled, in all. */
  received: number;
  /** Every request, as `POST /git/default/r.git/git-upload-pack`. */
  requests: string[];
  /**
   * Spoil the requests whose path ends with `suffix` and whose method is `method`, after letting the first `skip`
   * of them through; only the first one spoiled when `once`.
   */
  fault: { method: string; suffix: string; fault: GitFault; skip?: number; once?: boolean } | undefined;
  close(): Promise<void>;
}

export async function startGitProxy(origin: string, options: { delayMs?: number } = {}): Promise<GitProxy> {
  const target = new URL(origin);
  const proxy: GitProxy = {
    remote: (remote) => remote.replace(origin, `http://127.0.0.1:${port}`),
    received: 0,
    requests: [],
    fault: undefined,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // A network's round trip, added before each request goes on (`delayMs`).
    if (options.delayMs) {
      req.pause();
      setTimeout(() => forward(req, res), options.delayMs);
    } else forward(req, res);
  });
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    proxy.requests.push(`${req.method} ${path}`);
    let spoil: GitFault | undefined;
    const { fault } = proxy;
    if (fault && req.method === fault.method && path.endsWith(fault.suffix)) {
      if ((fault.skip ?? 0) > 0) fault.skip = (fault.skip ?? 0) - 1;
      else {
        spoil = fault.fault;
        if (fault.once) proxy.fault = undefined;
      }
    }
    if (spoil?.kind === "status") {
      req.resume();
      res.writeHead(spoil.status, { "content-type": "text/plain" });
      res.end("refused by the proxy\n");
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const headers = { ...answer.headers };
        if (spoil) delete headers["content-length"];
        res.writeHead(answer.statusCode ?? 502, headers);
        const held: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => {
          if (spoil?.kind === "truncate" || spoil?.kind === "transform") {
            held.push(chunk);
            return;
          }
          if (spoil?.kind === "reset-mid-body") {
            // Half of what came, then the connection dies.
            res.write(chunk.subarray(0, chunk.length >> 1), () => res.destroy());
            answer.destroy();
            return;
          }
          proxy.received += chunk.length;
          res.write(chunk);
        });
        // A truncated answer ends cleanly, just short of its last `drop` bytes.
        answer.on("end", () => {
          const whole = Buffer.concat(held);
          if (spoil?.kind === "truncate") res.end(whole.subarray(0, Math.max(0, whole.length - spoil.drop)));
          else if (spoil?.kind === "transform") res.end(spoil.apply(whole));
          else res.end();
        });
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return proxy;
}
