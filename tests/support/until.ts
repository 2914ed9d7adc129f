import type { ArtifactsServer } from "../../src/testing/index.js";

/**
 * Waits (up to 5 s) until the in-process server has registered a repo, so a test never races its own request.
 * Throws when it never does: a test must not go on as if it had.
 */
export async function untilRegistered(server: ArtifactsServer, name: string, namespace = "default"): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (server.state.findRepo(namespace, name)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the server never registered ${namespace}/${name}`);
}
