// Where this gate stands: the connection line, how many scans wait to be sent, the counter, the
// last scans at this gate (the server's, and those judged here offline and not sent yet), the
// offline line (online or not, the offline data's age, the scans to upload), the loud warning of a
// gate offline too long, and the double admissions the server found.

import { element, resultWords, verdictKind, verdictLook } from "./display.js";
import { say } from "./words.js";

/** "Offline data from 2 min ago", from when the data was last fetched (or confirmed unchanged). */
export function datasetAge(fetchedAt, now = Date.now()) {
  const minutes = Math.floor(Math.max(0, now - Date.parse(fetchedAt)) / 60000);
  if (!Number.isFinite(minutes) || minutes < 1) return say("data_age_now");
  if (minutes < 120) return say("data_age_min", { num: minutes });
  return say("data_age_hours", { num: Math.floor(minutes / 60) });
}

/**
 * root: the door element; the others: the elements each part is shown in; numbers: the gate's
 * numbers' elements ({recent, inside, expected}), null where the page has none (a steward's);
 * sync, warning, conflicts, conflictList: the offline line, the loud warning, the double admissions.
 */
export function createGateStatus({
  root,
  connection,
  countIn,
  countExpected,
  recent,
  numbers,
  formatTime,
  sync,
  warning,
  conflicts,
  conflictList,
  offlineWords = "offline",
}) {
  const problems = { offline: false, server: "" };
  let serverScans = [];
  let localScans = [];

  function showConnection() {
    let message = "";
    if (problems.offline && offlineWords) message = say(offlineWords);
    else if (problems.server) message = problems.server;
    connection.hidden = !message;
    connection.textContent = message;
  }

  /** Which words say the gate is offline: "online_only_offline", or "" where the offline line says it. */
  function setOfflineWords(key) {
    offlineWords = key;
    showConnection();
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

  /** The door state endpoint's answer: the counter and the last scans. */
  function showState(state) {
    countIn.textContent = String(state.checked_in);
    countExpected.textContent = String(state.confirmed);
    if (numbers && state.gate_numbers) {
      numbers.recent.textContent = String(state.gate_numbers.admitted_recently);
      numbers.inside.textContent = String(state.gate_numbers.inside);
      numbers.expected.textContent = String(state.gate_numbers.expected);
    }
    serverScans = state.recent || [];
    showRecent();
    if (Array.isArray(state.conflicts)) showConflicts(state.conflicts);
  }

  /** The scans judged here offline and not recorded by the server yet (or refused by it), newest first. */
  function showLocal(scans) {
    localScans = scans;
    showRecent();
  }

  /**
   * The offline line: {online, mode ("offline": this gate judges offline, or "online_only"),
   * dataset (the stored one's {fetched_at, complete}, or null), waiting, offlineForMs, warnAfterMs}.
   */
  function showSync({ online, mode, dataset, waiting, offlineForMs, warnAfterMs }) {
    const parts = [say(online ? "link_online" : mode === "offline" ? "offline_mark" : "link_offline")];
    if (mode === "online_only") parts.push(say("data_online_only"));
    else if (mode === "offline") {
      if (!dataset) parts.push(say("data_none"));
      else {
        parts.push(datasetAge(dataset.fetched_at));
        if (!dataset.complete) parts.push(say("data_preparing"));
      }
    }
    parts.push(say("to_upload", { num: waiting }));
    const line = parts.join(" · ");
    if (sync.textContent !== line) sync.textContent = line;
    sync.dataset.online = String(online);
    root.dataset.online = String(online);
    const loud = !online && mode === "offline" && offlineForMs > warnAfterMs;
    warning.hidden = !loud;
    if (loud) {
      const text = say("offline_warning", { num: Math.floor(offlineForMs / 60000) });
      if (warning.textContent !== text) warning.textContent = text;
    }
  }

  /** Double admissions this gate took part in (the state's conflicts): a note at the gate. */
  function showConflicts(items) {
    conflicts.hidden = items.length === 0;
    conflictList.replaceChildren(
      ...items.map((item) =>
        element("li", "conflict", say("conflict_note", { name: item.name, gates: (item.gates || []).join(", ") })),
      ),
    );
  }

  function showRecent() {
    const scans = [...localScans, ...serverScans];
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
        if (scan.note) {
          row.classList.add("recent-local");
          row.append(element("span", "recent-note", scan.note));
        }
        return row;
      }),
    );
  }

  return { setOffline, setOfflineWords, setServerProblem, hasServerProblem, showState, showLocal, showSync, showConflicts };
}
