import { ApiError, NetworkError, type Problem } from "./errors.js";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** The Catalyst origin, e.g. `https://catalyst.example.com`. */
  baseUrl: string;
  /** An API token (`cat_...`), sent as `Authorization: Bearer`. */
  token: string;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
}

export interface ApiResponse<T> {
  status: number;
  data: T;
  meta: Record<string, unknown> | undefined;
  etag: string | undefined;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  contentType?: string;
  signal?: AbortSignal;
}

/**
 * The JSON API with a `cat_` token: `{data, meta}` envelopes unwrapped, every non-2xx answer an
 * {@link ApiError} built from its problem+json, and a failure to reach the server a {@link NetworkError}.
 */
export class ApiClient {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly fetchImpl: FetchLike;

  constructor(options: ApiClientOptions) {
    if (!options.token?.startsWith("cat_")) throw new TypeError("An API token starts with cat_.");
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.token = options.token;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  url(path: string, query?: RequestOptions["query"]): string {
    const url = new URL(path.startsWith("http") ? path : this.baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    return url.toString();
  }

  get authorization(): Record<string, string> {
    return { Authorization: `Bearer ${this.token}` };
  }

  get<T>(path: string, options: RequestOptions = {}) { return this.request<T>("GET", path, options); }
  post<T>(path: string, body?: unknown, options: RequestOptions = {}) { return this.request<T>("POST", path, { ...options, body }); }
  put<T>(path: string, body?: unknown, options: RequestOptions = {}) { return this.request<T>("PUT", path, { ...options, body }); }
  patch<T>(path: string, body?: unknown, options: RequestOptions = {}) { return this.request<T>("PATCH", path, { ...options, body }); }
  delete<T = undefined>(path: string, options: RequestOptions = {}) { return this.request<T>("DELETE", path, options); }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { Accept: "application/json", ...this.authorization, ...options.headers };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["Content-Type"] = options.contentType ?? "application/json";
      body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await this.fetchImpl(this.url(path, options.query), { method, headers, body, signal: options.signal });
    } catch (error) {
      if ((error as Error)?.name === "AbortError") throw error;
      throw new NetworkError(`${method} ${path} did not reach the server: ${(error as Error)?.message ?? error}`, error);
    }
    return readResponse<T>(response);
  }
}

/** Unwraps a 2xx `{data, meta}` answer or throws the {@link ApiError} of a problem answer. */
export async function readResponse<T>(response: Response): Promise<ApiResponse<T>> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new NetworkError(`The answer was cut off: ${(error as Error)?.message ?? error}`, error);
  }
  if (!response.ok) throw problemError(response, text);
  const json = text ? JSON.parse(text) : undefined;
  return {
    status: response.status,
    data: (json?.data ?? json) as T,
    meta: json?.meta,
    etag: response.headers.get("ETag") ?? undefined,
    headers: response.headers,
  };
}

export function problemError(response: Response, text: string): ApiError {
  let problem: Problem = { status: response.status, title: response.statusText };
  if (text) {
    try {
      const parsed = JSON.parse(text);
      if (parsed && typeof parsed === "object") problem = parsed as Problem;
    } catch {
      problem = { status: response.status, title: response.statusText, detail: text.slice(0, 500) };
    }
  }
  return new ApiError(response.status, problem, parseRetryAfter(response.headers.get("Retry-After"), Date.now()));
}

/** `Retry-After` as seconds: either delta-seconds or an HTTP date (relative to `now`). */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** A version ETag (`"12"`) as its number. */
export function versionOf(etag: string | undefined): number | undefined {
  const match = etag?.match(/^(?:W\/)?"?(\d+)"?$/);
  return match ? Number(match[1]) : undefined;
}
