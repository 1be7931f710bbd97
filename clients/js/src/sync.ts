import { ApiError } from "./errors.js";
import type { ApiClient } from "./http.js";
import type { CatalystDatabase, ChatMessage, ChatSession, Project, Website } from "./store.js";

/** local-only: nothing leaves the device; hybrid: local first, the outbox syncs in the background; server: the server is the truth, writes go at once. */
export type StorageMode = "local-only" | "hybrid" | "server";

/** The §14 flags that choose the storage mode. */
export const StorageFlags = { server: "storage.serverMode", hybrid: "sync.batchUpload" } as const;

export function storageModeOf(features: Record<string, boolean>): StorageMode {
  if (features[StorageFlags.server]) return "server";
  if (features[StorageFlags.hybrid]) return "hybrid";
  return "local-only";
}

interface SyncInit {
  user: { id: string; email: string; roles: string[] };
  preferences: unknown;
  projects: Project[];
  projectsTruncated: boolean;
  websites: Website[];
  websitesTruncated: boolean;
  chatSessions: ChatSession[];
  cursor: string;
  features: Record<string, boolean>;
}

interface SyncChange {
  type: "project" | "chatSession" | "chatMessage" | "features" | string;
  id: string;
  op: "upsert" | "delete";
  data: any;
}

const PageSize = 100;

/**
 * Sign-in sync and catch-up: {@link init} fills the store from `/api/sync/init` (and pages the
 * rest of the chat sessions, projects and websites the init leaves out), {@link pull} applies
 * `/api/sync/changes` since the persisted cursor, tombstones included.
 */
export class SyncEngine {
  constructor(private readonly api: ApiClient, private readonly db: CatalystDatabase, private readonly onFeatures: (f: Record<string, boolean>) => void) {}

  async init(): Promise<void> {
    const { data } = await this.api.get<SyncInit>("/api/sync/init");
    // The lists answer an admin everyone's rows; the store is the caller's own copy, as in the init.
    const own = (field: string) => (row: Record<string, unknown>) => row[field] === undefined || row[field] === data.user.id;
    const sessions = data.chatSessions.length >= 50 ? (await this.all<ChatSession>("/api/chat/sessions")).filter(own("userId")) : data.chatSessions;
    const projects = data.projectsTruncated ? (await this.all<Project>("/api/projects")).filter(own("ownerId")) : data.projects;
    const websites = data.websitesTruncated ? (await this.all<Website>("/api/websites")).filter(own("ownerId")) : data.websites;
    await this.db.transaction("rw", [this.db.meta, this.db.projects, this.db.websites, this.db.chatSessions], async () => {
      // Keep what is still only local (created offline, waiting in the outbox).
      const local = await this.db.chatSessions.filter((s) => s.pending === true).toArray();
      await Promise.all([this.db.projects.clear(), this.db.websites.clear(), this.db.chatSessions.clear()]);
      await this.db.projects.bulkPut(projects);
      await this.db.websites.bulkPut(websites);
      await this.db.chatSessions.bulkPut([...sessions, ...local]);
      await this.db.setMeta("user", data.user);
      await this.db.setMeta("preferences", data.preferences);
      await this.db.setMeta("features", data.features);
      await this.db.setMeta("cursor", data.cursor);
      await this.db.setMeta("syncedAt", new Date().toISOString());
    });
    this.onFeatures(data.features);
  }

  /** Applies every change since the stored cursor; answers how many were applied. A 410 (cursor expired) syncs from init again. */
  async pull(): Promise<number> {
    let applied = 0;
    for (;;) {
      const since = await this.db.getMeta<string>("cursor");
      let page;
      try {
        page = await this.api.get<SyncChange[]>("/api/sync/changes", { query: { since } });
      } catch (error) {
        if (error instanceof ApiError && error.status === 410) {
          await this.init();
          return applied;
        }
        throw error;
      }
      await this.apply(page.data, String(page.meta?.cursor ?? since ?? ""));
      applied += page.data.length;
      if (!page.meta?.hasMore) return applied;
    }
  }

  private async apply(changes: SyncChange[], cursor: string): Promise<void> {
    let features: Record<string, boolean> | undefined;
    const db = this.db;
    await db.transaction("rw", [db.meta, db.projects, db.chatSessions, db.chatMessages], async () => {
      for (const change of changes) {
        const upsert = change.op === "upsert" && change.data != null;
        switch (change.type) {
          case "project":
            if (upsert) await db.projects.put(change.data);
            else await db.projects.delete(change.id);
            break;
          case "chatSession":
            if (upsert) await db.chatSessions.put(change.data);
            else {
              await db.chatSessions.delete(change.id);
              await db.chatMessages.where("sessionId").equals(change.id).delete();
            }
            break;
          case "chatMessage":
            if (upsert) {
              const m = change.data;
              await db.chatMessages.put({ clientId: m.clientId, id: m.id, sessionId: m.sessionId, role: m.role, content: m.content, createdAt: m.createdAt } satisfies ChatMessage);
            } else await db.chatMessages.where("id").equals(change.id).delete();
            break;
          case "features":
            if (upsert) {
              features = change.data;
              await db.setMeta("features", features);
            }
            break;
        }
      }
      if (cursor) await db.setMeta("cursor", cursor);
    });
    if (features) this.onFeatures(features);
  }

  private async all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const answer = await this.api.get<T[]>(path, { query: { page, pageSize: PageSize } });
      items.push(...answer.data);
      const total = Number(answer.meta?.total ?? 0);
      if (answer.data.length < PageSize || items.length >= total) return items;
    }
  }
}
