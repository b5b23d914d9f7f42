// The scans this gate has not had judged yet, kept in storage shared by the browser's tabs, and
// their sending and retries. No DOM: the page hands in localStorage, the request that posts a scan,
// the clock, the timers and the browser's lock manager, so node's test runner can drive it.
//
// Every scan gets a random nonce and is stored before it is sent; it leaves the store only once
// the server has judged it or refused it for good. A scan whose request failed is sent again with
// the same nonce and the time it was made, so the server records it once, at the right time.

// A scan that got no verdict is sent again after 5 s, then twice as long after each attempt that
// fails again, at most a minute apart; any verdict starts over at 5 s.
const RETRY_FIRST_MS = 5000;
const RETRY_MAX_MS = 60000;
const OTHER_TAB_GRACE_MS = 10000; // longer than a request may take: a scan another tab sent is its own until then

// Answers about the scan itself (malformed, far too long, 409 nonce_reused: its nonce was used for
// another code or direction): sending it again would get the same answer. Any other answer keeps
// the scan: 401/403/404 mean this browser is no longer signed in at the gate (the scan goes when the
// door link is opened here again), 429 and 5xx that the server is busy or broken for now.
const FINAL_STATUSES = new Set([400, 409, 413, 415, 422]);

function randomId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * What one attempt came to, from the server's {status, data}:
 * "judged" (a verdict, in `answer`), "rejected" (refused for good) or "retry" (keep it and try again).
 */
export function outcomeOf(result) {
  if (result.status === 200 && typeof result.data?.result === "string") return { kind: "judged", answer: result.data };
  if (FINAL_STATUSES.has(result.status) && result.data?.error) return { kind: "rejected", result };
  return { kind: "retry", result };
}

const NO_ANSWER = { kind: "retry", result: null }; // offline, or the request failed on the way

/** The kept scans as a list in storage; in memory instead when storage cannot be used (private mode, full). */
class KeptScans {
  #storage;
  #key;
  #memory = null;

  constructor(storage, key) {
    this.#storage = storage;
    this.#key = key;
  }

  all() {
    if (this.#memory) return this.#memory.slice();
    try {
      const items = JSON.parse(this.#storage.getItem(this.#key) || "[]");
      return Array.isArray(items) ? items : [];
    } catch {
      return [];
    }
  }

  add(scan) {
    this.#save([...this.all(), scan]);
  }

  update(nonce, changes) {
    this.#save(this.all().map((scan) => (scan.nonce === nonce ? { ...scan, ...changes } : scan)));
  }

  remove(nonce) {
    this.#save(this.all().filter((scan) => scan.nonce !== nonce));
  }

  has(nonce) {
    return this.all().some((scan) => scan.nonce === nonce);
  }

  #save(items) {
    if (!this.#memory) {
      try {
        this.#storage.setItem(this.#key, JSON.stringify(items));
        return;
      } catch {
        this.#memory = [];
      }
    }
    this.#memory = items.slice();
  }
}

export class ScanQueue {
  #kept;
  #lockName;
  #post;
  #tabId;
  #now;
  #isOnline;
  #locks;
  #timers;
  #onChange;
  #onKeptOutcome;
  #inFlight = new Set(); // nonces this tab is sending right now
  #flushing = false;
  #retryTimer = 0;
  #failures = 0; // attempts in a row that got no verdict

  /**
   * storage: localStorage or anything with its getItem/setItem; key: where the scans are kept;
   * post(body): sends one scan, resolves to {status, data}, throws when there is no answer;
   * onChange(): the number of scans waiting may have changed;
   * onKeptOutcome(scan, outcome): a kept scan was sent again, with this outcome.
   */
  constructor({
    storage,
    key,
    post,
    tabId = randomId(),
    now = Date.now,
    isOnline = () => true,
    locks = null,
    timers = globalThis,
    onChange = () => {},
    onKeptOutcome = () => {},
  }) {
    this.#kept = new KeptScans(storage, key);
    this.#lockName = `${key}:flush`;
    this.#post = post;
    this.#tabId = tabId;
    this.#now = now;
    this.#isOnline = isOnline;
    this.#locks = locks;
    this.#timers = timers;
    this.#onChange = onChange;
    this.#onKeptOutcome = onKeptOutcome;
  }

  /** A new scan of `code`, made at `scannedAt` (an ISO time), not yet stored. */
  newScan(code, direction, scannedAt) {
    return { code, direction, nonce: randomId(), scanned_at: scannedAt, tried: 0, tab: this.#tabId };
  }

  /** Every scan kept, oldest first. */
  kept() {
    return this.#kept.all();
  }

  /** How many kept scans are waiting: not being sent by this tab right now. */
  waiting() {
    return this.kept().filter((scan) => !this.#inFlight.has(scan.nonce)).length;
  }

  /** Store a fresh scan and send it; resolves to its outcome. One that gets no verdict is retried later. */
  async submit(scan) {
    this.#kept.add(scan);
    const hadFailures = this.#failures > 0;
    const outcome = await this.#sendTracked(scan);
    if (outcome.kind === "retry") this.#scheduleRetry();
    else if (hadFailures && this.waiting()) this.flush(); // the server answers again: the kept scans need not wait
    return outcome;
  }

  /** Send the kept scans, oldest first; stop at the first that gets no verdict again. */
  async flush() {
    this.#timers.clearTimeout(this.#retryTimer);
    if (this.#flushing || !this.#isOnline()) return; // the page flushes again when it is back online
    this.#flushing = true;
    try {
      if (this.#locks) {
        // One tab of this browser sends them; the others find the lock taken and leave them.
        await this.#locks.request(this.#lockName, { ifAvailable: true }, (lock) => lock && this.#sendKept());
      } else {
        await this.#sendKept();
      }
    } finally {
      this.#flushing = false;
      this.#onChange();
      if (this.kept().length) this.#scheduleRetry();
    }
  }

  async #sendKept() {
    for (const scan of this.kept()) {
      if (this.#inFlight.has(scan.nonce) || !this.#kept.has(scan.nonce)) continue;
      if (scan.tab !== this.#tabId && this.#now() - scan.tried < OTHER_TAB_GRACE_MS) continue; // still being sent there
      const outcome = await this.#sendTracked({ ...scan, tried: scan.tried || 1 });
      this.#onKeptOutcome(scan, outcome);
      if (outcome.kind === "retry") break;
    }
  }

  async #sendTracked(scan) {
    this.#inFlight.add(scan.nonce);
    let outcome;
    try {
      outcome = await this.#send(scan);
    } finally {
      this.#inFlight.delete(scan.nonce);
    }
    this.#failures = outcome.kind === "retry" ? this.#failures + 1 : 0;
    this.#onChange();
    return outcome;
  }

  /** One attempt; a scan that was judged or refused for good leaves the store. */
  async #send(scan) {
    if (!this.#isOnline()) return NO_ANSWER;
    const body = { code: scan.code, direction: scan.direction, nonce: scan.nonce };
    if (scan.tried) body.scanned_at = scan.scanned_at; // a retry: when it was really scanned
    this.#kept.update(scan.nonce, { tried: this.#now(), tab: this.#tabId });
    let result;
    try {
      result = await this.#post(body);
    } catch {
      return NO_ANSWER;
    }
    const outcome = outcomeOf(result);
    if (outcome.kind !== "retry") this.#kept.remove(scan.nonce);
    return outcome;
  }

  #scheduleRetry() {
    const delay = Math.min(RETRY_FIRST_MS * 2 ** Math.max(this.#failures - 1, 0), RETRY_MAX_MS);
    this.#timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = this.#timers.setTimeout(() => this.flush(), delay);
  }
}
