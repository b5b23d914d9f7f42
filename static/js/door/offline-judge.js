// The verdict of a scan judged on the device (offline), by the server's rules and in its words, in
// the shape of the server's answer ({result, message, registration, previous}), so that the page
// shows it as it shows any verdict. No DOM: node's test runner drives it.
//
// details: the ticket's opened entry of the offline dataset (null: not in it), or as the server's
// format says {ref, name, ticket_type, status, inside, admitted, left};
// passages: what this device itself let through for that ref, oldest first ([{direction, at, gate}]).

const NOT_CONFIRMED = ["waitlisted", "pending_approval", "rejected"];

function time(iso) {
  const at = Date.parse(iso || "");
  return Number.isNaN(at) ? -Infinity : at;
}

/**
 * Where the ticket stands: {inside, passage} — passage the admission (when inside) or the exit
 * (when not) that stands, as {at, gate, direction}, or null. The device's own passage wins when it
 * is later than anything the dataset knows (the server has not seen it yet); else the dataset's.
 */
export function standing(details, passages = []) {
  const known = Math.max(time(details.admitted?.at), time(details.left?.at));
  const local = passages.length ? passages[passages.length - 1] : null;
  if (local && time(local.at) > known) {
    return { inside: local.direction === "in", passage: { at: local.at, gate: local.gate || "", direction: local.direction } };
  }
  if (details.inside) {
    return { inside: true, passage: details.admitted ? { ...details.admitted, direction: "in" } : null };
  }
  return { inside: false, passage: details.left ? { ...details.left, direction: "out" } : null };
}

function registrationOf(details) {
  return { name: details.name, ticket_type: details.ticket_type, status: details.status };
}

/** "Already checked in at 09:12 at North door", as the server words it. */
function whenAndWhere(direction, previous, say, formatTime) {
  const prefix = direction === "in" ? "already_in" : "not_inside_out";
  if (!previous) return say(prefix);
  const values = { time: formatTime(previous.at), gate: previous.gate };
  return say(previous.gate ? `${prefix}_at_gate` : `${prefix}_at`, values);
}

/**
 * judge(details, passages, direction, {say, formatTime}) → {result, message, registration, previous, offline: true}.
 * say(key, values): the door's words; formatTime(iso) → "09:12" in the event's time zone.
 */
export function judge(details, passages, direction, { say, formatTime }) {
  const answer = (result, message, previous = null) => ({
    result,
    message,
    registration: details ? registrationOf(details) : null,
    previous,
    offline: true,
  });
  if (!details) return answer("invalid", say("result_invalid"));
  if (details.status === "cancelled") return answer("cancelled", say("result_cancelled"));
  if (NOT_CONFIRMED.includes(details.status)) return answer("not_confirmed", say(`not_confirmed_${details.status}`));
  if (details.status !== "confirmed") return answer("not_confirmed", say("result_not_confirmed"));
  const { inside, passage } = standing(details, passages);
  if (direction === "out") {
    if (inside) return answer("ok", say("goodbye", { name: details.name }));
    if (!passage) return answer("not_inside", say("not_inside_never"));
    return answer("not_inside", whenAndWhere("out", passage, say, formatTime), passage);
  }
  if (!inside) return answer("ok", say("welcome", { name: details.name }));
  return answer("already_checked_in", whenAndWhere("in", passage, say, formatTime), passage);
}

/** Whether a verdict lets the person through, so that the device notes the passage in its own log. */
export function passes(answer) {
  return answer.result === "ok";
}
