// The attendee list: "select everyone on this page", and how many are selected beside the button.
(function () {
  const form = document.querySelector("[data-bulk-form]");
  if (!form) return;
  const all = form.querySelector("[data-select-all]");
  const boxes = Array.from(form.querySelectorAll('input[name="codes"]'));
  const count = form.querySelector("[data-selected-count]");
  function update() {
    const selected = boxes.filter((box) => box.checked).length;
    count.textContent = selected ? count.dataset.words.replace("%(num)s", String(selected)) : ""; // "3 selected", in the page's language

    all.checked = selected === boxes.length;
    all.indeterminate = selected > 0 && selected < boxes.length;
  }
  all.closest("label").hidden = false;
  all.addEventListener("change", () => {
    boxes.forEach((box) => { box.checked = all.checked; });
    update();
  });
  boxes.forEach((box) => box.addEventListener("change", update));
  update();
})();
