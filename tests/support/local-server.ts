import { afterAll, beforeAll } from "vitest";
import { type Client, createClient } from "../../src/index.js";
import { type ArtifactsServer, type ArtifactsServerOptions, startArtifactsServer } from "../../src/testing/index.js";

/**
 * A local server for the suite (started before its tests, closed after them) and a client of it that does not
 * retry. Read `server` and `client` inside tests: they are set once the suite has started.
 */
export function useLocalServer(options: ArtifactsServerOptions = {}): { server: ArtifactsServer; client: Client } {
  const local = {} as { server: ArtifactsServer; client: Client };
  beforeAll(async () => {
    local.server = await startArtifactsServer(options);
    local.client = createClient({ ...local.server.clientOptions, retry: 0 });
  });
  afterAll(() => local.server?.close());
  return local;
}
