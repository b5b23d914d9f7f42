"""Judging scans at the door (eventsys.checkin.services), on SQLite and PostgreSQL.

What a door person sees for each ticket they scan, what the scan log keeps, how undo takes an
admission back, and the numbers the organizer watches.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from eventsys.auth.models import TokenKind
from eventsys.auth.services import issue_token
from eventsys.checkin.models import CheckinResult, Direction
from eventsys.checkin.numbers import attendance, checkin_stats
from eventsys.checkin.services import (
    EventAtDoor,
    Scanner,
    ScanRequest,
    check_in,
    loggable,
    undo_checkin,
)
from eventsys.errors import Conflict, NonceReused, NotFound, ValidationFailed
from eventsys.events.services import add_ticket_type
from eventsys.extensions import db
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.registration.services import (
    approve_registration,
    cancel_registration,
    reject_registration,
)
from eventsys.registration.tickets import qr_payload_of
from eventsys.timeutil import utcnow
from tests.checkin_helpers import DAY, attendee, days_ago, scan_count, scan_log, utc
from tests.conftest import make_event, make_user

pytestmark = pytest.mark.both_databases

NORTH = Scanner(gate="North door", door_token_id=None)
ANSWER_KEYS = ["result", "message", "registration", "checkin", "previous"]


def at_door(event) -> EventAtDoor:
    return EventAtDoor(event.id, event.timezone)


def scan(event, code: str, scanner: Scanner = NORTH, **fields) -> dict:
    return check_in(at_door(event), ScanRequest(code=code, **fields), scanner)


def reload(registration: Registration) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration.id)


# --- verdicts --------------------------------------------------------------------------------------


def test_ok_welcomes_the_attendee_by_name_with_their_ticket_and_the_check_in(event):
    li = attendee(event, "Li Wei")
    [general] = event.ticket_types
    answer = scan(event, qr_payload_of(li), scanned_at=utc(f"{DAY}T01:02:03+00:00"))

    assert list(answer) == ANSWER_KEYS
    assert answer["result"] == "ok"
    assert answer["message"] == "Welcome, Li Wei"
    assert answer["registration"] == {
        "code": li.code,
        "name": "Li Wei",
        "ticket_type": {"id": general.id, "name": "General admission"},
        "status": "confirmed",
    }
    [logged] = scan_log(event)
    assert answer["checkin"] == {
        "id": logged.id,
        "at": f"{DAY}T09:02:03+08:00",  # in the event's own zone, with its offset
        "gate": "North door",
        "direction": "in",
    }
    assert answer["previous"] is None
    assert reload(li).is_inside and reload(li).checked_in_at == utc(f"{DAY}T01:02:03+00:00")


def test_second_scan_is_already_checked_in_naming_the_admitting_time_and_gate(event):
    li = attendee(event, "Li Wei")
    first = scan(event, qr_payload_of(li), scanned_at=utc(f"{DAY}T01:07:00+00:00"))
    south = Scanner(gate="South door")
    again = scan(event, li.code, south, scanned_at=utc(f"{DAY}T01:30:00+00:00"))

    assert again["result"] == "already_checked_in"
    assert again["message"] == "Already checked in at 09:07 at North door"  # Hangzhou time, not UTC
    assert again["previous"] == first["checkin"]
    assert again["checkin"] is None
    assert again["registration"]["name"] == "Li Wei"
    assert reload(li).checked_in_at == utc(f"{DAY}T01:07:00+00:00")


def test_already_checked_in_shows_the_time_in_the_events_zone_wherever_it_is(app):
    event = make_event(timezone="America/New_York")
    ana = attendee(event, "Ana Souza")
    admitted = utc(f"{DAY}T14:03:00+00:00")
    in_new_york = admitted.astimezone(ZoneInfo("America/New_York"))
    first = scan(event, ana.code, scanned_at=admitted)
    assert first["checkin"]["at"] == in_new_york.isoformat()
    assert first["checkin"]["at"].endswith(("-05:00", "-04:00"))
    again = scan(event, ana.code)
    assert again["message"] == f"Already checked in at {in_new_york:%H:%M} at North door"


def test_unknown_code_is_invalid_and_names_nobody(event):
    attendee(event, "Li Wei")
    for code in ("NOPE", "ZZZZ-ZZZZ", "A" * 32, "https://example.org/ticket"):
        answer = scan(event, code)
        assert answer == {
            "result": "invalid",
            "message": answer["message"],
            "registration": None,
            "checkin": None,
            "previous": None,
        }
        assert answer["message"]
    assert [s.result for s in scan_log(event)] == [CheckinResult.INVALID] * 4


def test_a_ticket_of_another_event_is_wrong_event_and_does_not_reveal_whose_it_is(event):
    other = make_event(name="Another meetup")
    stranger = attendee(other, "Zhang Min")
    answer = scan(event, qr_payload_of(stranger))
    assert answer["result"] == "wrong_event"
    assert answer["registration"] is None and answer["checkin"] is None and answer["previous"] is None
    assert "Zhang" not in repr(answer) and stranger.code not in repr(answer)
    [logged] = scan_log(event)
    assert logged.result == CheckinResult.WRONG_EVENT and logged.registration_id is None
    assert "Zhang" not in repr(logged.answer)
    assert not reload(stranger).is_inside and reload(stranger).checked_in_at is None


def test_a_cancelled_ticket_is_refused_even_after_it_was_used(event):
    li = attendee(event, "Li Wei")
    assert scan(event, li.code)["result"] == "ok"
    cancel_registration(li)
    for direction in (Direction.IN, Direction.OUT):
        answer = scan(event, qr_payload_of(li), direction=direction)
        assert answer["result"] == "cancelled"
        assert answer["message"] == "This ticket was cancelled"
        assert answer["registration"]["status"] == "cancelled"
        assert answer["checkin"] is None


def test_waitlisted_pending_and_rejected_are_not_confirmed_each_with_a_plain_message(app):
    full = make_event(capacity=1, waitlist=True)
    attendee(full, "First Person")
    waiting = attendee(full, "Wang Fang")
    assert waiting.status == RegistrationStatus.WAITLISTED
    vetted = make_event(requires_approval=True)
    pending = attendee(vetted, "Chen Jie")
    rejected = reject_registration(attendee(vetted, "Liu Yang"))

    expected = [
        (full, waiting, "waitlisted", "Not confirmed: on the waiting list"),
        (vetted, pending, "pending_approval", "Not confirmed: waiting for the organizer's approval"),
        (vetted, rejected, "rejected", "Not confirmed: the registration was not accepted"),
    ]
    for event, registration, status, message in expected:
        for code in (qr_payload_of(registration), registration.code):
            answer = scan(event, code)
            assert answer["result"] == "not_confirmed", (status, answer)
            assert answer["message"] == message
            assert answer["registration"]["status"] == status
            assert answer["registration"]["name"] == registration.name
            assert answer["checkin"] is None and answer["previous"] is None
        assert not reload(registration).is_inside

    # Approved, the same ticket lets its holder in.
    approve_registration(pending)
    assert scan(vetted, pending.code)["result"] == "ok"


# --- what the scanner reads ------------------------------------------------------------------------


def test_qr_payload_and_short_code_are_read_whatever_the_case_and_surrounding_space(event):
    people = [attendee(event, f"Guest {letter}") for letter in "ABCDEFGH"]
    codes = [
        qr_payload_of(people[0]),
        " " + qr_payload_of(people[1]).lower() + "\n",
        "\n" + qr_payload_of(people[2]).title() + "\r\n",
        "\t" + people[3].code + "\r\n",
        people[4].code.lower(),
        people[5].code.replace("-", ""),
        "  " + people[6].code.replace("-", "").lower() + " ",
        people[7].code,
    ]
    for person, code in zip(people, codes, strict=True):
        answer = scan(event, code)
        assert answer["result"] == "ok", (code, answer)
        assert answer["registration"]["code"] == person.code
    assert attendance(event.id) == {"confirmed": 8, "checked_in": 8, "inside": 8}


def test_out_then_in_again_is_ok_and_inside_follows_the_last_scan(event):
    li, ana = attendee(event, "Li Wei"), attendee(event, "Ana Souza")
    steps = [
        (li, Direction.IN, "Welcome, Li Wei", {"checked_in": 1, "inside": 1}),
        (ana, Direction.IN, "Welcome, Ana Souza", {"checked_in": 2, "inside": 2}),
        (li, Direction.OUT, "Goodbye, Li Wei", {"checked_in": 2, "inside": 1}),
        (li, Direction.IN, "Welcome, Li Wei", {"checked_in": 2, "inside": 2}),
        (li, Direction.OUT, "Goodbye, Li Wei", {"checked_in": 2, "inside": 1}),
        (ana, Direction.OUT, "Goodbye, Ana Souza", {"checked_in": 2, "inside": 0}),
    ]
    for person, direction, message, counts in steps:
        answer = scan(event, person.code, direction=direction)
        assert (answer["result"], answer["message"]) == ("ok", message)
        assert answer["checkin"]["direction"] == direction.value
        assert attendance(event.id) == {"confirmed": 2, **counts}
        stats = checkin_stats(at_door(event))
        assert (stats["checked_in"], stats["inside"]) == (counts["checked_in"], counts["inside"])
    # Back in after two exits: ok, and the first admission still counts as the arrival.
    first_in = scan_log(event)[0].scanned_at
    assert scan(event, li.code)["result"] == "ok"
    assert reload(li).checked_in_at == first_in


def test_a_code_that_is_empty_or_far_too_long_is_refused_before_anything_is_logged(event):
    for request, field in [
        (ScanRequest(code="   \n"), "code"),
        (ScanRequest(code="X" * 201), "code"),
        (ScanRequest(code="ABCD-EFGH", nonce=""), "nonce"),
        (ScanRequest(code="ABCD-EFGH", gate="G" * 201), "gate"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            check_in(at_door(event), request, NORTH)
        assert field in caught.value.fields
    assert scan_count() == 0


# --- nonce: retries ----------------------------------------------------------------------------------


def test_a_retry_with_the_same_nonce_gets_exactly_the_first_answer_and_logs_nothing(event):
    li = attendee(event, "Li Wei")
    first = scan(event, li.code, nonce="phone-1:0001")
    logged = scan_count()
    # Meanwhile someone else scans the ticket: the retry still gets its own first answer (ok).
    other = scan(event, li.code, nonce="phone-2:0001")
    assert other["result"] == "already_checked_in"
    for _ in range(3):
        assert scan(event, li.code, nonce="phone-1:0001") == first
    assert scan(event, " " + li.code.lower(), nonce="phone-2:0001") == other
    assert scan_count() == logged + 1

    # A different nonce is a new scan: judged again, and logged.
    third = scan(event, li.code, nonce="phone-1:0002")
    assert third["result"] == "already_checked_in" and third["previous"] == first["checkin"]
    assert scan_count() == logged + 2


def test_nonces_of_every_verdict_replay_and_belong_to_one_event(event):
    other_event = make_event()
    li = attendee(event, "Li Wei")
    sent = {
        "n-invalid": ("NOPE", Direction.IN),
        "n-ok": (li.code, Direction.IN),
        "n-out": (li.code, Direction.OUT),
    }
    answers = {nonce: scan(event, code, nonce=nonce, direction=way) for nonce, (code, way) in sent.items()}
    count = scan_count()
    for nonce, (code, way) in sent.items():
        assert scan(event, code, nonce=nonce, direction=way) == answers[nonce]
    assert scan_count() == count
    # The same nonce at another event is that event's own scan.
    assert scan(other_event, li.code, nonce="n-ok")["result"] == "invalid"
    assert scan_count() == count + 1


def test_a_nonce_sent_again_with_another_code_direction_or_scanner_is_refused_and_admits_nobody(event):
    li, zhang = attendee(event, "Li Wei"), attendee(event, "Zhang Min")
    north, south = Scanner(gate="North door", door_token_id=None, user_id=event.owner_id), Scanner(gate="South door")
    first = scan(event, li.code, north, nonce="north:0001")
    assert first["result"] == "ok"
    count = scan_count()

    with pytest.raises(NonceReused):  # gate South reusing North's nonce for another ticket
        scan(event, zhang.code, south, nonce="north:0001")
    with pytest.raises(NonceReused):  # the same scanner, the same nonce, another ticket
        scan(event, zhang.code, north, nonce="north:0001")
    with pytest.raises(NonceReused):  # the same ticket the other way
        scan(event, li.code, north, nonce="north:0001", direction=Direction.OUT)
    with pytest.raises(NonceReused):  # the same ticket from another scanner
        scan(event, li.code, south, nonce="north:0001")

    assert scan_count() == count
    assert not reload(zhang).is_inside
    assert scan(event, li.code, north, nonce="north:0001") == first  # the real retry still replays


def test_an_out_scan_of_someone_not_inside_says_so_and_lets_nobody_out(event):
    li = attendee(event, "Li Wei")
    never = scan(event, li.code, direction=Direction.OUT)
    assert (never["result"], never["message"]) == ("not_inside", "Not inside: this ticket was never checked in")
    assert never["previous"] is None and never["checkin"] is None

    scan(event, li.code, scanned_at=utc(f"{DAY}T01:00:00+00:00"))
    south = Scanner(gate="South door")
    left = scan(event, li.code, south, direction=Direction.OUT, scanned_at=utc(f"{DAY}T04:30:00+00:00"))
    assert left["result"] == "ok" and left["message"] == "Goodbye, Li Wei"
    again = scan(event, li.code, direction=Direction.OUT)
    assert again["result"] == "not_inside"
    assert again["message"] == "Not inside: checked out at 12:30 at South door"
    assert again["previous"] == left["checkin"]
    assert [s.result for s in scan_log(event)] == ["not_inside", "ok", "ok", "not_inside"]
    assert not reload(li).is_inside


# --- scanned_at: offline scans ---------------------------------------------------------------------


def test_an_offline_scan_uploaded_later_is_recorded_at_the_time_it_was_made(event):
    li = attendee(event, "Li Wei")
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    made = utc(f"{yesterday}T01:15:42+00:00")  # the phone was offline; it uploads the scan now
    answer = scan(event, qr_payload_of(li), scanned_at=made)
    assert answer["checkin"]["at"] == f"{yesterday}T09:15:42+08:00"
    [logged] = scan_log(event)
    assert logged.scanned_at == made
    assert logged.recorded_at > made + timedelta(hours=1)  # when it reached the server, kept apart
    assert reload(li).checked_in_at == made
    assert checkin_stats(at_door(event))["arrivals"] == [{"start": f"{yesterday}T09:15:00+08:00", "count": 1}]
    assert scan(event, li.code)["message"] == "Already checked in at 09:15 at North door"


# --- the scan log ----------------------------------------------------------------------------------


def test_every_scan_whatever_its_verdict_is_kept_in_the_scan_log(event):
    other = make_event()
    gate_token, _ = issue_token(event.owner, TokenKind.DOOR, "North door", event_id=event.id)
    gate = Scanner(gate="North door", door_token_id=gate_token.id)
    staff = make_user(name="Door Volunteer")
    person = Scanner(gate="Side entrance", user_id=staff.id)
    li, gone = attendee(event, "Li Wei"), attendee(event, "Cancelled Person")
    cancel_registration(gone)
    stranger = attendee(other, "Zhang Min")

    sequence = [
        (gate, " " + li.code.lower(), Direction.IN, "ok"),
        (person, qr_payload_of(li), Direction.IN, "already_checked_in"),
        (gate, "nope", Direction.IN, "invalid"),
        (person, qr_payload_of(stranger), Direction.IN, "wrong_event"),
        (gate, gone.code, Direction.IN, "cancelled"),
        (person, li.code, Direction.OUT, "ok"),
    ]
    for scanner, code, direction, result in sequence:
        assert scan(event, code, scanner, direction=direction)["result"] == result

    log = scan_log(event)
    assert [
        (s.code_read, s.result.value, s.direction.value, s.gate, s.door_token_id, s.user_id, s.registration_id)
        for s in log
    ] == [
        (li.code, "ok", "in", "North door", gate_token.id, None, li.id),
        (loggable(qr_payload_of(li)), "already_checked_in", "in", "Side entrance", None, staff.id, li.id),
        ("NOPE", "invalid", "in", "North door", gate_token.id, None, None),
        (loggable(qr_payload_of(stranger)), "wrong_event", "in", "Side entrance", None, staff.id, None),
        (gone.code, "cancelled", "in", "North door", gate_token.id, None, gone.id),
        (li.code, "ok", "out", "Side entrance", None, staff.id, li.id),
    ]
    assert all(s.answer["result"] == s.result.value for s in log)
    # The log keeps no working ticket: a QR payload only as a fingerprint, in no column or answer.
    for payload in (qr_payload_of(li), qr_payload_of(stranger)):
        assert not any(payload in f"{s.code_read} {s.answer}" for s in log)
    # A gate named in the request wins over the scanner's own name.
    assert scan(event, li.code, gate, gate="  Loading dock ")["checkin"]["gate"] == "Loading dock"


# --- undo ----------------------------------------------------------------------------------------------


def test_undo_takes_the_admission_back_and_the_log_keeps_both_rows(event):
    li = attendee(event, "Li Wei")
    organizer = Scanner(gate="Organizer", user_id=event.owner_id)
    admitted = scan(event, li.code)
    assert attendance(event.id) == {"confirmed": 1, "checked_in": 1, "inside": 1}

    undone = undo_checkin(at_door(event), admitted["checkin"]["id"], organizer)
    assert undone["result"] == "undo"
    assert undone["undone"] == admitted["checkin"]
    assert attendance(event.id) == {"confirmed": 1, "checked_in": 0, "inside": 0}
    assert reload(li).checked_in_at is None and not reload(li).is_inside

    original, undo_row = scan_log(event)
    assert (original.id, original.result) == (admitted["checkin"]["id"], CheckinResult.OK)
    assert (undo_row.result, undo_row.undoes_scan_id, undo_row.user_id) == (
        CheckinResult.UNDO,
        original.id,
        event.owner_id,
    )
    assert undo_row.registration_id == li.id

    # The attendee can be admitted again; the undone admission is no longer "previous".
    again = scan(event, li.code)
    assert again["result"] == "ok"
    assert scan(event, li.code)["previous"] == again["checkin"]

    with pytest.raises(Conflict):
        undo_checkin(at_door(event), admitted["checkin"]["id"], organizer)
    assert len(scan_log(event)) == 4


def test_only_a_standing_admission_can_be_undone(event):
    li = attendee(event, "Li Wei")
    organizer = Scanner(gate="Organizer", user_id=event.owner_id)
    admitted = scan(event, li.code)["checkin"]["id"]
    scan(event, li.code)  # already checked in
    scan(event, "NOPE")  # invalid
    scan(event, li.code, direction=Direction.OUT)
    undo_checkin(at_door(event), admitted, organizer)
    log = {s.result.value + "/" + s.direction.value: s.id for s in scan_log(event)}
    assert set(log) == {"ok/in", "already_checked_in/in", "invalid/in", "ok/out", "undo/in"}
    count = scan_count()

    for refused in ("already_checked_in/in", "invalid/in", "ok/out", "undo/in", "ok/in"):
        with pytest.raises(Conflict):
            undo_checkin(at_door(event), log[refused], organizer)
    other = make_event()
    elsewhere = scan(other, attendee(other, "Zhang Min").code)["checkin"]["id"]
    for unknown in (max(log.values()) + 1000, elsewhere):  # no such scan; another event's admission
        with pytest.raises(NotFound):
            undo_checkin(at_door(event), unknown, organizer)
    assert scan_count() == count + 1  # only the other event's admission was added


def test_undoing_an_earlier_admission_keeps_a_later_re_entry(event):
    li = attendee(event, "Li Wei")
    organizer = Scanner(gate="Organizer", user_id=event.owner_id)
    t0 = utc(f"{DAY}T01:00:00+00:00")
    first = scan(event, li.code, scanned_at=t0)["checkin"]["id"]
    scan(event, li.code, direction=Direction.OUT, scanned_at=t0 + timedelta(minutes=30))
    scan(event, li.code, scanned_at=t0 + timedelta(minutes=45))
    undo_checkin(at_door(event), first, organizer)
    assert reload(li).checked_in_at == t0 + timedelta(minutes=45)
    assert reload(li).is_inside
    stats = checkin_stats(at_door(event))
    assert (stats["checked_in"], stats["inside"]) == (1, 1)
    assert stats["by_gate"] == [{"gate": "North door", "checked_in": 1}]
    assert stats["arrivals"] == [{"start": f"{DAY}T09:45:00+08:00", "count": 1}]


# --- the numbers -------------------------------------------------------------------------------------


def test_stats_count_per_ticket_type_and_gate_with_arrivals_in_five_minute_buckets_oldest_first(event):
    [general] = event.ticket_types
    vip = add_ticket_type(event, "VIP", 5)
    attendee(event, "Nobody Came", general.id)
    names = ("Li Wei", "Ana Souza", "Chen Jie", "Wang Fang", "Early Bird")
    people = {name: attendee(event, name, general.id) for name in names}
    people["Kim Vip"] = attendee(event, "Kim Vip", vip.id)
    gone = attendee(event, "Gone Person", vip.id)
    assert scan(event, gone.code, Scanner(gate="Side door"))["result"] == "ok"
    cancel_registration(gone)  # no longer counted, though its admission stays in the log
    north, south = Scanner(gate="North door"), Scanner(gate="South door")
    # Uploaded out of order, days apart, none of them during the event's own hours.
    scans = [
        ("Chen Jie", south, f"{days_ago(3)}T01:03:00+00:00"),
        ("Li Wei", north, f"{days_ago(5)}T01:01:00+00:00"),
        ("Early Bird", north, f"{days_ago(6)}T15:59:00+00:00"),
        ("Ana Souza", north, f"{days_ago(5)}T01:04:59+00:00"),
        ("Kim Vip", south, f"{days_ago(5)}T01:05:00+00:00"),
        ("Wang Fang", north, f"{days_ago(3)}T01:02:00+00:00"),
    ]
    for name, scanner, moment in scans:
        assert scan(event, people[name].code, scanner, scanned_at=utc(moment))["result"] == "ok"
    scan(event, people["Li Wei"].code, north, direction=Direction.OUT)
    scan(event, people["Li Wei"].code, south)  # re-entry: an admission at South, not a new arrival

    stats = checkin_stats(at_door(event))
    assert list(stats) == ["confirmed", "checked_in", "inside", "by_ticket_type", "by_gate", "arrivals"]
    assert (stats["confirmed"], stats["checked_in"], stats["inside"]) == (7, 6, 6)
    assert stats["by_ticket_type"] == [
        {"id": general.id, "name": "General admission", "confirmed": 6, "checked_in": 5, "inside": 5},
        {"id": vip.id, "name": "VIP", "confirmed": 1, "checked_in": 1, "inside": 1},
    ]
    assert stats["by_gate"] == [
        {"gate": "North door", "checked_in": 4},
        {"gate": "South door", "checked_in": 3},
        {"gate": "Side door", "checked_in": 1},
    ]
    assert stats["arrivals"] == [
        {"start": f"{days_ago(6)}T23:55:00+08:00", "count": 1},
        {"start": f"{days_ago(5)}T09:00:00+08:00", "count": 2},
        {"start": f"{days_ago(5)}T09:05:00+08:00", "count": 1},
        {"start": f"{days_ago(3)}T09:00:00+08:00", "count": 2},
    ]


def test_stats_of_an_event_nobody_has_come_to_yet(event):
    attendee(event, "Li Wei")
    stats = checkin_stats(at_door(event))
    [general] = event.ticket_types
    assert stats == {
        "confirmed": 1,
        "checked_in": 0,
        "inside": 0,
        "by_ticket_type": [
            {"id": general.id, "name": "General admission", "confirmed": 1, "checked_in": 0, "inside": 0}
        ],
        "by_gate": [],
        "arrivals": [],
    }
