import { err, ok, type Result, safeTry } from "neverthrow";
import type { InvalidInputError, TransportError } from "../errors.js";
import type { Access } from "./access.js";
import { type GitCall, gitCall } from "./call.js";
import { GitError } from "./errors.js";
import { checkStreamRead, type FileStream, type ReadFileStreamInput } from "./input.js";
import { loadTrees, ObjectLoader } from "./objects/loader.js";
import { ObjectStore } from "./objects/store.js";
import { fromUtf8, kindOf } from "./objects/tree.js";
import { slices } from "./wire/pack.js";
import { inflatedLimit, PackParser } from "./wire/pack-reader.js";
import { resolveRef } from "./wire/refs.js";
import { exchange, type GitResult, protocolError, type Remote } from "./wire/smart-http.js";
import { type Capabilities, capabilities, FetchAnswer, fetchBody } from "./wire/upload-pack.js";

/**
 * Reads one file as a stream: its bytes flow to the caller as they arrive and inflate, checked against the file's id
 * as they pass, so the memory it holds does not grow with the file (up to Artifacts' 32 MB). The commit's trees on
 * the path are read first (as `readFiles` reads them); then the file by id, whose pack's header gives its `size`
 * before a byte of it is read. Where the remote will not send it by id, it comes from the call's other sources.
 *
 * The call's token (minted, or kept from an earlier call, unless `token` is given) stays valid while the stream runs:
 * a kept token is never used within a minute of its expiry. Its timeout covers the whole stream, and its signal
 * aborts it.
 *
 * @function
 * @example
 * const file = await readFileStream(env.ARTIFACTS.get("notes"), { path: "data/big.bin" });
 * if (file.isOk()) return new Response(file.value.stream, { headers: { "content-length": String(file.value.size) } });
 */
export const readFileStream: GitCall<ReadFileStreamInput, FileStream> = gitCall({
  scope: "read",
  check: (input) => checkStreamRead(input as ReadFileStreamInput),
  inputToken: true,
  run: (access, { ref, path }) => streamWith(access, ref ?? access.defaultBranch, path),
});

type Failure = GitError | TransportError | InvalidInputError;

async function streamWith(access: Access, ref: string | undefined, path: string): Promise<Result<FileStream, Failure>> {
  return safeTry(async function* () {
    const { remote } = access;
    const caps = yield* await capabilities(remote);
    const commit = yield* await resolveRef(remote, caps, ref);
    const store = new ObjectStore(remote.kept?.objects);
    const loader = new ObjectLoader(remote, caps, store, access.sources);
    const root = yield* await loader.commitTree(commit);
    const stored = fromUtf8(path);
    yield* await loadTrees(loader, root, (folder) => stored.startsWith(folder));

    // The file's entry, a folder at a time.
    let tree = root;
    const names = stored.split("/");
    let entry: { mode: string; oid: string } | undefined;
    for (const [index, name] of names.entries()) {
      entry = (await store.tree(tree)).find((candidate) => candidate.name === name);
      const last = index === names.length - 1;
      if (!entry || (!last && kindOf(entry.mode) !== "tree")) {
        return err(new GitError("not-found", `no file ${path} at ${commit}`));
      }
      tree = entry.oid;
    }
    const { mode, oid } = entry as { mode: string; oid: string };
    const kind = kindOf(mode);
    if (kind === "tree" || kind === "gitlink") {
      return err(new GitError("not-found", `${path} is a ${kind === "tree" ? "folder" : "submodule"} at ${commit}`));
    }
    const file = { commit: commit, path, mode };

    if (!store.has(oid)) {
      const streamed = await streamById(remote, caps, oid);
      if (streamed.isOk()) {
        return ok({ ...file, size: streamed.value.size, stream: streamed.value.stream });
      }
      // Refused by id (a remote of its own kind): the call's other sources, then the whole commit.
      if (streamed.error._tag !== "GitError" || streamed.error.maxFetchBytes !== undefined) return err(streamed.error);
      remote.debug(`the file could not be streamed by id (${streamed.error.message}): reading it whole`);
      yield* await loader.blobs([oid]);
    }
    const bytes = await store.blob(oid);
    return ok({ ...file, size: bytes.byteLength, stream: slices(bytes) });
  });
}

interface Streamed {
  size: number;
  stream: ReadableStream<Uint8Array>;
  /** Settles once the stream has ended, failed or been cancelled. */
  done: Promise<unknown>;
}

/**
 * The blob `oid` fetched by id and streamed as it inflates: resolves at its pack entry's header (its size known),
 * and the answer goes on being read as the caller pulls. A pack other than the one whole blob asked for is read
 * whole, and the blob given from it.
 */
function streamById(remote: Remote, caps: Capabilities, oid: string): Promise<GitResult<Streamed>> {
  return new Promise((resolve) => {
    const pending: Uint8Array[] = [];
    let size: number | undefined;
    let sent: string | undefined;
    const parser = new PackParser({
      maxTotalBytes: inflatedLimit(remote.maxFetchBytes),
      streamBlob: (declared) => {
        if (parser.count !== 1) return undefined;
        size = declared;
        return { chunk: (bytes) => pending.push(bytes), end: (id) => (sent = id) };
      },
    });
    let finish = () => {};
    const done = new Promise<void>((settle) => {
      finish = settle;
    });
    const answered = exchange(
      remote,
      "git-upload-pack",
      fetchBody(caps, { wants: [oid] }),
      { v2: true },
      async (body) =>
        safeTry(async function* () {
          const answer = new FetchAnswer(remote, body, parser);
          let ended = false;
          while (size === undefined && !ended) ended = yield* await answer.step();
          if (size === undefined) {
            const object = parser.objects.get(oid);
            if (object?.type !== "blob") return err(protocolError(remote, `the remote did not send object ${oid}`));
            finish();
            return ok({ size: object.content.byteLength, stream: slices(object.content), done });
          }
          const stream = new ReadableStream<Uint8Array>({
            async pull(controller) {
              // The last chunk waits for the end and the id check: wrong bytes never end cleanly.
              while (!ended && pending.length < 2) {
                const step = await answer.step();
                if (step.isErr()) {
                  controller.error(step.error);
                  return finish();
                }
                ended = step.value;
              }
              if (!ended) return controller.enqueue(pending.shift() as Uint8Array);
              if (sent !== oid) {
                controller.error(protocolError(remote, `the remote sent bytes that are not those of ${oid}`));
                return finish();
              }
              for (const chunk of pending.splice(0)) controller.enqueue(chunk);
              controller.close();
              finish();
            },
            cancel: () => finish(),
          });
          resolve(ok({ size, stream, done }));
          await done;
          return ok({ size, stream, done });
        }),
    );
    // Whatever ends the exchange before the stream began (an error, the pack read whole) is the answer.
    answered.then(resolve);
  });
}
