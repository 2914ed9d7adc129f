import { createHash } from "node:crypto";
import { deflateSync, inflateSync } from "node:zlib";
import type { Result, ResultAsync } from "neverthrow";
import { afterEach, vi } from "vitest";
import type { ArtifactsRepoHandle } from "../../src/git/index.js";
import { createClient } from "../../src/index.js";

type HandleMethod = "info" | "createToken" | "revokeToken" | "readCommit" | "readTree" | "readBlob";

/**
 * A Git remote in memory, served through a stubbed `fetch`: upload-pack protocol v2 (`ls-refs`, and `fetch` with
 * `deepen 1`, `filter tree:<n>`, wants by id and haves) and receive-pack v1 (one or more ref updates with a pack,
 * `report-status` in side-band-64k), as `git http-backend` speaks them (tests/fixtures/git-wire.json holds its real
 * bytes). It lets the unit tests of src/git drive every path of the orchestration (a remote without `filter`, a
 * head moved between a look and a push, a refused update, every shape of merge) without a server or a git binary.
 *
 * It is strict where git is: a request it does not understand is an `ERR`, a push whose objects do not connect
 * (a tree or blob missing) is refused with git's words, an update whose old id is not the head is refused. It is
 * written apart from src/git (its own pkt-lines, hashing and packs), so a bug there cannot hide here.
 */

export type ObjectKind = "commit" | "tree" | "blob" | "tag";
export interface StoredObject {
  type: ObjectKind;
  content: Buffer;
}
export interface Entry {
  mode: string;
  name: string | Buffer;
  oid: string;
}
/** What a fetch sent back: its arguments and the ids of the objects in its pack. */
export interface Served {
  command: "ls-refs" | "fetch";
  args: string[];
  sent: string[];
}
export interface RemoteOptions {
  /** Advertise `filter` (partial clone): default true. Cloudflare's simulator does not. */
  filter?: boolean;
  /** Advertise `shallow`: default true. */
  shallow?: boolean;
  /** The token every request must carry as `Bearer`. */
  token?: string;
  /** Milliseconds before each answer (default 0: at once), as a network would take. */
  latency?: number;
}

const ZERO = "0".repeat(40);
const TYPE_CODES: Record<ObjectKind, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };
const TYPES: Record<number, ObjectKind> = { 1: "commit", 2: "tree", 3: "blob", 4: "tag" };

const pkt = (payload: Buffer | string): Buffer => {
  const data = typeof payload === "string" ? Buffer.from(payload) : payload;
  return Buffer.concat([Buffer.from((data.byteLength + 4).toString(16).padStart(4, "0")), data]);
};
const line = (text: string) => pkt(`${text}\n`);
const FLUSH = Buffer.from("0000");
const DELIM = Buffer.from("0001");
/** Side-band-64k: band 1 carries data, cut in packets of at most 65515 bytes. */
const sideBand = (data: Buffer): Buffer[] => {
  const packets: Buffer[] = [];
  for (let offset = 0; offset < data.byteLength; offset += 65515) {
    packets.push(pkt(Buffer.concat([Buffer.from([1]), data.subarray(offset, offset + 65515)])));
  }
  return packets;
};

/** A request body's pkt-lines up to its first flush, by section (a delimiter starts the next), and what follows. */
function readLines(body: Buffer): { sections: string[][]; rest: Buffer } {
  const sections: string[][] = [[]];
  let offset = 0;
  while (offset + 4 <= body.byteLength) {
    const length = Number.parseInt(body.subarray(offset, offset + 4).toString("latin1"), 16);
    if (!Number.isInteger(length)) throw new Error("malformed pkt-line");
    if (length === 0) return { sections, rest: body.subarray(offset + 4) };
    if (length === 1) {
      sections.push([]);
      offset += 4;
      continue;
    }
    (sections.at(-1) as string[]).push(body.subarray(offset + 4, offset + length).toString("latin1"));
    offset += length;
  }
  throw new Error("request without a flush");
}

export class MemoryRemote {
  readonly objects = new Map<string, StoredObject>();
  readonly refs = new Map<string, string>();
  /** What `HEAD` names. */
  head = "refs/heads/main";
  /** Every upload-pack command answered, in order. */
  readonly served: Served[] = [];
  /** Every request, as `METHOD path` (`GET info/refs?service=…`, `POST git-upload-pack`...). */
  readonly requests: string[] = [];
  /** The headers of each request, in the same order. */
  readonly headers: Headers[] = [];
  /** Every ref update asked for, as `<old> <new> <ref>`. */
  readonly updates: string[] = [];
  /** The ids of the objects each push's pack held, in order. */
  readonly received: string[][] = [];
  /** Runs before each ref update is applied: a test moves a head here, as a concurrent writer would. */
  beforePush: ((update: { ref: string; old: string; new: string }) => void) | undefined;
  /** Refuses every ref update with this reason, as a hook of the remote's would. */
  refusal: string | undefined;
  /** Refuses a fetch with an `ERR` of this text when it returns one (a remote that will not send by id). */
  refuseFetch: ((args: string[]) => string | undefined) | undefined;
  /** Changes each fetched pack before it is sent: a test spoils it here. */
  tamper: ((pack: Buffer) => Buffer) | undefined;
  /**
   * Fails the request it returns something for (given `METHOD path` and its number, from 1): with that status, or
   * as a network failure for `"network"`.
   */
  failOn: ((request: string, count: number) => { status: number; body?: string } | "network" | undefined) | undefined;
  readonly options: Required<RemoteOptions>;

  constructor(options: RemoteOptions = {}) {
    this.options = {
      filter: true,
      shallow: true,
      token: `art_v1_${"cd".repeat(20)}?expires=1893456000`,
      latency: 0,
      ...options,
    };
  }

  // --- building repos ------------------------------------------------------------------------------------------

  put(type: ObjectKind, content: Buffer | string): string {
    const bytes = typeof content === "string" ? Buffer.from(content) : content;
    const oid = createHash("sha1")
      .update(Buffer.concat([Buffer.from(`${type} ${bytes.byteLength}\0`), bytes]))
      .digest("hex");
    this.objects.set(oid, { type, content: bytes });
    return oid;
  }

  blob(content: Buffer | string): string {
    return this.put("blob", content);
  }

  /** A tree of `entries`, sorted as git sorts them (a folder's name compares with a trailing `/`). */
  tree(entries: Entry[]): string {
    const key = (entry: Entry) =>
      Buffer.concat([Buffer.from(entry.name), Buffer.from(entry.mode === "40000" ? "/" : "")]);
    const sorted = [...entries].sort((a, b) => Buffer.compare(key(a), key(b)));
    const bytes = sorted.map((entry) =>
      Buffer.concat([
        Buffer.from(`${entry.mode} `),
        Buffer.from(entry.name),
        Buffer.from([0]),
        Buffer.from(entry.oid, "hex"),
      ]),
    );
    return this.put("tree", Buffer.concat(bytes));
  }

  /**
   * The tree of `files` (path → text, or `{ mode, content }`; a path's `/` make folders), written with every
   * folder's tree.
   */
  files(files: Record<string, string | Buffer | { mode: string; content?: string; oid?: string } | null>): string {
    const root: Map<string, unknown> = new Map();
    for (const [path, value] of Object.entries(files)) {
      if (value === null) continue;
      const parts = path.split("/");
      let folder = root;
      for (const part of parts.slice(0, -1)) {
        if (!folder.has(part)) folder.set(part, new Map());
        folder = folder.get(part) as Map<string, unknown>;
      }
      folder.set(parts.at(-1) as string, value);
    }
    const write = (folder: Map<string, unknown>): string =>
      this.tree(
        [...folder].map(([name, value]) => {
          if (value instanceof Map) return { mode: "40000", name, oid: write(value) };
          if (typeof value === "string" || Buffer.isBuffer(value))
            return { mode: "100644", name, oid: this.blob(value) };
          const file = value as { mode: string; content?: string; oid?: string };
          return { mode: file.mode, name, oid: file.oid ?? this.blob(file.content ?? "") };
        }),
      );
    return write(root);
  }

  /** A commit of `tree` (an id, or files for `files`) on `parents`, at a fixed time plus `at` seconds. */
  commit(
    tree: string | Parameters<MemoryRemote["files"]>[0],
    parents: string[] = [],
    message = "work",
    at = 0,
  ): string {
    const root = typeof tree === "string" ? tree : this.files(tree);
    const person = `Ada <ada@example.com> ${1_767_225_600 + at} +0000`;
    const headers = [
      `tree ${root}`,
      ...parents.map((parent) => `parent ${parent}`),
      `author ${person}`,
      `committer ${person}`,
    ];
    return this.put("commit", `${headers.join("\n")}\n\n${message}\n`);
  }

  /** An annotated tag object of `target`. */
  tag(name: string, target: string): string {
    return this.put(
      "tag",
      `object ${target}\ntype commit\ntag ${name}\ntagger Ada <ada@example.com> 1767225600 +0000\n\nv\n`,
    );
  }

  /** A branch (or any ref) at `oid`; returns it. */
  branch(name: string, oid: string): string {
    this.refs.set(name.startsWith("refs/") ? name : `refs/heads/${name}`, oid);
    return oid;
  }

  /** A fork of this remote, as the API makes one: its objects, refs and HEAD copied, served at `url`. */
  fork(url: string, options: RemoteOptions = {}): MemoryRemote {
    const fork = new MemoryRemote({ ...this.options, ...options });
    for (const [oid, object] of this.objects) fork.objects.set(oid, object);
    for (const [name, oid] of this.refs) fork.refs.set(name, oid);
    fork.head = this.head;
    return fork.serve(url);
  }

  /** What each `fetch` command was asked and sent, in order (`served` without the `ls-refs`). */
  fetches(): Served[] {
    return this.served.filter((served) => served.command === "fetch");
  }

  // --- reading objects -----------------------------------------------------------------------------------------

  entries(oid: string): Entry[] {
    const content = this.object(oid, "tree").content;
    const entries: Entry[] = [];
    let offset = 0;
    while (offset < content.byteLength) {
      const space = content.indexOf(0x20, offset);
      const nul = content.indexOf(0, space);
      entries.push({
        mode: content.subarray(offset, space).toString("latin1"),
        name: content.subarray(space + 1, nul).toString("latin1"),
        oid: content.subarray(nul + 1, nul + 21).toString("hex"),
      });
      offset = nul + 21;
    }
    return entries;
  }

  /** A commit's header values (`tree`, `parent`) and message. */
  commitOf(oid: string): { tree: string; parents: string[]; message: string; text: string } {
    const text = this.object(oid, "commit").content.toString("latin1");
    const [head = "", ...body] = text.split("\n\n");
    const values = (name: string) =>
      head
        .split("\n")
        .filter((row) => row.startsWith(`${name} `))
        .map((row) => row.slice(name.length + 1));
    return { tree: values("tree")[0] as string, parents: values("parent"), message: body.join("\n\n"), text };
  }

  /** The files of a commit (or tree): path (latin1 of its bytes) → content as text, with its mode when not 100644. */
  read(oid: string): Record<string, string> {
    const root = this.objects.get(oid)?.type === "commit" ? this.commitOf(oid).tree : oid;
    const out: Record<string, string> = {};
    const walk = (tree: string, prefix: string) => {
      for (const entry of this.entries(tree)) {
        const path = `${prefix}${entry.name}`;
        if (entry.mode === "40000") walk(entry.oid, `${path}/`);
        else if (entry.mode === "160000") out[path] = `[submodule ${entry.oid}]`;
        else {
          const content = this.object(entry.oid, "blob").content.toString("latin1");
          out[path] = entry.mode === "100644" ? content : `[${entry.mode}] ${content}`;
        }
      }
    };
    walk(root, "");
    return out;
  }

  private object(oid: string, type: ObjectKind): StoredObject {
    const object = this.objects.get(oid);
    if (object?.type !== type) throw new Error(`no ${type} ${oid} on the remote`);
    return object;
  }

  /** Every object a commit (or tag) reaches: its tree (to depth `trees`) and its parents (to `depth` commits). */
  /** The commits at most `depth` commits from `tip` (the tip is 1), by the shortest way, as git's `deepen`. */
  private within(tip: string, depth: number): string[] {
    const found = new Set([tip]);
    let level = [tip];
    for (let d = 1; d < depth && level.length > 0; d++) {
      level = level.flatMap((oid) => this.commitOf(oid).parents.filter((parent) => this.objects.has(parent)));
      level = level.filter((oid) => !found.has(oid) && found.add(oid));
    }
    return [...found];
  }

  private reach(
    oid: string,
    into: Set<string>,
    depth = Number.POSITIVE_INFINITY,
    trees = Number.POSITIVE_INFINITY,
  ): void {
    const object = this.objects.get(oid);
    if (into.has(oid) || !object) return;
    if (object.type === "tree") {
      this.reachTree(oid, into, 0, trees);
      return;
    }
    into.add(oid);
    if (object.type === "tag") this.reach(object.content.toString("latin1").slice(7, 47), into, depth, trees);
    if (object.type !== "commit") return;
    const { tree, parents } = this.commitOf(oid);
    this.reachTree(tree, into, 0, trees);
    if (depth > 1) for (const parent of parents) this.reach(parent, into, depth - 1, trees);
  }

  /**
   * A tree and what it holds, down to (not including) depth `limit` (git's `tree:<depth>`: the root is depth 0).
   * What the filter leaves out is still `seen`, as git marks it.
   */
  private reachTree(oid: string, into: Set<string>, depth: number, limit: number, seen = new Set<string>()) {
    if (into.has(oid) || !this.objects.has(oid)) return;
    seen.add(oid);
    if (depth >= limit) return;
    into.add(oid);
    for (const entry of this.entries(oid)) {
      if (entry.mode === "160000") continue;
      if (entry.mode === "40000") this.reachTree(entry.oid, into, depth + 1, limit, seen);
      else {
        seen.add(entry.oid);
        if (depth + 1 < limit && this.objects.has(entry.oid)) into.add(entry.oid);
      }
    }
  }

  // --- the wire ------------------------------------------------------------------------------------------------

  /**
   * Serves this remote at `url`; a request elsewhere goes to the `fetch` there was before (another remote served,
   * or the network, where nock answers).
   */
  serve(url: string): this {
    const before = globalThis.fetch;
    vi.stubGlobal("fetch", (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      return request.url.startsWith(`${url}/`) ? this.answer(url, request) : before(input, init);
    });
    return this;
  }

  /**
   * The binding's repo handle for this remote (`env.ARTIFACTS.get(name)`): `info()`, tokens, and `readCommit`,
   * `readTree`, `readBlob` from its objects, in the binding's shapes; `overrides` replace any of them. `calls`
   * records each call.
   */
  handle(url: string, overrides: Partial<Record<HandleMethod, (...args: never[]) => Promise<unknown>>> = {}) {
    const calls: string[] = [];
    const methods: Record<HandleMethod, (...args: never[]) => Promise<unknown>> = {
      info: async () => ({ remote: url, defaultBranch: this.head.replace("refs/heads/", "") }),
      createToken: async () => ({ id: "minted-token-id", plaintext: this.options.token }),
      revokeToken: async () => true,
      readCommit: async (oid: string) => {
        if (this.objects.get(oid)?.type !== "commit") return null;
        const { tree, parents, message, text } = this.commitOf(oid);
        const person = (role: string) => {
          const [, name = "", email = "", at = "0"] =
            /^\S+ (.*) <(.*)> (\d+) /m.exec(text.split("\n").find((row) => row.startsWith(`${role} `)) ?? "") ?? [];
          return { name, email, at: Number(at) };
        };
        const [author, committer] = [person("author"), person("committer")];
        return {
          hash: oid,
          treeHash: tree,
          parents,
          author: { name: author.name, email: author.email },
          committer: { name: committer.name, email: committer.email },
          authoredAt: author.at,
          committedAt: committer.at,
          message,
        };
      },
      readTree: async (oid: string) =>
        this.objects.get(oid)?.type === "tree"
          ? this.entries(oid).map((entry) => ({
              // The binding's names are JS strings: bytes that are not UTF-8 are replaced on the way.
              name: Buffer.from(String(entry.name), "latin1").toString("utf8"),
              mode: entry.mode,
              hash: entry.oid,
            }))
          : null,
      readBlob: async (oid: string) => {
        const object = this.objects.get(oid);
        return object?.type === "blob" ? new Blob([new Uint8Array(object.content)]) : null;
      },
      ...overrides,
    };
    const handle = Object.fromEntries(
      Object.entries(methods).map(([name, method]) => [
        name,
        (...args: never[]) => {
          calls.push(`${name} ${args.join(" ")}`.trim());
          return method(...args);
        },
      ]),
    ) as unknown as ArtifactsRepoHandle;
    return { handle, calls };
  }

  async answer(url: string, request: Request): Promise<Response> {
    if (!request.url.startsWith(`${url}/`)) throw new TypeError(`fetch failed: nothing at ${request.url}`);
    const path = request.url.slice(url.length + 1);
    this.requests.push(`${request.method} ${path}`);
    this.headers.push(request.headers);
    if (this.options.latency > 0) {
      // As a network does: the answer takes its time, and an abort ends the wait.
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, this.options.latency);
        request.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(request.signal.reason);
        });
      });
    }
    const planned = this.failOn?.(`${request.method} ${path}`, this.requests.length);
    if (planned === "network") throw new TypeError("fetch failed");
    if (planned) return new Response(planned.body ?? "failed", { status: planned.status });
    if (request.headers.get("authorization") !== `Bearer ${this.options.token}`) {
      return new Response("Unauthorized", { status: 401 });
    }
    const body = Buffer.from(await request.arrayBuffer());
    const v2 = request.headers.get("git-protocol") === "version=2";
    if (request.method === "GET" && path === "info/refs?service=git-upload-pack" && v2) {
      return this.reply("upload-pack-advertisement", this.uploadPackAdvertisement());
    }
    if (request.method === "GET" && path === "info/refs?service=git-receive-pack") {
      return this.reply("receive-pack-advertisement", this.receivePackAdvertisement());
    }
    if (request.method === "POST" && path === "git-upload-pack" && v2) {
      return this.reply("upload-pack-result", this.uploadPack(body));
    }
    if (request.method === "POST" && path === "git-receive-pack") {
      return this.reply("receive-pack-result", this.receivePack(body));
    }
    return new Response("Not Found", { status: 404 });
  }

  private reply(kind: string, parts: Buffer[]): Response {
    return new Response(Buffer.concat(parts), {
      status: 200,
      headers: { "content-type": `application/x-git-${kind}` },
    });
  }

  private uploadPackAdvertisement(): Buffer[] {
    const fetch = [
      ...(this.options.shallow ? ["shallow"] : []),
      "wait-for-done",
      ...(this.options.filter ? ["filter"] : []),
    ].join(" ");
    return [
      line("version 2"),
      line("agent=git/2.39.5"),
      line("ls-refs=unborn"),
      line(`fetch=${fetch}`),
      line("server-option"),
      line("object-format=sha1"),
      FLUSH,
    ];
  }

  private receivePackAdvertisement(): Buffer[] {
    const caps =
      "report-status report-status-v2 delete-refs side-band-64k quiet atomic ofs-delta object-format=sha1 agent=git/2.39.5";
    const refs = [...this.refs].sort(([a], [b]) => (a < b ? -1 : 1));
    const lines =
      refs.length === 0
        ? [line(`${ZERO} capabilities^{}\0${caps}`)]
        : refs.map(([name, oid], index) => line(index === 0 ? `${oid} ${name}\0${caps}` : `${oid} ${name}`));
    return [line("# service=git-receive-pack"), FLUSH, ...lines, FLUSH];
  }

  private uploadPack(body: Buffer): Buffer[] {
    const { sections } = readLines(body);
    const [head = [], args = []] = sections;
    const text = (rows: string[]) => rows.map((row) => row.replace(/\n$/, ""));
    const header = text(head);
    const command = header[0]?.replace(/^command=/, "");
    if (!header.includes("object-format=sha1") || !header.some((row) => row.startsWith("agent="))) {
      return [line("ERR the request lacks agent or object-format"), FLUSH];
    }
    if (command === "ls-refs") return this.lsRefs(text(args));
    if (command === "fetch") return this.fetch(text(args));
    return [line(`ERR unknown command ${command}`)];
  }

  private lsRefs(args: string[]): Buffer[] {
    const prefixes: string[] = [];
    for (const arg of args) {
      if (arg.startsWith("ref-prefix ")) prefixes.push(arg.slice(11));
      else if (!["peel", "symrefs", "unborn"].includes(arg)) return [line(`ERR unexpected line: '${arg}'`)];
    }
    this.served.push({ command: "ls-refs", args, sent: [] });
    const wanted = (name: string) => prefixes.length === 0 || prefixes.some((prefix) => name.startsWith(prefix));
    const out: Buffer[] = [];
    const headOid = this.refs.get(this.head);
    if (wanted("HEAD") && (headOid || args.includes("unborn"))) {
      out.push(line(`${headOid ?? "unborn"} HEAD${args.includes("symrefs") ? ` symref-target:${this.head}` : ""}`));
    }
    for (const [name, oid] of [...this.refs].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!wanted(name)) continue;
      const tag = this.objects.get(oid);
      const peeled =
        tag?.type === "tag" && args.includes("peel") ? ` peeled:${tag.content.toString("latin1").slice(7, 47)}` : "";
      out.push(line(`${oid} ${name}${peeled}`));
    }
    return [...out, FLUSH];
  }

  private fetch(args: string[]): Buffer[] {
    const wants: string[] = [];
    const haves: string[] = [];
    let depth = Number.POSITIVE_INFINITY;
    let trees = Number.POSITIVE_INFINITY;
    let done = false;
    for (const arg of args) {
      if (arg.startsWith("want ")) wants.push(arg.slice(5));
      else if (arg.startsWith("have ")) haves.push(arg.slice(5));
      else if (/^deepen [1-9][0-9]*$/.test(arg) && this.options.shallow) depth = Number(arg.slice(7));
      else if (arg.startsWith("filter tree:") && this.options.filter) trees = Number(arg.slice(12));
      else if (arg === "done") done = true;
      else if (!["no-progress", "ofs-delta"].includes(arg)) return [line(`ERR unexpected line: '${arg}'`)];
    }
    if (!done) return [line("ERR this remote answers only requests that end with done")];
    const refused = this.refuseFetch?.(args);
    if (refused !== undefined) return [line(`ERR ${refused}`)];
    for (const want of wants) {
      if (!this.objects.has(want)) return [line(`ERR upload-pack: not our ref ${want}`)];
    }
    const known = new Set<string>();
    for (const have of haves) if (this.objects.has(have)) this.reach(have, known);
    const sending = new Set<string>();
    // Git walks the wants in order, marking what it meets: a wanted object is sent whatever the filter, unless an
    // earlier want reached it (then the filter left it out: `want <tree> want <its subtree>` with `tree:0` sends
    // the tree alone, as git http-backend does).
    const seen = new Set<string>();
    for (const want of wants) {
      const object = this.objects.get(want);
      if (seen.has(want)) continue;
      if (object?.type === "tree") this.reachTree(want, sending, 0, Math.max(trees, 1), seen);
      else if (object?.type === "blob") sending.add(want);
      else if (depth === Number.POSITIVE_INFINITY || object?.type !== "commit") this.reach(want, sending, depth, trees);
      else for (const commit of this.within(want, depth)) this.reach(commit, sending, 1, trees);
    }
    for (const oid of known) sending.delete(oid);
    const sent = [...sending];
    this.served.push({ command: "fetch", args, sent });
    // The commits sent whose parents were not: git's shallow boundary.
    const boundary = sent.filter(
      (oid) =>
        this.objects.get(oid)?.type === "commit" &&
        this.commitOf(oid).parents.some((parent) => !sending.has(parent) && !known.has(parent)),
    );
    const shallow =
      depth !== Number.POSITIVE_INFINITY && boundary.length > 0
        ? [line("shallow-info"), ...boundary.map((oid) => line(`shallow ${oid}`)), DELIM]
        : [];
    return [
      ...shallow,
      line("packfile"),
      ...sideBand(this.tamper ? this.tamper(this.pack(sent)) : this.pack(sent)),
      FLUSH,
    ];
  }

  /** A pack of `oids`, undeltified. */
  pack(oids: string[]): Buffer {
    const parts = [Buffer.from("PACK"), u32(2), u32(oids.length)];
    for (const oid of oids) {
      const { type, content } = this.objects.get(oid) as StoredObject;
      let size = content.byteLength;
      const head = [(TYPE_CODES[type] << 4) | (size & 0x0f)];
      size = Math.floor(size / 16);
      while (size > 0) {
        head[head.length - 1] = (head.at(-1) as number) | 0x80;
        head.push(size & 0x7f);
        size = Math.floor(size / 128);
      }
      parts.push(Buffer.from(head), deflateSync(content));
    }
    const body = Buffer.concat(parts);
    return Buffer.concat([body, createHash("sha1").update(body).digest()]);
  }

  /** The objects of a pack as pushed (undeltified, as this data plane writes them), or why it is unreadable. */
  private unpack(pack: Buffer): StoredObject[] | string {
    if (pack.byteLength === 0) return [];
    if (pack.subarray(0, 4).toString("latin1") !== "PACK" || pack.readUInt32BE(4) !== 2) return "bad pack header";
    const sum = createHash("sha1").update(pack.subarray(0, -20)).digest();
    if (!sum.equals(pack.subarray(-20))) return "pack checksum mismatch";
    const count = pack.readUInt32BE(8);
    const objects: StoredObject[] = [];
    let offset = 12;
    for (let index = 0; index < count; index++) {
      let byte = pack[offset++] as number;
      const type = TYPES[(byte >> 4) & 7];
      let size = byte & 0x0f;
      let shift = 4;
      while (byte & 0x80) {
        byte = pack[offset++] as number;
        size += (byte & 0x7f) * 2 ** shift;
        shift += 7;
      }
      if (!type) return `object ${index} is a delta or of an unknown type`;
      const { buffer, engine } = inflateSync(pack.subarray(offset, -20), { info: true }) as unknown as {
        buffer: Buffer;
        engine: { bytesWritten: number };
      };
      if (buffer.byteLength !== size) return `object ${index} has the wrong size`;
      objects.push({ type, content: buffer });
      offset += engine.bytesWritten;
    }
    if (offset !== pack.byteLength - 20) return "pack has trailing garbage";
    return objects;
  }

  private receivePack(body: Buffer): Buffer[] {
    const { sections, rest } = readLines(body);
    const commands = (sections[0] ?? []).map((row, index) => {
      const text = row.replace(/\n$/, "");
      const [update = "", caps = ""] = text.split("\0");
      if (index === 0 && !caps.split(" ").includes("report-status")) throw new Error("push without report-status");
      const [old = "", next = "", ref = ""] = update.split(" ");
      return { old, new: next, ref };
    });
    const report = (lines: string[]) => [...sideBand(Buffer.concat([...lines.map(line), FLUSH])), FLUSH];
    const objects = this.unpack(rest);
    if (typeof objects === "string")
      return report([`unpack ${objects}`, ...commands.map((c) => `ng ${c.ref} unpacker error`)]);
    const incoming = new Map<string, StoredObject>();
    for (const object of objects) {
      const oid = createHash("sha1")
        .update(Buffer.concat([Buffer.from(`${object.type} ${object.content.byteLength}\0`), object.content]))
        .digest("hex");
      incoming.set(oid, object);
    }
    for (const [oid, object] of incoming) this.objects.set(oid, object);
    this.received.push([...incoming.keys()]);
    const lines = ["unpack ok"];
    for (const update of commands) {
      this.updates.push(`${update.old} ${update.new} ${update.ref}`);
      this.beforePush?.(update);
      const current = this.refs.get(update.ref) ?? ZERO;
      if (this.refusal !== undefined) {
        lines.push(`ng ${update.ref} ${this.refusal}`);
      } else if (update.new !== ZERO && !this.connected(update.new)) {
        lines.push(`ng ${update.ref} missing necessary objects`);
      } else if (current !== update.old) {
        lines.push(`ng ${update.ref} failed to update ref`);
      } else {
        if (update.new === ZERO) this.refs.delete(update.ref);
        else this.refs.set(update.ref, update.new);
        lines.push(`ok ${update.ref}`);
      }
    }
    return report(lines);
  }

  /** Whether every object a commit reaches is here (git's connectivity check of a push). */
  private connected(oid: string): boolean {
    const missing: string[] = [];
    const visit = (id: string, type: ObjectKind) => {
      const object = this.objects.get(id);
      if (object?.type !== type) return missing.push(id);
      if (type === "commit") {
        const { tree, parents } = this.commitOf(id);
        visit(tree, "tree");
        for (const parent of parents) if (!this.objects.has(parent)) missing.push(parent);
      } else if (type === "tree") {
        for (const entry of this.entries(id)) {
          if (entry.mode === "160000") continue;
          visit(entry.oid, entry.mode === "40000" ? "tree" : "blob");
        }
      }
      return 0;
    };
    visit(oid, "commit");
    return missing.length === 0;
  }
}

const u32 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
};

afterEach(() => {
  vi.unstubAllGlobals();
});

/**
 * A client whose control plane answers here, for repos held in memory (`name` → its remote and URL): `getRepo`,
 * token mint and revocation, and the REST contents routes (`/commit`, `/tree`, `/blob`) from each remote's objects.
 * `calls` records each REST call as `METHOD path`, `headers` their headers.
 */
export function memoryClient(repos: Record<string, { remote: MemoryRemote; url: string; default_branch?: string }>) {
  const calls: string[] = [];
  /** Each call with its query: `GET repos/notes/log?ref=main&limit=1`. */
  const urls: string[] = [];
  const headers: Headers[] = [];
  const envelope = (result: unknown, status = 200) =>
    Response.json(
      {
        result,
        success: status < 300,
        errors: status < 300 ? [] : [{ code: 10404, message: "not found" }],
        messages: [],
      },
      { status },
    );
  const client = createClient({
    accountId: "acc",
    apiToken: "an-api-token-for-tests",
    retry: 0,
    fetch: async (input: Request | string | URL, init?: RequestInit) => {
      const sent = new Request(input, init);
      const path = new URL(sent.url).pathname.replace("/client/v4/accounts/acc/artifacts/namespaces/default/", "");
      calls.push(`${sent.method} ${path}`);
      urls.push(`${sent.method} ${path}${new URL(sent.url).search}`);
      headers.push(sent.headers);
      const [kind, name = "", what, hash = ""] = path.split("/");
      if (kind === "tokens" && sent.method === "POST") {
        const { repo } = (await sent.json()) as { repo: string };
        const token = repos[repo]?.remote.options.token;
        return envelope(
          { id: `token-of-${repo}`, plaintext: token, scope: "write", expires_at: "2030-01-01T00:00:00Z" },
          201,
        );
      }
      if (kind === "tokens") return envelope({ id: name });
      const found = repos[name];
      if (kind !== "repos" || !found) return envelope(null, 404);
      const { remote } = found;
      const object = remote.objects.get(hash);
      const query = new URL(sent.url).searchParams;
      // As our local server answers them (the log's JSON is undocumented upstream): `{ hash, … }` entries, and a
      // file's bytes at a ref, a 404 for a path that names no file.
      const commitAt = (ref: string | null) =>
        ref === null
          ? remote.refs.get(`refs/heads/${found.default_branch ?? "main"}`)
          : /^[0-9a-f]{40}$/.test(ref)
            ? remote.objects.get(ref)?.type === "commit"
              ? ref
              : undefined
            : (remote.refs.get(`refs/heads/${ref}`) ?? remote.refs.get(`refs/tags/${ref}`));
      if (what === "log") {
        const head = commitAt(query.get("ref"));
        return head ? envelope([{ hash: head, message: remote.commitOf(head).message }]) : envelope(null, 404);
      }
      if (what === "file") {
        const head = commitAt(query.get("ref"));
        let oid = head && remote.commitOf(head).tree;
        let mode = "40000";
        for (const part of (query.get("path") ?? "").split("/")) {
          const entry = oid && mode === "40000" ? remote.entries(oid).find((e) => e.name === part) : undefined;
          [oid, mode] = [entry?.oid, entry?.mode ?? ""];
        }
        if (!oid || mode === "40000" || mode === "160000") return envelope(null, 404);
        return new Response(new Uint8Array(remote.objects.get(oid)?.content ?? []), {
          headers: { "content-type": "application/octet-stream" },
        });
      }
      if (what === undefined) {
        return envelope({
          id: `id-${name}`,
          name,
          description: null,
          default_branch: found.default_branch ?? "main",
          created_at: "2026-01-01T00:00:00Z",
          updated_at: "2026-01-01T00:00:00Z",
          last_push_at: null,
          source: null,
          read_only: false,
          remote: found.url,
        });
      }
      if (what === "blob" && object?.type === "blob") {
        return new Response(new Uint8Array(object.content), {
          headers: { "content-type": "application/octet-stream" },
        });
      }
      if (what === "tree" && object?.type === "tree") {
        return envelope(
          remote.entries(hash).map((entry) => ({
            name: Buffer.from(String(entry.name), "latin1").toString("utf8"),
            mode: entry.mode,
            hash: entry.oid,
          })),
        );
      }
      if (what === "commit" && object?.type === "commit") {
        const fields = (await remote.handle(found.url).handle.readCommit?.(hash)) as Record<string, unknown>;
        return envelope({
          ...fields,
          tree: fields.treeHash,
          authored_at: fields.authoredAt,
          committed_at: fields.committedAt,
        });
      }
      return envelope(null, 404);
    },
  });
  return { client, calls, urls, headers };
}

/**
 * Runs a call once to count its requests, then once more for each of them with that one left unanswered (a
 * network failure): what each run ended with, as `<n> <request>: <_tag> <reason>`. A call that hears every failure
 * ends with `TransportError unreachable` each time, whichever request it was; one that carried on past a failure
 * would end otherwise (or Ok).
 */
export async function withEachRequestFailing(
  start: () => { remote: MemoryRemote; call: () => ResultAsync<unknown, unknown> | Promise<Result<unknown, unknown>> },
): Promise<string[]> {
  const first = start();
  const ran = await first.call();
  if (!ran.isOk()) throw new Error("the call fails even with every request answered");
  const outcomes: string[] = [];
  for (let n = 1; n <= first.remote.requests.length; n++) {
    const { remote, call } = start();
    remote.failOn = (_, count) => (count === n ? "network" : undefined);
    const result = await call();
    const error = result.isErr() ? (result.error as { _tag?: string; reason?: string }) : undefined;
    outcomes.push(`${n} ${remote.requests[n - 1]}: ${result.isOk() ? "Ok" : `${error?._tag} ${error?.reason}`}`);
  }
  return outcomes;
}

/** A `debug` listener for a call, and the lines it heard. */
export function heard(): { lines: string[]; debug: (line: string) => void } {
  const lines: string[] = [];
  return { lines, debug: (line) => lines.push(line) };
}

/** A read's files as path → content (latin1 of its bytes), to compare whole. */
export const texts = (files: ReadonlyMap<string, Uint8Array>) =>
  Object.fromEntries([...files].map(([path, bytes]) => [path, Buffer.from(bytes).toString("latin1")]));
