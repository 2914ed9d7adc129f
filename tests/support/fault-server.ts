import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A server on 127.0.0.1 that misbehaves on purpose, one fault per repo name: GET
 * `/client/v4/accounts/acc/artifacts/namespaces/default/repos/<fault>`. Every response says `connection: close`,
 * so after each call no socket should stay open on either side.
 */
export interface FaultServer {
  baseUrl: string;
  /** Requests received per fault. */
  hits: Map<string, number>;
  /** Requests the redirect target received, with their authorization header. */
  redirected: (string | undefined)[];
  openConnections(): Promise<number>;
  close(): Promise<void>;
}

const envelope = (result: unknown, success = true) =>
  JSON.stringify({ result, success, errors: success ? [] : [{ code: 10400, message: "failed" }], messages: [] });

type Fault = (req: IncomingMessage, res: ServerResponse, context: { redirectTo: string }) => void;

const json = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", connection: "close", ...headers });
  res.end(body);
};

export const faults: Record<string, Fault> = {
  html502: (_, res) => {
    res.writeHead(502, { "content-type": "text/html", connection: "close" });
    res.end("<html><body><h1>502 Bad Gateway</h1><p>cloudflare</p></body></html>");
  },
  empty200: (_, res) => json(res, 200, ""),
  truncated: (_, res) => json(res, 200, envelope({ id: "r", name: "n" }).slice(0, 25)),
  wrongShape: (_, res) => json(res, 200, envelope({ unexpected: true })),
  successFalse: (_, res) => json(res, 200, envelope(null, false)),
  retryAfterSeconds: (_, res) => json(res, 429, envelope(null, false), { "retry-after": "1" }),
  retryAfterDate: (_, res) =>
    json(res, 429, envelope(null, false), { "retry-after": new Date(Date.now() + 1000).toUTCString() }),
  retryAfterFar: (_, res) => json(res, 429, envelope(null, false), { "retry-after": "86400" }),
  storm503: (_, res) => json(res, 503, envelope(null, false)),
  resetBeforeHeaders: (req) => req.socket.destroy(),
  resetMidBody: (req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "1000", connection: "close" });
    res.write('{"result":{"id":"r",');
    setTimeout(() => req.socket.destroy(), 20);
  },
  hang: () => {},
  trickle: (_, res) => {
    res.writeHead(200, { "content-type": "application/json", connection: "close" });
    const timer = setInterval(() => res.write(" "), 20);
    res.on("close", () => clearInterval(timer));
  },
  trickleWithLength: (_, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "100000", connection: "close" });
    const timer = setInterval(() => res.write(" "), 20);
    res.on("close", () => clearInterval(timer));
  },
  garbage50MB: (_, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream", connection: "close" });
    const chunk = Buffer.alloc(1024 * 1024, 0xfe);
    let sent = 0;
    const pump = () => {
      while (sent < 50 && !res.destroyed) {
        sent++;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end();
    };
    res.on("error", () => {});
    pump();
  },
  redirect: (_, res, { redirectTo }) => {
    res.writeHead(302, { location: `${redirectTo}/client/v4/steal`, connection: "close" });
    res.end();
  },
};

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

export async function startFaultServer(): Promise<FaultServer> {
  const hits = new Map<string, number>();
  const redirected: (string | undefined)[] = [];
  const target = createServer((req, res) => {
    redirected.push(req.headers.authorization);
    json(res, 200, envelope({}));
  });
  const redirectTo = await listen(target);
  const server = createServer((req, res) => {
    const name = req.url?.split("/").at(-1) ?? "";
    hits.set(name, (hits.get(name) ?? 0) + 1);
    const fault = faults[name];
    if (fault) fault(req, res, { redirectTo });
    else json(res, 404, envelope(null, false));
  });
  server.on("clientError", (_, socket) => socket.destroy());
  const origin = await listen(server);
  return {
    baseUrl: `${origin}/client/v4`,
    hits,
    redirected,
    openConnections: () => new Promise((resolve) => server.getConnections((_, count) => resolve(count))),
    async close() {
      server.closeAllConnections();
      target.closeAllConnections();
      await Promise.all([
        new Promise((resolve) => server.close(resolve)),
        new Promise((resolve) => target.close(resolve)),
      ]);
    },
  };
}
