import { Dexie } from "dexie";
import { browserConnectivity, systemClock, type Clock, type Connectivity } from "./clock.js";
import { Downloads, LruBlobCache } from "./downloads.js";
import { ApiClient, type FetchLike } from "./http.js";
import { Outbox, type OutboxEvents } from "./outbox.js";
import type { BackoffPolicy } from "./backoff.js";
import { CatalystDatabase, type ChatMessage, type ChatRole, type ChatSession, type Project, type RequestPayload, type StoredUpload, type Website } from "./store.js";
import { SyncEngine, storageModeOf, type StorageMode } from "./sync.js";
import { Uploader, type UploadHandle, type UploadInput, type UploadUrlStorage } from "./uploads.js";
import { WebsiteData } from "./websiteData.js";

export interface CatalystClientOptions {
  baseUrl: string;
  token: string;
  /** The IndexedDB database name (default `catalyst`); use one per user. */
  databaseName?: string;
  /** For Node and tests: an IndexedDB implementation (fake-indexeddb). */
  indexedDB?: IDBFactory;
  IDBKeyRange?: typeof IDBKeyRange;
  fetch?: FetchLike;
  clock?: Clock;
  random?: () => number;
  connectivity?: Connectivity;
  backoff?: Partial<BackoffPolicy>;
  batchDelayMs?: number;
  batchSize?: number;
  /** Fixes the storage mode instead of taking it from the feature flags. */
  mode?: StorageMode;
  /** Bytes the download cache keeps (default 50 MiB). */
  blobCacheBytes?: number;
  uploadChunkSize?: number;
  events?: OutboxEvents;
}

/**
 * `@catalyst/client`: the offline-first client of a Catalyst server. Reads come from the local
 * store that {@link signIn} fills and {@link pull} keeps current; writes are applied locally at
 * once and queued in the outbox.
 */
export class CatalystClient {
  readonly api: ApiClient;
  readonly db: CatalystDatabase;
  readonly outbox: Outbox;
  readonly sync: SyncEngine;
  readonly downloads: Downloads;
  readonly websiteData: WebsiteData;
  readonly uploader: Uploader;
  private features: Record<string, boolean> = {};
  private fixedMode: StorageMode | undefined;

  constructor(options: CatalystClientOptions) {
    this.api = new ApiClient({ baseUrl: options.baseUrl, token: options.token, fetch: options.fetch });
    const dependencies = options.indexedDB ? { indexedDB: options.indexedDB, IDBKeyRange: options.IDBKeyRange } : undefined;
    this.db = new CatalystDatabase(options.databaseName ?? "catalyst", dependencies);
    this.fixedMode = options.mode;
    this.sync = new SyncEngine(this.api, this.db, (features) => {
      const before = this.mode;
      this.features = features;
      // Switched from local-only to a mode that syncs: what was queued meanwhile goes now.
      if (before === "local-only" && this.mode !== "local-only") void this.outbox?.flush();
    });
    this.outbox = new Outbox(this.api, this.db, {
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
      connectivity: options.connectivity ?? browserConnectivity,
      backoff: options.backoff,
      batchDelayMs: options.batchDelayMs,
      batchSize: options.batchSize,
      enabled: () => this.mode !== "local-only",
      immediate: () => this.mode === "server",
    }, (payload, data) => this.applyAnswer(payload, data), options.events);
    this.downloads = new Downloads(this.api, new LruBlobCache(options.blobCacheBytes ?? 50 * 1024 * 1024), options.fetch);
    this.websiteData = new WebsiteData(this.api);
    this.uploader = new Uploader({
      endpoint: this.api.url("/api/uploads/"),
      headers: this.api.authorization,
      urlStorage: new DexieUrlStorage(this.db),
      chunkSize: options.uploadChunkSize,
    });
  }

  /** local-only, hybrid or server: from the flags of the last sync (or the `mode` option). */
  get mode(): StorageMode {
    return this.fixedMode ?? storageModeOf(this.features);
  }

  /** Sign-in sync: fills the store from the server, then sends whatever the outbox holds. */
  async signIn(): Promise<void> {
    const stored = await this.db.getMeta<Record<string, boolean>>("features");
    if (stored) this.features = stored;
    await this.sync.init();
    void this.outbox.flush();
  }

  /** Restores the flags of an earlier sync without asking the server (offline start). */
  async open(): Promise<void> {
    this.features = (await this.db.getMeta<Record<string, boolean>>("features")) ?? {};
  }

  /** Catches up with the changes feed. */
  pull(): Promise<number> { return this.sync.pull(); }

  projects(): Promise<Project[]> { return this.db.projects.orderBy("updatedAt").reverse().toArray(); }
  websites(): Promise<Website[]> { return this.db.websites.toArray(); }
  chatSessions(): Promise<ChatSession[]> { return this.db.chatSessions.orderBy("updatedAt").reverse().toArray(); }
  messages(sessionId: string): Promise<ChatMessage[]> {
    return this.db.chatMessages.where("[sessionId+createdAt]").between([sessionId, Dexie.minKey], [sessionId, Dexie.maxKey]).toArray();
  }

  /** Creates a session locally with a temporary id at once; the outbox creates it on the server and swaps the id. */
  async createChatSession(title: string, projectId?: string): Promise<ChatSession> {
    const now = new Date().toISOString();
    const session: ChatSession = { id: `tmp-${uuid()}`, title, projectId: projectId ?? null, createdAt: now, updatedAt: now, messageCount: 0, pending: true };
    await this.db.chatSessions.add(session);
    await this.outbox.enqueueRequest({ method: "POST", path: "/api/chat/sessions", body: { title, projectId }, tempId: session.id, entity: "chatSession" });
    return session;
  }

  /** Adds a message locally at once and queues it for the next batch. */
  async addMessage(sessionId: string, role: ChatRole, content: string): Promise<ChatMessage> {
    const message: ChatMessage = { clientId: uuid(), id: null, sessionId, role, content, createdAt: new Date().toISOString(), pending: true };
    await this.db.chatMessages.add(message);
    await this.outbox.enqueueMessage({ clientId: message.clientId, sessionId, role, content, createdAt: message.createdAt });
    return message;
  }

  /** Starts (or resumes, if an unfinished upload of the same file is remembered) a tus upload. */
  upload(input: UploadInput): UploadHandle { return this.uploader.start(input); }

  close(): void {
    this.outbox.close();
    this.db.close();
  }

  /** A queued create answered: the temporary id becomes the server's everywhere. */
  private async applyAnswer(payload: RequestPayload, data: any): Promise<void> {
    if (!payload.tempId || !data?.id) return;
    const tempId = payload.tempId;
    const db = this.db;
    await db.transaction("rw", [db.chatSessions, db.projects, db.chatMessages, db.syncQueue], async () => {
      if (payload.entity === "chatSession") {
        await db.chatSessions.delete(tempId);
        await db.chatSessions.put(data);
        await db.chatMessages.where("sessionId").equals(tempId).modify({ sessionId: data.id });
        await db.syncQueue.filter((e) => e.kind === "chat.message" && (e.payload as any).sessionId === tempId)
          .modify((e) => { (e.payload as any).sessionId = data.id; });
      } else if (payload.entity === "project") {
        await db.projects.delete(tempId);
        await db.projects.put(data);
      }
    });
  }
}

/** tus-js-client's URL storage in the client's IndexedDB, so an upload resumes after a reload. */
export class DexieUrlStorage implements UploadUrlStorage {
  constructor(private readonly db: CatalystDatabase) {}

  async findAllUploads() { return (await this.db.uploads.toArray()).map(toPrevious); }
  async findUploadsByFingerprint(fingerprint: string) {
    return (await this.db.uploads.where("fingerprint").equals(fingerprint).toArray()).map(toPrevious);
  }
  async removeUpload(urlStorageKey: string) { await this.db.uploads.delete(Number(urlStorageKey)); }
  async addUpload(fingerprint: string, upload: { size: number | null; metadata: Record<string, string>; creationTime: string; uploadUrl: string | null }) {
    const key = await this.db.uploads.add({ fingerprint, uploadUrl: upload.uploadUrl ?? "", size: upload.size, metadata: upload.metadata, creationTime: upload.creationTime });
    return String(key);
  }
}

function toPrevious(row: StoredUpload) {
  return { size: row.size, metadata: row.metadata, creationTime: row.creationTime, uploadUrl: row.uploadUrl, urlStorageKey: String(row.key), parallelUploadUrls: null };
}

function uuid(): string {
  return globalThis.crypto.randomUUID();
}
