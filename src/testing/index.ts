/**
 * `cloudflare-artifacts/testing`: a local Artifacts server (Node only) for examples, integration tests and
 * your own tests. The core package stays runtime-agnostic; this entry point uses `node:http` and `git`.
 */
export { artifactsEventSamples } from "./events.js";
export { fixtures, paths, statusOf } from "./fixtures.js";
export { type ArtifactsServer, type ArtifactsServerOptions, startArtifactsServer } from "./server.js";
export type { ArtifactsState, NamespaceRecord, RepoRecord, RepoStatus, StateSnapshot, TokenRecord } from "./state.js";
