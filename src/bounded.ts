/**
 * The bounds of a request, the same for REST (transport.ts) and Git (git/wire/smart-http.ts): a timeout over the
 * headers and the body alike (a server that trickles a body cannot hang a call), the caller's abort, and the body read
 * as it arrives, at most `limit` bytes counted on the wire. `sleep` is a bound with no request in it.
 *
 * Nothing here costs a call more than it must: on Node 20 `AbortSignal.any` takes about 30 µs and an abort listener
 * about 6, against a whole REST call of about 700 µs (the per-call budget is 1.10x bare ky). So the timer cancels the
 * body being read itself, and a signal (with a listener forwarding the caller's abort) is made only for a fetch that
 * asks for one: Git's, and sleep's. REST hands ky the caller's signal and this `timeout` instead: ky joins any signal
 * it is given with its own through `AbortSignal.any`, and its timeout ends the wait for headers as the bound's would.
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
  /** The timeout as a timer takes it: at most `MAX_TIMER`, or `false` for none. */
  timeout: number | false;
  /** A signal for a fetch of one's own (asked for once), aborted by the caller's signal or the timeout. */
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
    timeout: ms,
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
 * Waits `ms` (at most `MAX_TIMER`), or less if the caller's signal aborts: the bounds of a request whose body never
 * comes. True once the time has passed, false once the caller aborts (at once if it already has).
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  const bound = bounds(signal, ms);
  bound.signal();
  await bound.body(new ReadableStream(), 0).next().catch(ignore);
  bound.done();
  return bound.late();
}
