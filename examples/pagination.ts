/**
 * Walking every page: repos by cursor (`result_info.cursor`, empty on the last page) and tokens by
 * page number (`result_info.total_pages`), with the SDK's walkers and by hand.
 *
 *   npx tsx examples/pagination.ts
 */
import { allTokens, createRepo, createToken, deleteRepo, listRepos, repoPages } from "cloudflare-artifacts";
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

  // Streamed: one page in memory at a time, as a Result each.
  const pages = await step("walk repos, 3 a page, with repoPages", async () => {
    const names: string[][] = [];
    for await (const page of repoPages(client, { search: target.run, limit: 3, sort: "name", direction: "asc" })) {
      names.push((await orFail(page)).map((repo) => repo.name));
    }
    return names;
  });
  for (const [index, page] of pages.entries()) console.log(`  page ${index + 1}: ${page.join(", ")}`);
  if (pages.flat().length !== names.length) throw new Error(`walked ${pages.flat().length} repos, expected 7`);

  // Collected: every item in one Result.
  const tokens = await step("collect every token, 2 a page, with allTokens", () =>
    orFail(allTokens(client, names[0]!, { per_page: 2 })),
  );
  // Five minted here, one inline from createRepo.
  console.log(`  ${tokens.length} tokens: ${tokens.map((token) => token.id).join(", ")}`);
  if (tokens.length !== 6) throw new Error(`collected ${tokens.length} tokens, expected 6`);

  // By hand, for comparison: follow result_info.cursor until it is empty.
  const byHand = await step("walk repos by hand, following result_info.cursor", async () => {
    let count = 0;
    let cursor: string | undefined;
    do {
      const [repos, info] = await orFail(listRepos(client, { search: target.run, limit: 3, cursor }));
      count += repos.length;
      cursor = info.cursor || undefined;
    } while (cursor);
    return count;
  });
  console.log(`  ${byHand} repos`);
} catch (error) {
  failed = true;
  console.error("  error:", error);
} finally {
  await step("delete the repos", () => Promise.all(names.map((name) => deleteRepo(client, name)))).catch(() => {});
  await target.close();
}

console.log(failed ? "Pagination example FAILED" : "Pagination example complete");
process.exitCode = failed ? 1 : 0;
