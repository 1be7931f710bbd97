// The sdk-sync bench's Node side (tests/Bench, scenario sdk-sync): seconds for a fresh client to
// sign-in sync into its store, against the same HTTP requests fetched and parsed without a store.
// Usage: node bench/sdk-sync.mjs <baseUrl> <token> <rounds>   → one JSON line on stdout.
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { CatalystClient } from "../dist/index.js";

const [baseUrl, token, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 5);
const headers = { Authorization: `Bearer ${token}`, Accept: "application/json" };

async function bare() {
  // What the SDK asks for: the init, then every page of the sessions the init leaves out.
  const init = JSON.parse(await (await fetch(`${baseUrl}/api/sync/init`, { headers })).text());
  let sessions = init.data.chatSessions.length;
  if (sessions >= 50) {
    sessions = 0;
    for (let page = 1; ; page++) {
      const answer = JSON.parse(await (await fetch(`${baseUrl}/api/chat/sessions?page=${page}&pageSize=100`, { headers })).text());
      sessions += answer.data.length;
      if (sessions >= answer.meta.total || answer.data.length < 100) break;
    }
  }
  return { projects: init.data.projects.length, sessions };
}

async function sdk(round) {
  const client = new CatalystClient({ baseUrl, token, databaseName: `bench-${round}`, indexedDB: new IDBFactory(), IDBKeyRange, mode: "hybrid" });
  await client.db.open();
  const started = performance.now();
  await client.sync.init();
  const seconds = (performance.now() - started) / 1000;
  const counts = { projects: await client.db.projects.count(), sessions: await client.db.chatSessions.count() };
  client.close();
  return { seconds, counts };
}

const catalyst = [];
const baseline = [];
let counts;
await sdk(-1); // warm-up: JIT, connection, the server's metadata cache
await bare();
for (let round = 0; round < rounds; round++) {
  const started = performance.now();
  const bareCounts = await bare();
  baseline.push((performance.now() - started) / 1000);
  const result = await sdk(round);
  catalyst.push(result.seconds);
  counts = result.counts;
  if (counts.projects !== bareCounts.projects || counts.sessions !== bareCounts.sessions)
    throw new Error(`The store holds ${JSON.stringify(counts)}, the server ${JSON.stringify(bareCounts)}.`);
}
console.log(JSON.stringify({ catalyst, baseline, ...counts }));
