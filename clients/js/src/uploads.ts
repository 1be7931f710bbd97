import * as tus from "tus-js-client";

/** Where an unfinished upload's URL is remembered so a reloaded page (or a new client) resumes it. */
export type UploadUrlStorage = tus.UrlStorage;

export interface UploaderOptions {
  /** The tus endpoint: `https://host/api/uploads/` for the API, `/portal/uploads/` for the portal's own pages. */
  endpoint: string;
  /** Sent with every request: `Authorization: Bearer cat_...`, or the portal's antiforgery header. */
  headers?: Record<string, string>;
  /** Defaults to tus-js-client's own (localStorage in a browser). The SDK client passes its IndexedDB table. */
  urlStorage?: UploadUrlStorage;
  /** Bytes per PATCH (default 8 MiB). */
  chunkSize?: number;
  /** Waits between automatic retries of a failed request. */
  retryDelays?: number[];
}

export interface UploadInput {
  /** A File or Blob in the browser; a Buffer or Uint8Array in Node. */
  file: unknown;
  fileName: string;
  mediaType?: string;
  /** What identifies "the same file" across reloads; defaults to name, size and last-modified time. */
  fingerprint?: string;
  /** Extra tus metadata: `target`, `websiteId`, `projectId`, `ifMatch`. */
  metadata?: Record<string, string>;
  onProgress?: (sent: number, total: number) => void;
  /** Called before each request (for example to watch the `Upload-Offset` of each PATCH). */
  onBeforeRequest?: (method: string, url: string, headers: Record<string, string>) => void;
  onChunkComplete?: (chunk: number, accepted: number, total: number) => void;
}

export interface UploadResult {
  /** The upload's URL; the Asset has the same id (the URL's last segment). */
  url: string;
  assetId: string;
  /** The offset it started from: 0 for a new upload, the server's offset for a resumed one. */
  resumedFrom: number;
}

/** One running upload: `done` settles when it completes or fails; `pause` stops it (resumable later). */
export interface UploadHandle {
  readonly done: Promise<UploadResult>;
  pause(): Promise<void>;
  resume(): void;
  readonly fileName: string;
}

/**
 * Resumable uploads over tus 1.0.0 — the one upload path of Catalyst's browser code (the SDK and
 * the portal's Assets page both use it). A new upload looks for an unfinished one of the same
 * file in the URL storage and continues from the offset the server reports.
 */
export class Uploader {
  constructor(private readonly options: UploaderOptions) {}

  start(input: UploadInput): UploadHandle {
    let resumedFrom = 0;
    let first = true;
    let resolve!: (result: UploadResult) => void;
    let reject!: (error: Error) => void;
    const done = new Promise<UploadResult>((res, rej) => { resolve = res; reject = rej; });
    const size = sizeOf(input.file);
    const fingerprint = input.fingerprint ?? defaultFingerprint(input.file, input.fileName, size);
    const upload: tus.Upload = new tus.Upload(input.file as any, {
      endpoint: this.options.endpoint,
      chunkSize: this.options.chunkSize ?? 8 * 1024 * 1024,
      retryDelays: this.options.retryDelays ?? [0, 1000, 3000, 5000, 10000, 20000],
      headers: { ...this.options.headers },
      removeFingerprintOnSuccess: true,
      storeFingerprintForResuming: true,
      ...(this.options.urlStorage ? { urlStorage: this.options.urlStorage } : {}),
      fingerprint: async () => fingerprint,
      uploadSize: size ?? undefined,
      metadata: { filename: input.fileName, filetype: input.mediaType || "application/octet-stream", target: "asset", ...input.metadata },
      onBeforeRequest: (request) => {
        const headers: Record<string, string> = {};
        for (const name of ["Upload-Offset", "Upload-Length"]) {
          const value = request.getHeader(name);
          if (value !== undefined && value !== null) headers[name] = String(value);
        }
        if (first && request.getMethod() === "PATCH") {
          first = false;
          resumedFrom = Number(headers["Upload-Offset"] ?? 0);
        }
        input.onBeforeRequest?.(request.getMethod(), request.getURL(), headers);
      },
      onProgress: input.onProgress,
      onChunkComplete: input.onChunkComplete,
      onError: (error) => reject(error),
      onSuccess: () => {
        const url = upload.url ?? "";
        resolve({ url, assetId: url.replace(/\/+$/, "").split("/").pop() ?? "", resumedFrom });
      },
    });
    let started = false;
    let paused = false;
    const ready = upload.findPreviousUploads().then((previous) => {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      started = true;
      if (!paused) upload.start();
    }, reject);
    return {
      done,
      fileName: input.fileName,
      // Synchronous once started: paused from onChunkComplete, the next chunk is never sent.
      pause: async () => {
        paused = true;
        if (!started) await ready;
        await upload.abort(false);
      },
      resume: () => {
        paused = false;
        first = true;
        if (started) upload.start();
      },
    };
  }
}

function sizeOf(file: any): number | null {
  if (typeof file?.size === "number") return file.size;
  if (typeof file?.byteLength === "number") return file.byteLength;
  if (typeof file?.length === "number") return file.length;
  return null;
}

function defaultFingerprint(file: any, fileName: string, size: number | null): string {
  return ["catalyst", fileName, size ?? "", file?.type ?? "", file?.lastModified ?? ""].join("-");
}
