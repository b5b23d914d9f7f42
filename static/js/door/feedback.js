// What the gate sees and hears about a scan: the big verdict (green, amber, red, waiting: a word
// and a glyph with each colour), a tone and a vibration.

import { element, resultWords, shortCode, verdictKind, verdictLook } from "./display.js";
import { say, ticketTypeName } from "./words.js";

const STALE_AFTER_MS = 5000; // the verdict fades (but stays readable) after this long

const TONES = {
  ok: { type: "sine", notes: [[880, 0, 0.09], [1320, 0.11, 0.14]] },
  warn: { type: "triangle", notes: [[523, 0, 0.18], [523, 0.24, 0.18]] },
  bad: { type: "square", notes: [[196, 0, 0.5]] },
  queued: { type: "triangle", notes: [[660, 0, 0.12], [660, 0.18, 0.12]] },
};
const VIBRATIONS = { ok: [60], warn: [120, 60, 120], bad: [180, 80, 180], queued: [60, 60, 60] };

/**
 * The verdict box: show(kind, title, detail, result, offline) and showAnswer(answer, scan, late, offline);
 * offline: judged on this device, which the verdict says in words (and data-offline="true").
 */
export function createVerdict(box, formatTime) {
  let staleTimer = 0;

  function show(kind, title, detail, result, offline = false) {
    const nodes = [];
    const look = verdictLook(kind);
    if (look) {
      const word = element("p", "verdict-word");
      word.append(element("span", "verdict-glyph", look.glyph), element("span", "verdict-word-text", look.word));
      word.firstChild.setAttribute("aria-hidden", "true");
      nodes.push(word);
    }
    nodes.push(element("p", "verdict-title", title));
    if (detail) nodes.push(element("p", "verdict-detail", detail));
    if (offline) nodes.push(element("p", "verdict-offline", say("offline_mark")));
    box.replaceChildren(...nodes);
    if (offline) box.dataset.offline = "true";
    else delete box.dataset.offline;
    box.className = `verdict verdict-${kind}`;
    box.dataset.result = result || kind;
    clearTimeout(staleTimer);
    if (kind !== "busy") staleTimer = setTimeout(() => box.classList.add("verdict-stale"), STALE_AFTER_MS);
  }

  /** A judged scan: green with the name and ticket type, amber or red with the server's reason in plain words. */
  function showAnswer(answer, scan, late, offline = false) {
    const ok = answer.result === "ok";
    const registration = answer.registration;
    const detail = [];
    if (registration) {
      if (!ok || !(answer.message || "").includes(registration.name)) detail.push(registration.name);
      if (registration.ticket_type) detail.push(ticketTypeName(registration.ticket_type));
    } else {
      detail.push(say("code_read", { code: shortCode(scan.code) }));
    }
    if (late) detail.push(say("scanned_late", { time: formatTime(scan.scanned_at) }));
    const kind = verdictKind(answer.result, scan.direction);
    show(kind, answer.message || resultWords(answer.result), detail.join(" · "), answer.result, offline);
    if (!(late && ok)) signal(kind === "out" ? "ok" : kind); // a late admission needs nobody's attention
  }

  /** A dry run's answer in review mode: an admissible ticket in its own look (not admitted yet), any other as a scan's verdict. */
  function showForeseen(answer, scan, offline = false) {
    if (answer.result !== "ok") {
      showAnswer(answer, scan, false, offline);
      return;
    }
    const registration = answer.registration;
    const detail = [registration.name, ticketTypeName(registration.ticket_type)].join(" · ");
    show("review", say(scan.direction === "out" ? "review_ok_out" : "review_ok_in"), detail, "review_ok", offline);
    signal("queued");
  }

  return { show, showAnswer, showForeseen };
}

let audio = null;

/** Browsers start audio only after a tap or a key: call this on one. */
export function unlockAudio() {
  try {
    audio = audio || new AudioContext();
    if (audio.state === "suspended") audio.resume().catch(() => {});
  } catch {
    audio = null;
  }
}

/** A tone and a vibration for "ok", "warn", "bad" or "queued". */
export function signal(kind) {
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
