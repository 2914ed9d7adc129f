import { readFile } from "node:fs/promises";
import {
  applyPatch,
  cherryPick,
  commitFiles,
  diffRefs,
  grepFiles,
  listCommits,
  mergeRefs,
  readFiles,
  revertCommits,
} from "../git/index.js";
import { authorOf, clientFrom, integer, parse, positional, text } from "./context.js";
import { CliFailure, print, usage } from "./output.js";
import { type Command, value } from "./resources.js";

/** Everything on stdin, for `-` in place of a file: its bytes as they are. */
async function stdinBytes(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
const stdin = async () => Buffer.from(await stdinBytes()).toString("utf8");

/** `files put|get|diff|merge|log|grep|apply|revert|cherry-pick`: the Git data plane from the shell. */
export const files: Record<string, Command> = {
  put: {
    usage:
      "files put REPO PATH=@LOCALFILE|PATH=-... [--delete PATH]... -m MESSAGE [--branch B] [--author-name N] [--author-email E]   (PATH=- reads stdin)",
    async run(args) {
      const parsed = parse(args, {
        message: { type: "string", short: "m" },
        branch: { type: "string" },
        delete: { type: "string", multiple: true },
        "author-name": { type: "string" },
        "author-email": { type: "string" },
      });
      const message = text(parsed, "message");
      if (message === undefined) throw usage("usage: -m MESSAGE is required");
      const repo = positional(parsed, 0, "REPO");
      const pairs = parsed.positionals.slice(1);
      const deleted = (parsed.values.delete as string[] | undefined) ?? [];
      if (pairs.length === 0 && deleted.length === 0) {
        throw usage("usage: at least one PATH=@LOCALFILE, PATH=- or --delete PATH is required");
      }
      const contents: Record<string, Uint8Array | null> = {};
      let readStdin = false;
      for (const pair of pairs) {
        if (pair.endsWith("=-") && pair.length > 2) {
          if (readStdin) throw usage("usage: only one PATH=- can read stdin");
          readStdin = true;
          contents[pair.slice(0, -2)] = await stdinBytes();
          continue;
        }
        const at = pair.indexOf("=@");
        if (at <= 0) throw usage(`usage: ${pair} is not PATH=@LOCALFILE or PATH=-`);
        const local = pair.slice(at + 2);
        contents[pair.slice(0, at)] = await readFile(local).catch(() => {
          throw usage(`usage: cannot read ${local}`);
        });
      }
      for (const path of deleted) {
        if (path in contents) throw usage(`usage: ${path} is both written and deleted`);
        contents[path] = null; // a file or a folder, as commitFiles deletes it
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
  log: {
    usage:
      "files log REPO [PATH...] [--ref R] [--limit N] [--cursor C] [--first-parent]   (git log -- PATH...: newest first)",
    async run(args) {
      const parsed = parse(args, {
        ref: { type: "string" },
        limit: { type: "string" },
        cursor: { type: "string" },
        "first-parent": { type: "boolean" },
      });
      const paths = parsed.positionals.slice(1);
      const page = await value(
        listCommits(clientFrom(parsed), positional(parsed, 0, "REPO"), {
          ref: text(parsed, "ref"),
          paths: paths.length > 0 ? paths : undefined,
          limit: integer(parsed, "limit"),
          cursor: text(parsed, "cursor"),
          firstParent: parsed.values["first-parent"] === true,
        }),
      );
      if (parsed.values.json === true) return print(page, true);
      const rows = page.commits.map(({ commit, author, message }) => ({
        commit,
        date: new Date(author.timestamp * 1000).toISOString().slice(0, 19).replace("T", " "),
        author: author.name,
        subject: message.split("\n")[0],
      }));
      print(rows, false);
      if (page.cursor) process.stdout.write(`(more: --cursor ${page.cursor})\n`);
    },
  },
  grep: {
    usage:
      "files grep REPO PATTERN [PATH...] [--ref R] [-F] [-i] [--max-matches N]   (git grep -E -n --column -I: path:line:column:text)",
    async run(args) {
      const parsed = parse(args, {
        ref: { type: "string" },
        "fixed-strings": { type: "boolean", short: "F" },
        "ignore-case": { type: "boolean", short: "i" },
        "max-matches": { type: "string" },
      });
      const paths = parsed.positionals.slice(2);
      const found = await value(
        grepFiles(clientFrom(parsed), positional(parsed, 0, "REPO"), {
          pattern: positional(parsed, 1, "PATTERN"),
          ref: text(parsed, "ref"),
          paths: paths.length > 0 ? paths : undefined,
          fixedStrings: parsed.values["fixed-strings"] === true,
          ignoreCase: parsed.values["ignore-case"] === true,
          maxMatches: integer(parsed, "max-matches"),
        }),
      );
      if (parsed.values.json === true) return print(found, true);
      for (const { path, line, column, text: matched } of found.matches) {
        process.stdout.write(`${path}:${line}:${column}:${matched}\n`);
      }
      if (found.truncated) process.stderr.write("(stopped at a bound: more may match)\n");
    },
  },
  apply: {
    usage: "files apply REPO PATCH-FILE|- -m MESSAGE [--branch B] [--parent COMMIT]   (git apply, then commit)",
    async run(args) {
      const parsed = parse(args, {
        message: { type: "string", short: "m" },
        branch: { type: "string" },
        parent: { type: "string" },
        "author-name": { type: "string" },
        "author-email": { type: "string" },
      });
      const message = text(parsed, "message");
      if (message === undefined) throw usage("usage: -m MESSAGE is required");
      const repo = positional(parsed, 0, "REPO");
      const file = positional(parsed, 1, "PATCH-FILE");
      const patch =
        file === "-"
          ? await stdin()
          : await readFile(file, "utf8").catch(() => {
              throw usage(`usage: cannot read ${file}`);
            });
      const input = {
        patch,
        message,
        author: authorOf(parsed),
        branch: text(parsed, "branch"),
        parent: text(parsed, "parent"),
      };
      print(await value(applyPatch(clientFrom(parsed), repo, input)), parsed.values.json === true);
    },
  },
  revert: {
    usage:
      "files revert REPO COMMIT... --branch B [-m MESSAGE] [--parent COMMIT]   (git revert --no-edit, one commit each)",
    async run(args) {
      const parsed = parse(args, {
        branch: { type: "string" },
        message: { type: "string", short: "m" },
        parent: { type: "string" },
        "author-name": { type: "string" },
        "author-email": { type: "string" },
      });
      const branch = text(parsed, "branch");
      if (branch === undefined) throw usage("usage: --branch B is required");
      positional(parsed, 1, "COMMIT");
      const input = {
        commits: parsed.positionals.slice(1),
        branch,
        message: text(parsed, "message"),
        author: authorOf(parsed),
        parent: text(parsed, "parent"),
      };
      print(
        await value(revertCommits(clientFrom(parsed), positional(parsed, 0, "REPO"), input)),
        parsed.values.json === true,
      );
    },
  },
  "cherry-pick": {
    usage: "files cherry-pick REPO COMMIT... --into B [--parent COMMIT]   (git cherry-pick, one commit each)",
    async run(args) {
      const parsed = parse(args, {
        into: { type: "string" },
        parent: { type: "string" },
        "author-name": { type: "string" },
        "author-email": { type: "string" },
      });
      const into = text(parsed, "into");
      if (into === undefined) throw usage("usage: --into B is required");
      positional(parsed, 1, "COMMIT");
      const input = {
        commits: parsed.positionals.slice(1),
        into,
        author: authorOf(parsed),
        parent: text(parsed, "parent"),
      };
      print(
        await value(cherryPick(clientFrom(parsed), positional(parsed, 0, "REPO"), input)),
        parsed.values.json === true,
      );
    },
  },
};
