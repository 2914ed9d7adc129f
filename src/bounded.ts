/**
 * The bounds of a request: a timeout over the headers and the body alike (a server that trickles a body cannot hang
 * a call), the caller's abort, and the body read as it arrives, at most `limit` bytes counted on the wire. Git's
 * requests (git/wire/smart-http.ts) are made within them; `sleep`, beside them, is every wait's (the core's retries
 * and polls, commit's lost races).
 *
 * REST (transport.ts) reads its body itself, by the same rules: ky makes its request and ends the wait for headers,
 * and a REST call on `bounds` weighed 53 B more of the core's bundle (gzipped), which its size budget has no room
 * for. Nor does
 * REST hand ky a signal of its own: ky joins any signal it is given with its own through `AbortSignal.any`, about
 * 30 µs a call on Node 20 against a whole call of about 700 µs (its per-call budget is 1.10x bare ky).
 */

/** A body read chunk by chunk: `next()` gives each, undefined at the end, or `false` once past the limit. */
export interface BoundedBody {
  /** Rejects once the timeout passes or the caller aborts, whether or not the runtime ends the stream. */
  next(): Promise<Uint8Array | undefined | false>;
  /** Leaves the rest unread. */
  cancel(): Promise<void>;
}

/** A request's bounds: read its body through `body`, and call `done()` once it is over. */
export interface Bounds {
  /** A signal for a fetch of one's own, aborted by the caller's signal or the timeout. */
  signal(): AbortSignal;
  /** Whether the timeout has passed (the caller's abort is not that). */
  late(): boolean;
  /** The response's body, at most `limit` bytes as they arrive; past it the rest is cancelled, unread. */
  body(stream: ReadableStream<Uint8Array> | null | undefined, limit: number): BoundedBody;
  done(): void;
}

/** The longest delay a timer takes (2^31 - 1 ms, 24.8 days): past it, runtimes fire at once. */
export const MAX_TIMER = 2 ** 31 - 1;

const ignore = () => {};
/** Why a bound ended its request: its timeout passed. */
const LATE = Symbol();

export function bounds(caller: AbortSignal | undefined, timeout: number | false): Bounds {
  // Past the timer limit a runtime fires at once: so long a wait is the limit.
  const ms = timeout === false ? false : Math.min(timeout, MAX_TIMER);
  // Why the request ended before its answer did: LATE, or the caller's abort reason.
  let ended: unknown;
  let controller: AbortController | undefined;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const cancel = async () => reader?.cancel().catch(ignore);
  // Cancelling the body being read ends a pending read, whether or not the runtime ties the stream to the signal.
  const end = (why: unknown) => {
    ended ??= why;
    controller?.abort(why);
    cancel();
  };
  const forward = () => end(caller?.reason);
  const timer = ms === false ? undefined : setTimeout(end, ms, LATE);
  return {
    signal() {
      controller = new AbortController();
      // A signal that has aborted never fires again: it is forwarded now.
      caller?.addEventListener("abort", forward);
      if (caller?.aborted) forward();
      return controller.signal;
    },
    late: () => ended === LATE,
    done() {
      clearTimeout(timer);
      caller?.removeEventListener("abort", forward);
    },
    body(stream, limit) {
      reader = stream?.getReader();
      let size = 0;
      return {
        cancel,
        async next() {
          const chunk = ended ? undefined : await reader?.read();
          // Cancelled, the read ended as if the body had: it has not.
          if (ended) throw ended;
          // No reader (no body) is the end too.
          if (chunk?.done !== false) return undefined;
          size += chunk.value.byteLength;
          if (size <= limit) return chunk.value;
          await cancel();
          return false;
        },
      };
    },
  };
}

/**
 * Waits `ms` (at most `MAX_TIMER`), or less if the caller's signal aborts: true once the time has passed, false once
 * the caller aborts (at once if it has). Its own timer and listener, not `bounds`: the core waits with it, and its
 * size budget has no room for `bounds` beside transport.ts's own body reader.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const end = (passed: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", stop);
      resolve(passed);
    };
    const stop = () => end(false);
    const timer = setTimeout(end, Math.min(ms, MAX_TIMER), true);
    if (signal?.aborted) stop();
    else signal?.addEventListener("abort", stop);
  });
}
