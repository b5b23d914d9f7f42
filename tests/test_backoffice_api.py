"""The back office through the API: filters, one registration with its history, adding by hand,
edits, resending and bulk actions (the contract's "Back office (organizer)")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from eventsys.auth.models import TokenKind
from eventsys.events.models import QuestionKind
from eventsys.events.services import QuestionDetails, add_question, add_ticket_type
from eventsys.extensions import db
from eventsys.mail.models import MailKind, OutboxMessage
from eventsys.mail.sender import send_due
from eventsys.registration.models import Registration
from eventsys.registration.services import RegistrationRequest, register_attendee
from eventsys.timeutil import utcnow
from tests.api_helpers import assert_error, assert_timestamp_with_offset, assert_validation
from tests.conftest import bearer, make_event, make_token, make_user

pytestmark = pytest.mark.both_databases


def queued_kinds(code: str) -> list[str]:
    registration_id = db.session.scalar(select(Registration.id).where(Registration.code == code))
    return [
        kind.value
        for kind in db.session.scalars(
            select(OutboxMessage.kind)
            .where(OutboxMessage.registration_id == registration_id)
            .order_by(OutboxMessage.id)
        )
    ]


@pytest.fixture
def company(event):
    return add_question(event, QuestionDetails("Company", QuestionKind.TEXT, on_badge=True))


@pytest.fixture
def people(event, company):
    """Six people of TECOM Conf with companies, e-mail domains and scripts to search for."""
    vip = add_ticket_type(event, "Investor")
    rows = [
        ("Zhang Wei", "zhang.wei@zju.edu.cn", "Alibaba Cloud", None),
        ("王芳", "wang.fang@zju.edu.cn", "杭州云栖科技", vip.id),
        ("Ana Souza", "ana@tecom.example", "Nubank", vip.id),
        ("Kenji Tanaka", "kenji@example.jp", "Zhangjiang Labs", None),
        ("김민수", "minsu@example.kr", "Naver", None),
        ("Li Wei", "li@example.org", "100% Organic_Tea", None),
    ]
    codes = {}
    for name, email, answer, ticket_type_id in rows:
        registration = register_attendee(
            event,
            RegistrationRequest(name, email, ticket_type_id or event.ticket_types[0].id, {str(company.id): answer}),
        )
        codes[name] = registration.code
    return vip, codes


def listed(client, event, headers, query: str = "") -> list[str]:
    response = client.get(f"/api/v1/events/{event.slug}/registrations{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["name"] for item in response.get_json()["items"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=@zju.edu.cn", ["Zhang Wei", "王芳"]),
        ("?q=alibaba", ["Zhang Wei"]),  # a text answer
        ("?q=云栖", ["王芳"]),  # two characters: no trigram, a plain scan
        ("?q=杭州云栖", ["王芳"]),  # Chinese through the trigram index
        ("?q=王", ["王芳"]),
        ("?q=zhang", ["Zhang Wei", "Kenji Tanaka"]),  # name and answer
        ("?q=김민수", ["김민수"]),
        ("?q=100%25 organic", ["Li Wei"]),  # a % means itself
        ("?q=c_t", ["Li Wei"]),
        ("?q=n_c", []),  # so does _ (as a wildcard it would match "nic")
        ("?q=%22quoted%22", []),  # a quote cannot break the index's query
        ("?q=@zju.edu.cn&ticket_type={vip}", ["王芳"]),
        ("?q=zhang&sort=-name", ["Zhang Wei", "Kenji Tanaka"]),
        ("?sort=name", ["Ana Souza", "Kenji Tanaka", "Li Wei", "王芳", "Zhang Wei", "김민수"]),  # 王芳 as wang fang
        ("?sort=-created_at&per_page=2", ["Li Wei", "김민수"]),
    ],
)
def test_the_organizer_searches_addresses_domains_and_answers(client, owner_headers, event, people, query, expected):
    vip, _ = people
    assert listed(client, event, owner_headers, query.format(vip=vip.id)) == expected


def test_registered_between_two_dates_in_the_events_zone(client, owner_headers, event, people):
    _, codes = people
    long_ago = utcnow() - timedelta(days=10)
    db.session.execute(update(Registration).where(Registration.code == codes["Ana Souza"]).values(created_at=long_ago))
    db.session.commit()
    day = (long_ago + timedelta(hours=8)).date()  # Hangzhou's date of that moment
    before = f"?registered_before={day + timedelta(days=1)}"
    assert listed(client, event, owner_headers, before) == ["Ana Souza"]
    assert "Ana Souza" not in listed(client, event, owner_headers, f"?registered_after={day + timedelta(days=1)}")
    both = f"?registered_after={day}&registered_before={day + timedelta(days=1)}&q=nubank"
    assert listed(client, event, owner_headers, both) == ["Ana Souza"]
    response = client.get(
        f"/api/v1/events/{event.slug}/registrations?registered_after=yesterday", headers=owner_headers
    )
    assert_validation(response, "registered_after")
    response = client.get(f"/api/v1/events/{event.slug}/registrations?sort=age", headers=owner_headers)
    assert_validation(response, "sort")


def test_a_later_page_shows_each_waiting_persons_place_on_their_ticket_types_list(client, owner, owner_headers):
    event = make_event(owner)
    general = event.ticket_types[0]
    general.capacity = 1
    db.session.commit()
    vip = add_ticket_type(event, "Investor", capacity=1)
    for number, ticket_type in enumerate([general, vip, general, vip, vip, general, vip]):
        register_attendee(event, RegistrationRequest(f"P{number}", f"p{number}@example.org", ticket_type.id))
    response = client.get(f"/api/v1/events/{event.slug}/registrations?per_page=3&page=2", headers=owner_headers)
    items = response.get_json()["items"]
    assert [(i["name"], i["status"], i["waitlist_position"]) for i in items] == [
        ("P3", "waitlisted", 1),  # Investor's first in line
        ("P4", "waitlisted", 2),
        ("P5", "waitlisted", 2),  # General's second: P2 waits before
    ]
    last = client.get(f"/api/v1/events/{event.slug}/registrations?per_page=3&page=3", headers=owner_headers)
    assert [(i["name"], i["waitlist_position"]) for i in last.get_json()["items"]] == [("P6", 3)]


def test_a_gate_searches_names_and_codes_only(client, event, people, gate):
    _, codes = people
    assert listed(client, event, gate, "?q=zhang") == ["Zhang Wei"]  # not Kenji's answer
    assert listed(client, event, gate, "?q=@zju.edu.cn") == []
    assert listed(client, event, gate, "?q=wang") == ["王芳"]  # the name's pinyin, not wang.fang@
    assert listed(client, event, gate, "?q=杭州") == []  # 王芳's answer: a gate reads no answers
    assert listed(client, event, gate, f"?q={codes['Ana Souza'].lower()}") == ["Ana Souza"]


def test_one_registration_has_every_answer_and_its_whole_history(client, owner, owner_headers, smtp):
    event = make_event(owner, capacity=1, timezone="Asia/Shanghai")
    add_question(event, QuestionDetails("Dinner", QuestionKind.CHECKBOX))
    company = add_question(event, QuestionDetails("Company", QuestionKind.TEXT))
    first = register_attendee(event, RegistrationRequest("Ana Souza", "ana@example.org"))
    waiting = register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    second_type = add_ticket_type(event, "Speaker")
    base = f"/api/v1/events/{event.slug}/registrations"
    gate = bearer(make_token(owner, TokenKind.DOOR, event, label="North door"))
    assert client.post(f"{base}/{first.code}/cancel", headers=owner_headers).status_code == 200  # Li promoted
    edit = {"name": "Li Wei (李伟)", "answers": {str(company.id): "Alibaba"}}
    assert client.patch(f"{base}/{waiting.code}", json=edit, headers=owner_headers).status_code == 200
    moved = client.patch(f"{base}/{waiting.code}", json={"ticket_type_id": second_type.id}, headers=owner_headers)
    assert moved.status_code == 200 and moved.get_json()["ticket_type"]["name"] == "Speaker"
    send_due(force=True)
    checkins = f"/api/v1/events/{event.slug}/checkins"
    client.post(checkins, json={"code": waiting.code}, headers=gate)
    client.post(checkins, json={"code": waiting.code, "direction": "out"}, headers=gate)
    admitted = client.post(checkins, json={"code": waiting.code}, headers=gate).get_json()
    assert admitted["result"] == "ok"
    assert client.post(f"{checkins}/{admitted['checkin']['id']}/undo", headers=owner_headers).status_code == 200
    assert client.post(f"{base}/{waiting.code}/cancel", headers=owner_headers).status_code == 200

    body = client.get(f"{base}/{waiting.code}", headers=owner_headers).get_json()
    assert body["name"] == "Li Wei (李伟)" and body["status"] == "cancelled"
    assert body["answers"] == [
        {"question_id": event.questions[0].id, "label": "Dinner", "value": None},
        {"question_id": company.id, "label": "Company", "value": "Alibaba"},
    ]
    assert body["checked_in_at"] is not None
    history = body["history"]
    assert [entry["what"] for entry in history] == [
        "registered",
        "waitlisted",
        "promoted",
        "edited",
        "ticket_type_changed",
        "mail_sent",  # "you are on the waiting list", sent when the sender ran
        "mail_sent",  # "you have a seat"
        "checked_in",
        "checked_out",
        "checked_in",
        "checkin_undone",
        "cancelled",
    ]
    by = {entry["what"]: entry.get("by") for entry in history}
    assert by["registered"] is None  # Li registered themselves
    assert by["edited"] == owner.email and by["cancelled"] == owner.email
    assert by["checked_in"] == "North door" and by["checked_out"] == "North door"
    assert by["checkin_undone"] == owner.email
    changed = next(e for e in history if e["what"] == "ticket_type_changed")
    assert changed["detail"] == {"from": "General admission", "to": "Speaker"}
    assert next(e for e in history if e["what"] == "edited")["detail"] == {"fields": ["answers", "name"]}
    for entry in history:
        assert assert_timestamp_with_offset(entry["at"]).utcoffset() == timedelta(hours=8)
    assert [e["at"] for e in history] == sorted(e["at"] for e in history)


def test_failed_mail_shows_in_the_history(client, owner_headers, event, smtp):
    registration = register_attendee(event, RegistrationRequest("Li Wei", "nobody@refused.example"))
    smtp.refuse("nobody@refused.example")
    send_due(force=True)
    history = client.get(
        f"/api/v1/events/{event.slug}/registrations/{registration.code}", headers=owner_headers
    ).get_json()["history"]
    failed = [entry for entry in history if entry["what"] == "mail_failed"]
    assert failed and failed[0]["detail"]["to"] == "nobody@refused.example"


# --- adding by hand -------------------------------------------------------------------------------


def test_an_organizer_adds_a_walk_in_past_capacity_without_approval_or_mail(client, owner, owner_headers):
    event = make_event(owner, capacity=1, requires_approval=True, waitlist=False)
    base = f"/api/v1/events/{event.slug}/registrations"
    first = client.post(base, json={"name": "Speaker One", "email": "one@example.org"}, headers=owner_headers)
    assert first.status_code == 201 and first.get_json()["status"] == "confirmed"  # no approval step
    assert queued_kinds(first.get_json()["code"]) == ["confirmed"]  # the usual e-mail
    full = client.post(base, json={"name": "Walk In", "email": "walk@example.org"}, headers=owner_headers)
    assert_error(full, 409, "sold_out")
    walk_in = client.post(base, json={"name": "Walk In", "over_capacity": True, "notify": False}, headers=owner_headers)
    assert walk_in.status_code == 201, walk_in.get_json()
    body = walk_in.get_json()
    assert body["status"] == "confirmed" and "ticket" in body
    assert queued_kinds(body["code"]) == []
    db.session.refresh(event)
    assert event.seats_taken == 2 and event.seats_left == 0  # counted, past capacity knowingly
    detail = client.get(f"{base}/{body['code']}", headers=owner_headers).get_json()
    assert detail["email"] is None
    assert [(e["what"], e.get("by")) for e in detail["history"]] == [
        ("registered", owner.email),
        ("confirmed", owner.email),
    ]
    assert_error(client.post(f"{base}/{body['code']}/resend", headers=owner_headers), 409)


def test_adding_by_hand_still_refuses_a_second_registration_for_an_address(client, owner_headers, event):
    base = f"/api/v1/events/{event.slug}/registrations"
    assert client.post(base, json={"name": "Li", "email": "li@example.org"}).status_code == 201
    again = client.post(base, json={"name": "Li", "email": "LI@example.org"}, headers=owner_headers)
    assert_error(again, 409, "already_registered")
    assert "already" in again.get_json()["error"]["message"]


def test_the_public_still_needs_an_email_and_cannot_skip_capacity(client, owner):
    event = make_event(owner, capacity=0, waitlist=False)
    base = f"/api/v1/events/{event.slug}/registrations"
    assert_validation(client.post(base, json={"name": "Li"}), "email")
    assert_error(client.post(base, json={"name": "Li", "email": "li@example.org", "over_capacity": True}), 409)
    stranger = bearer(make_token(make_user()))
    response = client.post(
        base, json={"name": "Li", "email": "li@example.org", "over_capacity": True}, headers=stranger
    )
    assert_error(response, 409, "sold_out")


# --- edits ----------------------------------------------------------------------------------------


def test_edits_are_checked_as_at_registration(client, owner_headers, event):
    size = add_question(event, QuestionDetails("T-shirt", QuestionKind.SELECT, True, ["S", "M", "L"]))
    registration = register_attendee(
        event, RegistrationRequest("Li Wei", "li@example.org", answers={str(size.id): "M"})
    )
    path = f"/api/v1/events/{event.slug}/registrations/{registration.code}"
    bad = client.patch(path, json={"name": " ", "answers": {str(size.id): "XXL"}}, headers=owner_headers)
    fields = assert_validation(bad, "name", f"answers.{size.id}")
    assert fields[f"answers.{size.id}"] == ["Choose one of the options."]
    assert_validation(
        client.patch(path, json={"answers": {str(size.id): ""}}, headers=owner_headers), f"answers.{size.id}"
    )
    assert_validation(client.patch(path, json={"email": "not-an-address"}, headers=owner_headers), "email")
    assert_error(client.patch(path, json={"name": 5}, headers=owner_headers), 400)
    assert_validation(client.patch(path, json={"ticket_type_id": 999999}, headers=owner_headers), "ticket_type_id")
    db.session.expire_all()
    unchanged = db.session.get(Registration, registration.id)
    assert unchanged.name == "Li Wei" and unchanged.answers == {str(size.id): "M"}
    good = client.patch(
        path, json={"answers": {str(size.id): "L"}, "email": "Li.Wei@Example.org"}, headers=owner_headers
    )
    assert good.status_code == 200
    assert good.get_json()["email"] == "li.wei@example.org"
    assert {a["label"]: a["value"] for a in good.get_json()["answers"]} == {"T-shirt": "L"}
    # The search follows the edit.
    assert listed(client, event, owner_headers, "?q=li.wei@") == ["Li Wei"]


def test_a_new_ticket_type_takes_a_seat_of_it_and_frees_the_old_one(client, owner_headers, owner):
    event = make_event(owner)
    general = event.ticket_types[0]
    speaker = add_ticket_type(event, "Speaker", capacity=1)
    taken = register_attendee(event, RegistrationRequest("Ana", "ana@example.org", speaker.id))
    li = register_attendee(event, RegistrationRequest("Li", "li@example.org", general.id))
    path = f"/api/v1/events/{event.slug}/registrations/{li.code}"
    assert_error(client.patch(path, json={"ticket_type_id": speaker.id}, headers=owner_headers), 409, "sold_out")
    moved = client.patch(
        f"/api/v1/events/{event.slug}/registrations/{taken.code}",
        json={"ticket_type_id": general.id},
        headers=owner_headers,
    )
    assert moved.status_code == 200
    assert client.patch(path, json={"ticket_type_id": speaker.id}, headers=owner_headers).status_code == 200
    db.session.expire_all()
    assert (general.seats_taken, speaker.seats_taken, event.seats_taken) == (1, 1, 2)


def test_resend_queues_the_message_of_where_one_stands(client, owner_headers, owner):
    event = make_event(owner, capacity=1)
    confirmed = register_attendee(event, RegistrationRequest("Ana", "ana@example.org"))
    waiting = register_attendee(event, RegistrationRequest("Li", "li@example.org"))
    base = f"/api/v1/events/{event.slug}/registrations"
    assert client.post(f"{base}/{confirmed.code}/resend", headers=owner_headers).status_code == 202
    assert client.post(f"{base}/{waiting.code}/resend", headers=owner_headers).status_code == 202
    assert queued_kinds(confirmed.code) == ["confirmed", "confirmed"]
    assert queued_kinds(waiting.code) == ["waitlisted", "waitlisted"]
    client.post(f"{base}/{waiting.code}/cancel", headers=owner_headers)
    assert_error(client.post(f"{base}/{waiting.code}/resend", headers=owner_headers), 409)


# --- bulk -----------------------------------------------------------------------------------------


def test_a_bulk_approve_does_each_one_and_reports_the_one_that_failed(client, owner, owner_headers):
    event = make_event(owner, requires_approval=True, capacity=2, waitlist=False)
    pending = [
        register_attendee(event, RegistrationRequest(name, f"{name.lower()}@example.org"))
        for name in ("Ana", "Bo", "Chen")
    ]
    codes = [r.code for r in pending] + ["ZZZZ-ZZZZ"]
    response = client.post(
        f"/api/v1/events/{event.slug}/registrations/bulk",
        json={"action": "approve", "codes": codes},
        headers=owner_headers,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["done"] == codes[:2]
    assert [(f["code"], f["error"]["code"]) for f in body["failed"]] == [
        (codes[2], "sold_out"),
        ("ZZZZ-ZZZZ", "not_found"),
    ]
    assert all(f["error"]["message"] for f in body["failed"])
    again = client.post(
        f"/api/v1/events/{event.slug}/registrations/bulk",
        json={"action": "cancel", "codes": codes[:3]},
        headers=owner_headers,
    ).get_json()
    assert again["done"] == codes[:3] and again["failed"] == []
    assert (
        db.session.scalar(select(func.count()).select_from(Registration).where(Registration.status == "cancelled")) == 3
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "delete", "codes": ["AAAA-AAAA"]}, "action"),
        ({"action": "cancel", "codes": []}, "codes"),
        ({"action": "cancel", "codes": ["AAAA-AAAA"] * 1001}, "codes"),
    ],
)
def test_a_bad_bulk_request_is_refused_whole(client, owner_headers, event, body, field):
    assert_validation(
        client.post(f"/api/v1/events/{event.slug}/registrations/bulk", json=body, headers=owner_headers), field
    )


def test_another_organizer_and_a_gate_are_refused_everywhere(client, event, people, gate):
    _, codes = people
    code = codes["Ana Souza"]
    stranger = bearer(make_token(make_user()))
    base = f"/api/v1/events/{event.slug}/registrations"
    calls = [
        ("get", f"{base}/{code}", None),
        ("patch", f"{base}/{code}", {"name": "X"}),
        ("post", f"{base}/{code}/resend", None),
        ("post", f"{base}/bulk", {"action": "cancel", "codes": [code]}),
    ]
    for method, path, body in calls:
        for headers in (stranger, gate, bearer(make_token(event.owner, TokenKind.DOOR, make_event(event.owner)))):
            assert_error(getattr(client, method)(path, json=body, headers=headers), 403)
        assert_error(getattr(client, method)(path, json=body), 401)
    db.session.expire_all()
    assert db.session.scalar(select(Registration.name).where(Registration.code == code)) == "Ana Souza"
    assert db.session.scalar(select(Registration.status).where(Registration.code == code)).value == "confirmed"
    assert queued_kinds(code) == [MailKind.CONFIRMED.value]
