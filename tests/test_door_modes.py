"""Door roles and modes: supervisor and steward door tokens, review mode's dry run, a gate's numbers.

A steward scans and nothing else (no look-up, no list, no undo, no numbers); a supervisor token
scans and looks people up, as every door token did before roles; a dry run answers the verdict a
scan would get, with the answers printed on the badge, and writes nothing at all.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from eventsys.auth.models import DoorTokenRole, TokenKind
from eventsys.auth.services import issue_token
from eventsys.checkin.access import CAPABILITIES, DoorRole
from eventsys.checkin.staff import accept_invitation, door_staff_of
from eventsys.events.models import QuestionKind
from eventsys.events.services import QuestionDetails, add_question
from eventsys.extensions import db
from eventsys.registration.models import Registration
from eventsys.registration.services import RegistrationRequest, cancel_registration, register_attendee
from eventsys.registration.tickets import door_invite_secret, qr_payload_of, ticket_key
from eventsys.timeutil import utcnow
from tests.api_helpers import assert_error, assert_validation
from tests.checkin_helpers import attendee, door_config, open_door_link, scan_count
from tests.conftest import bearer, login, make_event, make_user
from tests.html_pages import page
from tests.test_door_access import DOOR_LINK, create_door_link, post_json, scan_at_door, submit

ZH = {"Accept-Language": "zh-CN"}


def door_tokens_url(event) -> str:
    return f"/api/v1/events/{event.slug}/door-tokens"


def checkins_url(event) -> str:
    return f"/api/v1/events/{event.slug}/checkins"


def door_token(event, role: DoorTokenRole, label: str = "North door") -> dict[str, str]:
    _, clear = issue_token(event.owner, TokenKind.DOOR, label, event_id=event.id, door_role=role)
    return bearer(clear)


def steward_link(organizer, event, label: str = "Side door") -> str:
    """A steward's door link, made on the door-access page as the organizer makes it."""
    access = f"/manage/events/{event.slug}/door-access"
    response = submit(organizer, access, f"/manage/events/{event.slug}/door-links", {"label": label, "role": "steward"})
    assert response.status_code == 201
    [link] = DOOR_LINK.findall(response.get_data(as_text=True))
    assert "A steward's door page only scans tickets." in page(response).text()
    return link


def is_inside(registration: Registration) -> bool:
    db.session.expire_all()
    return db.session.get(Registration, registration.id).is_inside


# --- what each role may do ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "look_up", "undo", "numbers"),
    [
        (DoorRole.ORGANIZER, True, True, True),
        (DoorRole.SUPERVISOR, True, True, True),
        (DoorRole.DOOR_STAFF, True, False, True),
        (DoorRole.STEWARD, False, False, False),
    ],
)
def test_one_table_says_what_each_role_may_do_at_the_door(role, look_up, undo, numbers):
    may = CAPABILITIES[role]
    assert (may.look_up, may.undo, may.see_numbers) == (look_up, undo, numbers)


def test_every_door_role_has_its_row():
    assert set(CAPABILITIES) == set(DoorRole)


# --- door tokens with a role (API) ---------------------------------------------------------------------------


@pytest.mark.both_databases
def test_a_door_token_takes_a_role_supervisor_by_default_and_lists_it(client, event, owner_headers):
    created = client.post(door_tokens_url(event), json={"label": "Side door", "role": "steward"}, headers=owner_headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["role"] == "steward"
    default = client.post(door_tokens_url(event), json={"label": "North door"}, headers=owner_headers)
    assert default.get_json()["role"] == "supervisor"
    listed = client.get(door_tokens_url(event), headers=owner_headers).get_json()["items"]
    assert [(t["label"], t["role"]) for t in listed] == [("Side door", "steward"), ("North door", "supervisor")]

    # The steward's token scans, and does nothing else.
    li = attendee(event, "Li Wei")
    steward = bearer(created.get_json()["token"])
    scanned = client.post(checkins_url(event), json={"code": li.code}, headers=steward)
    assert scanned.status_code == 200 and scanned.get_json()["result"] == "ok"
    assert_error(client.get(f"/api/v1/events/{event.slug}/registrations?q=li", headers=steward), 403)
    assert_error(client.get(f"{checkins_url(event)}/stats", headers=steward), 403)
    undo = f"{checkins_url(event)}/{scanned.get_json()['checkin']['id']}/undo"
    assert_error(client.post(undo, headers=steward), 403)
    assert is_inside(li)

    # The supervisor's token looks people up and reads the numbers, as door tokens did before roles.
    supervisor = bearer(default.get_json()["token"])
    found = client.get(f"/api/v1/events/{event.slug}/registrations?q=li", headers=supervisor)
    assert [r["name"] for r in found.get_json()["items"]] == ["Li Wei"]
    assert client.get(f"{checkins_url(event)}/stats", headers=supervisor).get_json()["checked_in"] == 1


@pytest.mark.parametrize(("role", "status"), [("owner", 422), ("", 422), ("Steward ", 422), (5, 400), (None, 400)])
def test_a_door_token_role_must_be_supervisor_or_steward(client, event, owner_headers, role, status):
    response = client.post(door_tokens_url(event), json={"label": "Gate", "role": role}, headers=owner_headers)
    if status == 422:
        assert_validation(response, "role")
    else:
        assert_error(response, 400)
    assert client.get(door_tokens_url(event), headers=owner_headers).get_json()["total"] == 0


# --- a steward's door page -----------------------------------------------------------------------------------


def test_a_stewards_door_page_has_no_look_up_and_scans(app, organizer, event):
    li = attendee(event, "Li Wei")
    gate = app.test_client()
    config = open_door_link(gate, steward_link(organizer, event))
    doc = page(gate.get(f"/events/{event.slug}/door"))
    assert doc.ids["lookup-form"] == doc.ids["lookup-q"] == doc.ids["lookup-results"] == 0
    assert doc.ids["numbers-heading"] == 0 and doc.ids["scan-code"] == 1
    assert "Find a person" not in doc.text() and "scan only" in doc.text()
    assert config["lookup_url"] is None and config["role"] == "steward" and "gate_numbers" not in config

    refused = gate.get(f"/events/{event.slug}/door/lookup?q=li")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert "Li Wei" not in refused.get_data(as_text=True)
    assert scan_at_door(gate, config, li.code)["result"] == "ok"
    state = gate.get(config["state_url"]).get_json()
    assert "gate_numbers" not in state and [r["name"] for r in state["recent"]] == ["Li Wei"]
    listed = page(organizer.get(f"/manage/events/{event.slug}/door-access")).text()
    assert "Side door · Steward" in listed


def test_a_supervisors_door_page_has_the_look_up_and_the_numbers(app, organizer, event):
    attendee(event, "Li Wei")
    gate = app.test_client()
    config = open_door_link(gate, create_door_link(organizer, event, "North door"))
    doc = page(gate.get(f"/events/{event.slug}/door"))
    assert doc.ids["lookup-q"] == 1 and doc.ids["num-recent"] == 1 and "scan only" not in doc.text()
    assert config["role"] == "door_staff" and config["gate_numbers"] == {
        "admitted_recently": 0,
        "inside": 0,
        "expected": 1,
    }


def test_the_door_link_form_refuses_an_unknown_role_beside_the_field(organizer, event):
    access = f"/manage/events/{event.slug}/door-access"
    response = submit(organizer, access, f"/manage/events/{event.slug}/door-links", {"label": "X", "role": "boss"})
    assert response.status_code == 422
    doc = page(response)
    assert doc.value("label") == "X"
    assert doc.error("role")
    assert organizer.get(access).get_data(as_text=True).count("/revoke") == 0  # no link was made


def test_door_staff_invited_as_stewards_only_scan_and_a_new_invitation_changes_their_role(app, organizer, event):
    li = attendee(event, "Li Wei")
    access = f"/manage/events/{event.slug}/door-access"
    invite = f"/manage/events/{event.slug}/door-staff"
    assert submit(organizer, access, invite, {"email": "hu@example.org", "role": "steward"}).status_code == 302
    assert "hu@example.org · Steward — invited" in page(organizer.get(access)).text()
    [invited] = door_staff_of(event)
    hu = make_user(email="hu@example.org", name="Hu Volunteer")
    accept_invitation(door_invite_secret(ticket_key(), invited.invite_nonce), hu)
    volunteer = app.test_client()
    login(volunteer, hu)

    config = door_config(volunteer.get(f"/events/{event.slug}/door"))
    assert config["role"] == "steward" and config["lookup_url"] is None and "gate_numbers" not in config
    assert volunteer.get(f"/events/{event.slug}/door/lookup?q=li").status_code == 403
    assert scan_at_door(volunteer, config, li.code)["result"] == "ok"

    assert submit(organizer, access, invite, {"email": "hu@example.org", "role": "supervisor"}).status_code == 302
    assert "hu@example.org · Supervisor — accepted" in page(organizer.get(access)).text()
    config = door_config(volunteer.get(f"/events/{event.slug}/door"))
    assert config["role"] == "door_staff" and config["lookup_url"]
    assert [p["name"] for p in volunteer.get(config["lookup_url"], query_string={"q": "li"}).get_json()["items"]] == [
        "Li Wei"
    ]


def test_the_door_staff_form_refuses_an_unknown_role_beside_the_field(organizer, event):
    access = f"/manage/events/{event.slug}/door-access"
    invite = f"/manage/events/{event.slug}/door-staff"
    response = submit(organizer, access, invite, {"email": "hu@example.org", "role": "boss"})
    assert response.status_code == 422
    doc = page(response)
    assert doc.value("email") == "hu@example.org" and doc.error("staff-role")
    assert door_staff_of(event) == []


# --- dry runs ----------------------------------------------------------------------------------------------


@pytest.fixture
def badge_event(owner):
    """An event with two questions printed on the badge (one a choice, translated) and one that is not."""
    event = make_event(owner, name="VIP Night", timezone="Asia/Shanghai")
    company = add_question(event, QuestionDetails("Company", QuestionKind.TEXT, on_badge=True))
    role = add_question(
        event,
        QuestionDetails(
            "Role",
            QuestionKind.SELECT,
            options=["Founder", "Investor"],
            on_badge=True,
            translations={"zh-CN": {"label": "角色", "options": ["创始人", "投资人"]}},
        ),
    )
    add_question(event, QuestionDetails("Phone", QuestionKind.PHONE))
    assert [q.id for q in event.questions][:2] == [company.id, role.id]
    return event


def register_with_answers(event, name: str) -> Registration:
    company, role, phone = (str(question.id) for question in event.questions)
    answers = {company: "Alibaba", role: "Investor", phone: "+86 138 0000 0000"}
    email = name.lower().replace(" ", ".") + "@example.org"
    return register_attendee(event, RegistrationRequest(name, email, answers=answers))


@pytest.mark.both_databases
def test_a_dry_run_answers_the_verdict_with_the_badge_answers_and_writes_nothing(client, badge_event):
    event = badge_event
    li = register_with_answers(event, "Li Wei")
    gate = door_token(event, DoorTokenRole.SUPERVISOR)
    before = scan_count()

    body = {"code": qr_payload_of(li), "dry_run": True, "nonce": "n-1"}
    foreseen = client.post(checkins_url(event), json=body, headers=gate).get_json()
    assert foreseen["result"] == "ok" and foreseen["checkin"] is None and foreseen["previous"] is None
    assert foreseen["registration"]["name"] == "Li Wei" and foreseen["registration"]["code"] == li.code
    assert foreseen["registration"]["answers_on_badge"] == [
        {"label": "Company", "answer": "Alibaba"},
        {"label": "Role", "answer": "Investor"},
    ]
    assert "+86" not in str(foreseen)  # not on the badge, not at the door
    in_chinese = client.post(checkins_url(event), json=body, headers={**gate, **ZH}).get_json()
    assert in_chinese["registration"]["answers_on_badge"] == [
        {"label": "Company", "answer": "Alibaba"},
        {"label": "角色", "answer": "投资人"},
    ]
    assert scan_count() == before and not is_inside(li)

    # The nonce was not used up: the real scan with it admits.
    admitted = client.post(checkins_url(event), json={"code": li.code, "nonce": "n-1"}, headers=gate).get_json()
    assert admitted["result"] == "ok" and admitted["checkin"] is not None
    again = client.post(checkins_url(event), json={"code": li.code, "dry_run": True}, headers=gate).get_json()
    assert again["result"] == "already_checked_in" and again["previous"] == admitted["checkin"]
    assert again["checkin"] is None
    out = client.post(checkins_url(event), json={"code": li.code, "direction": "out", "dry_run": True}, headers=gate)
    assert out.get_json()["result"] == "ok" and out.get_json()["message"] == "Goodbye, Li Wei"
    assert scan_count() == before + 1 and is_inside(li)


@pytest.mark.both_databases
def test_a_dry_run_refuses_as_a_scan_would(client, badge_event):
    event = badge_event
    gone = register_with_answers(event, "Ana Souza")
    cancel_registration(gone)
    stranger = attendee(make_event(), "Zhang Min")
    gate = door_token(event, DoorTokenRole.STEWARD)  # a steward may scan, dry runs too
    before = scan_count()

    def foresee(code: str, direction: str = "in") -> dict:
        body = {"code": code, "direction": direction, "dry_run": True}
        response = client.post(checkins_url(event), json=body, headers=gate)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    cancelled = foresee(gone.code)
    assert cancelled["result"] == "cancelled" and cancelled["registration"]["status"] == "cancelled"
    wrong = foresee(qr_payload_of(stranger))
    assert wrong["result"] == "wrong_event" and wrong["registration"] is None and "Zhang" not in str(wrong)
    assert foresee("NOPE-NOPE")["result"] == "invalid"
    assert foresee(gone.code, "out")["result"] == "cancelled"
    assert_validation(client.post(checkins_url(event), json={"code": "", "dry_run": True}, headers=gate), "code")
    assert_error(client.post(checkins_url(event), json={"code": gone.code, "dry_run": "yes"}, headers=gate), 400)
    assert scan_count() == before


def test_the_door_pages_scan_takes_a_dry_run_too(app, organizer, badge_event, owner):
    event = badge_event
    li = register_with_answers(event, "Li Wei")
    gate = app.test_client()
    config = open_door_link(gate, create_door_link(organizer, event, "VIP entrance"))
    before = scan_count()
    foreseen = scan_at_door(gate, config, li.code, dry_run=True)
    assert foreseen["result"] == "ok" and foreseen["checkin"] is None
    assert [a["answer"] for a in foreseen["registration"]["answers_on_badge"]] == ["Alibaba", "Investor"]
    assert scan_count() == before and not is_inside(li)
    assert scan_at_door(gate, config, li.code)["result"] == "ok"
    assert scan_at_door(gate, config, li.code, dry_run=True)["result"] == "already_checked_in"
    assert post_json(gate, config["scan_url"], {"code": li.code, "dry_run": 1}, config).status_code == 400


# --- a gate's numbers ----------------------------------------------------------------------------------------


@pytest.mark.both_databases
def test_a_gates_numbers_change_with_its_scans(app, client, organizer, event, owner_headers):
    li, ana, chen = attendee(event, "Li Wei"), attendee(event, "Ana Souza"), attendee(event, "Chen Jie")
    north, south = app.test_client(), app.test_client()
    north_config = open_door_link(north, create_door_link(organizer, event, "North door"))
    south_config = open_door_link(south, create_door_link(organizer, event, "South door"))

    def numbers(browser, config) -> tuple[int, int, int]:
        found = browser.get(config["state_url"]).get_json()["gate_numbers"]
        return found["admitted_recently"], found["inside"], found["expected"]

    assert numbers(north, north_config) == (0, 0, 3)
    admitted = scan_at_door(north, north_config, li.code)
    scan_at_door(north, north_config, li.code)  # already checked in: not counted twice
    assert numbers(north, north_config) == (1, 1, 2)
    scan_at_door(south, south_config, ana.code)
    assert numbers(north, north_config) == (1, 2, 1) and numbers(south, south_config) == (1, 2, 1)
    # An admission uploaded late, made an hour ago, is not in the last 15 minutes; it is inside.
    an_hour_ago = (utcnow() - timedelta(hours=1)).isoformat()
    scan_at_door(north, north_config, chen.code, scanned_at=an_hour_ago)
    assert numbers(north, north_config) == (1, 3, 0)
    scan_at_door(north, north_config, li.code, direction="out")
    assert numbers(north, north_config) == (1, 2, 0)  # left, but was admitted here, and is no longer expected
    # An admission taken back is not counted.
    undo = client.post(f"{checkins_url(event)}/{admitted['checkin']['id']}/undo", headers=owner_headers)
    assert undo.status_code == 200
    assert numbers(north, north_config) == (0, 2, 1)
    # The organizer's own door page has them too.
    organizer_config = door_config(organizer.get(f"/events/{event.slug}/door"))
    assert organizer_config["role"] == "organizer" and "gate_numbers" in organizer_config


def test_a_steward_token_of_another_event_is_refused(client, event):
    other = make_event(event.owner)
    steward = door_token(other, DoorTokenRole.STEWARD)
    li = attendee(event, "Li Wei")
    assert_error(client.post(checkins_url(event), json={"code": li.code, "dry_run": True}, headers=steward), 403)
