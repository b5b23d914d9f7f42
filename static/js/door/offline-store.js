// What a gate keeps on the device to judge scans offline, in IndexedDB (one database per event and
// gate): the offline dataset as the server sent it (encrypted entries, kdf, version, when fetched),
// the device's own log (ref → the passages it let through) and the queue of scans judged offline
// ({nonce, lookup, direction, scanned_at, offline_result}). Nothing in clear: no name, e-mail,
// short code or QR payload is ever written here — the details opened from a scan live in memory.
//
// openOfflineStore(name) uses IndexedDB; createOfflineStore(memoryBackend()) runs the same logic
// without it (node's tests, or a browser that refuses IndexedDB: kept until the page closes).

const DB_VERSION = 1;
const STORES = ["dataset", "log", "queue"];
const DATASET_KEY = "current";
const DATASET_FIELDS = ["format", "version", "cursor", "generated_at", "complete", "kdf", "entries"];
const QUEUE_FIELDS = ["nonce", "lookup", "direction", "scanned_at", "offline_result"];
const RESULTS = ["ok", "already_checked_in", "invalid", "cancelled", "not_confirmed", "not_inside"];

function pick(source, fields) {
  const copy = {};
  for (const name of fields) if (source[name] !== undefined) copy[name] = source[name];
  return copy;
}

/** A queued scan, exactly the fields the upload sends: refused if it carries anything else (a code). */
export function queueItem(scan) {
  const extra = Object.keys(scan).filter((name) => !QUEUE_FIELDS.includes(name) && name !== "seq" && name !== "tried");
  if (extra.length) throw new Error(`a queued scan holds only ${QUEUE_FIELDS.join(", ")}, not ${extra.join(", ")}`);
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(scan.lookup || "")) throw new Error("a queued scan needs its lookup");
  if (!RESULTS.includes(scan.offline_result)) throw new Error(`no such offline result: ${scan.offline_result}`);
  return { ...pick(scan, QUEUE_FIELDS), tried: scan.tried || 0 };
}

/**
 * The dataset as the server sent it, and when it was fetched: nothing more, nothing opened. A delta
 * (`"delta": true`, the answer to `?since=`) carries only the entries of registrations changed
 * since: each replaces the held entry with the same lookup (a ticket's lookups never change), new
 * lookups are added, the others stand.
 */
export function datasetRecord(answer, fetchedAt, held = null) {
  const record = { ...pick(answer, DATASET_FIELDS), fetched_at: fetchedAt };
  if (answer.delta && held && Array.isArray(held.entries)) {
    const merged = new Map(held.entries.map((entry) => [entry[0], entry]));
    for (const entry of answer.entries) merged.set(entry[0], entry);
    record.entries = [...merged.values()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
  return record;
}

/**
 * The same logic on any backend: {get(store, key), add(store, value) → its new key, put(store, value, key),
 * delete(store, key), all(store), clear(store)}.
 */
export function createOfflineStore(backend) {
  return {
    async dataset() {
      return (await backend.get("dataset", DATASET_KEY)) || null;
    },
    /** Keep the server's answer: a whole dataset replaces the held one, a delta is merged into it. */
    async saveDataset(answer, fetchedAt = new Date().toISOString()) {
      const record = datasetRecord(answer, fetchedAt, answer.delta ? await this.dataset() : null);
      await backend.put("dataset", record, DATASET_KEY);
      return record;
    },
    /** An unchanged dataset (304): only when it was last confirmed. */
    async touchDataset(fetchedAt = new Date().toISOString()) {
      const record = await this.dataset();
      if (!record) return null;
      record.fetched_at = fetchedAt;
      await backend.put("dataset", record, DATASET_KEY);
      return record;
    },
    /** The passages this device let through for a ref, oldest first. */
    async passages(ref) {
      const entry = await backend.get("log", ref);
      return entry ? entry.passages : [];
    },
    async addPassage(ref, direction, at, gate) {
      const passages = [...(await this.passages(ref)), { direction, at, gate }];
      passages.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      await backend.put("log", { ref, passages });
      return passages;
    },
    async enqueue(scan) {
      const item = queueItem(scan);
      item.seq = await backend.add("queue", item); // the store numbers them: oldest first, across tabs and reloads
      return item;
    },
    /** The queued scans, oldest first. */
    async queued() {
      const items = await backend.all("queue");
      return items.sort((a, b) => a.seq - b.seq);
    },
    async update(item) {
      await backend.put("queue", item);
    },
    async dequeue(seq) {
      await backend.delete("queue", seq);
    },
    /** The dataset and the device log gone, the queue kept (a gate that became online-only). */
    async forgetDataset() {
      await backend.clear("dataset");
      await backend.clear("log");
    },
    /** Everything this gate keeps on the device, gone ("Leave this gate", a revoked door link). */
    async wipe() {
      for (const store of STORES) await backend.clear(store);
      if (backend.destroy) await backend.destroy();
    },
  };
}

/** The same stores in memory. */
export function memoryBackend() {
  const stores = Object.fromEntries(STORES.map((name) => [name, new Map()]));
  const keyOf = (store, value, key) => key ?? (store === "log" ? value.ref : value.seq);
  const copy = (value) => (value === undefined ? undefined : structuredClone(value));
  let lastSeq = 0;
  return {
    stores,
    async add(store, value) {
      const seq = ++lastSeq;
      stores[store].set(seq, copy({ ...value, seq }));
      return seq;
    },
    async get(store, key) {
      return copy(stores[store].get(key));
    },
    async put(store, value, key) {
      stores[store].set(keyOf(store, value, key), copy(value));
    },
    async delete(store, key) {
      stores[store].delete(key);
    },
    async all(store) {
      return [...stores[store].values()].map(copy);
    },
    async clear(store) {
      stores[store].clear();
    },
  };
}

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** IndexedDB: the database `name`, with the stores dataset (out-of-line key), log (by ref) and queue (by seq, numbered by the store). */
export async function idbBackend(name) {
  const opening = indexedDB.open(name, DB_VERSION);
  opening.onupgradeneeded = () => {
    const db = opening.result;
    if (!db.objectStoreNames.contains("dataset")) db.createObjectStore("dataset");
    if (!db.objectStoreNames.contains("log")) db.createObjectStore("log", { keyPath: "ref" });
    if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
  };
  let db = await promised(opening);
  db.onversionchange = () => db.close(); // another tab wipes it: let it
  const run = (store, mode, action) => {
    if (!db) throw new Error("the offline store was wiped");
    const transaction = db.transaction(store, mode);
    const result = promised(action(transaction.objectStore(store)));
    return new Promise((resolve, reject) => {
      transaction.oncomplete = () => resolve(result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  };
  return {
    get: (store, key) => run(store, "readonly", (s) => s.get(key)),
    add: (store, value) => run(store, "readwrite", (s) => s.add(value)),
    put: (store, value, key) => run(store, "readwrite", (s) => (key === undefined ? s.put(value) : s.put(value, key))),
    delete: (store, key) => run(store, "readwrite", (s) => s.delete(key)),
    all: (store) => run(store, "readonly", (s) => s.getAll()),
    clear: (store) => run(store, "readwrite", (s) => s.clear()),
    async destroy() {
      db.close();
      db = null;
      await promised(indexedDB.deleteDatabase(name)).catch(() => {});
    },
  };
}

/** The gate's store in IndexedDB; in memory where the browser refuses IndexedDB. */
export async function openOfflineStore(name) {
  try {
    return createOfflineStore(await idbBackend(name));
  } catch {
    return createOfflineStore(memoryBackend());
  }
}
