/**
 * Walking every page: repos by cursor (`result_info.cursor`, empty on the last page) and tokens by
 * page number (`result_info.total_pages`).
 *
 *   npx tsx examples/pagination.ts
 */
import { createRepo, createToken, deleteRepo, listRepos, listTokens } from "cloudflare-artifacts";
import { exampleTarget, orFail, step } from "./setup.js";

const target = await exampleTarget();
const { client } = target;
const names = Array.from({ length: 7 }, (_, i) => target.unique(`page-${i}`));
let failed = false;

console.log(`Pagination against ${target.description}`);
try {
  await step(`create ${names.length} repos`, () =>
    Promise.all(names.map((name) => orFail(createRepo(client, { name })))),
  );
  await step(`mint 5 read tokens for ${names[0]}`, async () => {
    for (let i = 0; i < 5; i++) await orFail(createToken(client, { repo: names[0]!, scope: "read" }));
  });

  const repoPages = await step("walk repos, 3 a page, by cursor", async () => {
    const pages: string[][] = [];
    let cursor: string | undefined;
    for (;;) {
      const query = { search: target.run, limit: 3, sort: "name", direction: "asc", cursor } as const;
      const [repos, info] = await orFail(listRepos(client, query));
      pages.push(repos.map((repo) => repo.name));
      if (!info.cursor) return pages;
      cursor = info.cursor;
    }
  });
  for (const [index, page] of repoPages.entries()) console.log(`  page ${index + 1}: ${page.join(", ")}`);
  if (repoPages.flat().length !== names.length) throw new Error(`walked ${repoPages.flat().length} repos, expected 7`);

  const tokenPages = await step("walk tokens, 2 a page, by page number", async () => {
    const pages: string[] = [];
    for (let page = 1; ; page++) {
      const [items, info] = await orFail(listTokens(client, names[0]!, { per_page: 2, page }));
      pages.push(`page ${page} of ${info.total_pages}: ${items.map((token) => token.id).join(", ")}`);
      if (page >= info.total_pages || items.length === 0) return pages;
    }
  });
  for (const line of tokenPages) console.log(`  ${line}`);
  // Five minted here, one inline from createRepo.
  if (tokenPages.length !== 3) throw new Error(`walked ${tokenPages.length} token pages, expected 3`);
} catch (error) {
  failed = true;
  console.error("  error:", error);
} finally {
  await step("delete the repos", () => Promise.all(names.map((name) => deleteRepo(client, name)))).catch(() => {});
  await target.close();
}

console.log(failed ? "Pagination example FAILED" : "Pagination example complete");
process.exitCode = failed ? 1 : 0;
