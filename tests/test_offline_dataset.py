"""The offline door's server side: the dataset a gate judges from, uploads by lookup, double
admissions while gates were apart, and online-only gates (issue 11; contract "Offline door")."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import func, select, update

from eventsys.auth.models import ApiToken, TokenKind
from eventsys.checkin import dataset
from eventsys.checkin.models import CheckinResult, DoorKey
from eventsys.extensions import db
from eventsys.registration.models import Registration
from eventsys.registration.services import approve_registration, cancel_registration
from eventsys.registration.tickets import qr_payload_of
from tests.checkin_helpers import attendee, open_door_link, scan_log
from tests.conftest import bearer, make_event, make_token, make_user, post_form

pytestmark = pytest.mark.both_databases


def unb64(text: str) -> bytes:
    return dataset.unb64(text)


def derive(value: str, kdf: dict, kind: str) -> tuple[str, bytes]:
    """What a gate derives from a scanned value, written from the contract's recipe, not the server's code."""
    master = hashlib.pbkdf2_hmac("sha256", value.encode(), unb64(kdf["salt"]), kdf["iterations"][kind], 32)
    lookup = hmac.digest(master, b"eventsys-door-lookup", "sha256")[:16]
    return dataset.b64(lookup), hmac.digest(master, b"eventsys-door-key", "sha256")


def open_entry(body: dict, value: str, kind: str) -> dict | None:
    lookup, key = derive(value, body["kdf"], kind)
    entries = {entry[0]: entry for entry in body["entries"]}
    if lookup not in entries:
        return None
    _, iv, sealed = entries[lookup]
    return json.loads(AESGCM(key).decrypt(unb64(iv), unb64(sealed), unb64(lookup)))


def fetch(client, event, headers, **extra):
    return client.get(f"/api/v1/events/{event.slug}/checkin-dataset", headers={**headers, **extra})


@pytest.fixture
def people(event):
    confirmed = attendee(event, "Li Wei")
    cancelled = attendee(event, "Zhang Min")
    cancel_registration(cancelled)
    return {"confirmed": confirmed, "cancelled": cancelled}


def test_each_ticket_opens_its_own_record_by_qr_payload_or_typed_code(client, event, gate, people):
    response = fetch(client, event, gate)
    assert response.status_code == 200
    body = response.get_json()
    assert body["complete"] is True and body["kdf"]["name"] == "PBKDF2"
    assert len(body["entries"]) == 4  # two registrations, each by payload and by code

    li = people["confirmed"]
    by_qr = open_entry(body, qr_payload_of(li), "qr")
    by_code = open_entry(body, li.code, "code")
    assert by_qr == by_code
    assert by_qr["name"] == "Li Wei" and by_qr["status"] == "confirmed" and by_qr["inside"] is False
    zhang = open_entry(body, people["cancelled"].code, "code")
    assert zhang["status"] == "cancelled"
    assert open_entry(body, "ZZZZ-ZZZZ", "code") is None


def test_the_answer_holds_no_name_email_code_or_payload_in_clear(client, event, gate, people):
    raw = fetch(client, event, gate).get_data(as_text=True)
    for registration in people.values():
        for secret in (registration.name, registration.email, registration.code, qr_payload_of(registration)):
            assert secret not in raw
            assert secret.replace("-", "") not in raw


def test_an_unchanged_dataset_is_a_304_and_a_scan_changes_it(client, event, gate, people):
    first = fetch(client, event, gate)
    etag = first.headers["ETag"]
    assert fetch(client, event, gate, **{"If-None-Match": etag}).status_code == 304

    client.post(f"/api/v1/events/{event.slug}/checkins", json={"code": people["confirmed"].code}, headers=gate)
    changed = fetch(client, event, gate, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    record = open_entry(changed.get_json(), people["confirmed"].code, "code")
    assert record["inside"] is True and record["admitted"]["gate"] == "North door"


def test_a_gate_that_sends_its_cursor_gets_only_what_changed_since(client, event, gate, people):
    first = fetch(client, event, gate).get_json()
    assert first["delta"] is False and len(first["entries"]) == 4
    url = f"/api/v1/events/{event.slug}/checkin-dataset?since={first['cursor']}"
    moment = client.get(url, headers=gate).get_json()
    assert moment["delta"] is True  # the last two minutes again, in case a change committed late

    stamp_long_ago(event)
    assert client.get(url, headers=gate).get_json()["entries"] == []  # nothing changed since
    client.post(f"/api/v1/events/{event.slug}/checkins", json={"code": people["confirmed"].code}, headers=gate)
    changed = client.get(url, headers=gate).get_json()
    assert changed["delta"] is True and len(changed["entries"]) == 2  # Li Wei's two entries, not Zhang Min's
    assert open_entry(changed, people["confirmed"].code, "code")["inside"] is True
    assert changed["cursor"] != first["cursor"]

    for stale in ("garbled", "1.ffffffff.0.0", first["cursor"].rsplit(".", 1)[0] + ".99"):
        whole = client.get(f"/api/v1/events/{event.slug}/checkin-dataset?since={stale}", headers=gate).get_json()
        assert whole["delta"] is False and len(whole["entries"]) == 4, stale


def stamp_long_ago(event) -> None:
    """Every registration of ``event`` last changed an hour ago: as if the gate's cursor were older."""
    db.session.execute(
        update(Registration)
        .where(Registration.event_id == event.id)
        .values(updated_at=datetime.now(UTC) - timedelta(hours=1))
    )
    db.session.commit()


def test_the_dataset_travels_gzipped_to_a_browser_that_takes_it(client, event, gate, people):
    response = fetch(client, event, gate, **{"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.get_data()))["entries"]


def test_keys_are_derived_in_steps_when_there_are_more_than_a_build_affords(client, event, gate, monkeypatch):
    for n in range(5):
        attendee(event, f"Person {n}")
    monkeypatch.setattr(dataset, "DERIVE_BUDGET_S", 0.0)  # one ticket a build
    first = fetch(client, event, gate).get_json()
    assert first["complete"] is False and len(first["entries"]) == 2
    monkeypatch.setattr(dataset, "DERIVE_BUDGET_S", 60.0)
    assert fetch(client, event, gate).get_json()["complete"] is True


def test_an_offline_upload_by_lookup_is_judged_at_the_time_it_happened_and_logged_like_a_scan(
    client, event, gate, people
):
    body = fetch(client, event, gate).get_json()
    lookup, _ = derive(qr_payload_of(people["confirmed"]), body["kdf"], "qr")
    at = (datetime.now(UTC) - timedelta(minutes=20)).replace(microsecond=0)
    upload = {"lookup": lookup, "nonce": "n-1", "scanned_at": at.isoformat(), "offline_result": "ok"}
    answer = client.post(f"/api/v1/events/{event.slug}/checkins", json=upload, headers=gate)
    assert answer.status_code == 200
    assert answer.get_json()["result"] == "ok"
    assert answer.get_json()["registration"]["name"] == "Li Wei"
    again = client.post(f"/api/v1/events/{event.slug}/checkins", json=upload, headers=gate)
    assert again.get_json() == answer.get_json()  # a retry: the first answer, nothing new recorded

    (row,) = scan_log(event)
    assert row.offline_result == CheckinResult.OK and row.scanned_at == at
    assert row.code_read.startswith("sha256:")  # as an online QR scan is logged: no working ticket

    unknown, _ = derive("NOT-A-TICKET-AT-ALL", body["kdf"], "qr")
    refused = client.post(
        f"/api/v1/events/{event.slug}/checkins", json={"lookup": unknown, "offline_result": "invalid"}, headers=gate
    )
    assert refused.get_json()["result"] == "invalid"


def test_an_upload_needs_a_code_or_a_well_formed_lookup(client, event, gate):
    url = f"/api/v1/events/{event.slug}/checkins"
    assert client.post(url, json={}, headers=gate).get_json()["error"]["fields"].keys() == {"code"}
    for body in ({"lookup": "short"}, {"lookup": "A" * 22, "code": "K7QF-3M2X"}, {"code": "X", "offline_result": "x"}):
        response = client.post(url, json=body, headers=gate)
        assert response.status_code == 422, body


def test_two_gates_admitting_one_ticket_while_apart_make_one_conflict_naming_both(
    client, event, owner_headers, people
):
    north = bearer(make_token(event.owner, TokenKind.DOOR, event, label="North door"))
    south = bearer(make_token(event.owner, TokenKind.DOOR, event, label="South door"))
    body = fetch(client, event, north).get_json()
    lookup, _ = derive(people["confirmed"].code, body["kdf"], "code")
    url = f"/api/v1/events/{event.slug}/checkins"
    now = datetime.now(UTC).replace(microsecond=0)
    for headers, minutes, nonce in ((north, 30, "north-1"), (south, 25, "south-1")):
        scanned_at = (now - timedelta(minutes=minutes)).isoformat()
        upload = {"lookup": lookup, "nonce": nonce, "scanned_at": scanned_at, "offline_result": "ok"}
        client.post(url, json=upload, headers=headers)

    conflicts = client.get(f"/api/v1/events/{event.slug}/checkins/conflicts", headers=owner_headers).get_json()
    assert len(conflicts["items"]) == 1
    (conflict,) = conflicts["items"]
    assert conflict["name"] == "Li Wei" and conflict["code"] == people["confirmed"].code
    assert [(a["gate"], a["offline"]) for a in conflict["admissions"]] == [("North door", True), ("South door", True)]
    # A door token may not read it; the organizer's check-in page lists it.
    assert client.get(f"/api/v1/events/{event.slug}/checkins/conflicts", headers=north).status_code == 403


def test_a_gate_that_showed_a_refusal_offline_is_no_conflict(client, event, gate, people):
    url = f"/api/v1/events/{event.slug}/checkins"
    client.post(url, json={"code": people["confirmed"].code}, headers=gate)
    body = fetch(client, event, gate).get_json()
    lookup, _ = derive(people["confirmed"].code, body["kdf"], "code")
    client.post(url, json={"lookup": lookup, "offline_result": "already_checked_in"}, headers=gate)
    owner = bearer(make_token(event.owner))
    assert client.get(f"/api/v1/events/{event.slug}/checkins/conflicts", headers=owner).get_json() == {"items": []}


def test_an_online_only_gate_gets_no_dataset(client, event, owner_headers):
    created = client.post(
        f"/api/v1/events/{event.slug}/door-tokens", json={"label": "VIP door", "offline": False}, headers=owner_headers
    ).get_json()
    assert created["offline"] is False
    response = fetch(client, event, bearer(created["token"]))
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "online_only"

    switched = client.patch(
        f"/api/v1/events/{event.slug}/door-tokens/{created['id']}", json={"offline": True}, headers=owner_headers
    )
    assert switched.get_json()["offline"] is True
    assert fetch(client, event, bearer(created["token"])).status_code == 200


def test_the_dataset_is_for_door_tokens_and_supervisors_not_another_events_gate(client, event, owner_headers):
    other = make_event(make_user())
    stranger = bearer(make_token(other.owner, TokenKind.DOOR, other, label="Elsewhere"))
    assert fetch(client, event, stranger).status_code == 403
    assert fetch(client, event, owner_headers).status_code == 200  # the organizer may take it too


def test_a_pending_registration_is_in_it_and_opens_as_not_confirmed(client, gate):
    event = make_event(requires_approval=True)
    pending = attendee(event, "Wang Fang")
    door = bearer(make_token(event.owner, TokenKind.DOOR, event, label="Gate"))
    body = fetch(client, event, door).get_json()
    assert open_entry(body, pending.code, "code")["status"] == "pending_approval"
    approve_registration(pending)
    body = fetch(client, event, door).get_json()
    assert open_entry(body, pending.code, "code")["status"] == "confirmed"


# --- the door page: a gate's browser signed in with its door link ---------------------------------

DOOR_LINK = re.compile(r"http://eventsys\.test/door/[A-Za-z0-9_\-]+")


def door_link(organizer, event, label: str, offline: bool = True) -> str:
    """A door link made on the door access page, the offline box ticked or not."""
    fields = {"label": label, "role": "supervisor", **({"offline": "y"} if offline else {})}
    response = post_form(organizer, f"/manage/events/{event.slug}/door-links", fields)
    assert response.status_code == 201
    [link] = DOOR_LINK.findall(response.get_data(as_text=True))
    return link


def test_a_gates_browser_gets_the_dataset_and_the_state_names_its_conflicts(app, organizer, event, people):
    browser = app.test_client()
    config = open_door_link(browser, door_link(organizer, event, "North door"))
    assert config["offline_allowed"] is True and config["offline_warning_after_s"] == 600
    body = browser.get(config["dataset_url"]).get_json()
    assert open_entry(body, people["confirmed"].code, "code")["name"] == "Li Wei"

    lookup, _ = derive(people["confirmed"].code, body["kdf"], "code")
    headers = {"X-CSRFToken": config["csrf_token"]}
    south = bearer(make_token(event.owner, TokenKind.DOOR, event, label="South door"))
    browser.post(config["scan_url"], json={"lookup": lookup, "offline_result": "ok", "nonce": "a"}, headers=headers)
    app.test_client().post(
        f"/api/v1/events/{event.slug}/checkins", json={"lookup": lookup, "offline_result": "ok"}, headers=south
    )
    state = browser.get(config["state_url"]).get_json()
    assert state["csrf_token"] and state["offline_allowed"] is True
    assert [(c["name"], c["gates"]) for c in state["conflicts"]] == [("Li Wei", ["North door", "South door"])]

    dashboard = organizer.get(f"/manage/events/{event.slug}/checkins").get_data(as_text=True)
    assert "1 ticket admitted twice while gates were apart" in dashboard
    assert "(offline: ok)" in dashboard


def test_the_door_access_switch_makes_a_gate_online_only_and_back(app, organizer, event):
    browser = app.test_client()
    config = open_door_link(browser, door_link(organizer, event, "VIP door"))
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.label == "VIP door"))
    switch = f"/manage/events/{event.slug}/door-links/{token_id}/offline"
    assert post_form(organizer, switch, {"offline": "no"}).status_code == 302
    assert "VIP door is online-only" in organizer.get(f"/manage/events/{event.slug}/door-access").get_data(True)

    refused = browser.get(config["dataset_url"])
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "online_only"
    side = open_door_link(app.test_client(), door_link(organizer, event, "Side door", offline=False))
    assert side["dataset_url"] is None and side["offline_allowed"] is False

    assert post_form(organizer, switch, {"offline": "yes"}).status_code == 302
    assert browser.get(config["dataset_url"]).status_code == 200
    assert post_form(organizer, switch, {"offline": "maybe"}).status_code == 400


def test_prepare_door_derives_every_tickets_keys_ahead_of_the_day(runner, event, gate, monkeypatch):
    for n in range(4):
        attendee(event, f"Person {n}")
    monkeypatch.setattr(dataset, "DERIVE_BUDGET_S", 0.0)  # one ticket a step: the command loops until done
    result = runner.invoke(args=["prepare-door", event.slug])
    assert "Door keys ready for every ticket" in result.output
    assert db.session.scalar(select(func.count()).select_from(DoorKey)) == 4
    assert "No event at nowhere" in runner.invoke(args=["prepare-door", "nowhere"]).output
