import { readFile } from "node:fs/promises";
import { commitFiles, diffRefs, mergeRefs, readFiles } from "../git/index.js";
import { clientFrom, parse, positional, text } from "./context.js";
import { CliFailure, print, usage } from "./output.js";
import { type Command, value } from "./resources.js";

/** Who a commit made from the shell is by: the flags, else git's own environment variables, else the command. */
function authorOf(parsed: Parameters<typeof text>[0]): { name: string; email: string } {
  return {
    name: text(parsed, "author-name") ?? process.env.GIT_AUTHOR_NAME ?? "cloudflare-artifacts",
    email: text(parsed, "author-email") ?? process.env.GIT_AUTHOR_EMAIL ?? "cli@cloudflare-artifacts.invalid",
  };
}

/** `files put|get|diff|merge`: the Git data plane from the shell. */
export const files: Record<string, Command> = {
  put: {
    usage: "files put REPO PATH=@LOCALFILE... -m MESSAGE [--branch B] [--author-name N] [--author-email E]",
    async run(args) {
      const parsed = parse(args, {
        message: { type: "string", short: "m" },
        branch: { type: "string" },
        "author-name": { type: "string" },
        "author-email": { type: "string" },
      });
      const message = text(parsed, "message");
      if (message === undefined) throw usage("usage: -m MESSAGE is required");
      const repo = positional(parsed, 0, "REPO");
      const pairs = parsed.positionals.slice(1);
      if (pairs.length === 0) throw usage("usage: at least one PATH=@LOCALFILE is required");
      const contents: Record<string, Uint8Array> = {};
      for (const pair of pairs) {
        const at = pair.indexOf("=@");
        if (at <= 0) throw usage(`usage: ${pair} is not PATH=@LOCALFILE`);
        const local = pair.slice(at + 2);
        contents[pair.slice(0, at)] = await readFile(local).catch(() => {
          throw usage(`usage: cannot read ${local}`);
        });
      }
      const author = authorOf(parsed);
      const made = await value(
        commitFiles(clientFrom(parsed), repo, { message, author, files: contents, branch: text(parsed, "branch") }),
      );
      print(made, parsed.values.json === true);
    },
  },
  diff: {
    usage: "files diff REPO FROM TO [--patch]   (git diff --name-status; with --patch, the unified diffs)",
    async run(args) {
      const parsed = parse(args, { patch: { type: "boolean" } });
      const repo = positional(parsed, 0, "REPO");
      const input = {
        from: positional(parsed, 1, "FROM"),
        to: positional(parsed, 2, "TO"),
        contents: parsed.values.patch === true,
      };
      const diff = await value(diffRefs(clientFrom(parsed), repo, input));
      if (parsed.values.json === true) return print(diff, true);
      const letter = { added: "A", modified: "M", deleted: "D", "type-changed": "T" } as const;
      for (const change of diff.changes) {
        process.stdout.write(
          input.contents
            ? (change.patch ?? `Binary files differ: ${change.path}\n`)
            : `${letter[change.status]}\t${change.path}\n`,
        );
      }
    },
  },
  merge: {
    usage:
      "files merge REPO FROM --into BRANCH [--from-repo FORK] [-m MESSAGE] [--squash] [--ff allow|never|only]   (exit 1 on conflicts, listed)",
    async run(args) {
      const parsed = parse(args, {
        into: { type: "string" },
        "from-repo": { type: "string" },
        message: { type: "string", short: "m" },
        squash: { type: "boolean" },
        ff: { type: "string" },
        "author-name": { type: "string" },
        "author-email": { type: "string" },
      });
      const into = text(parsed, "into");
      if (into === undefined) throw usage("usage: --into BRANCH is required");
      const ff = text(parsed, "ff");
      if (ff !== undefined && ff !== "allow" && ff !== "never" && ff !== "only")
        throw usage("usage: --ff is allow, never or only");
      const ref = positional(parsed, 1, "FROM");
      const fork = text(parsed, "from-repo");
      const merged = await value(
        mergeRefs(clientFrom(parsed), positional(parsed, 0, "REPO"), {
          from: fork === undefined ? ref : { repo: fork, ref },
          into,
          message: text(parsed, "message"),
          author: authorOf(parsed),
          squash: parsed.values.squash === true,
          fastForward: ff,
        }),
      );
      print(merged, parsed.values.json === true);
    },
  },
  get: {
    usage: "files get REPO PATH [--ref R]   (the file's bytes to stdout; --json: { path, size, base64 })",
    async run(args) {
      const parsed = parse(args, { ref: { type: "string" } });
      const repo = positional(parsed, 0, "REPO");
      const path = positional(parsed, 1, "PATH");
      const read = await value(readFiles(clientFrom(parsed), repo, { ref: text(parsed, "ref"), paths: [path] }));
      const bytes = read.files.get(path);
      // Not found, as a missing repo or ref is: exit 1, not a usage error.
      if (!bytes) throw new CliFailure(`error: no file ${path} at ${read.commit}`, 1, { message: `no file ${path}` });
      if (parsed.values.json === true) {
        return print({ path, size: bytes.byteLength, base64: Buffer.from(bytes).toString("base64") }, true);
      }
      process.stdout.write(bytes);
    },
  },
};
