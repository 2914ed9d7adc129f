// vitest globalSetup: one local Artifacts server for the whole suite, its client options handed to the tests.
import { type ArtifactsServer, startArtifactsServer } from "cloudflare-artifacts/testing";
import type { TestProject } from "vitest/node";

let server: ArtifactsServer | undefined;

export async function setup(project: TestProject) {
  server = await startArtifactsServer();
  project.provide("artifacts", server.clientOptions);
}

export async function teardown() {
  await server?.close();
}

declare module "vitest" {
  export interface ProvidedContext {
    artifacts: { accountId: string; apiToken: string; baseUrl: string };
  }
}
