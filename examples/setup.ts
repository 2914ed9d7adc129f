import { inspect } from "node:util";
import { type Client, createClient, deleteRepo } from "cloudflare-artifacts";
import { startArtifactsServer } from "cloudflare-artifacts/testing";
import type { Result } from "neverthrow";

/**
 * Where an example runs: against the real API when CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN are set
 * (ARTIFACTS_NAMESPACE optional; CLOUDFLARE_API_BASE_URL for another host, such as `npm run server`),
 * otherwise against a local Artifacts server started for the run.
 */
export interface ExampleTarget {
  client: Client;
  /** "cloudflare" or "local server at http://127.0.0.1:port". */
  description: string;
  /** This run's id, in every name `unique` makes. */
  run: string;
  /** A repo name no earlier run used: real accounts keep what a crashed run left. */
  unique(prefix: string): string;
  close(): Promise<void>;
}

export async function exampleTarget(): Promise<ExampleTarget> {
  const {
    CLOUDFLARE_ACCOUNT_ID: accountId,
    CLOUDFLARE_API_TOKEN: apiToken,
    ARTIFACTS_NAMESPACE,
    CLOUDFLARE_API_BASE_URL,
  } = process.env;
  const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const unique = (prefix: string) => `${prefix}-${run}`;
  if (accountId && apiToken) {
    const client = createClient({
      accountId,
      apiToken,
      namespace: ARTIFACTS_NAMESPACE || undefined,
      baseUrl: CLOUDFLARE_API_BASE_URL || undefined,
    });
    const description = `${CLOUDFLARE_API_BASE_URL || "Cloudflare"} (namespace ${client.namespace})`;
    return { client, description, run, unique, close: async () => {} };
  }
  const server = await startArtifactsServer();
  return {
    client: createClient(server.clientOptions),
    description: `local Artifacts server at ${server.origin}`,
    run,
    unique,
    close: () => server.close(),
  };
}

/** Runs one step, printing its title, duration and outcome. */
export async function step<T>(title: string, work: () => PromiseLike<T>): Promise<T> {
  const started = performance.now();
  process.stdout.write(`- ${title} ... `);
  try {
    const value = await work();
    console.log(`ok (${Math.round(performance.now() - started)} ms)`);
    return value;
  } catch (error) {
    console.log(`FAILED (${Math.round(performance.now() - started)} ms)`);
    throw error;
  }
}

/**
 * Deletes the repos an example made, newest first, each as a step; a failed delete is printed, never thrown.
 * Resolves to true when every delete worked.
 */
export async function deleteRepos(client: Client, names: string[]): Promise<boolean> {
  let deleted = true;
  for (const name of [...names].reverse()) {
    await step(`delete ${name}`, () => orFail(deleteRepo(client, name))).catch((error) => {
      deleted = false;
      console.error(`  error: ${inspect(error, { depth: 4 })}`);
    });
  }
  return deleted;
}

/** The Ok value, or the typed error thrown for `step` to report: a script's way to stop at the first failure. */
export async function orFail<T, E>(result: PromiseLike<Result<T, E>> | Result<T, E>): Promise<T> {
  const settled = await result;
  if (settled.isErr()) throw settled.error;
  return settled.value;
}
