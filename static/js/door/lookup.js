// Finding a person by name or code, and checking them in with a tap.

import { element } from "./display.js";
import { errorMessage } from "./network.js";
import { say, ticketTypeName } from "./words.js";

const TICKET_PAYLOAD = /^[A-Z2-7]{32}$/; // a QR payload, typed here by a scanner by mistake
const SEARCH_AFTER_TYPING_MS = 300;
const STATUSES = ["confirmed", "waitlisted", "pending_approval", "rejected", "cancelled"];
// One character that is a name on its own (王, 김, kana); the server decides the same way
// (eventsys/registration/search.py, door_can_search).
const NAME_CHARACTER = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\uAC00-\uD7A3]$/u;

/** Is q enough to look someone up: two characters, or one Chinese character (one Latin letter matches nearly everyone)? */
export function canSearch(q) {
  return q.length >= 2 || NAME_CHARACTER.test(q);
}

/**
 * form, input, status, results: the look-up's elements; request, url: the client and the look-up URL;
 * direction(), focusScan(): the scan field's; submitScan(code): resolves once the scan has an outcome.
 */
export function createLookup({ form, input, status, results, request, url, direction, focusScan, submitScan }) {
  let searchNumber = 0;
  let typingTimer = 0;

  async function search() {
    clearTimeout(typingTimer);
    const q = input.value.trim();
    const number = ++searchNumber;
    if (!canSearch(q)) {
      results.replaceChildren();
      status.textContent = q ? say("type_two_letters") : "";
      return;
    }
    status.textContent = say("searching");
    let result;
    try {
      result = await request(`${url}?q=${encodeURIComponent(q)}`);
    } catch {
      if (number === searchNumber) status.textContent = say("lookup_offline");
      return;
    }
    if (number !== searchNumber) return; // a newer search is under way
    if (result.status !== 200 || !result.data || !Array.isArray(result.data.items)) {
      status.textContent = errorMessage(result);
      return;
    }
    const items = result.data.items;
    status.textContent = items.length ? say("found", { num: items.length }) : say("nobody_found", { q });
    results.replaceChildren(...items.map(personRow));
  }

  function personRow(person) {
    const row = element("li", "person");
    const info = element("div", "person-info");
    info.append(element("span", "person-name", person.name));
    const facts = [person.ticket_type ? ticketTypeName(person.ticket_type) : "", person.code];
    if (person.status !== "confirmed") facts.push(STATUSES.includes(person.status) ? say(`status_${person.status}`) : person.status);
    else if (person.checked_in) facts.push(say("checked_in"));
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
      button.append(direction() === "out" ? say("check_out") : say("check_in"));

      button.append(element("span", "visually-hidden", ` ${person.name}`));
      button.addEventListener("click", async () => {
        button.disabled = true;
        focusScan();
        await submitScan(person.code);
        search();
      });
      row.append(button);
    }
    row.dataset.code = person.code;
    return row;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (TICKET_PAYLOAD.test(q)) {
      input.value = "";
      focusScan();
      submitScan(q);
      return;
    }
    search();
  });
  input.addEventListener("input", () => {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(search, SEARCH_AFTER_TYPING_MS);
  });
}
