// The door page: check people in with the camera, a USB/Bluetooth scanner (it types the code and
// Enter into the focused field) or a look-up by name; keep scans made offline and send them later.
// start() wires together the parts in door/:
//
//   scan-queue.js   the scans not yet judged, kept in localStorage, and their retries (no DOM)
//   network.js      requests to the server, the server's clock, error answers in words
//   feedback.js     the verdict, tones and vibration
//   camera.js       the camera and the QR decoder
//   scan-field.js   the code field a scanner types into, and the direction
//   lookup.js       finding a person by name or code (not on a steward's page)
//   review.js       the gate's mode (express or review) and review mode's card
//   gate-status.js  the connection line, the scans waiting, the counter, the gate's numbers, the last scans

import { createCamera } from "./door/camera.js";
import { shortCode, timeFormatter } from "./door/display.js";
import { createVerdict, signal, unlockAudio } from "./door/feedback.js";
import { createGateStatus } from "./door/gate-status.js";
import { createLookup } from "./door/lookup.js";
import { createClient, errorMessage } from "./door/network.js";
import { createModeChoice, createReview } from "./door/review.js";
import { createScanField } from "./door/scan-field.js";
import { ScanQueue } from "./door/scan-queue.js";
import { say } from "./door/words.js";

const STATE_EVERY_MS = 5000;
const BUSY_AFTER_MS = 300; // "Checking…" only for an answer slower than this
const FRESH_VERDICT_MS = 3000; // a kept scan's late verdict does not cover a fresh one shown this recently
const UNREACHABLE = say("unreachable");

/** localStorage, or null where the browser refuses it (the queue then keeps scans in memory). */
function browserStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function start() {
  const $ = (id) => document.getElementById(id);
  const config = JSON.parse($("door-config").textContent);
  const root = $("door");
  const formatTime = timeFormatter(config.timezone);
  const client = createClient(config.csrf_token);
  const verdict = createVerdict($("verdict"), formatTime);
  const status = createGateStatus({
    root,
    connection: $("door-connection"),
    pending: $("pending"),
    countIn: $("count-in"),
    countExpected: $("count-expected"),
    recent: $("recent"),
    numbers: $("num-recent") ? { recent: $("num-recent"), inside: $("num-inside"), expected: $("num-expected") } : null,
    formatTime,
  });
  const queueKey = `eventsys:door-queue:${config.scan_url}`;
  const queue = new ScanQueue({
    storage: browserStorage(),
    key: queueKey,
    post: (body) => client.request(config.scan_url, { method: "POST", body }),
    isOnline: () => navigator.onLine !== false,
    locks: navigator.locks || null,
    onChange: () => status.showWaiting(queue.waiting()),
    onKeptOutcome: showLate,
  });

  let scanCount = 0;
  let shownScan = 0;
  let lastJudgedAt = 0; // when a fresh scan's verdict was last shown

  /** A code from the camera or the scanner: reviewed first in review mode, else judged at once. An
   * empty Enter admits the person review mode shows. */
  function onCode(rawCode) {
    const code = rawCode.trim();
    if (!code) {
      review.admitReviewed();
      return;
    }
    if (mode.current() === "review") reviewScan(code, field.direction());
    else submitScan(code);
  }

  /** Review mode: the verdict this scan would get, and who it is, without admitting anyone. */
  async function reviewScan(code, direction) {
    const number = ++scanCount;
    review.hide();
    const busy = setTimeout(() => {
      if (number === scanCount) verdict.show("busy", say("checking"), shortCode(code));
    }, BUSY_AFTER_MS);
    let result = null;
    try {
      result = await client.request(config.scan_url, { method: "POST", body: { code, direction, dry_run: true } });
    } catch {
      result = null; // no answer: the card still offers to send the real scan, which is kept if need be
    } finally {
      clearTimeout(busy);
    }
    if (number < shownScan) return;
    shownScan = number;
    lastJudgedAt = Date.now();
    const scan = { code, direction };
    if (result && result.status === 200 && typeof result.data?.result === "string") {
      verdict.showForeseen(result.data, scan);
      review.show(result.data, scan);
      return;
    }
    if (result && result.status !== 200) status.setServerProblem(errorMessage(result));
    else if (!result) status.setServerProblem(navigator.onLine === false ? "" : UNREACHABLE);
    verdict.show("queued", say("review_unavailable"), say("code_read", { code: shortCode(code) }), "review_unavailable");
    review.show(null, scan);
  }

  /** A code from the camera, the scanner, the look-up or review mode's Admit: judge it now, or keep it for later. */
  async function submitScan(rawCode, direction = field.direction()) {
    const code = rawCode.trim();
    if (!code) return;
    const number = ++scanCount;
    review.hide();
    const scan = queue.newScan(code, direction, client.serverNow().toISOString());
    const busy = setTimeout(() => {
      if (number === scanCount) verdict.show("busy", say("checking"), shortCode(code));
    }, BUSY_AFTER_MS);
    let outcome;
    try {
      outcome = await queue.submit(scan);
    } finally {
      clearTimeout(busy);
    }
    noteConnection(outcome);
    if (number < shownScan) return; // a later scan's verdict is on screen already
    shownScan = number;
    if (outcome.kind !== "retry") lastJudgedAt = Date.now();
    if (outcome.kind === "judged") {
      verdict.showAnswer(outcome.answer, scan, false);
      refreshState();
    } else if (outcome.kind === "rejected") {
      verdict.show("bad", errorMessage(outcome.result), say("code_read", { code: shortCode(code) }), "rejected");
      signal("bad");
    } else {
      const title = outcome.result ? say("not_checked_yet") : say("no_connection_saved");
      const why = outcome.result ? `${errorMessage(outcome.result)} ` : "";
      verdict.show("queued", title, `${why}${say("sent_later")}`, "queued");
      signal("queued");
    }
  }

  /** The connection line after an attempt to send a scan. */
  function noteConnection(outcome) {
    if (outcome.kind === "judged") status.setServerProblem("");
    if (outcome.kind !== "retry") return;
    if (outcome.result) status.setServerProblem(errorMessage(outcome.result));
    else if (navigator.onLine === false) status.setOffline(true);
    else status.setServerProblem(UNREACHABLE);
  }

  /** A kept scan was sent again: its verdict goes on the big verdict unless a fresh scan is showing there. */
  function showLate(scan, outcome) {
    noteConnection(outcome);
    if (outcome.kind === "retry") return;
    refreshState();
    if (Date.now() - lastJudgedAt < FRESH_VERDICT_MS) return; // the recent-scans list shows this one
    if (outcome.kind === "judged") verdict.showAnswer(outcome.answer, scan, true);
    else {
      const detail = say("scanned_at_code", { time: formatTime(scan.scanned_at), code: scan.code });
      verdict.show("bad", errorMessage(outcome.result), detail, "rejected");
    }
  }

  /** The counter and the last scans at this gate. */
  async function refreshState() {
    let result;
    try {
      result = await client.request(config.state_url);
    } catch {
      if (navigator.onLine !== false) status.setServerProblem(UNREACHABLE);
      return;
    }
    if (result.status !== 200 || !result.data) {
      status.setServerProblem(errorMessage(result));
      return;
    }
    if (status.hasServerProblem() && !queue.kept().length) status.setServerProblem("");
    status.showState(result.data);
  }

  const field = createScanField({
    root,
    form: $("scan-form"),
    input: $("scan-code"),
    keyboardToggle: $("keyboard-toggle"),
    onCode,
  });
  const review = createReview({
    card: $("review"),
    name: $("review-name"),
    type: $("review-type"),
    answers: $("review-answers"),
    admit: $("review-admit"),
    dismiss: $("review-dismiss"),
    onAdmit: (code, direction) => {
      field.focus();
      submitScan(code, direction);
    },
    onDismiss: () => {
      verdict.show("idle", say("review_dismissed"), say("ready_next"));
      field.focus();
    },
  });
  const mode = createModeChoice({
    fieldset: root.querySelector(".door-mode"),
    help: $("mode-help"),
    storage: browserStorage(),
    key: config.mode_key,
    onChange: () => {
      review.hide();
      field.focus();
    },
  });
  const camera = createCamera({
    root,
    video: $("camera-video"),
    frame: $("camera-frame"),
    status: $("camera-status"),
    toggle: $("camera-toggle"),
    onCode,
    onStateChange: field.cameraStateChanged,
  });
  if (config.lookup_url) createLookup({
    form: $("lookup-form"),
    input: $("lookup-q"),
    status: $("lookup-status"),
    results: $("lookup-results"),
    request: client.request,
    url: config.lookup_url,
    direction: field.direction,
    focusScan: field.focus,
    submitScan,
  });

  $("camera-toggle").addEventListener("click", () => {
    camera.startOrStop();
    field.focus();
  });
  window.addEventListener("pagehide", camera.stop);
  document.addEventListener("pointerdown", unlockAudio, { capture: true });
  document.addEventListener("keydown", unlockAudio, { capture: true });
  document.querySelector(".leave-form").addEventListener("submit", (event) => {
    const waiting = queue.kept().length;
    const question = say("leave_question", { num: waiting });

    if (waiting && !window.confirm(question)) event.preventDefault();
  });
  window.addEventListener("online", () => {
    status.setOffline(false);
    queue.flush();
    refreshState();
  });
  window.addEventListener("offline", () => status.setOffline(true));
  window.addEventListener("storage", (event) => {
    if (event.key === queueKey) status.showWaiting(queue.waiting()); // another tab kept or sent a scan
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refreshState();
  });

  status.setOffline(navigator.onLine === false);
  status.showWaiting(queue.waiting());
  field.focus();
  camera.start();
  refreshState();
  queue.flush();
  setInterval(() => {
    if (!document.hidden) refreshState();
  }, STATE_EVERY_MS);
  root.dataset.state = "ready";
}

start();
