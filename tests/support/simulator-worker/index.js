// The binding, over HTTP, for tests that run in Node:
//   POST   /repos/<name>                   env.ARTIFACTS.create(name) → { remote, token }
//   GET    /repos/<name>/info              (await env.ARTIFACTS.get(name)).info()
//   POST   /repos/<name>/tokens?scope&ttl  handle.createToken(scope, ttl)
//   GET    /repos/<name>/tokens            handle.listTokens()
//   DELETE /repos/<name>/tokens/<id>       handle.revokeToken(id) → { revoked }
//   GET    /repos/<name>/commit/<hash>     handle.readCommit(hash)
//   GET    /repos/<name>/tree/<hash>       handle.readTree(hash)
//   GET    /repos/<name>/blob/<hash>       handle.readBlob(hash), as bytes
// A null answer is 404; a thrown error is 500 with its message.
//
// And this SDK's data plane, running here inside workerd on the repo handle (`./sdk.js` re-exports `src/git/`; the
// test harness writes it, by absolute path, beside this file in its temporary copy):
//   PUT    /repos/<name>/files/<path>      commitFiles(handle, { files: { <path>: await request.blob() } })
//                                          → { commit }, or the GitError as JSON with status 422
//   GET    /repos/<name>/files/<path>      readFileStream(handle, { path }): the file's bytes streamed into the
//                                          Response as they inflate (x-commit, x-size headers)
import { commitFiles, readFileStream } from "./sdk.js";

const author = { name: "A Worker", email: "worker@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
const failed = (error) =>
  Response.json({ _tag: error._tag, reason: error.reason, message: error.message }, { status: 422 });

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const [, route, name, sub, arg] = url.pathname.split("/");
    const json = (value) => (value === null ? new Response("null", { status: 404 }) : Response.json(value));
    try {
      if (route !== "repos" || !name) return new Response("no route", { status: 404 });
      if (request.method === "POST" && sub === undefined) {
        const { remote, token } = await env.ARTIFACTS.create(name);
        return Response.json({ remote, token });
      }
      const repo = await env.ARTIFACTS.get(name);
      if (sub === "files") {
        const path = decodeURIComponent(url.pathname.split("/").slice(4).join("/"));
        if (request.method === "PUT") {
          const files = { [path]: await request.blob() };
          const made = await commitFiles(repo, { message: `put ${path}`, author, files });
          return made.match(({ commit }) => Response.json({ commit }), failed);
        }
        const file = await readFileStream(repo, { path });
        return file.match(
          ({ commit, size, stream }) =>
            new Response(stream, { headers: { "x-commit": commit, "x-size": String(size) } }),
          failed,
        );
      }
      if (sub === "info") return json(await repo.info());
      if (sub === "tokens" && request.method === "POST") {
        const ttl = Number(url.searchParams.get("ttl") ?? 3600);
        return json(await repo.createToken(url.searchParams.get("scope") ?? "write", ttl));
      }
      if (sub === "tokens" && request.method === "DELETE") return json({ revoked: await repo.revokeToken(arg) });
      if (sub === "tokens") return json(await repo.listTokens());
      if (sub === "commit") return json(await repo.readCommit(arg));
      if (sub === "tree") return json(await repo.readTree(arg));
      if (sub === "blob") {
        const blob = await repo.readBlob(arg);
        return blob ? new Response(await blob.arrayBuffer()) : new Response("null", { status: 404 });
      }
      return new Response("no route", { status: 404 });
    } catch (error) {
      return Response.json({ error: String(error?.message ?? error) }, { status: 500 });
    }
  },
};
