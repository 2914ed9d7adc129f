// The events subpath inside workerd: the example Queue consumer (examples/events-worker.ts) handles a fabricated
// batch of every documented event sample, plus one body that is not an event, when this Worker is fetched.
import consumer, { handleBatch } from "../examples/events-worker.ts";
import { artifactsEventSamples } from "../src/testing/events.ts";

export default {
  async fetch() {
    try {
      const bodies = [...Object.values(artifactsEventSamples), { type: "cf.artifacts.repo.renamed" }];
      let acked = 0;
      const batch = { messages: bodies.map((body) => ({ body, ack: () => acked++, retry: () => {} })) };
      const lines = handleBatch(batch);
      await consumer.queue(batch);
      const skipped = lines.filter((line) => line.startsWith("skipped:"));
      if (acked !== 2 * bodies.length || lines.length !== bodies.length || skipped.length !== 1) {
        throw new Error(`unexpected outcome: ${acked} acks, ${JSON.stringify(lines)}`);
      }
      return new Response(`SMOKE OK workerd with ./events: ${lines.length} messages, ${skipped.length} skipped`);
    } catch (error) {
      return new Response(`SMOKE FAILED workerd with ./events: ${error?.stack ?? error}`, { status: 500 });
    }
  },
};
