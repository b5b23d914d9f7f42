// The door's offline verdicts: the server's results and words, from the dataset's details and the
// device's own log.
import assert from "node:assert/strict";
import { test } from "node:test";

import { judge, passes, standing } from "../../static/js/door/offline-judge.js";

const WORDS = {
  result_invalid: "Unknown ticket",
  result_cancelled: "This ticket was cancelled",
  result_not_confirmed: "Not confirmed",
  not_confirmed_waitlisted: "Not confirmed: on the waiting list",
  not_confirmed_pending_approval: "Not confirmed: waiting for the organizer's approval",
  not_confirmed_rejected: "Not confirmed: the registration was not accepted",
  welcome: "Welcome, %(name)s",
  goodbye: "Goodbye, %(name)s",
  already_in: "Already checked in",
  already_in_at: "Already checked in at %(time)s",
  already_in_at_gate: "Already checked in at %(time)s at %(gate)s",
  not_inside_never: "Not inside: this ticket was never checked in",
  not_inside_out: "Not inside: checked out",
  not_inside_out_at: "Not inside: checked out at %(time)s",
  not_inside_out_at_gate: "Not inside: checked out at %(time)s at %(gate)s",
};
const say = (key, values = {}) => WORDS[key].replace(/%\((\w+)\)s/g, (_m, name) => values[name]);
const formatTime = (iso) => iso.slice(11, 16);
const words = { say, formatTime };

const base = {
  ref: "r1",
  name: "Li Wei",
  ticket_type: { id: 1, name: "General" },
  status: "confirmed",
  inside: false,
  admitted: null,
  left: null,
};

test("no entry: an unknown ticket, red", () => {
  assert.deepEqual(judge(null, [], "in", words), {
    result: "invalid",
    message: "Unknown ticket",
    registration: null,
    previous: null,
    offline: true,
  });
});

test("cancelled and not confirmed are refused with the server's reason", () => {
  assert.equal(judge({ ...base, status: "cancelled" }, [], "in", words).result, "cancelled");
  assert.equal(judge({ ...base, status: "cancelled" }, [], "in", words).message, "This ticket was cancelled");
  for (const status of ["waitlisted", "pending_approval", "rejected"]) {
    const answer = judge({ ...base, status }, [], "in", words);
    assert.equal(answer.result, "not_confirmed");
    assert.equal(answer.message, WORDS[`not_confirmed_${status}`]);
    assert.deepEqual(answer.registration, { name: "Li Wei", ticket_type: base.ticket_type, status });
  }
});

test("a confirmed ticket not inside is welcome; inside by the dataset, already checked in there", () => {
  const ok = judge(base, [], "in", words);
  assert.equal(ok.result, "ok");
  assert.equal(ok.message, "Welcome, Li Wei");
  assert.ok(passes(ok));
  const inside = { ...base, inside: true, admitted: { at: "2026-12-04T09:12:00+08:00", gate: "South door" } };
  const again = judge(inside, [], "in", words);
  assert.equal(again.result, "already_checked_in");
  assert.equal(again.message, "Already checked in at 09:12 at South door");
  assert.equal(again.previous.gate, "South door");
  assert.ok(!passes(again));
  assert.equal(judge({ ...base, inside: true }, [], "in", words).message, "Already checked in");
});

test("the device's own later admission counts: the same ticket twice offline", () => {
  const passages = [{ direction: "in", at: "2026-12-04T10:05:00+08:00", gate: "North door" }];
  const second = judge(base, passages, "in", words);
  assert.equal(second.result, "already_checked_in");
  assert.equal(second.message, "Already checked in at 10:05 at North door");
  const out = judge(base, passages, "out", words);
  assert.equal(out.result, "ok");
  assert.equal(out.message, "Goodbye, Li Wei");
});

test("a passage the dataset already knows of, or an older one, gives way to the dataset", () => {
  const admitted = { at: "2026-12-04T10:05:00+08:00", gate: "North door" };
  const left = { at: "2026-12-04T11:00:00+08:00", gate: "South door" };
  const details = { ...base, inside: false, admitted: null, left };
  const passages = [{ direction: "in", ...admitted }];
  assert.equal(standing(details, passages).inside, false);
  assert.equal(judge(details, passages, "in", words).result, "ok");
  const out = judge(details, passages, "out", words);
  assert.equal(out.result, "not_inside");
  assert.equal(out.message, "Not inside: checked out at 11:00 at South door");
});

test("out: never checked in, or let out here", () => {
  assert.equal(judge(base, [], "out", words).message, "Not inside: this ticket was never checked in");
  const passages = [
    { direction: "in", at: "2026-12-04T10:05:00+08:00", gate: "North door" },
    { direction: "out", at: "2026-12-04T10:30:00+08:00", gate: "North door" },
  ];
  assert.equal(judge(base, passages, "out", words).message, "Not inside: checked out at 10:30 at North door");
  assert.equal(judge(base, passages, "in", words).result, "ok");
});
