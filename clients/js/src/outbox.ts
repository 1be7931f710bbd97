import { backoffDelay, defaultBackoff, type BackoffPolicy } from "./backoff.js";
import type { Clock, Connectivity } from "./clock.js";
import { ApiError, NetworkError, isRetryable } from "./errors.js";
import type { ApiClient } from "./http.js";
import type { CatalystDatabase, ChatMessagePayload, QueueEntry, RequestPayload } from "./store.js";

export interface OutboxOptions {
  clock: Clock;
  random: () => number;
  connectivity: Connectivity;
  backoff?: Partial<BackoffPolicy>;
  /** A chat batch is sent this long after its first message was queued (default 2000 ms)... */
  batchDelayMs?: number;
  /** ...or at once when this many messages are waiting (default 15). */
  batchSize?: number;
  /** Messages per request at most (the server takes 500). */
  maxBatch?: number;
  /** Whether writes may leave the device (false in local-only mode). */
  enabled: () => boolean;
  /** Whether chat messages go at once instead of waiting for a batch (server mode). */
  immediate?: () => boolean;
}

export interface OutboxEvents {
  /** An attempt failed and will be retried after `delayMs`. */
  retry?: (entry: QueueEntry, delayMs: number, error: unknown) => void;
  /** An entry gave up (5 retries, or a refusal that will not change); {@link Outbox.retry} puts it back. */
  failed?: (entry: QueueEntry, error: unknown) => void;
  /** An entry reached the server. */
  sent?: (entry: QueueEntry) => void;
}

type AnswerOf = (payload: RequestPayload, data: any) => Promise<void>;

/**
 * The `syncQueue`: writes the app already sees locally, waiting for the server. Chat messages go
 * in batches to `/api/chat/messages/batch` (idempotent by clientId, so a replay never duplicates);
 * other writes one by one in order. Failures back off per {@link backoffDelay}; nothing is sent
 * while offline.
 */
export class Outbox {
  private readonly policy: BackoffPolicy;
  private timer: unknown;
  private timerAt = Infinity;
  private running: Promise<void> | undefined;
  private again = false;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly api: ApiClient,
    private readonly db: CatalystDatabase,
    private readonly options: OutboxOptions,
    private readonly onAnswer: AnswerOf,
    private readonly events: OutboxEvents = {},
  ) {
    this.policy = { ...defaultBackoff, ...options.backoff };
    this.unsubscribe = options.connectivity.subscribe((online) => { if (online) void this.flush(); });
  }

  /** Queues a chat message; the batch goes after the batch delay or once enough messages wait. */
  async enqueueMessage(payload: ChatMessagePayload): Promise<void> {
    await this.db.syncQueue.add(this.entry("chat.message", payload));
    const waiting = await this.db.syncQueue.where("kind").equals("chat.message").filter((e) => e.status === "pending").count();
    if (waiting >= (this.options.batchSize ?? 15) || this.options.immediate?.()) void this.flush();
    else this.schedule(this.options.clock.now() + (this.options.batchDelayMs ?? 2000));
  }

  /** Queues one request (sent in order, before the chat batch that may depend on it). */
  async enqueueRequest(payload: RequestPayload): Promise<void> {
    await this.db.syncQueue.add(this.entry("request", payload));
    void this.flush();
  }

  pending(): Promise<QueueEntry[]> { return this.db.syncQueue.where("status").equals("pending").sortBy("seq"); }
  failed(): Promise<QueueEntry[]> { return this.db.syncQueue.where("status").equals("failed").sortBy("seq"); }

  /** Puts failed entries (all, or those given) back in the queue with a fresh retry budget and sends them. */
  async retry(seqs?: number[]): Promise<void> {
    const failed = await this.failed();
    for (const entry of failed)
      if (!seqs || seqs.includes(entry.seq!))
        await this.db.syncQueue.update(entry.seq!, { status: "pending", retries: 0, nextAttemptAt: 0, lastError: undefined });
    await this.flush();
  }

  /** Sends everything due now; resolves when this round is over (entries backing off stay queued). */
  flush(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.round();
        } while (this.again && !this.closed);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Resolves when nothing is pending any more (failed entries do not count), or rejects at the deadline. */
  async drained(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.db.syncQueue.where("status").equals("pending").count()) > 0) {
      if (Date.now() > deadline) throw new Error("The outbox did not drain in time.");
      await new Promise((resolve) => globalThis.setTimeout(resolve, 50));
    }
    await this.running;
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private entry(kind: QueueEntry["kind"], payload: QueueEntry["payload"]): QueueEntry {
    return { kind, status: "pending", retries: 0, nextAttemptAt: 0, createdAt: this.options.clock.now(), payload };
  }

  private schedule(at: number): void {
    if (this.closed || at >= this.timerAt) return;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      void this.flush();
    }, Math.max(0, at - this.options.clock.now()));
  }

  private async round(): Promise<void> {
    if (this.closed || !this.options.enabled() || !this.options.connectivity.isOnline()) return;
    const now = this.options.clock.now();
    const pending = await this.pending();
    const blocked = new Set<string>(); // sessions whose creation is still queued
    let next = Infinity;
    for (const entry of pending.filter((e) => e.kind === "request")) {
      const payload = entry.payload as RequestPayload;
      if (entry.nextAttemptAt > now) {
        next = Math.min(next, entry.nextAttemptAt);
        if (payload.tempId) blocked.add(payload.tempId);
        continue;
      }
      try {
        const answer = await this.api.request<any>(payload.method, payload.path, { body: payload.body });
        await this.db.syncQueue.delete(entry.seq!);
        await this.onAnswer(payload, answer.data);
        this.events.sent?.(entry);
      } catch (error) {
        const at = await this.failure([entry], error);
        if (at !== undefined) next = Math.min(next, at);
        if (payload.tempId) blocked.add(payload.tempId);
        if (error instanceof NetworkError) return this.scheduleNext(next);
      }
    }

    // Messages created after their session was: read again, the session ids may have been replaced.
    const messages = (await this.pending()).filter((e) => e.kind === "chat.message");
    const ready: QueueEntry[] = [];
    const oldestWaiting = messages.filter((e) => e.nextAttemptAt === 0).reduce((min, e) => Math.min(min, e.createdAt), Infinity);
    const batchDue = messages.length >= (this.options.batchSize ?? 15) || oldestWaiting + (this.options.batchDelayMs ?? 2000) <= now || this.options.immediate?.() === true;
    for (const entry of messages) {
      const payload = entry.payload as ChatMessagePayload;
      if (blocked.has(payload.sessionId) || payload.sessionId.startsWith("tmp-")) continue;
      if (entry.nextAttemptAt > now) next = Math.min(next, entry.nextAttemptAt);
      else if (entry.nextAttemptAt > 0 || batchDue) ready.push(entry);
      else next = Math.min(next, entry.createdAt + (this.options.batchDelayMs ?? 2000));
    }
    const max = this.options.maxBatch ?? 500;
    for (let i = 0; i < ready.length; i += max) {
      const batch = ready.slice(i, i + max);
      try {
        await this.sendBatch(batch);
      } catch (error) {
        const at = await this.failure(batch, error);
        if (at !== undefined) next = Math.min(next, at);
        if (error instanceof NetworkError) break;
      }
    }
    this.scheduleNext(next);
  }

  private scheduleNext(next: number): void {
    if (next !== Infinity) this.schedule(next);
  }

  private async sendBatch(batch: QueueEntry[]): Promise<void> {
    const messages = batch.map((e) => e.payload as ChatMessagePayload);
    const { data } = await this.api.post<{ ids: Record<string, string>; created: number; existing: number; errors: { clientId?: string; code: string; detail: string }[] }>(
      "/api/chat/messages/batch", { messages });
    const db = this.db;
    const rejected = new Map(data.errors.filter((e) => e.clientId).map((e) => [e.clientId!, e]));
    await db.transaction("rw", [db.syncQueue, db.chatMessages], async () => {
      for (const entry of batch) {
        const payload = entry.payload as ChatMessagePayload;
        const id = data.ids[payload.clientId];
        const error = rejected.get(payload.clientId);
        if (id) {
          await db.syncQueue.delete(entry.seq!);
          await db.chatMessages.update(payload.clientId, { id, pending: false });
        } else {
          // Refused on its own merits (validation): retrying will not help; the app decides.
          await db.syncQueue.update(entry.seq!, {
            status: "failed",
            lastError: { code: error?.code ?? "not_stored", status: 400, message: error?.detail ?? "The server did not store this message." },
          });
        }
      }
    });
    for (const entry of batch)
      if (data.ids[(entry.payload as ChatMessagePayload).clientId]) this.events.sent?.(entry);
      else this.events.failed?.(entry, rejected.get((entry.payload as ChatMessagePayload).clientId));
  }

  /** Records a failed attempt; answers when to try again, or undefined when the entries are now failed. */
  private async failure(entries: QueueEntry[], error: unknown): Promise<number | undefined> {
    const lastError = {
      code: error instanceof ApiError ? error.code : error instanceof NetworkError ? "network_error" : "error",
      status: error instanceof ApiError ? error.status : undefined,
      message: (error as Error)?.message ?? String(error),
    };
    const retries = Math.max(...entries.map((e) => e.retries)) + 1;
    if (!isRetryable(error) || retries > this.policy.maxRetries) {
      for (const entry of entries) {
        await this.db.syncQueue.update(entry.seq!, { status: "failed", lastError });
        this.events.failed?.({ ...entry, status: "failed", lastError }, error);
      }
      return undefined;
    }
    const delay = backoffDelay(retries, this.options.random, this.policy, error instanceof ApiError ? error.retryAfter : undefined);
    const at = this.options.clock.now() + delay;
    for (const entry of entries) {
      await this.db.syncQueue.update(entry.seq!, { retries, nextAttemptAt: at, lastError });
      this.events.retry?.({ ...entry, retries, nextAttemptAt: at, lastError }, delay, error);
    }
    return at;
  }
}
