/** An RFC 9457 problem body as Catalyst answers it (`application/problem+json`). */
export interface Problem {
  status?: number;
  title?: string;
  detail?: string;
  code?: string;
  errors?: Record<string, string[]>;
  [extension: string]: unknown;
}

/** Base of every error the client throws. */
export class CatalystError extends Error {
  override name = "CatalystError";
}

/** The server answered, with a non-2xx status. `code` is the problem's stable code (`validation_failed`, `not_found`, ...). */
export class ApiError extends CatalystError {
  override name = "ApiError";
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  /** Seconds from the `Retry-After` header (429, 503, lockouts), when present. */
  readonly retryAfter: number | undefined;
  /** Per-field validation messages (`validation_failed`). */
  readonly errors: Record<string, string[]>;
  readonly problem: Problem;

  constructor(status: number, problem: Problem, retryAfter?: number) {
    super(`${status} ${problem.code ?? "error"}: ${problem.detail ?? problem.title ?? "request failed"}`);
    this.status = status;
    this.code = problem.code ?? codeForStatus(status);
    this.title = problem.title ?? "";
    this.detail = problem.detail ?? "";
    this.retryAfter = retryAfter;
    this.errors = problem.errors ?? {};
    this.problem = problem;
  }

  /** 408, 429 and 5xx may succeed later; any other 4xx will not. */
  get retryable(): boolean {
    return this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/** The server was not reached (offline, refused, reset, DNS): no HTTP status exists. Always retryable. */
export class NetworkError extends CatalystError {
  override name = "NetworkError";
  readonly retryable = true;
  constructor(message: string, readonly cause?: unknown) {
    super(message);
  }
}

/**
 * A website data save was refused (412): somebody saved first. The server kept the payload as a
 * conflict backup, so both sides are here: `server` is the current data, `mine` the backup of yours.
 */
export class WebsiteDataConflictError extends ApiError {
  override name = "WebsiteDataConflictError";
  constructor(
    problem: Problem,
    readonly currentVersion: number,
    readonly backupVersion: number,
    readonly server: WebsiteDataSnapshot,
    readonly mine: WebsiteDataSnapshot,
  ) {
    super(412, problem);
  }
}

/** One version of a website's data with the sections that were asked for. */
export interface WebsiteDataSnapshot {
  websiteId: string;
  version: number;
  content?: unknown;
  assets?: unknown;
  aiContext?: unknown;
}

export function codeForStatus(status: number): string {
  switch (status) {
    case 400: return "validation_failed";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 409: return "conflict";
    case 410: return "gone";
    case 412: return "version_conflict";
    case 413: return "payload_too_large";
    case 428: return "precondition_required";
    case 429: return "too_many_requests";
    default: return status >= 500 ? "server_error" : "http_error";
  }
}

/** True for errors worth retrying later: network failures, 408, 429 and 5xx. */
export function isRetryable(error: unknown): boolean {
  return error instanceof NetworkError || (error instanceof ApiError && error.retryable);
}
