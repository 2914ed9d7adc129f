import { createHash, randomBytes } from "node:crypto";
import type { RepoInfo, Scope } from "../types.js";

/**
 * What the local server knows: namespaces, repos and tokens, in memory. Repo contents live on disk in bare
 * repositories named by repo id, never by the user's name, so no name can reach a path outside the data folder.
 * Every mutation happens synchronously between awaits, so concurrent requests cannot interleave inside one.
 */

/**
 * Not in the REST shape: whether a repo is usable, or still being imported or forked.
 *
 * @example
 * const importing = [...server.state.namespaces.get("default")!.repos.values()].filter((repo) => repo.status !== "ready");
 */
export type RepoStatus = "ready" | "importing" | "forking";

/**
 * A repo as the local server keeps it: the REST fields, plus its namespace and status.
 *
 * @example
 * const repo: RepoRecord | undefined = server.state.findRepo("default", "notes");
 */
export interface RepoRecord extends RepoInfo {
  namespace: string;
  /** Not in the REST shape (the Workers binding shows it); a repo being imported or forked answers 409. */
  status: RepoStatus;
}

/**
 * A repo token as the local server keeps it: a hash of its secret, never the plaintext.
 *
 * @example
 * const revoked = [...server.state.tokens.values()].filter((token: TokenRecord) => token.revoked);
 */
export interface TokenRecord {
  id: string;
  repoId: string;
  scope: Scope;
  /** sha256 of the secret: the plaintext is shown once, at minting, and never stored. */
  secretHash: string;
  created_at: string;
  /** Unix seconds, the `?expires=` suffix of the plaintext. */
  expires: number;
  revoked: boolean;
}

/**
 * A namespace and its repos, by name.
 *
 * @example
 * const count = server.state.namespaces.get("default")?.repos.size ?? 0;
 */
export interface NamespaceRecord {
  namespace: string;
  jurisdiction: string | null;
  created_at: string;
  updated_at: string;
  repos: Map<string, RepoRecord>;
}

const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * The local server's whole state (namespaces, repos, tokens), exposed as `server.state` for assertions in tests.
 *
 * @example
 * const server = await startArtifactsServer();
 * expect(server.state.namespaces.get("default")?.repos.size).toBe(0);
 */
export class ArtifactsState {
  readonly namespaces = new Map<string, NamespaceRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  private readonly tokensBySecret = new Map<string, string>();
  /**
   * The format new repo tokens take: `v1` (`art_v1_<hex>`, what the REST docs show) or `v2` (`art_v2_x_<hex>`, what
   * Cloudflare's local simulator mints). Tokens of either format are accepted, whatever this says.
   */
  tokenFormat: "v1" | "v2" = "v1";

  constructor(
    /** The server's clock, in ms since the epoch; tokens expire by it. */
    readonly now: () => number = Date.now,
  ) {}

  /** The clock's time as an ISO 8601 string, as the API shows timestamps. */
  isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  /** Namespaces come into being with their first use, as upstream does. */
  namespace(name: string): NamespaceRecord {
    let record = this.namespaces.get(name);
    if (!record) {
      const now = this.isoNow();
      record = { namespace: name, jurisdiction: null, created_at: now, updated_at: now, repos: new Map() };
      this.namespaces.set(name, record);
    }
    return record;
  }

  /** The repo of that name in that namespace, if any. */
  findRepo(namespace: string, name: string): RepoRecord | undefined {
    return this.namespaces.get(namespace)?.repos.get(name);
  }

  /** The repo with that id, in any namespace. */
  findRepoById(id: string): RepoRecord | undefined {
    for (const ns of this.namespaces.values()) {
      for (const repo of ns.repos.values()) if (repo.id === id) return repo;
    }
    return undefined;
  }

  /** Records a new repo (and its namespace, if new); the caller creates its Git data. */
  addRepo(fields: Omit<RepoRecord, "id" | "created_at" | "updated_at" | "last_push_at">): RepoRecord {
    const now = this.isoNow();
    const repo: RepoRecord = {
      ...fields,
      // As the API's ids look in the event samples: 16 lowercase letters and digits (the format is undocumented).
      id: this.newId((id) => this.findRepoById(id) !== undefined),
      created_at: now,
      updated_at: now,
      last_push_at: null,
    };
    this.namespace(fields.namespace).repos.set(repo.name, repo);
    return repo;
  }

  /**
   * Removes this repo (by identity: a newer repo of the same name stays) and every token for it: a deleted repo's
   * tokens must not open a new repo of the same name.
   */
  removeRepo(repo: RepoRecord): void {
    const repos = this.namespaces.get(repo.namespace)?.repos;
    if (repos?.get(repo.name) === repo) repos.delete(repo.name);
    for (const token of this.tokens.values()) {
      if (token.repoId === repo.id) {
        this.tokens.delete(token.id);
        this.tokensBySecret.delete(token.secretHash);
      }
    }
  }

  /** Mints a repo token; the plaintext is returned once and only its hash is kept. */
  mintToken(repo: RepoRecord, scope: Scope, ttlSeconds: number): { record: TokenRecord; plaintext: string } {
    const secret = `${this.tokenFormat === "v2" ? "art_v2_x_" : "art_v1_"}${randomBytes(20).toString("hex")}`;
    const expires = Math.floor(this.now() / 1000) + ttlSeconds;
    const record: TokenRecord = {
      id: this.newId((id) => this.tokens.has(id)),
      repoId: repo.id,
      scope,
      secretHash: hash(secret),
      created_at: this.isoNow(),
      expires,
      revoked: false,
    };
    this.tokens.set(record.id, record);
    this.tokensBySecret.set(record.secretHash, record.id);
    return { record, plaintext: `${secret}?expires=${expires}` };
  }

  /** The token a secret belongs to, whatever its state. */
  tokenForSecret(secret: string): TokenRecord | undefined {
    const id = this.tokensBySecret.get(hash(secret));
    return id === undefined ? undefined : this.tokens.get(id);
  }

  /** `revoked`, `expired` (by the clock) or `active`. */
  tokenState(token: TokenRecord): "active" | "expired" | "revoked" {
    if (token.revoked) return "revoked";
    return token.expires * 1000 <= this.now() ? "expired" : "active";
  }

  /** 16 lowercase letters and digits, not `taken`. */
  private newId(taken: (id: string) => boolean): string {
    for (;;) {
      const bytes = randomBytes(16);
      const id = Array.from(bytes, (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join("");
      if (!taken(id)) return id;
    }
  }

  /** Everything, as JSON: what a data folder keeps across restarts (token secrets only as hashes). */
  snapshot(): StateSnapshot {
    return {
      version: 1,
      namespaces: [...this.namespaces.values()].map(({ repos, ...namespace }) => ({
        ...namespace,
        repos: [...repos.values()],
      })),
      tokens: [...this.tokens.values()],
    };
  }

  /**
   * The state a snapshot holds. A repo still importing or forking was cut off by the stop: it is left out, as
   * its half-made data is (the caller removes its folder).
   */
  static restore(snapshot: StateSnapshot, now?: () => number): { state: ArtifactsState; unfinished: RepoRecord[] } {
    const state = new ArtifactsState(now);
    const unfinished: RepoRecord[] = [];
    for (const { repos, ...namespace } of snapshot.namespaces) {
      const record: NamespaceRecord = { ...namespace, repos: new Map() };
      state.namespaces.set(namespace.namespace, record);
      for (const repo of repos) {
        if (repo.status === "ready") record.repos.set(repo.name, repo);
        else unfinished.push(repo);
      }
    }
    for (const token of snapshot.tokens) {
      if (unfinished.some((repo) => repo.id === token.repoId)) continue;
      state.tokens.set(token.id, token);
      state.tokensBySecret.set(token.secretHash, token.id);
    }
    return { state, unfinished };
  }
}

/**
 * The state as a data folder keeps it (`state.json`).
 *
 * @example
 * const kept: StateSnapshot = JSON.parse(await readFile(join(dataDir, "state.json"), "utf8"));
 */
export interface StateSnapshot {
  version: 1;
  namespaces: (Omit<NamespaceRecord, "repos"> & { repos: RepoRecord[] })[];
  tokens: TokenRecord[];
}

function hash(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** The token's `expires` as the ISO instant the API shows in `expires_at`. */
export const expiresAt = (token: TokenRecord) => new Date(token.expires * 1000).toISOString();
