/**
 * The outbox's retry schedule (SPEC §17): after failure n (1-based) wait 2^(n-1) seconds — 1, 2, 4,
 * 8, 16 — capped at 32 s, each ±20% jitter; a `Retry-After` from the server replaces the computed
 * delay; after {@link maxRetries} retries the entry is marked failed.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  jitter: number;
  maxRetries: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 1000, capMs: 32_000, jitter: 0.2, maxRetries: 5 };

/** Milliseconds to wait before retry `retry` (1-based). `random` is in [0, 1). */
export function backoffDelay(retry: number, random: () => number, policy: BackoffPolicy = defaultBackoff, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined) return retryAfterSeconds * 1000;
  const nominal = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  const factor = 1 + (random() * 2 - 1) * policy.jitter;
  return Math.round(nominal * factor);
}
