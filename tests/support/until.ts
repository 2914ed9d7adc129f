import type { ArtifactsServer } from "../../src/testing/index.js";

/** Waits (up to 5 s) until the in-process server has registered a repo, so a test never races its own request. */
export async function untilRegistered(server: ArtifactsServer, name: string, namespace = "default"): Promise<void> {
  for (let i = 0; i < 500 && !server.state.findRepo(namespace, name); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
