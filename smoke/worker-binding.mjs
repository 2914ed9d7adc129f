// examples/worker-binding as wrangler runs it, plus two routes for the smoke test's judge: GET /check?repo=<name> →
// a read token (so git can clone what the example committed) and its id; GET /tokens?repo=<name> → the repo's
// tokens (the example's own must be revoked once its waitUntil ran). The example is served as is on every other path.
import example from "../examples/worker-binding/src/index.ts";

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname !== "/check" && url.pathname !== "/tokens") return example.fetch(request, env, ctx);
    const repo = await env.ARTIFACTS.get(url.searchParams.get("repo"));
    if (url.pathname === "/tokens") return Response.json(await repo.listTokens());
    const read = await repo.createToken("read", 600);
    return Response.json({ remote: (await repo.info()).remote, token: read.plaintext, id: read.id });
  },
};
