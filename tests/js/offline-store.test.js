// The offline store's logic (in memory: IndexedDB is the browser's) and the upload of the queue.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createUploader, outcomeOf, uploadBody } from "../../static/js/door/offline-queue.js";
import { createOfflineStore, datasetRecord, memoryBackend, queueItem } from "../../static/js/door/offline-store.js";

const LOOKUP = "F3pRPl7MNznzaAJT_WXyZw";
const scan = (nonce, extra = {}) => ({
  nonce,
  lookup: LOOKUP,
  direction: "in",
  scanned_at: "2026-12-04T10:00:00+08:00",
  offline_result: "ok",
  ...extra,
});

test("the dataset is kept as sent, with when it was fetched; nothing else", async () => {
  const answer = { format: 1, version: "v1", generated_at: "g", complete: true, kdf: { salt: "s" }, entries: [["a", "b", "c"]], extra: "x" };
  assert.deepEqual(datasetRecord(answer, "t"), { format: 1, version: "v1", generated_at: "g", complete: true, kdf: { salt: "s" }, entries: [["a", "b", "c"]], fetched_at: "t" });
  assert.equal(datasetRecord({ ...answer, cursor: "1.x.2.3" }, "t").cursor, "1.x.2.3");
  const store = createOfflineStore(memoryBackend());
  assert.equal(await store.dataset(), null);
  assert.equal(await store.touchDataset("t0"), null);
  await store.saveDataset(answer, "t1");
  assert.equal((await store.touchDataset("t2")).fetched_at, "t2");
  assert.equal((await store.dataset()).version, "v1");
});

test("a delta replaces the held entries with the same lookup, adds new ones, keeps the rest", async () => {
  const store = createOfflineStore(memoryBackend());
  const whole = { format: 1, version: "v1", cursor: "1.s.10.3", complete: true, kdf: { salt: "s" }, delta: false };
  await store.saveDataset({ ...whole, entries: [["a", "1", "old-a"], ["c", "1", "old-c"], ["e", "1", "old-e"]] }, "t1");
  const delta = { ...whole, version: "v2", cursor: "1.s.20.4", delta: true, entries: [["c", "2", "new-c"], ["b", "2", "new-b"]] };
  const merged = await store.saveDataset(delta, "t2");
  assert.deepEqual(merged.entries, [["a", "1", "old-a"], ["b", "2", "new-b"], ["c", "2", "new-c"], ["e", "1", "old-e"]]);
  assert.equal(merged.version, "v2");
  assert.equal(merged.cursor, "1.s.20.4");
  assert.deepEqual(await store.dataset(), merged);
  // A whole dataset (delta false) replaces everything.
  const replaced = await store.saveDataset({ ...whole, version: "v3", entries: [["z", "3", "z"]] }, "t3");
  assert.deepEqual(replaced.entries, [["z", "3", "z"]]);
  assert.equal(datasetRecord({ ...delta }, "t", null).entries.length, 2); // nothing held: the delta as it is
});

test("a queued scan holds its lookup, never a code", () => {
  assert.deepEqual(queueItem(scan("n1")), { ...scan("n1"), tried: 0 });
  assert.throws(() => queueItem(scan("n1", { code: "K7QF-3M2X" })), /not code/);
  assert.throws(() => queueItem(scan("n1", { name: "Li Wei" })), /not name/);
  assert.throws(() => queueItem(scan("n1", { lookup: "" })), /lookup/);
  assert.throws(() => queueItem(scan("n1", { offline_result: "maybe" })), /offline result/);
});

test("the device log keeps passages by ref, in time order; wipe forgets everything", async () => {
  const backend = memoryBackend();
  const store = createOfflineStore(backend);
  await store.addPassage("r1", "in", "2026-12-04T10:05:00Z", "North door");
  await store.addPassage("r1", "out", "2026-12-04T10:01:00Z", "North door");
  assert.deepEqual((await store.passages("r1")).map((p) => p.direction), ["out", "in"]);
  assert.deepEqual(await store.passages("r2"), []);
  await store.saveDataset({ version: "v" });
  await store.enqueue(scan("n1"));
  await store.wipe();
  assert.equal(await store.dataset(), null);
  assert.deepEqual(await store.passages("r1"), []);
  assert.deepEqual(await store.queued(), []);
  for (const map of Object.values(backend.stores)) assert.equal(map.size, 0);
});

test("the queue uploads oldest first, the format's fields only, and stops at no answer", async () => {
  const store = createOfflineStore(memoryBackend());
  for (const nonce of ["n1", "n2", "n3"]) await store.enqueue(scan(nonce));
  const bodies = [];
  let failAt = "n2";
  const post = async (body) => {
    bodies.push(body);
    if (body.nonce === failAt) throw new Error("offline");
    return { status: 200, data: { result: "ok" } };
  };
  const outcomes = [];
  const uploader = createUploader({ store, post, onOutcome: (item, outcome) => outcomes.push([item.nonce, outcome.kind]) });
  const first = await uploader.flush();
  assert.equal(first.sent, 1);
  assert.deepEqual(bodies[0], uploadBody(scan("n1")));
  assert.deepEqual(Object.keys(bodies[0]).sort(), ["direction", "lookup", "nonce", "offline_result", "scanned_at"]);
  assert.deepEqual((await store.queued()).map((i) => [i.nonce, i.tried]), [["n2", 1], ["n3", 0]]);
  failAt = null;
  await uploader.flush();
  assert.deepEqual(bodies.map((b) => b.nonce), ["n1", "n2", "n2", "n3"]);
  assert.deepEqual(outcomes, [["n1", "judged"], ["n2", "retry"], ["n2", "judged"], ["n3", "judged"]]);
  assert.deepEqual(await store.queued(), []);
});

test("a 409 or 422 drops the scan; a 5xx, 429 or 404 keeps it", async () => {
  assert.equal(outcomeOf({ status: 409, data: { error: { code: "nonce_reused" } } }).kind, "rejected");
  assert.equal(outcomeOf({ status: 422, data: { error: {} } }).kind, "rejected");
  for (const status of [404, 429, 500, 503]) assert.equal(outcomeOf({ status, data: null }).kind, "retry");
  assert.equal(outcomeOf(null).kind, "retry");
  const store = createOfflineStore(memoryBackend());
  await store.enqueue(scan("n1"));
  await store.enqueue(scan("n2"));
  const answers = { n1: { status: 409, data: { error: { code: "nonce_reused" } } }, n2: { status: 503, data: null } };
  const uploader = createUploader({ store, post: async (body) => answers[body.nonce] });
  assert.deepEqual(await uploader.flush(), { sent: 1, stopped: { kind: "retry", result: answers.n2 } });
  assert.deepEqual((await store.queued()).map((i) => i.nonce), ["n2"]);
});

test("one tab uploads: with the lock taken elsewhere, nothing is sent", async () => {
  const store = createOfflineStore(memoryBackend());
  await store.enqueue(scan("n1"));
  const taken = { request: async (_name, options, callback) => callback(null) };
  let posts = 0;
  const uploader = createUploader({ store, post: async () => (posts++, { status: 200, data: { result: "ok" } }), locks: taken });
  assert.deepEqual(await uploader.flush(), { sent: 0, stopped: "locked" });
  assert.equal(posts, 0);
  const free = { request: async (_name, options, callback) => callback({ name: "lock" }) };
  assert.equal((await createUploader({ store, post: async () => ({ status: 200, data: { result: "ok" } }), locks: free }).flush()).sent, 1);
});

test("two flushes at once upload each scan once", async () => {
  const store = createOfflineStore(memoryBackend());
  await store.enqueue(scan("n1"));
  let posts = 0;
  const uploader = createUploader({ store, post: async () => (posts++, { status: 200, data: { result: "ok" } }) });
  await Promise.all([uploader.flush(), uploader.flush()]);
  assert.equal(posts, 1);
});
