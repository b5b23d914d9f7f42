// Where this gate stands: the connection line, how many scans wait to be sent, the counter, and the
// last scans at this gate.

import { element, resultWords, verdictKind, verdictLook } from "./display.js";
import { say } from "./words.js";

/**
 * root: the door element; the others: the elements each part is shown in; numbers: the gate's
 * numbers' elements ({recent, inside, expected}), null where the page has none (a steward's).
 */
export function createGateStatus({ root, connection, pending, countIn, countExpected, recent, numbers, formatTime }) {
  const problems = { offline: false, server: "" };

  function showConnection() {
    let message = "";
    if (problems.offline) message = say("offline");
    else if (problems.server) message = problems.server;
    connection.hidden = !message;
    connection.textContent = message;
  }

  function setOffline(offline) {
    problems.offline = offline;
    showConnection();
  }

  /** What is wrong with the server, in words; "" when nothing is. */
  function setServerProblem(message) {
    problems.server = message;
    showConnection();
  }

  function hasServerProblem() {
    return Boolean(problems.server);
  }

  function showWaiting(waiting) {
    pending.hidden = waiting === 0;
    pending.textContent = say("waiting", { num: waiting });
    root.dataset.waiting = String(waiting);
  }

  /** The door state endpoint's answer: the counter and the last scans. */
  function showState(state) {
    countIn.textContent = String(state.checked_in);
    countExpected.textContent = String(state.confirmed);
    if (numbers && state.gate_numbers) {
      numbers.recent.textContent = String(state.gate_numbers.admitted_recently);
      numbers.inside.textContent = String(state.gate_numbers.inside);
      numbers.expected.textContent = String(state.gate_numbers.expected);
    }
    showRecent(state.recent || []);
  }

  function showRecent(scans) {
    if (!scans.length) {
      recent.replaceChildren(element("li", "recent-empty", say("none_yet")));
      return;
    }
    recent.replaceChildren(
      ...scans.map((scan) => {
        const kind = verdictKind(scan.result, scan.direction);
        const look = verdictLook(kind);
        const row = element("li", `recent-item recent-${kind}`);
        const time = element("time", "recent-time", formatTime(scan.at));
        time.dateTime = scan.at;
        const mark = element("span", "recent-mark", look.glyph);
        mark.setAttribute("aria-hidden", "true");
        row.append(time, mark, element("span", "visually-hidden", `${look.word}: `));
        let text = scan.message || resultWords(scan.result);

        if (scan.name && !text.includes(scan.name)) text += ` — ${scan.name}`;
        row.append(element("span", "recent-text", text));
        return row;
      }),
    );
  }

  return { setOffline, setServerProblem, hasServerProblem, showWaiting, showState };
}
