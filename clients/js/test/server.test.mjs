// @catalyst/client against a real Portal process on loopback (SPEC §17): one Portal for the file,
// a fresh data directory, stopped (also on failure) by the `after` hook.
import "fake-indexeddb/auto";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { ApiError, CatalystClient, ManualConnectivity, NetworkError, WebsiteDataConflictError } from "../dist/index.js";
import { Portal, freePort, until } from "./portal.mjs";
import { FakeClock, Network } from "./fakes.mjs";

let portal;
const clients = [];
let databases = 0;

function client(user, options = {}) {
  const created = new CatalystClient({ baseUrl: portal.baseUrl, token: user.token, databaseName: options.databaseName ?? `sdk-test-${++databases}`, mode: "hybrid", ...options });
  clients.push(created);
  return created;
}

async function allPages(token, path) {
  const items = [];
  for (let page = 1; ; page++) {
    const answer = await portal.json("GET", `${path}${path.includes("?") ? "&" : "?"}page=${page}&pageSize=100`, { token });
    items.push(...answer.body.data);
    if (items.length >= answer.body.meta.total || answer.body.data.length === 0) return items;
  }
}

async function serverMessages(token, sessionId) {
  const answer = await portal.json("GET", `/api/chat/sessions/${sessionId}/messages?limit=200`, { token });
  assert.equal(answer.status, 200);
  return answer.body.data;
}

before(async () => { portal = await Portal.start(); });
after(async () => {
  for (const c of clients) c.close();
  await portal?.dispose();
});

describe("sign-in sync", () => {
  test("fills the store equal to the server; the changes feed keeps it so, tombstones included; the cursor persists", async () => {
    const user = await portal.user("sync");
    const projects = [];
    for (let i = 0; i < 3; i++) projects.push((await portal.json("POST", "/api/projects", { token: user.token, body: { name: `Project ${i}` } })).body.data);
    for (let i = 0; i < 60; i++) assert.equal((await portal.json("POST", "/api/chat/sessions", { token: user.token, body: { title: `Chat ${i}` } })).status, 201);
    assert.equal((await portal.json("POST", "/api/websites", { token: user.token, body: { name: "Site", slug: `site-${Date.now()}` } })).status, 201);

    const app = client(user, { databaseName: "sdk-sync", mode: undefined });
    await app.signIn();
    const ids = (rows) => rows.map((r) => r.id).sort();
    assert.deepEqual(ids(await app.projects()), ids(await allPages(user.token, "/api/projects")));
    assert.deepEqual(ids(await app.chatSessions()), ids(await allPages(user.token, "/api/chat/sessions")), "all 60 sessions, not only the init's 50");
    assert.equal((await app.chatSessions()).length, 60);
    assert.deepEqual(ids(await app.websites()), ids(await allPages(user.token, "/api/websites")));
    assert.equal(app.mode, "local-only", "no storage flag is on for this user");

    // Changes on the server: a delete (tombstone), an update, a create, and a flag for this user.
    const gone = projects[0];
    assert.equal((await portal.json("DELETE", `/api/projects/${gone.id}`, { token: user.token })).status, 204);
    await portal.json("POST", "/api/projects", { token: user.token, body: { name: "Project new" } });
    const flag = await portal.json("POST", "/api/admin/features", { token: portal.adminToken, body: { name: "sync.batchUpload", state: "targeted", users: [user.email] } });
    assert.equal(flag.status, 201, JSON.stringify(flag.body));
    const applied = await app.pull();
    assert.ok(applied >= 3, `applied ${applied}`);
    assert.deepEqual(ids(await app.projects()), ids(await allPages(user.token, "/api/projects")));
    assert.equal(await app.db.projects.get(gone.id), undefined, "the tombstone removed the project");
    assert.equal(app.mode, "hybrid", "the flag from the feed switched the storage mode");

    // A new instance on the same database starts from the persisted cursor: nothing to replay.
    app.close();
    const again = client(user, { databaseName: "sdk-sync", mode: undefined });
    await again.open();
    assert.equal(again.mode, "hybrid");
    assert.equal(await again.pull(), 0);
  });
  test("an admin's store holds the admin's own rows only, though the lists answer an admin everyone's", async () => {
    const other = await portal.user("someone-else");
    for (let i = 0; i < 3; i++) await portal.json("POST", "/api/chat/sessions", { token: other.token, body: { title: `Not the admin's ${i}` } });
    const admin = { token: portal.adminToken ??= await portal.token() };
    for (let i = 0; i < 55; i++) assert.equal((await portal.json("POST", "/api/chat/sessions", { token: admin.token, body: { title: `Admin chat ${i}` } })).status, 201);
    const app = client(admin);
    await app.signIn();
    const init = (await portal.json("GET", "/api/sync/init", { token: admin.token })).body.data;
    const sessions = await app.chatSessions();
    assert.ok(sessions.length >= 55);
    assert.ok(sessions.every((s) => s.userId === init.user.id), "no other user's session");
  });
});

describe("outbox", () => {
  test("100 messages written offline are readable at once and reach the server exactly once, a lost answer included", async () => {
    const user = await portal.user("offline");
    const network = new Network();
    const connectivity = new ManualConnectivity(false);
    const app = client(user, { fetch: network.fetch, connectivity });
    const session = await app.createChatSession("Offline chat");
    assert.match(session.id, /^tmp-/);
    for (let i = 0; i < 100; i++) await app.addMessage(session.id, i % 2 ? "assistant" : "user", `message ${i}`);
    assert.equal((await app.messages(session.id)).length, 100, "optimistic: the app reads them at once");
    assert.equal(network.calls.length, 0, "nothing is sent while offline");

    network.loseNextAnswerTo = "/api/chat/messages/batch"; // the server stores the batch, the answer is lost
    connectivity.set(true);
    await until(async () => (await app.outbox.pending()).length === 0 && (await app.outbox.failed()).length === 0, 60_000, "the outbox to drain");

    const [stored] = await app.chatSessions();
    assert.doesNotMatch(stored.id, /^tmp-/, "the temporary id was replaced by the server's");
    const messages = await serverMessages(user.token, stored.id);
    assert.equal(messages.length, 100);
    assert.equal(new Set(messages.map((m) => m.clientId)).size, 100);
    assert.ok(network.count("/api/chat/messages/batch") >= 2, "the batch was sent again after the lost answer");
    const local = await app.messages(stored.id);
    assert.equal(local.length, 100);
    assert.deepEqual(local.map((m) => m.id).sort(), messages.map((m) => m.id).sort(), "local rows carry the server ids");
  });

  test("chat messages go in a batch after 2 s or at once at 15", async () => {
    const user = await portal.user("batching");
    const clock = new FakeClock();
    const network = new Network();
    const app = client(user, { fetch: network.fetch, clock });
    const session = (await portal.json("POST", "/api/chat/sessions", { token: user.token, body: { title: "Batching" } })).body.data;
    await app.pull();

    for (let i = 0; i < 14; i++) await app.addMessage(session.id, "user", `m${i}`);
    await app.outbox.flush();
    assert.equal(network.count("/batch"), 0, "14 messages wait for the timer");
    await app.addMessage(session.id, "user", "m14");
    await until(() => network.count("/batch") === 1, 10_000, "the 15th message to send the batch");
    await until(async () => (await app.outbox.pending()).length === 0);

    await app.addMessage(session.id, "user", "alone");
    await app.outbox.flush();
    assert.equal(network.count("/batch"), 1);
    assert.equal(clock.fireNext(), 2000, "one message is sent 2 s later");
    await until(async () => (await app.outbox.pending()).length === 0, 10_000, "the timed batch");
    assert.equal(network.count("/batch"), 2);
    assert.equal((await serverMessages(user.token, session.id)).length, 16);
  });

  test("backoff with a fake clock: 1, 2, 4, 8, 16 s within ±20%, failed after 5 retries, then retryable by the app", async () => {
    const user = await portal.user("backoff");
    const clock = new FakeClock();
    const network = new Network();
    const failures = [];
    const app = client(user, { fetch: network.fetch, clock, events: { failed: (entry, error) => failures.push({ entry, error }) } });
    const session = (await portal.json("POST", "/api/chat/sessions", { token: user.token, body: { title: "Backoff" } })).body.data;

    network.down = true;
    await app.addMessage(session.id, "user", "will wait");
    const attempts = [];
    let expected = 1;
    assert.equal(clock.fireNext(), 2000); // the batch timer
    for (;;) {
      await until(() => network.count("/batch") === expected, 10_000, `attempt ${expected}`);
      attempts.push(clock.now());
      // Wait until the failure is recorded: a timer for the next try, or the entry failed.
      await until(async () => clock.pending > 0 || (await app.outbox.failed()).length > 0, 10_000, "the failure to be recorded");
      if ((await app.outbox.failed()).length > 0) break;
      clock.fireNext();
      expected++;
    }
    const waits = attempts.slice(1).map((t, i) => (t - attempts[i]) / 1000);
    assert.equal(waits.length, 5, `waits ${waits}`);
    for (const [i, nominal] of [1, 2, 4, 8, 16].entries())
      assert.ok(waits[i] >= nominal * 0.8 && waits[i] <= nominal * 1.2, `retry ${i + 1} waited ${waits[i]} s, nominal ${nominal} s`);
    assert.equal(clock.pending, 0, "no sixth retry");
    const [failed] = await app.outbox.failed();
    assert.equal(failed.retries, 5);
    assert.equal(failed.lastError.code, "network_error");
    assert.equal(failures.length, 1);
    assert.ok(failures[0].error instanceof NetworkError);

    network.down = false;
    await app.outbox.retry();
    await until(async () => (await app.outbox.pending()).length === 0 && (await app.outbox.failed()).length === 0, 10_000, "the retried entry");
    assert.equal((await serverMessages(user.token, session.id)).length, 1);
  });

  test("storage mode: local-only keeps writes on the device until a flag turns syncing on; server mode sends at once", async () => {
    const user = await portal.user("modes");
    const network = new Network();
    const clock = new FakeClock();
    const app = client(user, { fetch: network.fetch, clock, mode: undefined });
    await app.signIn();
    assert.equal(app.mode, "local-only");
    const session = await app.createChatSession("Local first");
    await app.addMessage(session.id, "user", "only here for now");
    await app.outbox.flush();
    assert.equal(network.calls.filter((c) => c.method === "POST").length, 0, "local-only: nothing leaves the device");
    assert.equal((await app.outbox.pending()).length, 2, "the writes wait in the syncQueue");

    const flag = await portal.json("POST", "/api/admin/features", { token: portal.adminToken, body: { name: "storage.serverMode", state: "targeted", users: [user.email] } });
    assert.equal(flag.status, 201, JSON.stringify(flag.body));
    await app.pull();
    assert.equal(app.mode, "server");
    // Server mode: no batch delay, the queued session and message go without the 2 s timer.
    await until(async () => (await app.outbox.pending()).length === 0, 10_000, "the queue to empty after the switch");
    const [stored] = await app.chatSessions();
    assert.equal((await serverMessages(user.token, stored.id)).length, 1);
    await app.addMessage(stored.id, "user", "straight to the server");
    await until(async () => (await serverMessages(user.token, stored.id)).length === 2, 10_000, "the message without a batch delay");
  });

  test("a Retry-After from the server replaces the computed backoff", async () => {
    const user = await portal.user("retry-after");
    const clock = new FakeClock();
    const network = new Network();
    const waits = [];
    const app = client(user, { fetch: network.fetch, clock, events: { retry: (entry, delay, error) => waits.push({ delay, error }) } });
    const session = (await portal.json("POST", "/api/chat/sessions", { token: user.token, body: { title: "Retry-After" } })).body.data;
    network.refuseNext = { path: "/api/chat/messages/batch", status: 503, retryAfter: 7 };
    await app.addMessage(session.id, "user", "after a 503");
    clock.fireNext(); // the batch timer
    await until(() => waits.length === 1, 10_000, "the 503");
    assert.equal(waits[0].delay, 7000);
    assert.ok(waits[0].error instanceof ApiError);
    assert.equal(waits[0].error.status, 503);
    assert.equal(waits[0].error.retryAfter, 7);
    await until(() => clock.pending === 1, 10_000, "the retry timer");
    assert.equal(clock.fireNext(), 7000);
    await until(async () => (await app.outbox.pending()).length === 0, 10_000, "the retry");
    assert.equal((await serverMessages(user.token, session.id)).length, 1);
  });

  test("the Portal stopped with 20 writes queued and restarted: the queue drains with backoff, nothing lost or duplicated", async () => {
    const user = await portal.user("outage");
    const retries = [];
    const app = client(user, { events: { retry: (entry, delay) => retries.push({ seq: entry.seq, delay }) } });
    const session = (await portal.json("POST", "/api/chat/sessions", { token: user.token, body: { title: "Outage" } })).body.data;

    await portal.stop();
    for (let i = 0; i < 20; i++) await app.addMessage(session.id, "user", `during the outage ${i}`);
    await until(() => retries.length > 0, 30_000, "a failed attempt while the Portal is down");
    const restarting = Date.now();
    await portal.restart();
    const restartMs = Date.now() - restarting;
    // The five retries span 31 s (1+2+4+8+16). On a loaded machine the restart can take longer;
    // then the entries are failed, and the app's retry() (the documented recovery) sends them.
    await until(async () => (await app.outbox.pending()).length === 0, 90_000, "the queue to drain after the restart");
    const gaveUp = (await app.outbox.failed()).length;
    const firstEntry = retries.filter((r) => r.seq === retries[0].seq).map((r) => r.delay);
    console.log(`# the Portal was ready again after ${restartMs} ms; the first entry waited ${firstEntry.join(", ")} ms; ${gaveUp} entries failed before it was back`);
    if (gaveUp > 0) {
      assert.ok(restartMs > 25_000, "entries are only given up when the Portal stayed down through the retries");
      await app.outbox.retry();
      await until(async () => (await app.outbox.pending()).length === 0 && (await app.outbox.failed()).length === 0, 30_000, "the retried entries");
    }
    const messages = await serverMessages(user.token, session.id);
    assert.equal(messages.length, 20);
    assert.equal(new Set(messages.map((m) => m.content)).size, 20);
    assert.ok(firstEntry[0] >= 800 && firstEntry[0] <= 1200, `first wait ${firstEntry[0]} ms`);
    for (let i = 1; i < firstEntry.length; i++) assert.ok(firstEntry[i] > firstEntry[i - 1], `the waits grow: ${firstEntry}`);
  });
});

describe("assets", () => {
  test("an upload interrupted half-way resumes from the server's offset with a new client instance", async () => {
    const user = await portal.user("upload");
    const data = randomBytes(4 * 1024 * 1024);
    const chunk = 2 * 1024 * 1024;
    const first = client(user, { databaseName: "sdk-upload", uploadChunkSize: chunk });
    const handle = first.upload({ file: data, fileName: "big.bin", mediaType: "application/octet-stream", fingerprint: "big.bin-v1",
      onChunkComplete: () => { void handle.pause(); } });
    await until(async () => (await first.db.uploads.count()) === 1, 30_000, "the upload URL to be stored");
    const [{ uploadUrl }] = await first.db.uploads.toArray();
    // Wait until the first chunk is on the server, and the paused upload sends no more.
    const offsetOf = async () => Number((await fetch(uploadUrl, { method: "HEAD", headers: { "Tus-Resumable": "1.0.0", Authorization: `Bearer ${user.token}` } })).headers.get("Upload-Offset"));
    const offset = await until(async () => { const o = await offsetOf(); return o >= chunk ? o : 0; }, 30_000, "the first half");
    assert.equal(offset, chunk, "paused at the chunk boundary: the second half was never sent");
    first.close(); // "a reload": the next instance knows the upload only from IndexedDB

    const second = client(user, { databaseName: "sdk-upload", uploadChunkSize: chunk });
    const offsets = [];
    const result = await second.upload({ file: data, fileName: "big.bin", mediaType: "application/octet-stream", fingerprint: "big.bin-v1",
      onBeforeRequest: (method, url, headers) => { if (method === "PATCH") offsets.push(Number(headers["Upload-Offset"])); } }).done;
    assert.equal(result.url, uploadUrl, "the same upload, not a new one");
    assert.equal(result.resumedFrom, offset);
    assert.equal(offsets[0], offset, "the first PATCH starts at the server's offset");
    const asset = await portal.json("GET", `/api/assets/${result.assetId}`, { token: user.token });
    assert.equal(asset.status, 200, "the asset exists once the last PATCH has answered");
    assert.equal(asset.body.data.sha256, createHash("sha256").update(data).digest("hex"));
    assert.equal(await second.db.uploads.count(), 0, "a finished upload is forgotten");

    // Presigned download into the Blob cache: the second read does not touch the network.
    const network = new Network();
    const reader = client(user, { fetch: network.fetch, blobCacheBytes: 8 * 1024 * 1024 });
    const blob = await reader.downloads.get(result.assetId);
    assert.equal(blob.size, data.length);
    assert.ok(network.calls.some((c) => c.url.includes("sig=") && !c.url.includes("download-url")), "the content came through a presigned URL");
    const calls = network.calls.length;
    assert.equal((await reader.downloads.get(result.assetId)).size, data.length);
    assert.equal(network.calls.length, calls, "served from the cache");
    const bytes = Buffer.from(await blob.arrayBuffer());
    assert.ok(bytes.equals(data));
  });
});

describe("website data", () => {
  test("load with field selection, save with If-Match, a 412 surfaces both versions", async () => {
    const user = await portal.user("website");
    const site = (await portal.json("POST", "/api/websites", { token: user.token, body: { name: "Site", slug: `site-${Date.now()}` } })).body.data;
    const app = client(user);
    const empty = await app.websiteData.load(site.id);
    assert.equal(empty.version, 0);
    const v1 = await app.websiteData.save(site.id, 0, { content: { title: "first" }, assets: { logo: "a.png" } });
    assert.equal(v1, 1);
    const onlyContent = await app.websiteData.load(site.id, ["content"]);
    assert.deepEqual(onlyContent.content, { title: "first" });
    assert.equal("assets" in onlyContent, false, "only the selected section");

    // Another device saves first.
    const other = await portal.json("PUT", `/api/websites/${site.id}/data`, { token: user.token, body: { content: { title: "theirs" } }, headers: { "If-Match": '"1"' } });
    assert.equal(other.status, 200);
    const conflict = await app.websiteData.save(site.id, 1, { content: { title: "mine" } }).catch((e) => e);
    assert.ok(conflict instanceof WebsiteDataConflictError, String(conflict));
    assert.equal(conflict.status, 412);
    assert.equal(conflict.code, "version_conflict");
    assert.equal(conflict.currentVersion, 2);
    assert.deepEqual(conflict.server.content, { title: "theirs" });
    assert.deepEqual(conflict.mine.content, { title: "mine" }, "the server kept mine as a conflict backup");
    assert.equal(conflict.mine.version, conflict.backupVersion);
    assert.equal((await app.websiteData.load(site.id)).version, 2, "server wins");
  });
});

describe("typed errors", () => {
  test("404, 400 with field errors, 401, and a network failure are told apart", async () => {
    const user = await portal.user("errors");
    const app = client(user);
    const missing = await app.api.get(`/api/websites/${crypto.randomUUID()}`).catch((e) => e);
    assert.ok(missing instanceof ApiError);
    assert.equal(missing.status, 404);
    assert.equal(missing.code, "not_found");
    const invalid = await app.api.post("/api/projects", { name: "" }).catch((e) => e);
    assert.equal(invalid.status, 400);
    assert.equal(invalid.code, "validation_failed");
    assert.ok(Object.keys(invalid.errors).length > 0);
    assert.equal(invalid.retryable, false);
    const stranger = new CatalystClient({ baseUrl: portal.baseUrl, token: "cat_not-a-real-token", databaseName: "sdk-stranger" });
    clients.push(stranger);
    const unauthorized = await stranger.api.get("/api/sync/init").catch((e) => e);
    assert.ok(unauthorized instanceof ApiError);
    assert.equal(unauthorized.status, 401);
    const nowhere = new CatalystClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, token: user.token, databaseName: "sdk-nowhere" });
    clients.push(nowhere);
    const down = await nowhere.api.get("/api/sync/init").catch((e) => e);
    assert.ok(down instanceof NetworkError);
    assert.equal(down instanceof ApiError, false);
  });
});
