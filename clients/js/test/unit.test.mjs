// The parts that need no server: the backoff formula, the LRU Blob cache, problem+json mapping.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError, LruBlobCache, NetworkError, backoffDelay, isRetryable, parseRetryAfter, ApiClient } from "../dist/index.js";

test("backoff: 1, 2, 4, 8, 16 s then capped at 32 s, jitter within ±20%", () => {
  const nominal = [1, 2, 4, 8, 16, 32, 32, 32];
  for (const [i, seconds] of nominal.entries()) {
    assert.equal(backoffDelay(i + 1, () => 0.5), seconds * 1000);
    assert.equal(backoffDelay(i + 1, () => 0), seconds * 800);
    assert.ok(backoffDelay(i + 1, () => 0.999999) <= seconds * 1200);
  }
  assert.equal(backoffDelay(3, () => 0.9, undefined, 7), 7000, "Retry-After replaces the computed delay");
});

test("Retry-After: seconds or an HTTP date", () => {
  assert.equal(parseRetryAfter("30", 0), 30);
  assert.equal(parseRetryAfter(new Date(60_000).toUTCString(), 0), 60);
  assert.equal(parseRetryAfter(null, 0), undefined);
  assert.equal(parseRetryAfter("soon", 0), undefined);
});

test("LRU Blob cache: bounded in bytes, evicts the least recently used", () => {
  const cache = new LruBlobCache(300);
  cache.set("a", new Blob([new Uint8Array(100)]));
  cache.set("b", new Blob([new Uint8Array(100)]));
  cache.set("c", new Blob([new Uint8Array(100)]));
  assert.equal(cache.size, 300);
  assert.ok(cache.get("a"), "reading a makes it the most recent");
  cache.set("d", new Blob([new Uint8Array(100)]));
  assert.deepEqual(cache.keys(), ["c", "a", "d"], "b, the least recently used, went");
  cache.set("e", new Blob([new Uint8Array(250)]));
  assert.deepEqual(cache.keys(), ["e"], "a big entry evicts as many as it needs");
  assert.equal(cache.size, 250);
  cache.set("huge", new Blob([new Uint8Array(301)]));
  assert.equal(cache.has("huge"), false, "larger than the bound: not cached");
  assert.equal(cache.size, 250);
  cache.set("e", new Blob([new Uint8Array(10)]));
  assert.equal(cache.size, 10, "replacing an entry counts its new size only");
  assert.throws(() => new LruBlobCache(0), RangeError);
});

test("problem+json becomes an ApiError with code, status, detail and retryAfter", async () => {
  const responses = [
    new Response(JSON.stringify({ status: 429, title: "Too many requests", detail: "Slow down.", code: "rate_limited" }),
      { status: 429, headers: { "Content-Type": "application/problem+json", "Retry-After": "12" } }),
    new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }),
  ];
  const api = new ApiClient({ baseUrl: "http://127.0.0.1:9", token: "cat_x", fetch: async () => responses.shift() });
  const limited = await api.get("/api/anything").catch((e) => e);
  assert.ok(limited instanceof ApiError);
  assert.equal(limited.status, 429);
  assert.equal(limited.code, "rate_limited");
  assert.equal(limited.detail, "Slow down.");
  assert.equal(limited.retryAfter, 12);
  assert.equal(isRetryable(limited), true);
  const gateway = await api.get("/api/anything").catch((e) => e);
  assert.equal(gateway.status, 502);
  assert.equal(gateway.code, "server_error", "a non-JSON error body still gets a code");
  assert.equal(isRetryable(gateway), true);
  assert.throws(() => new ApiClient({ baseUrl: "http://x", token: "not-a-token" }), TypeError);
  assert.equal(isRetryable(new NetworkError("down")), true);
  assert.equal(isRetryable(new ApiError(404, { code: "not_found" })), false);
});
