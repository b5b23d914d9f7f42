// The door page's scan queue without a browser: storage, the server, the clock and the timers are
// fakes the tests control. Run with `node --test tests/js/`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { outcomeOf, ScanQueue } from "../../static/js/door/scan-queue.js";

const KEY = "eventsys:door-queue:/events/demo/door/scan";
const SCANNED_AT = "2027-06-18T01:30:00.000Z";

class MemoryStorage {
  #values = new Map();

  getItem(key) {
    return this.#values.has(key) ? this.#values.get(key) : null;
  }

  setItem(key, value) {
    this.#values.set(key, String(value));
  }
}

class FullStorage extends MemoryStorage {
  setItem() {
    throw new Error("QuotaExceededError");
  }
}

/** setTimeout/clearTimeout that only record; run() fires the earliest and waits for what it started. */
class FakeTimers {
  pending = [];

  setTimeout(callback, delay) {
    const timer = { callback, delay };
    this.pending.push(timer);
    return timer;
  }

  clearTimeout(timer) {
    this.pending = this.pending.filter((pending) => pending !== timer);
  }

  delays() {
    return this.pending.map((timer) => timer.delay);
  }

  async run() {
    const [timer] = this.pending.splice(0, 1);
    assert.ok(timer, "no timer is pending");
    await timer.callback();
  }
}

const verdict = (body) => ({ status: 200, data: { result: "ok", message: `Welcome, ${body.code}` } });
const error = (status, code) => () => ({ status, data: { error: { code, message: `refused: ${code}` } } });
const serverError = () => ({ status: 503, data: null });
const networkError = () => {
  throw new TypeError("Failed to fetch");
};

/** The server: records each body posted, answers with the next of `answers` (then with verdicts). */
class FakeServer {
  bodies = [];
  answers;

  constructor(...answers) {
    this.answers = answers;
  }

  post = async (body) => {
    this.bodies.push(body);
    const answer = this.answers.shift() || verdict;
    return answer(body);
  };
}

function gate({ storage = new MemoryStorage(), server = new FakeServer(), tabId = "tab-1", locks = null } = {}) {
  const clock = { now: 1_000_000 };
  const network = { online: true };
  const timers = new FakeTimers();
  const kept = [];
  const queue = new ScanQueue({
    storage,
    key: KEY,
    post: server.post,
    tabId,
    now: () => clock.now,
    isOnline: () => network.online,
    locks,
    timers,
    onKeptOutcome: (scan, outcome) => kept.push({ code: scan.code, kind: outcome.kind }),
  });
  return { queue, storage, server, clock, network, timers, kept };
}

const nonces = (scans) => scans.map((scan) => scan.nonce);

describe("a fresh scan", () => {
  test("is posted with its nonce and without scanned_at (the server's clock decides), and leaves the queue once judged", async () => {
    const { queue, server, timers } = gate();
    const scan = queue.newScan("K7QF-3M2X", "in", SCANNED_AT);

    const outcome = await queue.submit(scan);

    assert.deepEqual(outcome, { kind: "judged", answer: { result: "ok", message: "Welcome, K7QF-3M2X" } });
    assert.deepEqual(server.bodies, [{ code: "K7QF-3M2X", direction: "in", nonce: scan.nonce }]);
    assert.deepEqual(queue.kept(), []);
    assert.deepEqual(timers.pending, []);
  });

  test("is stored before it is sent, and not counted as waiting while this tab sends it", async () => {
    let waitingWhileSent;
    let keptWhileSent;
    const server = new FakeServer((body) => {
      keptWhileSent = nonces(queue.kept());
      waitingWhileSent = queue.waiting();
      return verdict(body);
    });
    const { queue } = gate({ server });
    const scan = queue.newScan("K7QF-3M2X", "out", SCANNED_AT);

    await queue.submit(scan);

    assert.deepEqual(keptWhileSent, [scan.nonce]);
    assert.equal(waitingWhileSent, 0);
  });

  test("gets a nonce of its own", () => {
    const { queue } = gate();
    const first = queue.newScan("K7QF-3M2X", "in", SCANNED_AT);
    const second = queue.newScan("K7QF-3M2X", "in", SCANNED_AT);
    assert.notEqual(first.nonce, second.nonce);
  });
});

describe("retries", () => {
  test("a scan made offline is kept, and back online sent with the same nonce and its original scanned_at", async () => {
    const { queue, server, network, clock } = gate();
    network.online = false;
    const scan = queue.newScan("K7QF-3M2X", "in", SCANNED_AT);

    const outcome = await queue.submit(scan);

    assert.deepEqual(outcome, { kind: "retry", result: null });
    assert.deepEqual(server.bodies, []);
    assert.equal(queue.waiting(), 1);

    clock.now += 120_000;
    network.online = true;
    await queue.flush();

    assert.deepEqual(server.bodies, [{ code: "K7QF-3M2X", direction: "in", nonce: scan.nonce, scanned_at: SCANNED_AT }]);
    assert.deepEqual(queue.kept(), []);
  });

  test("a scan whose answer was lost is sent again by the retry timer, with the same nonce and its scanned_at", async () => {
    const { queue, server, timers, kept } = gate({ server: new FakeServer(networkError) });
    const scan = queue.newScan("K7QF-3M2X", "in", SCANNED_AT);

    assert.equal((await queue.submit(scan)).kind, "retry");
    assert.deepEqual(timers.delays(), [5000]);

    await timers.run();

    assert.deepEqual(server.bodies, [
      { code: "K7QF-3M2X", direction: "in", nonce: scan.nonce },
      { code: "K7QF-3M2X", direction: "in", nonce: scan.nonce, scanned_at: SCANNED_AT },
    ]);
    assert.deepEqual(kept, [{ code: "K7QF-3M2X", kind: "judged" }]);
    assert.deepEqual(queue.kept(), []);
    assert.deepEqual(timers.pending, []);
  });

  test("kept scans go oldest first, and sending stops at the first that fails again", async () => {
    const { queue, server, network } = gate();
    network.online = false;
    const scans = ["AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC"].map((code) => queue.newScan(code, "in", SCANNED_AT));
    for (const scan of scans) await queue.submit(scan);
    network.online = true;

    server.answers = [verdict, serverError];
    await queue.flush();

    assert.deepEqual(nonces(server.bodies), nonces(scans.slice(0, 2)));
    assert.deepEqual(nonces(queue.kept()), nonces(scans.slice(1)));

    await queue.flush();

    assert.deepEqual(nonces(server.bodies), nonces([scans[0], scans[1], scans[1], scans[2]]));
    assert.deepEqual(queue.kept(), []);
  });

  test("a network error or a 5xx keeps the scan and schedules a retry", async () => {
    for (const answer of [networkError, serverError]) {
      const { queue, timers } = gate({ server: new FakeServer(answer) });
      const scan = queue.newScan("K7QF-3M2X", "in", SCANNED_AT);

      const outcome = await queue.submit(scan);

      assert.equal(outcome.kind, "retry");
      assert.deepEqual(nonces(queue.kept()), [scan.nonce]);
      assert.equal(timers.pending.length, 1);
    }
  });

  test("the retry waits twice as long after each failure, up to a minute, and 5 s again after a verdict", async () => {
    const failures = [serverError, networkError, serverError, serverError, networkError, serverError, serverError];
    const { queue, server, timers } = gate({ server: new FakeServer(...failures) });
    await queue.submit(queue.newScan("AAAA-AAAA", "in", SCANNED_AT));

    const delays = [timers.delays()];
    for (let attempt = 0; attempt < failures.length; attempt++) {
      await timers.run();
      delays.push(timers.delays());
    }

    assert.deepEqual(delays, [[5000], [10000], [20000], [40000], [60000], [60000], [60000], []]);
    assert.equal(server.bodies.length, 8);
    assert.deepEqual(queue.kept(), []);

    server.answers = [networkError];
    await queue.submit(queue.newScan("BBBB-BBBB", "in", SCANNED_AT));
    assert.deepEqual(timers.delays(), [5000]);
  });

  test("once a fresh scan gets a verdict again, the kept scans are sent at once, not after the backoff", async () => {
    const { queue, server, timers, kept } = gate({ server: new FakeServer(networkError, serverError) });
    const lost = queue.newScan("AAAA-AAAA", "in", SCANNED_AT);
    await queue.submit(lost);
    await timers.run();
    assert.deepEqual(timers.delays(), [10000]);

    await queue.submit(queue.newScan("BBBB-BBBB", "in", SCANNED_AT));
    await new Promise((resolve) => setImmediate(resolve)); // the flush it started

    assert.deepEqual(server.bodies.at(-1), { code: "AAAA-AAAA", direction: "in", nonce: lost.nonce, scanned_at: SCANNED_AT });
    assert.deepEqual(kept.at(-1), { code: "AAAA-AAAA", kind: "judged" });
    assert.deepEqual(queue.kept(), []);
    assert.deepEqual(timers.pending, []);
  });

  test("an answer saying this browser is signed out of the gate (401, 403, 404) or too busy (429) keeps the scan", async () => {
    for (const status of [401, 403, 404, 429]) {
      const { queue, timers } = gate({ server: new FakeServer(error(status, "nope")) });
      const scan = queue.newScan("K7QF-3M2X", "in", SCANNED_AT);

      const outcome = await queue.submit(scan);

      assert.equal(outcome.kind, "retry", `HTTP ${status}`);
      assert.deepEqual(nonces(queue.kept()), [scan.nonce]);
      assert.equal(timers.pending.length, 1);
    }
  });
});

describe("final answers", () => {
  test("an error about the scan itself (400, 413, 415, 422) is final: the scan leaves the queue and is not retried", async () => {
    for (const status of [400, 413, 415, 422]) {
      const { queue, server, timers } = gate({ server: new FakeServer(error(status, "invalid")) });
      const scan = queue.newScan("X".repeat(300), "in", SCANNED_AT);

      const outcome = await queue.submit(scan);

      assert.equal(outcome.kind, "rejected", `HTTP ${status}`);
      assert.equal(outcome.result.data.error.code, "invalid");
      assert.deepEqual(queue.kept(), []);
      assert.deepEqual(timers.pending, []);
      assert.equal(server.bodies.length, 1);
    }
  });

  test("409 nonce_reused is final: the scan leaves the queue, and the refusal is the outcome to show", async () => {
    const { queue, server, timers } = gate({ server: new FakeServer(error(409, "nonce_reused")) });
    const scan = queue.newScan("K7QF-3M2X", "in", SCANNED_AT);

    const outcome = await queue.submit(scan);

    assert.equal(outcome.kind, "rejected");
    assert.deepEqual(outcome.result.data.error, { code: "nonce_reused", message: "refused: nonce_reused" });
    assert.deepEqual(queue.kept(), []);
    assert.deepEqual(timers.pending, []);
    assert.equal(server.bodies.length, 1);
  });

  test("a kept scan answered 409 nonce_reused is dropped, not sent again", async () => {
    const { queue, server, timers, kept } = gate({ server: new FakeServer(networkError, error(409, "nonce_reused")) });
    await queue.submit(queue.newScan("K7QF-3M2X", "in", SCANNED_AT));

    await timers.run();

    assert.deepEqual(kept, [{ code: "K7QF-3M2X", kind: "rejected" }]);
    assert.deepEqual(queue.kept(), []);
    assert.deepEqual(timers.pending, []);
    assert.equal(server.bodies.length, 2);
  });

  test("a kept scan refused for good leaves the queue, and the ones after it are still sent", async () => {
    const { queue, server, network, kept } = gate();
    network.online = false;
    await queue.submit(queue.newScan("BAD", "in", SCANNED_AT));
    await queue.submit(queue.newScan("GOOD", "in", SCANNED_AT));
    network.online = true;

    server.answers = [error(422, "invalid")];
    await queue.flush();

    assert.deepEqual(kept, [
      { code: "BAD", kind: "rejected" },
      { code: "GOOD", kind: "judged" },
    ]);
    assert.deepEqual(queue.kept(), []);
  });

  test("only a 200 with a verdict counts as judged", () => {
    assert.equal(outcomeOf({ status: 200, data: { result: "invalid" } }).kind, "judged");
    assert.equal(outcomeOf({ status: 200, data: null }).kind, "retry");
    assert.equal(outcomeOf({ status: 422, data: null }).kind, "retry"); // not our API's error: a proxy's page
  });
});

describe("storage", () => {
  test("the kept scans survive a reload: a queue on the same storage sends them, same nonce and scanned_at", async () => {
    const storage = new MemoryStorage();
    const before = gate({ storage, tabId: "before-reload" });
    before.network.online = false;
    const scans = ["AAAA-AAAA", "BBBB-BBBB"].map((code) => before.queue.newScan(code, "in", SCANNED_AT));
    for (const scan of scans) await before.queue.submit(scan);

    const after = gate({ storage, tabId: "after-reload" });
    assert.deepEqual(after.queue.kept(), before.queue.kept());
    await after.queue.flush();

    assert.deepEqual(
      after.server.bodies,
      scans.map((scan) => ({ code: scan.code, direction: "in", nonce: scan.nonce, scanned_at: SCANNED_AT })),
    );
    assert.deepEqual(after.queue.kept(), []);
  });

  test("a scan another tab sent a moment ago is left to it; once that tab is quiet for 10 s, this one sends it", async () => {
    const storage = new MemoryStorage();
    const other = gate({ storage, tabId: "other", server: new FakeServer(networkError) });
    const scan = other.queue.newScan("K7QF-3M2X", "in", SCANNED_AT);
    await other.queue.submit(scan);

    const here = gate({ storage, tabId: "here" });
    here.clock.now = other.clock.now + 9_000;
    await here.queue.flush();
    assert.deepEqual(here.server.bodies, []);
    assert.equal(here.timers.pending.length, 1);

    here.clock.now += 2_000;
    await here.timers.run();
    assert.deepEqual(nonces(here.server.bodies), [scan.nonce]);
    assert.equal(here.server.bodies[0].scanned_at, SCANNED_AT);
    assert.deepEqual(here.queue.kept(), []);
  });

  test("while another tab holds the flush lock, this tab sends nothing", async () => {
    const heldElsewhere = { request: async (name, options, callback) => callback(null) };
    const { queue, server, network } = gate({ locks: heldElsewhere });
    network.online = false;
    await queue.submit(queue.newScan("K7QF-3M2X", "in", SCANNED_AT));
    network.online = true;

    await queue.flush();

    assert.deepEqual(server.bodies, []);
    assert.equal(queue.waiting(), 1);
  });

  test("when storage refuses writes, scans are kept in memory and still retried", async () => {
    const { queue, server, timers } = gate({ storage: new FullStorage(), server: new FakeServer(networkError) });
    const scan = queue.newScan("K7QF-3M2X", "in", SCANNED_AT);

    await queue.submit(scan);
    assert.deepEqual(nonces(queue.kept()), [scan.nonce]);

    await timers.run();
    assert.deepEqual(nonces(server.bodies), [scan.nonce, scan.nonce]);
    assert.deepEqual(queue.kept(), []);
  });

  test("what another page left in storage that is not a list counts as no scans", () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, '{"not": "a list"}');
    assert.deepEqual(gate({ storage }).queue.kept(), []);
    storage.setItem(KEY, "not JSON");
    assert.deepEqual(gate({ storage }).queue.kept(), []);
  });
});
