import type { ResultAsync } from "neverthrow";
import {
  allNamespaces,
  allRepos,
  allTokens,
  createNamespace,
  createRepo,
  createToken,
  deleteRepo,
  deleteToken,
  forkRepo,
  getNamespace,
  getRepo,
  importRepo,
  type Jurisdiction,
  listNamespaces,
  listRepos,
  listTokens,
  type RepoSortField,
  type SortDirection,
  type TokenState,
  waitForRepo,
} from "../index.js";
import { clientFrom, integer, type Parsed, parse, positional, text } from "./context.js";
import { failureOf, print, usage } from "./output.js";

/** `repos`, `tokens` and `namespaces`: one SDK call each, printed. */

export interface Command {
  usage: string;
  run(args: string[]): Promise<void>;
}

/** The Ok value, or the SDK's error as the command's failure. */
async function value<T>(result: ResultAsync<T, { _tag: string; message: string }>): Promise<T> {
  const settled = await result;
  if (settled.isErr()) throw failureOf(settled.error);
  return settled.value;
}

const REPO_COLUMNS = ["name", "default_branch", "last_push_at", "source", "read_only", "remote"];
const TOKEN_COLUMNS = ["id", "scope", "state", "created_at", "expires_at"];
const json = (parsed: Parsed) => parsed.values.json === true;
/**
 * The short-lived token a create, fork or import returns: redacted in a table, which ends up in logs and scrollback;
 * `--json` prints it (the API's result verbatim), and `tokens create` mints one to use.
 */
const INLINE_TOKEN = ["token"];

function choice<T extends string>(parsed: Parsed, name: string, options: readonly T[]): T | undefined {
  const given = text(parsed, name);
  if (given !== undefined && !options.includes(given as T))
    throw usage(`usage: --${name} is one of ${options.join(", ")}`);
  return given as T | undefined;
}

export const repos: Record<string, Command> = {
  list: {
    usage:
      "repos list [--search S] [--sort created_at|updated_at|last_push_at|name] [--direction asc|desc] [--limit N] [--all]",
    async run(args) {
      const parsed = parse(args, {
        search: { type: "string" },
        sort: { type: "string" },
        direction: { type: "string" },
        limit: { type: "string" },
        all: { type: "boolean" },
      });
      const query = {
        search: text(parsed, "search"),
        sort: choice<RepoSortField>(parsed, "sort", ["created_at", "updated_at", "last_push_at", "name"]),
        direction: choice<SortDirection>(parsed, "direction", ["asc", "desc"]),
        limit: integer(parsed, "limit"),
      };
      const client = clientFrom(parsed);
      const items = parsed.values.all
        ? await value(allRepos(client, query))
        : (await value(listRepos(client, query)))[0];
      print(items, json(parsed), REPO_COLUMNS);
    },
  },
  get: {
    usage: "repos get NAME",
    async run(args) {
      const parsed = parse(args, {});
      print(await value(getRepo(clientFrom(parsed), positional(parsed, 0, "NAME"))), json(parsed));
    },
  },
  create: {
    usage: "repos create NAME [--description D] [--default-branch B] [--read-only]",
    async run(args) {
      const parsed = parse(args, {
        description: { type: "string" },
        "default-branch": { type: "string" },
        "read-only": { type: "boolean" },
      });
      const body = {
        name: positional(parsed, 0, "NAME"),
        description: text(parsed, "description"),
        default_branch: text(parsed, "default-branch"),
        read_only: parsed.values["read-only"] === true ? true : undefined,
      };
      print(await value(createRepo(clientFrom(parsed), body)), json(parsed), undefined, INLINE_TOKEN);
    },
  },
  delete: {
    usage: "repos delete NAME",
    async run(args) {
      const parsed = parse(args, {});
      print(await value(deleteRepo(clientFrom(parsed), positional(parsed, 0, "NAME"))), json(parsed));
    },
  },
  fork: {
    usage: "repos fork NAME NEW_NAME [--description D] [--read-only] [--all-branches]",
    async run(args) {
      const parsed = parse(args, {
        description: { type: "string" },
        "read-only": { type: "boolean" },
        "all-branches": { type: "boolean" },
      });
      const body = {
        name: positional(parsed, 1, "NEW_NAME"),
        description: text(parsed, "description"),
        read_only: parsed.values["read-only"] === true ? true : undefined,
        default_branch_only: parsed.values["all-branches"] === true ? false : undefined,
      };
      print(
        await value(forkRepo(clientFrom(parsed), positional(parsed, 0, "NAME"), body)),
        json(parsed),
        undefined,
        INLINE_TOKEN,
      );
    },
  },
  import: {
    usage: "repos import NAME --url URL [--branch B] [--depth N] [--wait]",
    async run(args) {
      const parsed = parse(args, {
        url: { type: "string" },
        branch: { type: "string" },
        depth: { type: "string" },
        wait: { type: "boolean" },
      });
      const url = text(parsed, "url");
      if (url === undefined) throw usage("usage: --url is required");
      const client = clientFrom(parsed);
      const name = positional(parsed, 0, "NAME");
      const body = { url, branch: text(parsed, "branch"), depth: integer(parsed, "depth") };
      const started = Date.now();
      // On a TTY, the elapsed time while the import runs (the API answers only once it is done).
      const spinner = process.stderr.isTTY && !json(parsed) ? progress(`importing ${name}`, started) : undefined;
      try {
        const imported = await value(importRepo(client, name, body));
        if (parsed.values.wait) await value(waitForRepo(client, name));
        print(imported, json(parsed), undefined, INLINE_TOKEN);
      } finally {
        spinner?.stop();
      }
    },
  },
};

function progress(label: string, started: number) {
  const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  let frame = 0;
  const timer = setInterval(() => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`\r${frames[frame++ % frames.length]} ${label} ${seconds}s`);
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      process.stderr.write("\r\x1b[K");
    },
  };
}

export const tokens: Record<string, Command> = {
  create: {
    usage: "tokens create REPO [--scope read|write] [--ttl SECONDS]",
    async run(args) {
      const parsed = parse(args, { scope: { type: "string" }, ttl: { type: "string" } });
      const body = {
        repo: positional(parsed, 0, "REPO"),
        scope: choice(parsed, "scope", ["read", "write"] as const),
        ttl: integer(parsed, "ttl"),
      };
      print(await value(createToken(clientFrom(parsed), body)), json(parsed));
    },
  },
  list: {
    usage: "tokens list REPO [--state active|expired|revoked|all] [--all]",
    async run(args) {
      const parsed = parse(args, { state: { type: "string" }, all: { type: "boolean" } });
      const client = clientFrom(parsed);
      const repo = positional(parsed, 0, "REPO");
      const state = choice<TokenState | "all">(parsed, "state", ["active", "expired", "revoked", "all"]);
      const items = parsed.values.all
        ? await value(allTokens(client, repo, { state, per_page: 100 }))
        : (await value(listTokens(client, repo, { state })))[0];
      print(items, json(parsed), TOKEN_COLUMNS);
    },
  },
  revoke: {
    usage: "tokens revoke ID",
    async run(args) {
      const parsed = parse(args, {});
      print(await value(deleteToken(clientFrom(parsed), positional(parsed, 0, "ID"))), json(parsed));
    },
  },
};

export const namespaces: Record<string, Command> = {
  list: {
    usage: "namespaces list [--all]",
    async run(args) {
      const parsed = parse(args, { all: { type: "boolean" } });
      const client = clientFrom(parsed);
      const items = parsed.values.all ? await value(allNamespaces(client)) : (await value(listNamespaces(client)))[0];
      print(items, json(parsed));
    },
  },
  get: {
    usage: "namespaces get NAME",
    async run(args) {
      const parsed = parse(args, {});
      print(await value(getNamespace(clientFrom(parsed), positional(parsed, 0, "NAME"))), json(parsed));
    },
  },
  create: {
    usage: "namespaces create NAME [--jurisdiction eu|us]",
    async run(args) {
      const parsed = parse(args, { jurisdiction: { type: "string" } });
      const body = {
        namespace: positional(parsed, 0, "NAME"),
        jurisdiction: choice<Jurisdiction>(parsed, "jurisdiction", ["eu", "us"]),
      };
      print(await value(createNamespace(clientFrom(parsed), body)), json(parsed));
    },
  },
};

export { value };
