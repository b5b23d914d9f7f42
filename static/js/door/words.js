// The door page's words, in the page's language: the server puts them in the door config
// (eventsys/checkin/views.py, DOOR_WORDS), translated with the rest of the page; so are the
// event's ticket type names, which scan answers carry as the organizer first wrote them.

let config = null;

function loaded() {
  if (config) return config.words || {};
  const node = typeof document === "undefined" ? null : document.getElementById("door-config");
  config = (node && JSON.parse(node.textContent)) || {};
  return config.words || {};
}

/** A ticket type's name in the page's language (the server's names by id), else as the answer gave it. */
export function ticketTypeName(ticketType) {
  loaded();
  return (config.ticket_types || {})[ticketType.id] || ticketType.name;
}

/**
 * say("code_read", { code }) → "Code read: K7QF-3M2X": the word for key with its %(name)s
 * placeholders filled in; a plural ({one, other}) picks its form by values.num.
 */
export function say(key, values = {}) {
  let text = loaded()[key];
  if (text && typeof text === "object") text = values.num === 1 ? text.one : text.other;
  if (typeof text !== "string") return key;
  return text.replace(/%\((\w+)\)[sd]/g, (_match, name) => String(values[name] ?? ""));
}
