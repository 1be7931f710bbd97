import { Dexie, type Table } from "dexie";

export interface Project {
  id: string;
  name: string;
  description?: string | null;
  tags?: string[];
  updatedAt?: string;
  version?: number;
  [key: string]: unknown;
}

export interface Website {
  id: string;
  name: string;
  slug: string;
  updatedAt?: string;
  version?: number;
  [key: string]: unknown;
}

export interface ChatSession {
  /** The server's id, or a temporary `tmp-...` id until the outbox has created it. */
  id: string;
  title: string;
  projectId?: string | null;
  messageCount?: number;
  lastMessageAt?: string | null;
  createdAt?: string;
  updatedAt?: string;
  version?: number;
  pending?: boolean;
  [key: string]: unknown;
}

export type ChatRole = "user" | "assistant" | "system" | "tool";

export interface ChatMessage {
  /** The client id: the key of the row, and the batch's idempotency key. */
  clientId: string;
  /** The server's id once stored; null while only local. */
  id: string | null;
  sessionId: string;
  role: ChatRole;
  content: string;
  createdAt: string;
  pending?: boolean;
}

export type QueueKind = "chat.message" | "request";
export type QueueStatus = "pending" | "failed";

/** One write waiting for the server, in the `syncQueue` table. */
export interface QueueEntry {
  seq?: number;
  kind: QueueKind;
  status: QueueStatus;
  /** Retries made so far (the first attempt is not a retry). */
  retries: number;
  /** Epoch ms before which it is not tried again. */
  nextAttemptAt: number;
  createdAt: number;
  lastError?: { code: string; status?: number; message: string };
  payload: ChatMessagePayload | RequestPayload;
}

export interface ChatMessagePayload {
  clientId: string;
  sessionId: string;
  role: ChatRole;
  content: string;
  createdAt: string;
}

export interface RequestPayload {
  method: "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  body?: unknown;
  /** A temporary id the answer's `data.id` replaces (`chatSession` or `project`). */
  tempId?: string;
  entity?: "chatSession" | "project";
}

export interface MetaRow {
  key: string;
  value: unknown;
}

export interface StoredUpload {
  key?: number;
  fingerprint: string;
  uploadUrl: string;
  size: number | null;
  metadata: Record<string, string>;
  creationTime: string;
  urlStorageKey?: string;
}

/** The client's IndexedDB database (one per user and server). */
export class CatalystDatabase extends Dexie {
  meta!: Table<MetaRow, string>;
  projects!: Table<Project, string>;
  websites!: Table<Website, string>;
  chatSessions!: Table<ChatSession, string>;
  chatMessages!: Table<ChatMessage, string>;
  syncQueue!: Table<QueueEntry, number>;
  uploads!: Table<StoredUpload, number>;

  constructor(name: string, options?: { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange }) {
    super(name, options);
    this.version(1).stores({
      meta: "key",
      projects: "id, updatedAt",
      websites: "id, updatedAt",
      chatSessions: "id, updatedAt, projectId",
      chatMessages: "clientId, id, sessionId, [sessionId+createdAt]",
      syncQueue: "++seq, status, kind, [status+nextAttemptAt]",
      uploads: "++key, fingerprint, uploadUrl",
    });
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.meta.get(key))?.value as T | undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.meta.put({ key, value });
  }
}
