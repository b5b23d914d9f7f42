// Small pieces the door page's views share: building an element, a verdict in words, times in the
// event's time zone.

import { say } from "./words.js";

const RESULTS = ["ok", "already_checked_in", "invalid", "wrong_event", "cancelled", "not_confirmed", "not_inside"];

/** A scan's result in words ("Checked in"), or the result itself when there are none for it. */
export function resultWords(result) {
  return RESULTS.includes(result) ? say(`result_${result}`) : result;
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
