import type { ApiClient, FetchLike } from "./http.js";
import { NetworkError } from "./errors.js";
import { problemError } from "./http.js";

/**
 * An in-memory cache of Blobs bounded in bytes: reading an entry makes it the most recently used,
 * adding one evicts the least recently used until the total fits. A Blob larger than the bound is
 * not cached.
 */
export class LruBlobCache {
  private readonly entries = new Map<string, Blob>();
  private total = 0;

  constructor(readonly maxBytes: number) {
    if (!(maxBytes > 0)) throw new RangeError("maxBytes must be positive.");
  }

  get size(): number { return this.total; }
  get count(): number { return this.entries.size; }
  keys(): string[] { return [...this.entries.keys()]; }
  has(key: string): boolean { return this.entries.has(key); }

  get(key: string): Blob | undefined {
    const blob = this.entries.get(key);
    if (blob) {
      this.entries.delete(key);
      this.entries.set(key, blob);
    }
    return blob;
  }

  set(key: string, blob: Blob): void {
    this.delete(key);
    if (blob.size > this.maxBytes) return;
    this.entries.set(key, blob);
    this.total += blob.size;
    for (const [oldest, value] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.total -= value.size;
    }
  }

  delete(key: string): void {
    const existing = this.entries.get(key);
    if (existing) {
      this.entries.delete(key);
      this.total -= existing.size;
    }
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }
}

export interface PresignedDownload {
  assetId: string;
  url: string | null;
  expiresAt: string | null;
  error?: string | null;
}

/** Asset downloads through presigned URLs (no token on the content request), cached as Blobs. */
export class Downloads {
  constructor(private readonly api: ApiClient, readonly cache: LruBlobCache, private readonly fetchImpl: FetchLike = (i, init) => fetch(i, init)) {}

  /** Presigned URLs for many assets at once (`expiresIn` seconds; default 15 min on the server). */
  async presign(assetIds: string[], expiresIn?: number): Promise<PresignedDownload[]> {
    return (await this.api.post<PresignedDownload[]>("/api/assets/presign", { operation: "download", assetIds, expiresIn })).data;
  }

  /** One presigned URL, absolute. */
  async url(assetId: string, expiresIn?: number): Promise<string> {
    const { data } = await this.api.get<PresignedDownload>(`/api/assets/${assetId}/download-url`, { query: { expiresIn } });
    return this.api.url(data.url!);
  }

  /** The asset's bytes, from the cache or through a presigned URL. */
  async get(assetId: string): Promise<Blob> {
    const cached = this.cache.get(assetId);
    if (cached) return cached;
    const url = await this.url(assetId);
    let response: Response;
    try {
      response = await this.fetchImpl(url);
    } catch (error) {
      throw new NetworkError(`The download of ${assetId} did not reach the server.`, error);
    }
    if (!response.ok) throw problemError(response, await response.text());
    const blob = await response.blob();
    this.cache.set(assetId, blob);
    return blob;
  }
}
