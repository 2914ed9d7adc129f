/**
 * The bounds of a request, the same for REST (transport.ts) and Git (git/wire/smart-http.ts): one signal that ends
 * it when the caller's signal aborts or its timeout passes (headers and body alike, so a server that trickles a body
 * cannot hang a call), and its body read as it arrives, at most `limit` bytes counted on the wire.
 */

/** A body read chunk by chunk: `next()` gives each, undefined at the end, or `false` once past the limit. */
export interface BoundedBody {
  next(): Promise<Uint8Array | undefined | false>;
  /** Leaves the rest unread. */
  cancel(): Promise<void>;
}

/** A request's bounds: give `signal` to `fetch`, read its body through `body`, and call `done()` once it is over. */
export interface Bounds {
  signal: AbortSignal;
  /** Whether the timeout ended it (not the caller's signal). */
  late(): boolean;
  /**
   * The response's body, at most `limit` bytes as they arrive; past it the rest is cancelled, unread. Once `signal`
   * aborts the body is cancelled and `next()` rejects with its reason, whether or not the runtime ends the stream.
   */
  body(stream: ReadableStream<Uint8Array> | null | undefined, limit: number): BoundedBody;
  done(): void;
}

/** The longest delay a timer takes (2^31 - 1 ms, 24.8 days): past it, runtimes fire at once. */
export const MAX_TIMER = 2 ** 31 - 1;

/** The reason of a bound's own abort: its timeout passed. */
const LATE = Symbol();

export function bounds(caller: AbortSignal | undefined, timeout: number | false): Bounds {
  const controller = new AbortController();
  const signal = caller ? AbortSignal.any([caller, controller.signal]) : controller.signal;
  // Past the timer limit a runtime fires at once: so long a wait is the limit.
  const timer = timeout === false ? undefined : setTimeout(() => controller.abort(LATE), Math.min(timeout, MAX_TIMER));
  return {
    signal,
    late: () => signal.reason === LATE,
    done: () => clearTimeout(timer),
    body(stream, limit) {
      const reader = stream?.getReader();
      const cancel = async () => reader?.cancel().catch(() => {});
      signal.addEventListener("abort", cancel);
      let size = 0;
      return {
        cancel,
        async next() {
          const chunk = await reader?.read();
          signal.throwIfAborted();
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
 * Waits `ms` (at most `MAX_TIMER`): a request's bounds with no request in them. True once the time has passed, false
 * as soon as the caller's signal aborts (at once if it already has).
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  const bound = bounds(signal, ms);
  if (!bound.signal.aborted) await new Promise((resolve) => bound.signal.addEventListener("abort", resolve));
  bound.done();
  return bound.late();
}
