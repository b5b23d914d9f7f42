// The door page: check people in with the camera, a USB/Bluetooth scanner (it types the code and
// Enter into the focused field) or a look-up by name; keep scans made offline and send them later.
//
// Every scan gets a random nonce and is written to localStorage before it is sent; it leaves
// localStorage only once the server has judged it. A scan whose request failed is sent again with
// the same nonce and the time it was made, so the server records it once, at the right time.

const config = JSON.parse(document.getElementById("door-config").textContent);
const $ = (id) => document.getElementById(id);

const door = $("door");
const verdict = $("verdict");
const scanForm = $("scan-form");
const scanInput = $("scan-code");
const keyboardToggle = $("keyboard-toggle");
const pending = $("pending");
const connection = $("door-connection");
const video = $("camera-video");
const cameraFrame = $("camera-frame");
const cameraStatus = $("camera-status");
const cameraToggle = $("camera-toggle");
const lookupForm = $("lookup-form");
const lookupInput = $("lookup-q");
const lookupStatus = $("lookup-status");
const lookupResults = $("lookup-results");
const recentList = $("recent");

const SCAN_TIMEOUT_MS = 8000; // a scan not answered by then is kept and sent again later
const SAME_CODE_MS = 3000; // the camera ignores a code it read less than this long ago
const DETECT_EVERY_MS = 120;
const STALE_AFTER_MS = 5000; // the verdict fades (but stays readable) after this long
const RETRY_EVERY_MS = 5000;
const STATE_EVERY_MS = 5000;
const OTHER_TAB_GRACE_MS = SCAN_TIMEOUT_MS + 2000;
const VENDOR = new URL("../vendor/", import.meta.url);
const PONYFILL_URL = new URL("barcode-detector/ponyfill.js", VENDOR).href;
const WASM_URL = new URL("zxing-wasm/zxing_reader.wasm", VENDOR).href;
const QUEUE_KEY = `eventsys:door-queue:${config.scan_url}`;
const TAB_ID = randomId();

const RESULT_WORDS = {
  ok: "Checked in",
  already_checked_in: "Already checked in",
  invalid: "Unknown ticket",
  wrong_event: "This ticket is for another event",
  cancelled: "This ticket was cancelled",
  not_confirmed: "Not confirmed",
};
const STATUS_WORDS = {
  confirmed: "Confirmed",
  waitlisted: "On the waiting list",
  pending_approval: "Waiting for approval",
  rejected: "Not accepted",
  cancelled: "Cancelled",
};

// --- small helpers ----------------------------------------------------------------------------

function randomId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

let clockOffsetMs = 0; // the server's clock minus ours, from the Date header of its answers

function serverNow() {
  return new Date(Date.now() + clockOffsetMs);
}

const timeFormat = (() => {
  try {
    return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: config.timezone || undefined });
  } catch {
    return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" });
  }
})();

function formatTime(iso) {
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? "" : timeFormat.format(moment);
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** fetch() with a time limit; resolves to {status, data} (data: parsed JSON or null), throws on network failure. */
async function request(url, { method = "GET", body, timeout = SCAN_TIMEOUT_MS } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  try {
    const headers = { Accept: "application/json" };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      headers["X-CSRFToken"] = config.csrf_token;
    }
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      signal: controller.signal,
    });
    const serverDate = Date.parse(response.headers.get("Date") || "");
    if (!Number.isNaN(serverDate)) clockOffsetMs = serverDate + 500 - Date.now(); // the header drops the milliseconds
    let data = null;
    if ((response.headers.get("Content-Type") || "").includes("json")) {
      data = await response.json().catch(() => null);
    }
    return { status: response.status, data };
  } finally {
    clearTimeout(timer);
  }
}

function errorMessage(result) {
  const error = result.data && result.data.error;
  if (error) {
    const fields = Object.values(error.fields || {}).flat();
    return fields.length ? fields.join(" ") : error.message;
  }
  if ([401, 403, 404].includes(result.status)) {
    return "This browser is no longer signed in at this gate. Open the door link again, or ask the organizer for a new one.";
  }
  if (result.status === 400) return "This page has expired. Reload it.";
  if (result.status === 429) return "Too many scans at once. Retrying in a moment.";
  return `The server had a problem (HTTP ${result.status}). Retrying in a moment.`;
}

// --- feedback: verdict, tone, vibration --------------------------------------------------------

let staleTimer = 0;
let lastJudgedAt = 0; // when a fresh scan's verdict was last shown

function showVerdict(kind, title, detail, result) {
  const titleNode = element("p", "verdict-title", title);
  const nodes = [titleNode];
  if (detail) nodes.push(element("p", "verdict-detail", detail));
  verdict.replaceChildren(...nodes);
  verdict.className = `verdict verdict-${kind}`;
  verdict.dataset.result = result || kind;
  clearTimeout(staleTimer);
  if (kind !== "busy") staleTimer = setTimeout(() => verdict.classList.add("verdict-stale"), STALE_AFTER_MS);
}

function shortCode(code) {
  return code.length > 24 ? `${code.slice(0, 24)}…` : code;
}

/** A judged scan: green with the name and ticket type, or red with the server's reason in plain words. */
function showAnswer(answer, item, late) {
  const ok = answer.result === "ok";
  const registration = answer.registration;
  const detail = [];
  if (registration) {
    if (!ok || !(answer.message || "").includes(registration.name)) detail.push(registration.name);
    if (registration.ticket_type) detail.push(registration.ticket_type.name);
  } else {
    detail.push(`Code read: ${shortCode(item.code)}`);
  }
  if (late) detail.push(`Scanned at ${formatTime(item.scanned_at)}, sent just now`);
  const kind = ok ? (item.direction === "out" ? "out" : "ok") : "bad";
  showVerdict(kind, answer.message || RESULT_WORDS[answer.result] || answer.result, detail.join(" · "), answer.result);
  if (!(late && ok)) signal(ok ? "ok" : "bad"); // a late admission needs nobody's attention
}

let audio = null;

function unlockAudio() {
  try {
    audio = audio || new AudioContext();
    if (audio.state === "suspended") audio.resume().catch(() => {});
  } catch {
    audio = null;
  }
}

const TONES = {
  ok: { type: "sine", notes: [[880, 0, 0.09], [1320, 0.11, 0.14]] },
  bad: { type: "square", notes: [[196, 0, 0.5]] },
  queued: { type: "triangle", notes: [[660, 0, 0.12], [660, 0.18, 0.12]] },
};
const VIBRATIONS = { ok: [60], bad: [180, 80, 180], queued: [60, 60, 60] };

function signal(kind) {
  try {
    if (navigator.vibrate && navigator.userActivation?.hasBeenActive !== false) navigator.vibrate(VIBRATIONS[kind]);
  } catch {
    // no vibration motor, or not allowed yet: the verdict on screen is what counts
  }
  try {
    unlockAudio();
    if (!audio || audio.state !== "running") return;
    const tone = TONES[kind];
    const start = audio.currentTime + 0.01;
    for (const [frequency, offset, length] of tone.notes) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = tone.type;
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + length);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + length + 0.02);
    }
  } catch {
    // no WebAudio: silent
  }
}

// --- the queue of scans not yet judged (localStorage, shared by this browser's tabs) --------------

let memoryQueue = null; // when localStorage cannot be used (private mode, full)

const queue = {
  items() {
    if (memoryQueue) return memoryQueue.slice();
    try {
      const items = JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
      return Array.isArray(items) ? items : [];
    } catch {
      return [];
    }
  },
  save(items) {
    if (!memoryQueue) {
      try {
        localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
        return;
      } catch {
        memoryQueue = [];
      }
    }
    memoryQueue = items.slice();
  },
  add(item) {
    this.save([...this.items(), item]);
  },
  update(nonce, changes) {
    this.save(this.items().map((item) => (item.nonce === nonce ? { ...item, ...changes } : item)));
  },
  remove(nonce) {
    this.save(this.items().filter((item) => item.nonce !== nonce));
  },
  has(nonce) {
    return this.items().some((item) => item.nonce === nonce);
  },
};

const inFlight = new Set(); // nonces this tab is sending right now

function renderPending() {
  const waiting = queue.items().filter((item) => !inFlight.has(item.nonce)).length;
  pending.hidden = waiting === 0;
  pending.textContent = waiting === 1 ? "1 waiting to be sent" : `${waiting} waiting to be sent`;
  door.dataset.waiting = String(waiting);
}

const problems = { offline: false, server: "" };

function renderConnection() {
  let message = "";
  if (problems.offline) message = "Offline: scans are kept on this device and sent when the connection is back.";
  else if (problems.server) message = problems.server;
  connection.hidden = !message;
  connection.textContent = message;
}

/** Send one scan; the answer is {kind: "judged"|"rejected"|"retry", ...}. Judged and rejected scans leave the queue. */
async function send(item) {
  if (navigator.onLine === false) return { kind: "retry", offline: true };
  const body = { code: item.code, direction: item.direction, nonce: item.nonce };
  if (item.tried) body.scanned_at = item.scanned_at; // a retry: when it was really scanned
  queue.update(item.nonce, { tried: Date.now(), tab: TAB_ID });
  let result;
  try {
    result = await request(config.scan_url, { method: "POST", body });
  } catch {
    return { kind: "retry", offline: true };
  }
  if (result.status === 200 && result.data && typeof result.data.result === "string") {
    queue.remove(item.nonce);
    problems.server = "";
    return { kind: "judged", answer: result.data };
  }
  if ([400, 413, 415, 422].includes(result.status) && result.data && result.data.error) {
    queue.remove(item.nonce); // the scan itself is wrong (e.g. far too long): sending it again would not help
    return { kind: "rejected", message: errorMessage(result) };
  }
  return { kind: "retry", offline: false, message: errorMessage(result) };
}

const UNREACHABLE = "Cannot reach the server: scans are kept on this device and sent when it answers.";

function noteFailure(outcome) {
  if (!outcome.offline) problems.server = outcome.message;
  else if (navigator.onLine === false) problems.offline = true;
  else problems.server = UNREACHABLE;
  renderConnection();
}

let scanCount = 0;
let shownScan = 0;

/** A code from the camera, the scanner or the look-up: judge it now, or keep it for later. */
async function submitScan(rawCode) {
  const code = rawCode.trim();
  if (!code) return;
  const number = ++scanCount;
  const item = {
    code,
    direction: currentDirection(),
    nonce: randomId(),
    scanned_at: serverNow().toISOString(),
    tried: 0,
    tab: TAB_ID,
  };
  queue.add(item);
  inFlight.add(item.nonce);
  const busy = setTimeout(() => {
    if (number === scanCount) showVerdict("busy", "Checking…", shortCode(code));
  }, 300);
  let outcome;
  try {
    outcome = await send(item);
  } finally {
    clearTimeout(busy);
    inFlight.delete(item.nonce);
  }
  renderPending();
  if (number < shownScan) return; // a later scan's verdict is on screen already
  shownScan = number;
  if (outcome.kind !== "retry") lastJudgedAt = Date.now();
  if (outcome.kind === "judged") {
    showAnswer(outcome.answer, item, false);
    refreshState();
  } else if (outcome.kind === "rejected") {
    showVerdict("bad", outcome.message, `Code read: ${shortCode(code)}`, "rejected");
    signal("bad");
  } else {
    noteFailure(outcome);
    const title = outcome.offline ? "No connection: scan saved" : "Not checked yet: scan saved";
    const why = outcome.offline ? "" : `${outcome.message} `;
    showVerdict("queued", title, `${why}It is sent by itself when the server answers again. Check this ticket by eye.`, "queued");
    signal("queued");
    scheduleFlush();
  }
}

let flushing = false;
let flushTimer = 0;

function scheduleFlush() {
  clearTimeout(flushTimer);
  flushTimer = setTimeout(flush, RETRY_EVERY_MS);
}

/** Send the kept scans, oldest first; stop at the first that fails again. */
async function flush() {
  clearTimeout(flushTimer);
  if (flushing || navigator.onLine === false) return;
  flushing = true;
  const run = async (lock) => {
    if (lock === null) return; // another tab of this browser is sending them
    for (const item of queue.items()) {
      if (inFlight.has(item.nonce) || !queue.has(item.nonce)) continue;
      if (item.tab !== TAB_ID && Date.now() - item.tried < OTHER_TAB_GRACE_MS) continue; // still being sent there
      inFlight.add(item.nonce);
      let outcome;
      try {
        outcome = await send({ ...item, tried: item.tried || 1 });
      } finally {
        inFlight.delete(item.nonce);
      }
      renderPending();
      if (outcome.kind === "retry") {
        noteFailure(outcome);
        break;
      }
      showLate(item, outcome);
    }
  };
  try {
    if (navigator.locks) await navigator.locks.request(`${QUEUE_KEY}:flush`, { ifAvailable: true }, run);
    else await run(true);
  } finally {
    flushing = false;
    renderPending();
    if (queue.items().length) scheduleFlush();
  }
}

/** The verdict on a scan kept earlier: on the big verdict unless a fresh scan is showing there. */
function showLate(item, outcome) {
  renderConnection();
  refreshState();
  if (Date.now() - lastJudgedAt < 3000) return; // a fresh scan's verdict stays; the recent-scans list shows this one
  if (outcome.kind === "judged") showAnswer(outcome.answer, item, true);
  else showVerdict("bad", outcome.message, `Scanned at ${formatTime(item.scanned_at)}: ${item.code}`, "rejected");
}

// --- scanner and keyboard: the code field always has focus -------------------------------------

function currentDirection() {
  const checked = scanForm.querySelector("input[name=direction]:checked");
  return checked && checked.value === "out" ? "out" : "in";
}

function focusScan() {
  if (document.activeElement !== scanInput) scanInput.focus({ preventScroll: true });
}

const TYPING_TARGETS = "input, select, textarea, button, a[href], summary, video[controls]";

document.addEventListener("focusout", () => {
  setTimeout(() => {
    const active = document.activeElement;
    if (!active || !active.matches(TYPING_TARGETS)) focusScan();
  }, 0);
});
window.addEventListener("focus", () => {
  const active = document.activeElement;
  if (!active || !active.matches(TYPING_TARGETS)) focusScan();
});
// Someone who searched and walked away leaves the focus in the look-up box: after a quiet spell
// it goes back to the code field, so the next scanner read is not typed into the search.
const IDLE_REFOCUS_MS = 20000;
let idleTimer = 0;

function noteActivity() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (document.activeElement && document.activeElement.closest(".lookup")) focusScan();
  }, IDLE_REFOCUS_MS);
}

document.addEventListener("keydown", noteActivity, { capture: true });
document.addEventListener("pointerdown", noteActivity, { capture: true });
document.addEventListener("pointerdown", unlockAudio, { capture: true });
document.addEventListener("keydown", unlockAudio, { capture: true });

scanForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const code = scanInput.value;
  scanInput.value = "";
  focusScan();
  submitScan(code);
});

scanForm.addEventListener("change", (event) => {
  if (event.target.name !== "direction") return;
  door.classList.toggle("door-exit", currentDirection() === "out");
  scanForm.querySelector("#scan-submit").textContent = currentDirection() === "out" ? "Check out" : "Check";
  focusScan();
});

// On a phone the focused field would keep the on-screen keyboard over the camera: while the
// camera runs, the field takes typing from a scanner but opens no keyboard until "Type" is pressed.
const coarsePointer = window.matchMedia("(pointer: coarse)").matches;

function setKeyboard(open) {
  scanInput.inputMode = open ? "text" : "none";
  keyboardToggle.setAttribute("aria-pressed", String(open));
  scanInput.blur();
  focusScan();
}

keyboardToggle.addEventListener("click", () => setKeyboard(keyboardToggle.getAttribute("aria-pressed") !== "true"));

// --- camera ------------------------------------------------------------------------------------

let decoderPromise = null;

/** The native BarcodeDetector when it reads QR codes; else the ponyfill, with its wasm from our static/. */
function loadDecoder() {
  decoderPromise =
    decoderPromise ||
    (async () => {
      if ("BarcodeDetector" in window) {
        try {
          const formats = await window.BarcodeDetector.getSupportedFormats();
          if (formats.includes("qr_code")) {
            door.dataset.decoder = "native";
            return new window.BarcodeDetector({ formats: ["qr_code"] });
          }
        } catch {
          // fall through to the ponyfill
        }
      }
      const ponyfill = await import(PONYFILL_URL);
      await ponyfill.prepareZXingModule({
        overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? WASM_URL : prefix + path) },
        fireImmediately: true,
      });
      door.dataset.decoder = "zxing-wasm";
      return new ponyfill.BarcodeDetector({ formats: ["qr_code"] });
    })();
  return decoderPromise;
}

const camera = { stream: null, detector: null, timer: 0, running: false, failures: 0 };
const lastSeen = new Map(); // code -> when the camera last read it

function setCamera(state, message) {
  door.dataset.camera = state;
  cameraStatus.textContent = message;
  cameraFrame.hidden = state !== "on";
  cameraToggle.hidden = state === "unavailable" || state === "starting";
  cameraToggle.textContent = state === "on" ? "Stop the camera" : "Start the camera";
  const keyboardless = coarsePointer && state === "on";
  keyboardToggle.hidden = !keyboardless;
  if (!keyboardless) scanInput.inputMode = "text";
  else if (keyboardToggle.getAttribute("aria-pressed") !== "true") scanInput.inputMode = "none";
}

const TYPE_INSTEAD = "Scan or type the codes into the field above.";

async function startCamera() {
  const decoder = loadDecoder(); // in parallel with the camera
  decoder.catch(() => {});
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    const why = window.isSecureContext ? "This browser has no camera access." : "The camera needs a secure (https) address.";
    setCamera("unavailable", `${why} ${TYPE_INSTEAD}`);
    return;
  }
  setCamera("starting", "Starting the camera…");
  try {
    camera.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
  } catch (error) {
    const why =
      error && error.name === "NotAllowedError"
        ? "Camera access was refused (allow it in the browser's site settings)."
        : error && (error.name === "NotFoundError" || error.name === "OverconstrainedError")
          ? "No camera found."
          : "The camera could not be started.";
    setCamera("off", `${why} ${TYPE_INSTEAD}`);
    return;
  }
  video.srcObject = camera.stream;
  await video.play().catch(() => {});
  try {
    camera.detector = await decoder;
  } catch {
    stopCamera();
    setCamera("unavailable", `The QR decoder could not be loaded, so the camera cannot read tickets. ${TYPE_INSTEAD}`);
    return;
  }
  if (!camera.stream) return; // stopped meanwhile
  setCamera("on", "Camera on: hold the ticket's QR code in front of it.");
  camera.running = true;
  camera.failures = 0;
  clearTimeout(camera.timer);
  camera.timer = setTimeout(detectLoop, 0);
}

function stopCamera() {
  camera.running = false;
  clearTimeout(camera.timer);
  if (camera.stream) camera.stream.getTracks().forEach((track) => track.stop());
  camera.stream = null;
  video.srcObject = null;
}

async function detectLoop() {
  if (!camera.running) return;
  if (!document.hidden && video.readyState >= 2 && video.videoWidth > 0) {
    try {
      const found = await camera.detector.detect(video);
      camera.failures = 0;
      for (const barcode of found) onCameraCode(barcode.rawValue);
    } catch {
      camera.failures += 1;
      if (camera.failures === 20) {
        stopCamera();
        setCamera("off", `The camera picture cannot be decoded. ${TYPE_INSTEAD}`);
        return;
      }
    }
  }
  if (camera.running) camera.timer = setTimeout(detectLoop, DETECT_EVERY_MS);
}

function onCameraCode(raw) {
  const code = (raw || "").trim();
  if (!code) return;
  const now = Date.now();
  const seen = lastSeen.get(code);
  lastSeen.set(code, now); // a ticket held in view keeps counting as "just read"
  if (seen !== undefined && now - seen < SAME_CODE_MS) return;
  for (const [other, at] of lastSeen) if (now - at > 60000) lastSeen.delete(other);
  cameraFrame.classList.remove("camera-hit");
  void cameraFrame.offsetWidth; // restart the flash
  cameraFrame.classList.add("camera-hit");
  submitScan(code);
}

cameraToggle.addEventListener("click", () => {
  if (camera.stream) {
    stopCamera();
    setCamera("off", "Camera stopped.");
  } else {
    startCamera();
  }
  focusScan();
});
window.addEventListener("pagehide", stopCamera);

document.querySelector(".leave-form").addEventListener("submit", (event) => {
  const waiting = queue.items().length;
  const question =
    `${waiting === 1 ? "1 scan is" : `${waiting} scans are`} not sent yet. They stay on this device ` +
    "and are sent when the door page is open here again. Leave anyway?";
  if (waiting && !window.confirm(question)) event.preventDefault();
});

// --- manual look-up ----------------------------------------------------------------------------

let lookupNumber = 0;
let lookupTimer = 0;
const TICKET_PAYLOAD = /^[A-Z2-7]{32}$/; // a QR payload, typed here by a scanner by mistake

async function runLookup() {
  clearTimeout(lookupTimer);
  const q = lookupInput.value.trim();
  const number = ++lookupNumber;
  if (q.length < 2) {
    lookupResults.replaceChildren();
    lookupStatus.textContent = q ? "Type at least 2 letters." : "";
    return;
  }
  lookupStatus.textContent = "Searching…";
  let result;
  try {
    result = await request(`${config.lookup_url}?q=${encodeURIComponent(q)}`);
  } catch {
    if (number === lookupNumber) lookupStatus.textContent = "No connection: looking people up needs the network.";
    return;
  }
  if (number !== lookupNumber) return; // a newer search is under way
  if (result.status !== 200 || !result.data || !Array.isArray(result.data.items)) {
    lookupStatus.textContent = errorMessage(result);
    return;
  }
  const items = result.data.items;
  lookupStatus.textContent = items.length ? `${items.length} found.` : `Nobody found for “${q}”.`;
  lookupResults.replaceChildren(...items.map(personRow));
}

function personRow(person) {
  const row = element("li", "person");
  const info = element("div", "person-info");
  info.append(element("span", "person-name", person.name));
  const facts = [person.ticket_type ? person.ticket_type.name : "", person.code];
  if (person.status !== "confirmed") facts.push(STATUS_WORDS[person.status] || person.status);
  else if (person.checked_in) facts.push("checked in");
  const meta = element("span", "person-meta");
  facts.filter(Boolean).forEach((fact, index) => {
    if (index) meta.append(" · ");
    meta.append(element("span", "person-fact", fact));
  });
  info.append(meta);
  row.append(info);
  if (person.status === "confirmed") {
    const button = element("button", "button primary person-action");
    button.type = "button";
    button.append(currentDirection() === "out" ? "Check out" : "Check in");
    button.append(element("span", "visually-hidden", ` ${person.name}`));
    button.addEventListener("click", async () => {
      button.disabled = true;
      focusScan();
      await submitScan(person.code);
      runLookup();
    });
    row.append(button);
  }
  row.dataset.code = person.code;
  return row;
}

lookupForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const q = lookupInput.value.trim();
  if (TICKET_PAYLOAD.test(q)) {
    lookupInput.value = "";
    focusScan();
    submitScan(q);
    return;
  }
  runLookup();
});
lookupInput.addEventListener("input", () => {
  clearTimeout(lookupTimer);
  lookupTimer = setTimeout(runLookup, 300);
});

// --- counter and the last scans at this gate ---------------------------------------------------

const countIn = $("count-in");
const countExpected = $("count-expected");

async function refreshState() {
  let result;
  try {
    result = await request(config.state_url);
  } catch {
    if (navigator.onLine !== false) {
      problems.server = UNREACHABLE;
      renderConnection();
    }
    return;
  }
  if (result.status !== 200 || !result.data) {
    problems.server = errorMessage(result);
    renderConnection();
    return;
  }
  if (problems.server && !queue.items().length) problems.server = "";
  renderConnection();
  const state = result.data;
  countIn.textContent = String(state.checked_in);
  countExpected.textContent = String(state.confirmed);
  renderRecent(state.recent || []);
}

function renderRecent(scans) {
  if (!scans.length) {
    recentList.replaceChildren(element("li", "recent-empty", "None yet."));
    return;
  }
  recentList.replaceChildren(
    ...scans.map((scan) => {
      const ok = scan.result === "ok";
      const row = element("li", `recent-item recent-${ok ? "ok" : "bad"}`);
      const time = element("time", "recent-time", formatTime(scan.at));
      time.dateTime = scan.at;
      row.append(time, element("span", "recent-mark", ok ? "✓" : "✕"));
      let text = scan.message || RESULT_WORDS[scan.result] || scan.result;
      if (scan.name && !text.includes(scan.name)) text += ` — ${scan.name}`;
      row.append(element("span", "recent-text", text));
      return row;
    }),
  );
}

// --- start ---------------------------------------------------------------------------------------

window.addEventListener("online", () => {
  problems.offline = false;
  renderConnection();
  flush();
  refreshState();
});
window.addEventListener("offline", () => {
  problems.offline = true;
  renderConnection();
});
window.addEventListener("storage", (event) => {
  if (event.key === QUEUE_KEY) renderPending();
});
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) refreshState();
});

problems.offline = navigator.onLine === false;
renderConnection();
renderPending();
focusScan();
startCamera();
refreshState();
flush();
setInterval(() => {
  if (!document.hidden) refreshState();
}, STATE_EVERY_MS);
door.dataset.state = "ready";
