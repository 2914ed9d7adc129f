// A loopback server that answers like the Artifacts API, as fast as it can: canned envelopes for getRepo and
// listRepos. Runs in its own process so the contenders share no event loop with it. Prints its port.
import { createServer } from "node:http";

const repo = (name) => ({
  id: `id-${name}`,
  name,
  description: "benchmark repo",
  default_branch: "main",
  created_at: "2026-11-25T00:00:00Z",
  updated_at: "2026-11-25T00:00:00Z",
  last_push_at: null,
  source: null,
  read_only: false,
  remote: `https://acc.artifacts.cloudflare.net/git/default/${name}.git`,
});
const envelope = (result, extra = {}) => JSON.stringify({ result, success: true, errors: [], messages: [], ...extra });
const one = Buffer.from(envelope(repo("notes")));
const list = Buffer.from(
  envelope(
    Array.from({ length: 50 }, (_, i) => repo(`repo-${i}`)),
    { result_info: { cursor: "", per_page: 50, count: 50 } },
  ),
);
const headers = (body) => ({ "content-type": "application/json", "content-length": body.length });

const server = createServer((req, res) => {
  const body = req.url.endsWith("/repos") ? list : one;
  res.writeHead(200, headers(body));
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => process.stdout.write(`${server.address().port}\n`));
process.on("disconnect", () => process.exit(0));
