// Small pieces the door page's views share: building an element, a verdict in words, times in the
// event's time zone.

import { say } from "./words.js";

const RESULTS = ["ok", "already_checked_in", "invalid", "wrong_event", "cancelled", "not_confirmed", "not_inside"];

// How a verdict looks, so that colour is never the only sign: a colour (the class verdict-<kind>),
// a big word and a glyph. Amber ("warn") is a repeated passage of a real, confirmed ticket (already
// inside, or leaving without being inside): the door staff decide. Red ("bad") is every other refusal.
const LOOKS = {
  ok: { word: "verdict_ok", glyph: "✓" },
  out: { word: "verdict_ok", glyph: "←" },
  warn: { word: "verdict_warning", glyph: "!" },
  bad: { word: "verdict_not_ok", glyph: "✕" },
  queued: { word: "verdict_not_checked", glyph: "↻" },
  review: { word: "verdict_review", glyph: "?" }, // review mode: valid, waiting for Admit
};
const WARNINGS = ["already_checked_in", "not_inside"];

/** A scan's result in words ("Checked in"), or the result itself when there are none for it. */
export function resultWords(result) {
  return RESULTS.includes(result) ? say(`result_${result}`) : result;
}

/** The kind of look for a scan's result: "ok", "out" (an admitted exit), "warn" or "bad". */
export function verdictKind(result, direction) {
  if (result === "ok") return direction === "out" ? "out" : "ok";
  return WARNINGS.includes(result) ? "warn" : "bad";
}

/** verdictLook(kind) → { word: "OK", glyph: "✓" } in the page's language; null for a kind without a verdict (busy). */
export function verdictLook(kind) {
  const look = LOOKS[kind];
  return look ? { word: say(look.word), glyph: look.glyph } : null;
}


export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A code as read, cut short enough for the verdict. */
export function shortCode(code) {
  return code.length > 24 ? `${code.slice(0, 24)}…` : code;
}

/** formatTime(iso) → "14:05" in the event's time zone (the browser's when it does not know that zone). */
export function timeFormatter(timezone) {
  let format;
  try {
    format = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: timezone || undefined });
  } catch {
    format = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" });
  }
  return (iso) => {
    const moment = new Date(iso);
    return Number.isNaN(moment.getTime()) ? "" : format.format(moment);
  };
}
