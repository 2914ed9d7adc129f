import { err, ok, type Result, ResultAsync } from "neverthrow";
import type { Client } from "./client.js";
import { type ArtifactsError, aborted, InvalidInputError, TaggedError } from "./errors.js";
import { listNamespaces } from "./namespaces.js";
import { listRepos } from "./repos.js";
import { listTokens } from "./tokens.js";
import type { CallOptions, Page } from "./transport.js";
import type {
  CursorResultInfo,
  ListNamespacesQuery,
  ListReposQuery,
  ListTokensQuery,
  NamespaceInfo,
  OffsetResultInfo,
  RepoWithRemote,
  TokenInfo,
} from "./types.js";

/**
 * Walking every page. Each walker is an async iterable of one Result per page, holding one page in memory
 * at a time and stopping after the first Err; `collect` turns any of them into one `ResultAsync` of every item.
 * They stop on the API's own end signal: a missing, null or empty cursor, or `page >= total_pages` (or an empty
 * page, or one without `total_pages`).
 */

/**
 * A page walk that would not end: the server sent a cursor it had sent before (`reason: "repeated-cursor"`, with
 * that `cursor`), or more than 10,000 pages (`reason: "page-limit"`, no `cursor`).
 *
 * @example
 * const all = await allRepos(client);
 * if (all.isErr() && all.error._tag === "PaginationError") console.log(all.error.reason, all.error.cursor);
 */
export class PaginationError extends TaggedError {
  declare readonly _tag: "PaginationError";

  constructor(
    readonly cursor: string | undefined,
    /** The page (1-based) whose `result_info` repeated the cursor, or the first page past the limit. */
    readonly page: number,
    readonly reason: "repeated-cursor" | "page-limit" = "repeated-cursor",
  ) {
    super(
      "PaginationError",
      reason === "page-limit" ? `more than ${MAX_PAGES} pages` : `page ${page} repeated an earlier cursor`,
    );
  }
}

/**
 * The most pages a walk follows: 2,000,000 repos at 200 a page. A server that sends more (new cursors forever,
 * a `total_pages` of a billion) ends the walk with a `PaginationError` instead of growing `collect` without end.
 */
export const MAX_PAGES = 10_000;

/**
 * What a page walk can end with: any endpoint error, or a repeated cursor.
 *
 * @example
 * const all = await allRepos(client);
 * if (all.isErr()) console.log((all.error as PageError)._tag);
 */
export type PageError = ArtifactsError | PaginationError;
/**
 * An async iterable of one Result per page.
 *
 * @example
 * const pages: Pages<RepoWithRemote> = repoPages(client);
 * for await (const page of pages) if (page.isOk()) console.log(page.value.length);
 */
export type Pages<Item> = AsyncIterable<Result<Item[], PageError>>;

/**
 * Every page, from `first` on: `next` reads a page's `result_info` and says where the following page is,
 * `undefined` at the end, or a `PaginationError` when following it would loop. The caller's query and options are
 * read inside the walk: a getter or Proxy of theirs that throws ends it with an `InvalidInputError`, not a throw.
 */
async function* walk<Item, Info, Position>(
  fetchPage: (position: Position) => ResultAsync<Page<Item, Info>, ArtifactsError>,
  first: () => Position,
  next: (info: Info, items: Item[], position: Position, page: number) => Position | undefined | PaginationError,
  options: CallOptions | undefined,
): Pages<Item> {
  try {
    const signal = options?.signal;
    for (let page = 1, position = first(); ; page++) {
      if (signal?.aborted) {
        yield err(aborted(signal));
        return;
      }
      if (page > MAX_PAGES) {
        yield err(new PaginationError(undefined, page, "page-limit"));
        return;
      }
      const result = await fetchPage(position);
      if (result.isErr()) {
        yield err(result.error);
        return;
      }
      const [items, info] = result.value;
      const following = next(info, items, position, page);
      if (following instanceof PaginationError) {
        yield err(following);
        return;
      }
      yield ok(items);
      if (following === undefined) return;
      position = following;
    }
  } catch {
    yield err(new InvalidInputError("query cannot be sent", "query"));
  }
}

/** Follows `result_info.cursor` until it is empty; a cursor seen before is an error, not a loop. */
function cursorPages<Item>(
  fetchPage: (cursor: string | undefined) => ResultAsync<Page<Item, CursorResultInfo>, ArtifactsError>,
  first: () => string | undefined,
  options: CallOptions | undefined,
): Pages<Item> {
  // Cursors are short strings: keeping them all is what lets a cycle of any length be caught.
  const seen = new Set<string>();
  return walk(
    fetchPage,
    first,
    ({ cursor }, _items, _position, page) => {
      if (!cursor) return undefined;
      if (seen.has(cursor)) return new PaginationError(cursor, page);
      seen.add(cursor);
      return cursor;
    },
    options,
  );
}

/** Counts pages up to `result_info.total_pages`, or the first empty page, or a page without `total_pages`. */
function numberedPages<Item>(
  fetchPage: (page: number) => ResultAsync<Page<Item, OffsetResultInfo>, ArtifactsError>,
  first: () => number,
  options: CallOptions | undefined,
): Pages<Item> {
  return walk(
    fetchPage,
    first,
    // Without `total_pages` (no `result_info`) nothing says there is more: the walk ends there.
    (info, items, page) => (items.length === 0 || !(page < (info.total_pages ?? 0)) ? undefined : page + 1),
    options,
  );
}

/**
 * Every item of every page, or the first error.
 *
 * @example
 * const everything = await collect(repoPages(client, { limit: 200 }));
 */
export function collect<Item>(pages: Pages<Item>): ResultAsync<Item[], PageError> {
  return new ResultAsync(
    (async () => {
      const items: Item[] = [];
      try {
        for await (const page of pages) {
          if (page.isErr()) return err(page.error);
          items.push(...page.value);
        }
      } catch {
        // Only untyped code gets here (pages that are not an async iterable of Results): answer, never reject.
        return err(new InvalidInputError("pages is not an async iterable", "pages"));
      }
      return ok(items);
    })(),
  );
}

/**
 * Every page of repos, starting at `query.cursor` if given.
 *
 * @example
 * for await (const page of repoPages(client, { limit: 200 })) {
 *   if (page.isErr()) break;
 *   for (const repo of page.value) console.log(repo.name);
 * }
 * const all = await collect(repoPages(client));
 */
export function repoPages(
  client: Client,
  query: ListReposQuery = {},
  options: CallOptions = {},
): Pages<RepoWithRemote> {
  return cursorPages(
    (cursor) => listRepos(client, { ...query, cursor }, options),
    () => query?.cursor,
    options,
  );
}

/**
 * Every page of namespaces.
 *
 * @example
 * for await (const page of namespacePages(client)) if (page.isOk()) console.log(page.value.map((ns) => ns.namespace));
 */
export function namespacePages(
  client: Client,
  query: ListNamespacesQuery = {},
  options: CallOptions = {},
): Pages<NamespaceInfo> {
  return cursorPages(
    (cursor) => listNamespaces(client, { ...query, cursor }, options),
    () => query?.cursor,
    options,
  );
}

/**
 * Every page of a repo's tokens, from `query.page` (default 1).
 *
 * @example
 * for await (const page of tokenPages(client, "notes", { state: "all", per_page: 100 })) if (page.isErr()) break;
 */
export function tokenPages(
  client: Client,
  repo: string,
  query: ListTokensQuery = {},
  options: CallOptions = {},
): Pages<TokenInfo> {
  return numberedPages(
    (page) => listTokens(client, repo, { ...query, page }, options),
    () => query?.page ?? 1,
    options,
  );
}

/**
 * Every repo, in one list.
 *
 * @example
 * const repos = await allRepos(client, { search: "agent" });
 */
export const allRepos = (client: Client, query?: ListReposQuery, options?: CallOptions) =>
  collect(repoPages(client, query, options));

/**
 * Every namespace, in one list.
 *
 * @example
 * const namespaces = await allNamespaces(client);
 */
export const allNamespaces = (client: Client, query?: ListNamespacesQuery, options?: CallOptions) =>
  collect(namespacePages(client, query, options));

/**
 * Every token of a repo, in one list.
 *
 * @example
 * const tokens = await allTokens(client, "notes", { state: "all" });
 */
export const allTokens = (client: Client, repo: string, query?: ListTokensQuery, options?: CallOptions) =>
  collect(tokenPages(client, repo, query, options));
