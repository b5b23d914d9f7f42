"""The organizer's back office in a real browser on a 390 px phone: search, select two, approve
them in bulk through the confirmation, open one registration and edit an answer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from eventsys.clubs import services as clubs
from eventsys.clubs.models import ClubMember
from eventsys.clubs.roles import Role
from eventsys.events.models import QuestionKind
from eventsys.events.services import QuestionDetails, add_question
from eventsys.extensions import db
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.registration.services import RegistrationRequest, register_attendee
from tests.conftest import PASSWORD, make_event, make_user
from tests.e2e.conftest import OVERFLOWING

PHONE = {"width": 390, "height": 844}


def screenshot_dir(tmp_path: Path) -> Path:
    """SCREENSHOT_DIR keeps the pages' pictures for a person to look at; else the test's own folder."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fits_the_phone(page: Page) -> None:
    overflow = page.evaluate(OVERFLOWING)
    assert overflow["scroll"] <= PHONE["width"] and overflow["wide"] == [], overflow


def stored(code: str) -> Registration:
    db.session.rollback()  # end the test's read transaction, to see what the server committed
    return db.session.scalar(select(Registration).where(Registration.code == code))


@pytest.fixture
def conference(app):
    owner = make_user(email="mei@tecom.example", name="Mei")
    event = make_event(owner, name="TECOM Conf Hangzhou", requires_approval=True)
    company = add_question(event, QuestionDetails("Company or organization", QuestionKind.TEXT, required=True))
    people = {
        name: register_attendee(event, RegistrationRequest(name, email, answers={str(company.id): answer}))
        for name, email, answer in [
            ("Zhang Wei", "zhang.wei@zju.edu.cn", "Alibaba Cloud"),
            ("王芳", "wang.fang@zju.edu.cn", "杭州云栖科技有限公司"),
            ("Ana Souza", "ana@tecom.example", "Nubank"),
        ]
    }
    return event, company, people


def test_search_select_two_approve_them_and_edit_an_answer_on_a_phone(conference, live_server, launch, tmp_path):
    event, company, people = conference
    shots = screenshot_dir(tmp_path)
    context = launch().new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/manage/events/{event.slug}/registrations")
    page.get_by_label("E-mail address").fill("mei@tecom.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Registrations")).to_be_visible()

    page.get_by_role("searchbox", name="Search").fill("@zju.edu.cn")
    page.keyboard.press("Enter")
    rows = page.locator("table.attendees tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table.attendees")).not_to_contain_text("Ana Souza")
    fits_the_phone(page)
    page.screenshot(path=str(shots / "backoffice-list-390.png"), full_page=True)

    page.get_by_label("Select Zhang Wei").check()
    page.get_by_label("Select 王芳").check()
    expect(page.locator("[data-selected-count]")).to_have_text("2 selected")
    page.get_by_label("With the selected").select_option("approve")
    page.get_by_role("button", name="Go on…").click()
    expect(page.get_by_role("heading", name="Approve 2 people?")).to_be_visible()
    assert stored(people["Zhang Wei"].code).status == RegistrationStatus.PENDING_APPROVAL
    fits_the_phone(page)
    page.screenshot(path=str(shots / "backoffice-bulk-confirm-390.png"), full_page=True)
    page.get_by_role("button", name="Yes, approve 2").click()
    expect(page.get_by_role("heading", name="2 done")).to_be_visible()
    assert stored(people["Zhang Wei"].code).status == RegistrationStatus.CONFIRMED
    assert stored(people["王芳"].code).status == RegistrationStatus.CONFIRMED
    assert stored(people["Ana Souza"].code).status == RegistrationStatus.PENDING_APPROVAL

    page.get_by_role("link", name="Back to the list").click()
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("@zju.edu.cn")  # the list as it was left
    page.get_by_role("link", name="王芳").click()
    expect(page.get_by_role("heading", name="王芳")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("Approved")
    fits_the_phone(page)
    page.screenshot(path=str(shots / "backoffice-registration-390.png"), full_page=True)

    page.get_by_role("link", name="Edit", exact=True).click()
    answer = page.get_by_label("Company or organization")
    answer.fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(f"#q_{company.id}-error")).to_have_text("This question needs an answer.")
    expect(page.get_by_label("Name", exact=True)).to_have_value("王芳")
    page.get_by_label("Company or organization").fill("阿里巴巴 (Alibaba Group)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    expect(page.locator(".answers")).to_contain_text("阿里巴巴 (Alibaba Group)")
    assert stored(people["王芳"].code).answers[str(company.id)] == "阿里巴巴 (Alibaba Group)"
    assert errors == []


def test_a_supervisors_cards_on_a_phone_have_no_empty_checkbox_column(conference, live_server, launch, tmp_path):
    event, _company, _people = conference
    club = clubs.create_club(event.owner, clubs.ClubDetails("Gongshu International Talent Club"))
    event.club_id = club.id
    supervisor = make_user(email="sam@tecom.example", name="Sam")
    db.session.add(ClubMember(club_id=club.id, email=supervisor.email, role=Role.SUPERVISOR, user_id=supervisor.id))
    db.session.commit()
    page = launch().new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
    page.goto(f"{live_server.url}/manage/events/{event.slug}/registrations")
    page.get_by_label("E-mail address").fill("sam@tecom.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    card = page.locator("table.attendees tbody tr").first
    expect(card).to_be_visible()
    expect(card.locator("input[type=checkbox]")).to_have_count(0)
    name, edge = card.locator("td.who a").bounding_box(), card.bounding_box()
    assert name["x"] - edge["x"] < 16, (name, edge)  # the card's padding, no 2.5rem gap before the name
    fits_the_phone(page)
    page.screenshot(path=str(screenshot_dir(tmp_path) / "backoffice-list-supervisor-390.png"), full_page=True)
