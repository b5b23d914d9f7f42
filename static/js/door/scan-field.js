// The code field that a USB or Bluetooth scanner types into (the code, then Enter): it keeps the
// focus, so no scan is typed anywhere else; it holds the direction (entry or exit); and on a phone it
// opens no keyboard over the running camera until "Type" is pressed.

import { say } from "./words.js";

const TYPING_TARGETS = "input, select, textarea, button, a[href], summary, video[controls]";
// Someone who searched and walked away leaves the focus in the look-up box: after a quiet spell
// it goes back to the code field, so the next scanner read is not typed into the search.
const IDLE_REFOCUS_MS = 20000;

/** root: the door element; form, input, keyboardToggle: the scan form's; onCode(code): a code was entered. */
export function createScanField({ root, form, input, keyboardToggle, onCode }) {
  const coarsePointer = window.matchMedia("(pointer: coarse)").matches;
  let idleTimer = 0;

  function direction() {
    const checked = form.querySelector("input[name=direction]:checked");
    return checked && checked.value === "out" ? "out" : "in";
  }

  function focus() {
    if (document.activeElement !== input) input.focus({ preventScroll: true });
  }

  function setKeyboard(open) {
    input.inputMode = open ? "text" : "none";
    keyboardToggle.setAttribute("aria-pressed", String(open));
    input.blur();
    focus();
  }

  /** The camera's state decides whether a phone's keyboard may open. */
  function cameraStateChanged(state) {
    const keyboardless = coarsePointer && state === "on";
    keyboardToggle.hidden = !keyboardless;
    if (!keyboardless) input.inputMode = "text";
    else if (keyboardToggle.getAttribute("aria-pressed") !== "true") input.inputMode = "none";
  }

  function noteActivity() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (document.activeElement && document.activeElement.closest(".lookup")) focus();
    }, IDLE_REFOCUS_MS);
  }

  document.addEventListener("focusout", () => {
    setTimeout(() => {
      const active = document.activeElement;
      if (!active || !active.matches(TYPING_TARGETS)) focus();
    }, 0);
  });
  window.addEventListener("focus", () => {
    const active = document.activeElement;
    if (!active || !active.matches(TYPING_TARGETS)) focus();
  });
  document.addEventListener("keydown", noteActivity, { capture: true });
  document.addEventListener("pointerdown", noteActivity, { capture: true });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = input.value;
    input.value = "";
    focus();
    onCode(code);
  });
  form.addEventListener("change", (event) => {
    if (event.target.name !== "direction") return;
    root.classList.toggle("door-exit", direction() === "out");
    form.querySelector("#scan-submit").textContent = direction() === "out" ? say("check_out") : say("check");

    focus();
  });
  keyboardToggle.addEventListener("click", () => setKeyboard(keyboardToggle.getAttribute("aria-pressed") !== "true"));

  return { direction, focus, cameraStateChanged };
}
