import { getEventListeners } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { bounds, MAX_TIMER, sleep } from "../src/bounded.js";

/** A body whose chunks come when the test says, and which records whether its reader cancelled it. */
function trickle() {
  let push!: ReadableStreamDefaultController<Uint8Array>;
  const state = { cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    start: (controller) => {
      push = controller;
    },
    cancel: () => {
      state.cancelled = true;
    },
  });
  return { stream, state, send: (...bytes: number[]) => push.enqueue(new Uint8Array(bytes)), end: () => push.close() };
}

describe("bounds: one signal for the caller's abort and the timeout", () => {
  it("aborts when the timeout passes, and says it was the timeout", async () => {
    const bound = bounds(undefined, 20);
    const signal = bound.signal();
    expect(signal.aborted).toBe(false);
    await new Promise((resolve) => signal.addEventListener("abort", resolve));
    expect(bound.late()).toBe(true);
  });

  it("aborts with the caller's reason when the caller aborts first, and that is not the timeout", () => {
    const caller = new AbortController();
    const bound = bounds(caller.signal, 10_000);
    const signal = bound.signal();
    expect(getEventListeners(caller.signal, "abort")).toHaveLength(1);
    caller.abort(new Error("stop"));
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toEqual(new Error("stop"));
    expect(bound.late()).toBe(false);
    bound.done();
    expect(getEventListeners(caller.signal, "abort")).toHaveLength(0);
  });

  it("starts aborted when the caller's signal already is", () => {
    const bound = bounds(AbortSignal.abort("gone"), 10_000);
    expect(bound.signal().reason).toBe("gone");
    expect(bound.late()).toBe(false);
    bound.done();
  });

  it("never times out once done, nor with timeout: false", async () => {
    const finished = bounds(undefined, 10);
    const [one, two] = [finished.signal(), bounds(undefined, false).signal()];
    finished.done();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(one.aborted).toBe(false);
    expect(two.aborted).toBe(false);
    expect(finished.late()).toBe(false);
  });

  it("waits a timeout past the timer limit as the limit, not at once", () => {
    vi.useFakeTimers();
    try {
      const bound = bounds(undefined, 2 ** 40);
      // The timeout as ky must take it too: ky refuses one past the limit.
      expect([bound.timeout, bounds(undefined, 50).timeout, bounds(undefined, false).timeout]).toEqual([
        MAX_TIMER,
        50,
        false,
      ]);
      vi.advanceTimersByTime(1000);
      expect(bound.late()).toBe(false);
      vi.advanceTimersByTime(MAX_TIMER);
      expect(bound.late()).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("bounds.body: a body read as it arrives, bounded in bytes", () => {
  it("gives each chunk as it comes, then undefined at the end", async () => {
    const { stream, send, end } = trickle();
    const body = bounds(undefined, false).body(stream, 10);
    send(1, 2);
    expect(await body.next()).toEqual(new Uint8Array([1, 2]));
    send(3);
    end();
    expect(await body.next()).toEqual(new Uint8Array([3]));
    expect(await body.next()).toBeUndefined();
  });

  it("reads no body as an empty one", async () => {
    expect(await bounds(undefined, false).body(null, 0).next()).toBeUndefined();
    expect(await bounds(undefined, false).body(undefined, 0).next()).toBeUndefined();
  });

  it("takes exactly the limit, and past it says false and cancels the rest unread", async () => {
    const { stream, state, send } = trickle();
    const body = bounds(undefined, false).body(stream, 3);
    send(1, 2, 3);
    expect(await body.next()).toEqual(new Uint8Array([1, 2, 3]));
    send(4);
    expect(await body.next()).toBe(false);
    expect(state.cancelled).toBe(true);
  });

  it("ends a read that waits on a body that never comes once the timeout passes", async () => {
    const { stream, state, send } = trickle();
    const bound = bounds(undefined, 30);
    const body = bound.body(stream, 100);
    send(1);
    expect(await body.next()).toEqual(new Uint8Array([1]));
    // The server stops sending: the timeout cancels the stream, and the read rejects rather than hang.
    await expect(body.next()).rejects.toBeDefined();
    expect(bound.late()).toBe(true);
    expect(state.cancelled).toBe(true);
  });

  it("ends a pending read with the caller's reason when the caller aborts", async () => {
    const caller = new AbortController();
    const { stream, state } = trickle();
    const bound = bounds(caller.signal, false);
    bound.signal();
    const body = bound.body(stream, 100);
    const pending = body.next();
    caller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
    expect(state.cancelled).toBe(true);
  });

  it("cancels on request, leaving the rest unread", async () => {
    const { stream, state, send } = trickle();
    const body = bounds(undefined, false).body(stream, 100);
    send(1);
    await body.cancel();
    expect(state.cancelled).toBe(true);
  });
});

describe("sleep: bounds with no request in them", () => {
  it("says true once the time has passed, and leaves no listener on the caller's signal", async () => {
    const caller = new AbortController();
    const started = Date.now();
    expect(await sleep(20, caller.signal)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(getEventListeners(caller.signal, "abort")).toHaveLength(0);
  });

  it("says false as soon as the caller aborts, or at once if it already has", async () => {
    const caller = new AbortController();
    const started = Date.now();
    const pending = sleep(10_000, caller.signal);
    setTimeout(() => caller.abort(new Error("stop")), 10);
    expect(await pending).toBe(false);
    expect(await sleep(10_000, caller.signal)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("leaves no timer behind when the caller aborts", async () => {
    vi.useFakeTimers();
    try {
      const caller = new AbortController();
      const pending = sleep(10_000, caller.signal);
      expect(vi.getTimerCount()).toBe(1);
      caller.abort();
      expect(await pending).toBe(false);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
