"""The organizer's back office pages: the list with its tabs, search, filters, columns and bulk
actions; one registration with its answers, timeline and actions; adding someone by hand."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from eventsys.events.models import QuestionKind
from eventsys.events.services import QuestionDetails, add_question, add_ticket_type
from eventsys.extensions import db
from eventsys.mail.models import MailKind, OutboxMessage
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.registration.services import RegistrationRequest, cancel_registration, register_attendee
from tests.conftest import make_event, post_form, signed_in_organizer
from tests.html_pages import location_path, page


def mail_to(address: str) -> list[MailKind]:
    return list(db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.to_address == address)))


def stored(code: str) -> Registration:
    db.session.expire_all()
    return db.session.scalar(select(Registration).where(Registration.code == code))


def listed(client, event, query: str = "") -> list[str]:
    """The names the list shows, in its order."""
    doc = page(client.get(f"/manage/events/{event.slug}/registrations{query}"))
    return re.findall(r'<td class="who">\s*<a href="[^"]+">([^<]+)</a>', doc.html)


@pytest.fixture
def company(event):
    return add_question(event, QuestionDetails("Company", QuestionKind.TEXT, required=True))


@pytest.fixture
def crowd(event, company):
    """Five people of TECOM Conf: two ticket types, Chinese names, a university domain, every status."""
    general = event.ticket_types[0]
    investor = add_ticket_type(event, "Investor", capacity=1)
    rows = [
        ("Zhang Wei", "zhang.wei@zju.edu.cn", "Alibaba Cloud", None),
        ("王芳", "wang.fang@zju.edu.cn", "杭州云栖科技", investor.id),
        ("Ana Souza", "ana@tecom.example", "Nubank", None),
        ("Kenji Tanaka", "kenji@example.jp", "Sony", investor.id),  # the investor seat is taken: waitlisted
        ("Omar Haddad", "omar@example.org", "Careem", None),
    ]
    people = {}
    for name, email, answer, ticket_type_id in rows:
        people[name] = register_attendee(
            event, RegistrationRequest(name, email, ticket_type_id or general.id, {str(company.id): answer})
        )
    db.session.execute(
        update(Registration)
        .where(Registration.id == people["Zhang Wei"].id)
        .values(created_at=people["Zhang Wei"].created_at - timedelta(days=3))
    )
    db.session.commit()
    return people


# --- the list ------------------------------------------------------------------------------------


def test_the_tabs_count_each_status_and_show_its_people(organizer, event, crowd):
    cancel_registration(crowd["Omar Haddad"])
    doc = page(organizer.get(f"/manage/events/{event.slug}/registrations"))
    tabs = dict(re.findall(r'<a href="[^"]*tab=(\w+)[^"]*"[^>]*>[^<]+<span class="tab-count">(\d+)</span>', doc.html))
    assert tabs == {
        "all": "5",
        "confirmed": "3",
        "checked_in": "0",
        "not_checked_in": "3",
        "waitlisted": "1",
        "pending_approval": "0",
        "cancelled": "1",
        "rejected": "0",
    }
    assert listed(organizer, event, "?tab=waitlisted") == ["Kenji Tanaka"]
    assert listed(organizer, event, "?tab=cancelled") == ["Omar Haddad"]
    searched = page(organizer.get(f"/manage/events/{event.slug}/registrations?q=zju.edu&tab=confirmed"))
    assert 'aria-current="page">Confirmed' in searched.html
    # The counts follow the search: two people at zju.edu.cn, both confirmed.
    assert re.search(r"tab=all[^>]*>All <span class=\"tab-count\">2<", searched.html)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("?q=@zju.edu.cn", ["Zhang Wei", "王芳"]),
        ("?q=王芳", ["王芳"]),
        ("?q=云栖", ["王芳"]),  # an answer, two characters of Chinese
        ("?q=nubank", ["Ana Souza"]),
        ("?q=OMAR%40EXAMPLE", ["Omar Haddad"]),
        ("?ticket_type={investor}", ["王芳", "Kenji Tanaka"]),
        ("?ticket_type={investor}&tab=waitlisted", ["Kenji Tanaka"]),
        ("?q=zju&ticket_type={investor}", ["王芳"]),
        ("?sort=name", ["Ana Souza", "Kenji Tanaka", "Omar Haddad", "王芳", "Zhang Wei"]),  # 王芳 as wang fang
        ("?sort=-name&q=a", ["Zhang Wei", "王芳", "Omar Haddad", "Kenji Tanaka", "Ana Souza"]),  # "a": wang.fang@
        ("?registered_before={today}", ["Zhang Wei"]),
        ("?registered_after={today}&sort=name", ["Ana Souza", "Kenji Tanaka", "Omar Haddad", "王芳"]),
        ("?registered_after={today}&q=zju", ["王芳"]),
    ],
)
def test_search_filters_and_order_combine(organizer, event, crowd, query, names):
    investor = next(t for t in event.ticket_types if t.name == "Investor")
    today = crowd["Ana Souza"].created_at.date().isoformat()  # three days after Zhang Wei
    assert listed(organizer, event, query.format(investor=investor.id, today=today)) == names


def test_a_bad_filter_is_named_beside_its_field_and_the_rest_still_applies(organizer, event, crowd):
    response = organizer.get(f"/manage/events/{event.slug}/registrations?registered_after=yesterday&q=zju")
    assert response.status_code == 400
    doc = page(response)
    assert "Use a date or time such as" in doc.error("registered_after")
    assert doc.value("registered_after") == ""  # a date input holds a date or nothing
    assert doc.value("q") == "zju"
    assert "Zhang Wei" in doc.text() and "Ana Souza" not in doc.text()


def test_the_organizer_chooses_answer_columns_and_the_exports_follow_the_filter(organizer, event, crowd, company):
    base = f"/manage/events/{event.slug}/registrations"
    plain = page(organizer.get(base))
    assert "Alibaba Cloud" not in plain.text()
    doc = page(organizer.get(f"{base}?col={company.id}&q=zju"))
    assert "Alibaba Cloud" in doc.text() and "杭州云栖科技" in doc.text()
    assert "checked" in doc.control("col")
    assert f'href="/manage/events/{event.slug}/exports/registrations.csv?q=zju"' in doc.html
    assert f'href="/manage/events/{event.slug}/exports/badges.pdf?q=zju"' in doc.html
    # The pager and the tabs keep the columns and the search.
    column = f"col={company.id}"
    assert re.search(rf'tab=waitlisted[^"]*{column}|{column}[^"]*tab=waitlisted', doc.html)


def test_bulk_approve_asks_naming_everyone_then_says_what_was_done_and_what_failed(organizer, event, company):
    event.requires_approval = True
    db.session.commit()
    answers = {str(company.id): "Acme"}
    li = register_attendee(event, RegistrationRequest("Li Wei", "li@example.org", answers=answers))
    bo = register_attendee(event, RegistrationRequest("Bo Zhang", "bo@example.org", answers=answers))
    ana = register_attendee(event, RegistrationRequest("Ana Souza", "ana@example.org", answers=answers))
    client = organizer
    base = f"/manage/events/{event.slug}/registrations"
    post_form(client, f"{base}/{ana.code}/approve", {})  # already approved: the bulk approve fails for her

    form = {"action": "approve", "codes": [li.code, ana.code, bo.code], "tab": "pending_approval"}
    asked = post_form(client, f"{base}/bulk", form)
    assert asked.status_code == 200
    text = page(asked).text()
    assert "Approve 3 people?" in text
    assert all(name in text for name in ("Li Wei", "Bo Zhang", "Ana Souza"))
    assert stored(li.code).status == RegistrationStatus.PENDING_APPROVAL  # asking changed nothing

    done = page(post_form(client, f"{base}/bulk", {**form, "confirmed": "yes"}))
    assert "2 done, 1 not" in done.text()
    why = "Only a registration waiting for approval can be approved."
    assert f'Ana Souza <span class="code">{ana.code}</span>: {why}' in done.html
    assert f'href="{base}?tab=pending_approval"' in done.html  # back to the list as it was
    assert stored(li.code).status == stored(bo.code).status == RegistrationStatus.CONFIRMED
    assert MailKind.APPROVED in mail_to("li@example.org") and MailKind.APPROVED in mail_to("bo@example.org")


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"action": "cancel"}, "Select at least one registration first."),
        ({"action": "explode", "codes": ["ABCD-EFGH"]}, "Choose what to do with the selected registrations."),
    ],
)
def test_bulk_without_a_selection_or_an_action_says_so(organizer, event, crowd, form, message):
    response = post_form(organizer, f"/manage/events/{event.slug}/registrations/bulk", {**form, "q": "zju"})
    assert location_path(response) == f"/manage/events/{event.slug}/registrations?q=zju"
    assert message in page(organizer.get(response.headers["Location"])).text()
    assert all(stored(r.code).status != RegistrationStatus.CANCELLED for r in crowd.values())


def test_bulk_cancel_needs_its_confirmation(organizer, event, crowd):
    codes = [crowd["Zhang Wei"].code, crowd["Ana Souza"].code]
    base = f"/manage/events/{event.slug}/registrations"
    asked = page(post_form(organizer, f"{base}/bulk", {"action": "cancel", "codes": codes}))
    assert "Cancel 2 people?" in asked.text() and "This cannot be undone." in asked.text()
    assert stored(codes[0]).status == RegistrationStatus.CONFIRMED
    post_form(organizer, f"{base}/bulk", {"action": "cancel", "codes": codes, "confirmed": "yes"})
    assert [stored(code).status for code in codes] == [RegistrationStatus.CANCELLED] * 2


# --- one registration ----------------------------------------------------------------------------


def test_one_registration_shows_everything_and_its_timeline(organizer, owner, event, crowd, company):
    kenji = crowd["Kenji Tanaka"]
    base = f"/manage/events/{event.slug}/registrations"
    post_form(organizer, f"{base}/{crowd['王芳'].code}/cancel", {})  # Kenji is promoted to 王芳's seat
    post_form(organizer, f"{base}/{kenji.code}/check-in", {})
    doc = page(organizer.get(f"{base}/{kenji.code}"))
    text = doc.text()
    assert "Kenji Tanaka" in text and kenji.code in text and "kenji@example.jp" in text and "Investor" in text
    assert "Company Sony" in text
    timeline = re.findall(r'<span class="what">([^<]+)</span>', doc.html)
    assert timeline == ["Registered", "On the waiting list", "Promoted from the waiting list", "Checked in"]
    assert f"at {owner.name}" in text and f"by {owner.email}" in text
    assert "Check in now" not in text  # inside already


def test_check_in_by_hand_uses_the_door_rule(organizer, owner, event, crowd):
    code = crowd["Ana Souza"].code
    path = f"/manage/events/{event.slug}/registrations/{code}/check-in"
    first = page(organizer.get(location_path(post_form(organizer, path, {}))))
    assert "Welcome, Ana Souza." in first.text()
    assert stored(code).checked_in_at is not None
    again = page(organizer.get(location_path(post_form(organizer, path, {}))))
    assert "Already checked in" in again.text()


def test_cancel_and_reject_ask_first(organizer, event, crowd):
    code = crowd["Zhang Wei"].code
    base = f"/manage/events/{event.slug}/registrations/{code}"
    asked = page(organizer.get(f"{base}/cancel"))
    assert "Cancel Zhang Wei?" in asked.text() and "This cannot be undone." in asked.text()
    assert stored(code).status == RegistrationStatus.CONFIRMED
    assert location_path(post_form(organizer, f"{base}/cancel", {})) == base
    assert stored(code).status == RegistrationStatus.CANCELLED
    after = page(organizer.get(base))
    assert "Cancelled; the seat goes to the waiting list." in after.text()
    assert f"{base}/cancel" not in after.html  # nothing left to cancel


def test_an_edit_with_bad_answers_is_shown_again_with_the_errors_beside_the_fields(organizer, event, crowd, company):
    number = add_question(event, QuestionDetails("Team size", QuestionKind.NUMBER))
    code = crowd["Ana Souza"].code
    path = f"/manage/events/{event.slug}/registrations/{code}/edit"
    doc = page(organizer.get(path))
    assert doc.value("name") == "Ana Souza" and doc.value(f"q_{company.id}") == "Nubank"

    response = post_form(
        organizer,
        path,
        {"name": "Ana Maria Souza", "email": "ana@tecom.example", f"q_{company.id}": "", f"q_{number.id}": "ten"},
    )
    assert response.status_code == 422
    doc = page(response)
    assert doc.error(f"q_{company.id}") and doc.error(f"q_{number.id}")
    assert doc.value("name") == "Ana Maria Souza"  # what was typed is kept
    assert stored(code).name == "Ana Souza"

    saved = post_form(
        organizer, path, {"name": "Ana Maria Souza", "email": "ana@tecom.example", f"q_{company.id}": "Nubank Brasil"}
    )
    assert location_path(saved) == f"/manage/events/{event.slug}/registrations/{code}"
    assert stored(code).answers[str(company.id)] == "Nubank Brasil"
    detail = page(organizer.get(location_path(saved)))
    assert "Changes saved." in detail.text() and "Edited</span>: answers, name" in detail.html


def test_changing_the_ticket_type_takes_a_seat_of_it_or_says_sold_out(organizer, event, crowd, company):
    investor = next(t for t in event.ticket_types if t.name == "Investor")
    general = event.ticket_types[0]
    code = crowd["Zhang Wei"].code
    path = f"/manage/events/{event.slug}/registrations/{code}/edit"
    form = {"name": "Zhang Wei", "email": "zhang.wei@zju.edu.cn", f"q_{company.id}": "Alibaba Cloud"}
    full = post_form(organizer, path, {**form, "ticket_type_id": investor.id})
    assert full.status_code == 422
    assert "No seat of Investor is left." in page(full).text()
    assert stored(code).ticket_type_id == general.id

    moved = post_form(
        organizer,
        f"/manage/events/{event.slug}/registrations/{crowd['王芳'].code}/edit",
        {
            "name": "王芳",
            "email": "wang.fang@zju.edu.cn",
            f"q_{company.id}": "杭州云栖科技",
            "ticket_type_id": general.id,
        },
    )
    assert moved.status_code == 302
    # 王芳's Investor seat went to the first on its waiting list.
    assert stored(crowd["Kenji Tanaka"].code).status == RegistrationStatus.CONFIRMED
    assert f"Ticket type changed</span>: Investor → {general.name}" in page(organizer.get(location_path(moved))).html


# --- adding someone by hand ------------------------------------------------------------------------


def test_adding_a_speaker_without_e_mail_past_the_capacity(organizer, owner, company):
    event = make_event(owner, capacity=1)
    add_question(event, QuestionDetails("Company", QuestionKind.TEXT))
    register_attendee(event, RegistrationRequest("First", "first@example.org"))
    path = f"/manage/events/{event.slug}/registrations/new"
    doc = page(organizer.get(path))
    assert doc.checked("notify") and not doc.checked("over_capacity")

    response = post_form(organizer, path, {"name": "Dr. Chen Jing", "email": "", "over_capacity": "y"})
    assert response.status_code == 302
    added = db.session.scalar(select(Registration).where(Registration.name == "Dr. Chen Jing"))
    assert added.status == RegistrationStatus.CONFIRMED and added.email is None
    assert "Dr. Chen Jing is added: confirmed." in page(organizer.get(location_path(response))).text()
    db.session.refresh(event)
    assert event.seats_taken == 2  # counted past the capacity of 1


def test_adding_someone_inside_the_capacity_when_full_waitlists_and_mails_only_when_asked(organizer, owner):
    event = make_event(owner, capacity=1)
    register_attendee(event, RegistrationRequest("First", "first@example.org"))
    path = f"/manage/events/{event.slug}/registrations/new"
    post_form(organizer, path, {"name": "Walk In", "email": "walk@example.org", "notify": "y"})
    walk = db.session.scalar(select(Registration).where(Registration.email == "walk@example.org"))
    assert walk.status == RegistrationStatus.WAITLISTED
    assert mail_to("walk@example.org") == [MailKind.WAITLISTED]
    post_form(organizer, path, {"name": "Quiet Sponsor", "email": "quiet@example.org", "over_capacity": "y"})
    assert mail_to("quiet@example.org") == []  # notify left unticked


def test_adding_someone_with_a_bad_form_keeps_what_was_typed(organizer, event, company):
    response = post_form(
        organizer, f"/manage/events/{event.slug}/registrations/new", {"name": "", "email": "not-an-address"}
    )
    assert response.status_code == 422
    doc = page(response)
    assert doc.error("name") == "Enter their name."
    assert doc.error("email") and doc.value("email") == "not-an-address"
    assert doc.error(f"q_{company.id}")  # every problem on the first submit


# --- ticket types, and who may see what --------------------------------------------------------------


def test_deleting_a_ticket_type_asks_first(organizer, event):
    spare = add_ticket_type(event, "Spare")
    path = f"/manage/events/{event.slug}/ticket-types/{spare.id}/delete"
    edit = page(organizer.get(f"/manage/events/{event.slug}/ticket-types/{spare.id}"))
    assert f'href="{path}"' in edit.html
    asked = page(organizer.get(path))
    assert "Delete the ticket type “Spare”?" in asked.text()
    assert any(t.name == "Spare" for t in event.ticket_types)
    post_form(organizer, path, {})
    db.session.refresh(event)
    assert all(t.name != "Spare" for t in event.ticket_types)


def test_another_organizer_is_refused_on_every_back_office_page(client, event, crowd):
    code = crowd["Zhang Wei"].code
    base = f"/manage/events/{event.slug}/registrations"
    pages = [base, f"{base}/{code}", f"{base}/{code}/edit", f"{base}/{code}/cancel", f"{base}/new"]
    posts = [f"{base}/{code}/{action}" for action in ("approve", "reject", "cancel", "resend", "check-in", "edit")]
    posts += [f"{base}/new", f"{base}/bulk"]
    for path in pages:
        assert location_path(client.get(path)).startswith("/login"), path
    signed_in_organizer(client)
    for path in pages:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "zhang.wei@zju.edu.cn" not in response.get_data(as_text=True)
    for path in posts:
        data = {"action": "cancel", "codes": [code], "confirmed": "yes", "name": "X"}
        assert post_form(client, path, data).status_code == 403, path
    assert stored(code).status == RegistrationStatus.CONFIRMED and stored(code).name == "Zhang Wei"


def test_a_registration_of_another_event_is_not_found(organizer, owner, event, crowd):
    other = make_event(owner)
    code = crowd["Zhang Wei"].code
    assert organizer.get(f"/manage/events/{other.slug}/registrations/{code}").status_code == 404
    assert organizer.get(f"/manage/events/{event.slug}/registrations/NOPE-NOPE").status_code == 404
