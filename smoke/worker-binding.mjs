// examples/worker-binding as wrangler runs it, plus one route for the smoke test's judge: GET /check?repo=<name> →
// a read token (so git can clone what the example committed) and the repo's tokens (the example's own must be
// revoked by then). The example itself is served as is on every other path.
import example from "../examples/worker-binding/src/index.ts";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname !== "/check") return example.fetch(request, env);
    const repo = await env.ARTIFACTS.get(url.searchParams.get("repo"));
    const { tokens } = await repo.listTokens();
    const read = await repo.createToken("read", 600);
    return Response.json({ remote: (await repo.info()).remote, token: read.plaintext, tokens });
  },
};
