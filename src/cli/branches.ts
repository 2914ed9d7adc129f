import { createBranch, createTag, deleteBranch, deleteTag, listRefs } from "../git/index.js";
import { authorOf, clientFrom, parse, positional, text } from "./context.js";
import { print, usage } from "./output.js";
import { type Command, value } from "./resources.js";

/** `branches list|create|delete`: a repo's branches without a clone. */
export const branches: Record<string, Command> = {
  list: {
    usage: "branches list REPO   (every branch and its commit; HEAD's marked *)",
    async run(args) {
      const parsed = parse(args, {});
      const refs = await value(listRefs(clientFrom(parsed), positional(parsed, 0, "REPO")));
      if (parsed.values.json === true) return print(refs, true);
      const rows = Object.entries(refs.branches).map(([name, commit]) => ({
        branch: name === refs.head ? `* ${name}` : `  ${name}`,
        commit,
      }));
      print(rows, false);
    },
  },
  create: {
    usage: "branches create REPO NAME --from REF   (REF: a branch, a tag or a commit id)",
    async run(args) {
      const parsed = parse(args, { from: { type: "string" } });
      const from = text(parsed, "from");
      if (from === undefined) throw usage("usage: --from REF is required");
      const input = { name: positional(parsed, 1, "NAME"), from };
      print(
        await value(createBranch(clientFrom(parsed), positional(parsed, 0, "REPO"), input)),
        parsed.values.json === true,
      );
    },
  },
  delete: {
    usage: "branches delete REPO NAME [--parent COMMIT]   (--parent: only if the branch is still there)",
    async run(args) {
      const parsed = parse(args, { parent: { type: "string" } });
      const input = { name: positional(parsed, 1, "NAME"), parent: text(parsed, "parent") };
      print(
        await value(deleteBranch(clientFrom(parsed), positional(parsed, 0, "REPO"), input)),
        parsed.values.json === true,
      );
    },
  },
};

/** `tags list|create|delete`: a repo's tags without a clone. */
export const tags: Record<string, Command> = {
  list: {
    usage: "tags list REPO   (every tag and the commit it names)",
    async run(args) {
      const parsed = parse(args, {});
      const refs = await value(listRefs(clientFrom(parsed), positional(parsed, 0, "REPO")));
      if (parsed.values.json === true) return print(refs.tags, true);
      print(
        Object.entries(refs.tags).map(([tag, commit]) => ({ tag, commit })),
        false,
      );
    },
  },
  create: {
    usage: "tags create REPO NAME --from REF [-m MESSAGE]   (-m: annotated, by --author-name/--author-email)",
    async run(args) {
      const parsed = parse(args, {
        from: { type: "string" },
        message: { type: "string", short: "m" },
        "author-name": { type: "string" },
        "author-email": { type: "string" },
      });
      const from = text(parsed, "from");
      if (from === undefined) throw usage("usage: --from REF is required");
      const message = text(parsed, "message");
      const input = {
        name: positional(parsed, 1, "NAME"),
        from,
        ...(message === undefined ? {} : { message, tagger: authorOf(parsed) }),
      };
      print(
        await value(createTag(clientFrom(parsed), positional(parsed, 0, "REPO"), input)),
        parsed.values.json === true,
      );
    },
  },
  delete: {
    usage: "tags delete REPO NAME [--parent ID]   (--parent: only if the tag still names it)",
    async run(args) {
      const parsed = parse(args, { parent: { type: "string" } });
      const input = { name: positional(parsed, 1, "NAME"), parent: text(parsed, "parent") };
      print(
        await value(deleteTag(clientFrom(parsed), positional(parsed, 0, "REPO"), input)),
        parsed.values.json === true,
      );
    },
  },
};
