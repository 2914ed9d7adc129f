import { err, errAsync, type Result, ResultAsync } from "neverthrow";
import { sleep } from "./bounded.js";
import type { Client } from "./client.js";
import { type ArtifactsError, aborted, ErrorCode, unusableNumber } from "./errors.js";
import { getRepo } from "./repos.js";
import type { CallOptions } from "./transport.js";
import type { RepoWithRemote } from "./types.js";

/**
 * How long and how often `waitForRepo` polls.
 *
 * @example
 * await waitForRepo(client, "imported", { deadline: 60_000, interval: 500, maxInterval: 5_000 });
 */
export interface WaitOptions extends CallOptions {
  /** Give up after this many ms (default 120,000); the result is then the last 409 the repo answered. */
  deadline?: number;
  /** The first pause between polls in ms (default 250, at least 100), doubled each poll. */
  interval?: number;
  /** The longest pause between polls in ms (default 5,000). */
  maxInterval?: number;
}

const IN_PROGRESS: readonly number[] = [ErrorCode.IMPORT_IN_PROGRESS, ErrorCode.FORK_IN_PROGRESS];
/** No poll follows another sooner than this, whatever `interval` says: a wait must not become a flood. */
const MIN_INTERVAL = 100;

/**
 * Waits until a repo being imported or forked is ready: polls `getRepo` while it answers 409 with
 * `IMPORT_IN_PROGRESS` or `FORK_IN_PROGRESS`, with exponential backoff, until the deadline or the signal.
 * Any other error ends the wait at once with that error.
 *
 * @example
 * const ready = await waitForRepo(client, "imported", { deadline: 60_000 });
 */
export function waitForRepo(
  client: Client,
  name: string,
  options: WaitOptions = {},
): ResultAsync<RepoWithRemote, ArtifactsError> {
  const { deadline = 120_000, interval = 250, maxInterval = 5_000, ...callOptions } = options ?? {};
  const { signal } = callOptions;
  const unusable = unusableNumber({ deadline, interval, maxInterval });
  if (unusable) return errAsync(unusable);
  const giveUpAt = Date.now() + deadline;
  return new ResultAsync(
    (async (): Promise<Result<RepoWithRemote, ArtifactsError>> => {
      for (let pause = interval; ; pause = Math.min(pause * 2, maxInterval)) {
        const result = await getRepo(client, name, callOptions);
        if (result.isOk()) return result;
        const error = result.error;
        const inProgress = error._tag === "HttpError" && error.status === 409 && IN_PROGRESS.includes(error.code ?? 0);
        const remaining = giveUpAt - Date.now();
        if (!inProgress || remaining <= 0) return err(error);
        if (!(await sleep(Math.min(Math.max(pause, MIN_INTERVAL), remaining), signal))) return err(aborted(signal!));
      }
    })(),
  );
}
