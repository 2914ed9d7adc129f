// POST /repos/<name>: the binding's create() → { remote, token }.
// POST /repos/<name>/tokens?scope=read|write: the repo handle's createToken(scope, 3600).
// GET /repos/<name>/tokens: the handle's listTokens().
// Errors answer 500 with the binding's message.
export default {
  async fetch(request, env) {
    const [, route, name, sub] = new URL(request.url).pathname.split("/");
    try {
      if (route !== "repos" || !name) return new Response("no route", { status: 404 });
      if (request.method === "POST" && sub === undefined) {
        const { remote, token } = await env.ARTIFACTS.create(name);
        return Response.json({ remote, token });
      }
      const repo = await env.ARTIFACTS.get(name);
      if (sub === "tokens" && request.method === "POST") {
        const scope = new URL(request.url).searchParams.get("scope") ?? "write";
        return Response.json(await repo.createToken(scope, 3600));
      }
      if (sub === "tokens") return Response.json(await repo.listTokens());
      return new Response("no route", { status: 404 });
    } catch (error) {
      return Response.json({ error: String(error?.message ?? error) }, { status: 500 });
    }
  },
};
