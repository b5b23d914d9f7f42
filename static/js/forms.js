// Loaded by every page (templates/base.html), as a module: it runs once the page is parsed.
//
// The error summary of a form shown again (templates/_forms.html): it has the focus already
// (its autofocus attribute); a link in it moves the focus to its field, with the field's label
// or legend in view. A plain #fragment link would only scroll, leaving the focus where it was.
const summary = document.querySelector("[data-error-summary]");

function controlOf(target) {
  if (target.matches("input, select, textarea")) return target;
  return target.querySelector("input:not([type=hidden]), select, textarea"); // a list of radios or checkboxes
}

function captionOf(control) {
  const choices = control.closest("fieldset.choices");
  if (choices) return choices.querySelector("legend");
  return (control.id && document.querySelector(`label[for="${CSS.escape(control.id)}"]`)) || control;
}

if (summary) {
  if (document.activeElement === document.body) summary.focus(); // the autofocus was not honoured
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    const control = target && controlOf(target);
    if (!control) return;
    event.preventDefault();
    captionOf(control).scrollIntoView({ block: "start" });
    control.focus({ preventScroll: true });
  });
}

// A new event's time zone: the organizer's browser's, when the picker knows it (else the
// server's default, Asia/Shanghai, stays). Only on a form not yet submitted: never over a choice.
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
for (const input of document.querySelectorAll("input[data-browser-default]")) {
  const known = [...(input.list?.options ?? [])].some((option) => option.value === browserZone);
  if (known && input.value === input.defaultValue) input.value = browserZone;
}
