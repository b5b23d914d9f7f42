// Uploading the scans judged offline, once the server answers again: oldest first, each with its
// nonce, its scanned_at (the server's clock when it was scanned), its lookup (never the code) and
// the verdict the gate showed (offline_result). The server judges each at the time it happened; the
// nonce makes a retry safe (the same scan is recorded once). No DOM: the page hands in the store,
// the request and the browser's lock manager (one tab of the browser uploads), so node can test it.
//
// It replaces the earlier localStorage queue (scan-queue.js), which kept codes in clear; its ideas
// stay: a nonce for every scan, scanned_at from the server's clock, one tab sending via navigator.locks.

// Answers about the scan itself (409 nonce_reused, 422 a scanned_at out of range, a malformed body):
// sending it again would get the same answer, so it leaves the queue and the gate sees why. Any other
// answer (no answer, 401/403/404, 429, 5xx) keeps it for the next attempt.
const FINAL_STATUSES = new Set([400, 409, 413, 415, 422]);

export function randomNonce() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** What one upload came to: "judged" (answer), "rejected" (dropped for good, result) or "retry". */
export function outcomeOf(result) {
  if (!result) return { kind: "retry", result: null };
  if (result.status === 200 && typeof result.data?.result === "string") return { kind: "judged", answer: result.data };
  if (FINAL_STATUSES.has(result.status)) return { kind: "rejected", result };
  return { kind: "retry", result };
}

/** The body of an offline scan's upload: nothing but the format's fields. */
export function uploadBody(item) {
  return {
    lookup: item.lookup,
    direction: item.direction,
    nonce: item.nonce,
    scanned_at: item.scanned_at,
    offline_result: item.offline_result,
  };
}

/**
 * store: offline-store.js's; post(body) → {status, data}, throws when there is no answer;
 * locks: navigator.locks or null; lockName: one per gate; onOutcome(item, outcome) after each upload.
 */
export function createUploader({ store, post, locks = null, lockName = "eventsys-door-upload", onOutcome = () => {} }) {
  let running = null;

  async function uploadAll() {
    let sent = 0;
    for (const item of await store.queued()) {
      let result = null;
      try {
        result = await post(uploadBody(item));
      } catch {
        result = null;
      }
      const outcome = outcomeOf(result);
      if (outcome.kind === "retry") {
        await store.update({ ...item, tried: (item.tried || 0) + 1 });
        onOutcome(item, outcome);
        return { sent, stopped: outcome };
      }
      await store.dequeue(item.seq);
      sent += 1;
      onOutcome(item, outcome);
    }
    return { sent, stopped: null };
  }

  /** Upload the queue, oldest first, stopping at the first scan that gets no verdict; one run at a time. */
  function flush() {
    if (running) return running;
    running = (async () => {
      try {
        if (!locks) return await uploadAll();
        // One tab of this browser uploads; another finds the lock taken and leaves the queue to it.
        return await locks.request(lockName, { ifAvailable: true }, (lock) => (lock ? uploadAll() : { sent: 0, stopped: "locked" }));
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return { flush };
}
