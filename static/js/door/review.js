// The gate's mode, and review mode's card. Express admits a valid ticket at once; review first asks
// the server for the verdict the scan would get (a dry run: nothing admitted, nothing recorded) and
// shows the person, their ticket type and the answers printed on the badge, and the Admit button
// (or Enter in the code field) sends the real scan. The mode is remembered per gate and event.

import { element } from "./display.js";
import { say, ticketTypeName } from "./words.js";

const MODES = ["express", "review"];

/** fieldset: the mode's radio buttons; help: the line that says what the mode does; storage, key: where it is remembered. */
export function createModeChoice({ fieldset, help, storage, key, onChange }) {
  function current() {
    const checked = fieldset.querySelector("input[name=mode]:checked");
    return checked && checked.value === "review" ? "review" : "express";
  }

  function showHelp() {
    help.textContent = say(current() === "review" ? "mode_review_help" : "mode_express_help");
    fieldset.closest(".door").dataset.mode = current();
  }

  let remembered = null;
  try {
    remembered = storage && storage.getItem(key);
  } catch {
    remembered = null;
  }
  if (MODES.includes(remembered)) fieldset.querySelector(`input[value=${remembered}]`).checked = true;
  showHelp();

  fieldset.addEventListener("change", () => {
    try {
      if (storage) storage.setItem(key, current());
    } catch {
      // storage full or refused: the mode holds until the page is reloaded
    }
    showHelp();
    onChange(current());
  });

  return { current };
}

/**
 * The review card: card, name, type, answers, admit, dismiss: its elements;
 * onAdmit(code, direction): send the real scan; onDismiss(): the scan was put aside.
 */
export function createReview({ card, name, type, answers, admit, dismiss, onAdmit, onDismiss }) {
  let reviewed = null; // {code, direction} while the card waits for Admit or Dismiss; null otherwise

  /** answer: the dry run's answer, or null when there was none (offline); scan: {code, direction}. */
  function show(answer, scan) {
    const registration = answer && answer.registration;
    const admissible = !answer || answer.result === "ok";
    reviewed = admissible ? scan : null;
    name.textContent = registration ? registration.name : scan.code;
    type.textContent = registration && registration.ticket_type ? ticketTypeName(registration.ticket_type) : say("review_no_details");
    answers.replaceChildren(
      ...((registration && registration.answers_on_badge) || []).map((item) => {
        const row = element("div", "review-answer");
        row.append(element("dt", "", item.label), element("dd", "", item.answer));
        return row;
      }),
    );
    admit.hidden = !admissible;
    admit.textContent = scan.direction === "out" ? say("check_out") : say("admit");
    card.querySelector(".review-keys").hidden = !admissible;
    card.dataset.result = answer ? answer.result : "unchecked";
    card.hidden = false;
  }

  function hide() {
    reviewed = null;
    card.hidden = true;
  }

  /** Admit the person on the card (Enter in an empty code field, or the button); false when none waits. */
  function admitReviewed() {
    if (!reviewed) return false;
    const scan = reviewed;
    hide();
    onAdmit(scan.code, scan.direction);
    return true;
  }

  function dismissReviewed() {
    if (card.hidden) return false;
    hide();
    onDismiss();
    return true;
  }

  admit.addEventListener("click", admitReviewed);
  dismiss.addEventListener("click", dismissReviewed);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && dismissReviewed()) event.preventDefault();
  });

  return { show, hide, admitReviewed };
}
