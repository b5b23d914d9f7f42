// The door page: check people in with the camera, a USB/Bluetooth scanner (it types the code and
// Enter into the focused field) or a look-up by name; and with no network, judge scans on the device
// from the offline dataset and upload them when the connection is back. start() wires together the
// parts in door/:
//
//   network.js        requests to the server, the server's clock, error answers in words
//   offline-crypto.js the offline dataset's lookups and keys (PBKDF2, HMAC, AES-GCM)
//   offline-store.js  the dataset, the device's own log and the queue of offline scans, in IndexedDB
//   offline-judge.js  a scan's verdict on the device, by the server's rules and in its words
//   offline-queue.js  the upload of the offline scans, oldest first, through the nonce rules
//   feedback.js       the verdict, tones and vibration
//   camera.js         the camera and the QR decoder
//   scan-field.js     the code field a scanner types into, and the direction
//   lookup.js         finding a person by name or code (not on a steward's page)
//   review.js         the gate's mode (express or review) and review mode's card
//   gate-status.js    the connection line, the offline line, the counter, the gate's numbers, the last scans
//
// The page is also an installable web app: its service worker (static/js/door-sw.js, registered
// here) keeps the page and its files, never an answer of the JSON endpoints. Nothing the device
// keeps names anyone: the dataset is stored encrypted, the log and the queue hold refs and lookups.

import { createCamera } from "./door/camera.js";
import { shortCode, timeFormatter } from "./door/display.js";
import { createVerdict, signal, unlockAudio } from "./door/feedback.js";
import { createGateStatus } from "./door/gate-status.js";
import { createLookup } from "./door/lookup.js";
import { createClient, errorMessage } from "./door/network.js";
import { unlock } from "./door/offline-crypto.js";
import { judge, passes } from "./door/offline-judge.js";
import { createUploader, outcomeOf, randomNonce } from "./door/offline-queue.js";
import { openOfflineStore } from "./door/offline-store.js";
import { createModeChoice, createReview } from "./door/review.js";
import { createScanField } from "./door/scan-field.js";
import { say } from "./door/words.js";

const STATE_EVERY_MS = 5000;
const DATASET_EVERY_MS = 60000; // the offline dataset, refreshed about every minute (If-None-Match: cheap)
const DATASET_INCOMPLETE_MS = 5000; // ... every 5 s while the server is still deriving some tickets' keys
const WHOLE_EVERY_MS = 30 * 60000; // ... and the whole dataset every half hour, not only its changes
const TICK_MS = 5000; // the offline line (the data's age, the warning) is brought up to date this often
const LINK_DOWN_TIMEOUT_MS = 2500; // a scan's wait for the server while the last request got no answer
const BUSY_AFTER_MS = 300; // "Checking…" only for an answer slower than this
const FRESH_VERDICT_MS = 3000; // an uploaded scan's late verdict does not cover a fresh one shown this recently
const LEGACY_QUEUE_PREFIX = "eventsys:door-queue:"; // the earlier localStorage queue, which held codes in clear
const UNREACHABLE = say("unreachable");

/** localStorage, or null where the browser refuses it. */
function browserStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

async function start() {
  const $ = (id) => document.getElementById(id);
  const config = JSON.parse($("door-config").textContent);
  const root = $("door");
  const main = root.closest("main") || document.querySelector("main");
  const doorUrl = config.state_url.replace(/\/state$/, "");
  const formatTime = timeFormatter(config.timezone);
  const client = createClient(config.csrf_token);
  const verdict = createVerdict($("verdict"), formatTime);
  const warnAfterMs = config.offline_warning_after_s * 1000;
  // Whether this gate may judge offline: the server says so in the config, and again in each state.
  let offlineAllowed = Boolean(config.dataset_url) && config.offline_allowed;
  const status = createGateStatus({
    root,
    connection: $("door-connection"),
    countIn: $("count-in"),
    countExpected: $("count-expected"),
    recent: $("recent"),
    numbers: $("num-recent") ? { recent: $("num-recent"), inside: $("num-inside"), expected: $("num-expected") } : null,
    formatTime,
    sync: $("door-sync"),
    warning: $("door-offline-warning"),
    conflicts: $("door-conflicts"),
    conflictList: $("door-conflict-list"),
    offlineWords: offlineAllowed ? "" : "online_only_offline", // a gate that judges offline: its offline line says so
  });

  const store = await openOfflineStore(`eventsys-door:${doorUrl}:${config.gate}`);
  if (!offlineAllowed) await store.forgetDataset(); // kept from when this gate could go offline
  let dataset = offlineAllowed ? await store.dataset() : null; // the stored dataset, in memory too
  let waiting = (await store.queued()).length;
  let linkDown = navigator.onLine === false; // offline, or the last request got no answer
  let offlineSince = linkDown ? Date.now() : 0;
  let wiped = false;
  const localScans = []; // offline scans shown in the last scans until the server has them: in memory only

  const uploader = createUploader({
    store,
    post: (body) => client.request(config.scan_url, { method: "POST", body }),
    locks: navigator.locks || null,
    lockName: `eventsys-door-upload:${doorUrl}:${config.gate}`,
    onOutcome: uploaded,
  });

  let scanCount = 0;
  let shownScan = 0;
  let lastJudgedAt = 0; // when a fresh scan's verdict was last shown

  // --- the connection, the offline line, offline-ready --------------------------------------------

  function linkUp() {
    if (linkDown) {
      linkDown = false;
      offlineSince = 0;
    }
    status.setOffline(false);
    showSync();
  }

  function linkLost() {
    if (!linkDown) {
      linkDown = true;
      offlineSince = Date.now();
    }
    if (navigator.onLine === false) status.setOffline(true);
    else status.setServerProblem(UNREACHABLE);
    showSync();
  }

  function showSync() {
    const online = !linkDown && navigator.onLine !== false;
    const mode = offlineAllowed ? "offline" : "online_only";
    status.showSync({
      online,
      mode,
      dataset,
      waiting,
      offlineForMs: online || !offlineSince ? 0 : Date.now() - offlineSince,
      warnAfterMs,
    });
    const controlled = Boolean(navigator.serviceWorker?.controller);
    root.dataset.serviceWorker = controlled ? "controlled" : "none";
    const ready = offlineAllowed && Boolean(dataset) && controlled;
    if (ready) main.dataset.offlineReady = "true";
    else delete main.dataset.offlineReady;
  }

  async function countWaiting() {
    waiting = wiped ? 0 : (await store.queued()).length;
    showSync();
  }

  // --- the offline dataset --------------------------------------------------------------------------

  let datasetTimer = 0;
  let wholeAt = 0; // when the whole dataset last came (not a delta): again after WHOLE_EVERY_MS

  async function refreshDataset() {
    clearTimeout(datasetTimer);
    if (!config.dataset_url || !offlineAllowed || wiped) return;
    let next = DATASET_EVERY_MS;
    try {
      // With a whole dataset held, only what changed since its cursor (the server may still send all);
      // the whole again now and then (no If-None-Match then), in case a change committed later than
      // the server's overlap and no delta brought it.
      const delta = dataset && dataset.cursor && Date.now() - wholeAt < WHOLE_EVERY_MS;
      const headers = delta ? { "If-None-Match": `"${dataset.version}"` } : {};
      const since = delta ? `${config.dataset_url.includes("?") ? "&" : "?"}since=${encodeURIComponent(dataset.cursor)}` : "";
      const result = await client.request(`${config.dataset_url}${since}`, { headers, timeout: 30000 });
      if (result.status === 200 && result.data && Array.isArray(result.data.entries)) {
        dataset = await store.saveDataset(result.data, new Date().toISOString());
        if (!result.data.delta) wholeAt = Date.now();
        if (!dataset.complete) next = DATASET_INCOMPLETE_MS;
      } else if (result.status === 304 && dataset) {
        dataset = (await store.touchDataset(new Date().toISOString())) || dataset;
        if (!dataset.complete) next = DATASET_INCOMPLETE_MS;
      } else if (result.status === 403 && result.data?.error?.code === "online_only") {
        await becomeOnlineOnly();
      } else if (result.status === 404) {
        await signedOut();
        return;
      }
      linkUp();
    } catch {
      linkLost();
    }
    showSync();
    datasetTimer = setTimeout(refreshDataset, next);
  }

  async function becomeOnlineOnly() {
    if (!offlineAllowed) return;
    offlineAllowed = false;
    dataset = null;
    status.setOfflineWords("online_only_offline");
    await store.forgetDataset(); // an online-only gate keeps no dataset; scans queued before the switch still go up
    showSync();
  }

  /** This browser is no longer signed in at the gate (door link revoked, or left): forget everything it kept. */
  async function signedOut() {
    await wipeDevice();
    status.setServerProblem(say("signed_out"));
  }

  async function wipeDevice() {
    wiped = true;
    dataset = null;
    waiting = 0;
    localScans.length = 0;
    status.showLocal([]);
    clearTimeout(datasetTimer);
    try {
      await store.wipe();
    } catch {
      // already gone
    }
    navigator.serviceWorker?.controller?.postMessage({ type: "forget-page" });
    showSync();
  }

  // --- scans ------------------------------------------------------------------------------------------

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

  function showBusy(number, code) {
    return setTimeout(() => {
      if (number === scanCount) verdict.show("busy", say("checking"), shortCode(code));
    }, BUSY_AFTER_MS);
  }

  /** Whether to judge on the device: offline, or no answer, or the server broken (5xx). */
  function answerMissing(result) {
    return !result || result.status >= 500 || result.status === 429;
  }

  /** Offline on a gate that may not judge offline, or without data: a red verdict, nobody admitted, nothing kept. */
  function refuseOffline(code) {
    const title = offlineAllowed ? say("no_offline_data_title") : say("online_only_title");
    const detail = offlineAllowed ? say("no_offline_data_detail") : say("online_only_detail");
    verdict.show("bad", title, `${detail} ${say("code_read", { code: shortCode(code) })}`, offlineAllowed ? "no_offline_data" : "online_only");
    signal("bad");
  }

  /** The verdict the device gives a scan, from the dataset and its own log; null when it cannot judge. */
  async function judgeHere(code, direction) {
    if (!offlineAllowed || !dataset || wiped) return null;
    const { lookup, details } = await unlock(code, dataset);
    const passages = details ? await store.passages(details.ref) : [];
    return { lookup, details, answer: judge(details, passages, direction, { say, formatTime }) };
  }

  /** Review mode: the verdict this scan would get, and who it is, without admitting anyone. */
  async function reviewScan(code, direction) {
    const number = ++scanCount;
    review.hide();
    const busy = showBusy(number, code);
    let result = null;
    let offline = null;
    try {
      if (navigator.onLine !== false) {
        const body = { code, direction, dry_run: true };
        result = await client.request(config.scan_url, { method: "POST", body, timeout: linkDown ? LINK_DOWN_TIMEOUT_MS : undefined });
      }
    } catch {
      result = null;
    }
    try {
      if (answerMissing(result)) {
        if (!result) linkLost();
        offline = await judgeHere(code, direction);
      } else linkUp();
    } finally {
      clearTimeout(busy);
    }
    if (number < shownScan) return;
    shownScan = number;
    lastJudgedAt = Date.now();
    const scan = { code, direction };
    if (offline) {
      verdict.showForeseen(offline.answer, scan, true);
      review.show(offline.answer, scan);
      return;
    }
    if (answerMissing(result)) {
      refuseOffline(code);
      return;
    }
    if (result.status === 200 && typeof result.data?.result === "string") {
      verdict.showForeseen(result.data, scan);
      review.show(result.data, scan);
      return;
    }
    status.setServerProblem(errorMessage(result));
    verdict.show("bad", errorMessage(result), say("code_read", { code: shortCode(code) }), "rejected");
    signal("bad");
  }

  /** A code from the camera, the scanner, the look-up or review mode's Admit: judged by the server, or here when offline. */
  async function submitScan(rawCode, direction = field.direction()) {
    const code = rawCode.trim();
    if (!code) return;
    const number = ++scanCount;
    review.hide();
    const nonce = randomNonce();
    const scannedAt = client.serverNow().toISOString();
    const busy = showBusy(number, code);
    let result = null;
    let offline = null;
    try {
      if (navigator.onLine !== false) {
        try {
          const body = { code, direction, nonce, scanned_at: scannedAt };
          // With the server unreachable a moment ago, a scan waits less for it before being judged here.
          result = await client.request(config.scan_url, { method: "POST", body, timeout: linkDown ? LINK_DOWN_TIMEOUT_MS : undefined });
        } catch {
          result = null; // no answer
        }
      }
      if (answerMissing(result)) {
        if (!result) linkLost();
        offline = await offlineScan(code, direction, nonce, scannedAt);
      }
    } finally {
      clearTimeout(busy);
    }
    if (number < shownScan) return; // a later scan's verdict is on screen already
    shownScan = number;
    lastJudgedAt = Date.now();
    if (offline) {
      verdict.showAnswer(offline, { code, direction, scanned_at: scannedAt }, false, true);
      return;
    }
    if (answerMissing(result)) {
      refuseOffline(code);
      return;
    }
    linkUp();
    const outcome = outcomeOf(result);
    if (outcome.kind === "judged") {
      status.setServerProblem("");
      verdict.showAnswer(outcome.answer, { code, direction, scanned_at: scannedAt }, false);
      refreshState();
    } else {
      status.setServerProblem(outcome.kind === "rejected" ? "" : errorMessage(result));
      verdict.show("bad", errorMessage(result), say("code_read", { code: shortCode(code) }), "rejected");
      signal("bad");
    }
  }

  /** Judge here, note a passage in the device's log, queue the scan (its lookup, never the code). */
  async function offlineScan(code, direction, nonce, scannedAt) {
    const judged = await judgeHere(code, direction);
    if (!judged) return null;
    const { lookup, details, answer } = judged;
    if (details && passes(answer)) await store.addPassage(details.ref, direction, scannedAt, config.gate);
    await store.enqueue({ nonce, lookup, direction, scanned_at: scannedAt, offline_result: answer.result });
    localScans.unshift({
      nonce,
      at: scannedAt,
      result: answer.result,
      direction,
      message: answer.message,
      name: answer.registration?.name,
      note: say("offline_recent"),
    });
    status.showLocal(localScans);
    await countWaiting();
    return answer;
  }

  /** One offline scan uploaded: the server's verdict, or its refusal, in the last scans. */
  function uploaded(item, outcome) {
    const index = localScans.findIndex((scan) => scan.nonce === item.nonce);
    if (outcome.kind === "judged" && index >= 0) localScans.splice(index, 1);
    if (outcome.kind === "rejected") {
      const text = say("upload_refused", { message: errorMessage(outcome.result) });
      const row = { nonce: item.nonce, at: item.scanned_at, result: "rejected", direction: item.direction, message: text, note: "" };
      if (index >= 0) localScans.splice(index, 1, { ...localScans[index], result: "rejected", message: text, note: "" });
      else localScans.unshift(row);
      if (Date.now() - lastJudgedAt > FRESH_VERDICT_MS) {
        verdict.show("bad", text, say("scanned_late", { time: formatTime(item.scanned_at) }), "rejected");
      }
    }
    status.showLocal(localScans);
  }

  async function uploadQueue() {
    if (wiped || !(await store.queued()).length) return;
    const { sent } = await uploader.flush();
    await countWaiting();
    if (sent) refreshState(false);
  }

  // --- the gate's state -------------------------------------------------------------------------------

  /** The counter, the last scans, conflicts and a fresh CSRF token; then the offline scans go up. */
  async function refreshState(andUpload = true) {
    let result;
    try {
      result = await client.request(config.state_url);
    } catch {
      linkLost();
      return;
    }
    if (result.status === 404) {
      await signedOut();
      return;
    }
    if (result.status !== 200 || !result.data) {
      status.setServerProblem(errorMessage(result));
      return;
    }
    linkUp();
    status.setServerProblem("");
    const state = result.data;
    if (state.csrf_token) {
      client.setCsrfToken(state.csrf_token);
      const leaveToken = document.querySelector(".leave-form input[name=csrf_token]");
      if (leaveToken) leaveToken.value = state.csrf_token;
    }
    if (state.offline_allowed === false) await becomeOnlineOnly();
    status.showState(state);
    if (andUpload) await uploadQueue();
  }

  /** The earlier localStorage queue held codes in clear: send what it kept once, as online scans, and drop it. */
  async function sendLegacyQueue() {
    const storage = browserStorage();
    if (!storage) return;
    const key = `${LEGACY_QUEUE_PREFIX}${config.scan_url}`;
    let kept = [];
    try {
      kept = JSON.parse(storage.getItem(key) || "[]");
    } catch {
      kept = [];
    }
    if (!Array.isArray(kept) || !kept.length) {
      storage.removeItem(key);
      return;
    }
    for (const scan of kept) {
      try {
        await client.request(config.scan_url, {
          method: "POST",
          body: { code: scan.code, direction: scan.direction, nonce: scan.nonce, scanned_at: scan.scanned_at },
        });
      } catch {
        return; // no answer: tried again at the next start
      }
    }
    storage.removeItem(key);
  }

  // --- the page ------------------------------------------------------------------------------------

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
  const leaveForm = document.querySelector(".leave-form");
  leaveForm.addEventListener("submit", async (event) => {
    if (leaveForm.dataset.wiped === "true") return; // wiped already: this is the real submit
    event.preventDefault();
    const queued = wiped ? 0 : (await store.queued()).length;
    if (queued && !window.confirm(say("leave_question", { num: queued }))) return;
    await wipeDevice();
    leaveForm.dataset.wiped = "true";
    leaveForm.requestSubmit();
  });
  window.addEventListener("online", () => {
    status.setOffline(false);
    refreshState(); // a fresh CSRF token first, then the queue
    refreshDataset();
  });
  window.addEventListener("offline", () => {
    linkLost();
    status.setOffline(true);
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refreshState();
  });
  navigator.serviceWorker?.addEventListener("controllerchange", showSync);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(`${doorUrl}/sw.js`, { scope: doorUrl }).catch(() => {
      // no service worker (a private window, an old browser): the page works online as before
    });
  }

  status.setOffline(navigator.onLine === false);
  showSync();
  field.focus();
  camera.start();
  refreshState();
  refreshDataset();
  sendLegacyQueue();
  setInterval(() => {
    if (!document.hidden) refreshState();
  }, STATE_EVERY_MS);
  setInterval(() => {
    countWaiting();
  }, TICK_MS);
  root.dataset.state = "ready";
}

start();
