"""A club in a real browser: on a 390 px phone the owner invites a volunteer by e-mail, who opens the
link from the mail the SMTP server received, signs up and joins; then the club's public page, team
page, join page and trail at 390 and 1280 px, in English and Chinese, fitting the screen. The
pictures go to SCREENSHOT_DIR (else the test's folder)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from eventsys.auth.models import User
from eventsys.clubs.models import Club
from eventsys.clubs.services import ClubDetails, create_club, invite_member, join_club, record_in_trail
from eventsys.events.models import EventStatus
from eventsys.extensions import db
from eventsys.registration.tickets import team_invitation_secret
from tests.conftest import MAIL_SENDER, PASSWORD, make_event, make_user
from tests.e2e.conftest import OVERFLOWING
from tests.e2e.test_backoffice_page import screenshot_dir
from tests.e2e.test_journey import the_mail_to
from tests.e2e.test_translation_forms_page import DESKTOP, PHONE
from tests.live_server import LiveServer
from tests.smtp import SmtpServer

OWNER_EMAIL = "mei@xiaoshan.example"
VOLUNTEER = {"name": "Hu Jun", "email": "hu.jun@example.org"}
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def mailing_server(app, database_url, smtp: SmtpServer) -> Iterator[LiveServer]:
    """The app under gunicorn, sending its mail to the test's SMTP server."""
    mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "MAIL_DEFAULT_SENDER": MAIL_SENDER}
    server = LiveServer(database_url, workers=2, extra_env=mail).start()
    yield server
    server.stop()


def fits(page: Page, viewport: dict[str, int]) -> None:
    overflow = page.evaluate(OVERFLOWING)
    assert overflow["scroll"] <= viewport["width"] and overflow["wide"] == [], overflow


def sign_in(page: Page, base: str, email: str, language: str = "en") -> None:
    page.goto(f"{base}/login?lang={language}")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/manage/events")


def the_club(founder: User) -> Club:
    club = create_club(
        founder,
        ClubDetails(
            name="Xiaoshan International Talent Club",
            description="Meetups and a yearly conference for **international talent** in Xiaoshan.\n\n"
            "- Founders nights\n- Hikes\n- [TECOM Conf](https://tecom.example)",
        ),
    )
    for name, zh, days, status in (
        ("AI Founders Night", "人工智能创业者之夜", 3, EventStatus.PUBLISHED),
        ("Xianghu Lake Hike", "湘湖徒步", 12, EventStatus.CANCELLED),
        ("TECOM Conf Hangzhou", "TECOM 杭州大会", 40, EventStatus.PUBLISHED),
        ("Spring Gala", "春季晚会", -50, EventStatus.PUBLISHED),
    ):
        starts = NOW + timedelta(days=days)
        event = make_event(
            founder,
            status,
            name=name,
            tagline="Talks, dinner and new friends",
            venue="ITC Guigu International Center",
            address="Xiaoshan, Hangzhou",
            starts_at=starts,
            ends_at=starts + timedelta(hours=4),
            translations={"zh-CN": {"name": zh, "tagline": "演讲、晚餐和新朋友", "venue": "硅谷国际中心"}},
        )
        event.club_id = club.id
        record_in_trail(founder, "event.updated", club_id=club.id, event_id=event.id, event=name, fields=["capacity"])
    db.session.commit()
    return club


def test_the_owner_invites_from_a_phone_and_the_volunteer_joins_from_the_mail(
    app, mailing_server, smtp, launch, tmp_path
):
    founder = make_user(email=OWNER_EMAIL, name="Mei Chen")
    club = the_club(founder)
    base, shots = mailing_server.url, screenshot_dir(tmp_path)
    browser = launch()
    owner = browser.new_context(viewport=PHONE).new_page()
    errors: list[str] = []
    owner.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(owner, base, OWNER_EMAIL)
    owner.get_by_role("link", name=club.name).click()
    expect(owner.get_by_role("heading", name=club.name)).to_be_visible()
    owner.locator("#email").fill(VOLUNTEER["email"])
    owner.locator('input[name=role][value="supervisor"]').check()
    owner.get_by_role("button", name="Send the invitation").click()
    expect(owner.locator(".flashes")).to_contain_text(f"Invitation sent to {VOLUNTEER['email']}.")
    expect(owner.locator(".team-list")).to_contain_text("invited")
    fits(owner, PHONE)

    mail = the_mail_to(smtp, VOLUNTEER["email"])
    assert mail["Subject"] == f"Join the team of {club.name}"
    [link] = re.findall(rf"{re.escape(base)}/join/[A-Z2-7]{{32}}", mail.get_body(("plain",)).get_content())

    volunteer = browser.new_context(viewport=PHONE).new_page()
    volunteer.on("pageerror", lambda error: errors.append(str(error)))
    volunteer.goto(link)
    expect(volunteer.get_by_role("heading", name=f"Join the team of {club.name}")).to_be_visible()
    expect(volunteer.locator("main")).to_contain_text("supervisor")
    fits(volunteer, PHONE)
    volunteer.get_by_role("link", name="Create an account").click()
    volunteer.locator("#name").fill(VOLUNTEER["name"])
    volunteer.locator("#email").fill(VOLUNTEER["email"])
    volunteer.locator("#password").fill(PASSWORD)
    volunteer.get_by_role("button", name="Create account").click()
    volunteer.wait_for_url(link)
    expect(volunteer.locator("main")).to_contain_text(f"You join as {VOLUNTEER['name']} ({VOLUNTEER['email']}).")
    join = volunteer.get_by_role("button", name="Join the team")
    join.focus()
    volunteer.keyboard.press("Enter")  # without a mouse
    volunteer.wait_for_url(f"{base}/manage/clubs/{club.slug}")
    expect(volunteer.locator(".flashes")).to_contain_text(f"Welcome to the team of {club.name}, as supervisor.")
    expect(volunteer.locator("main")).to_contain_text("Your role: supervisor.")
    volunteer.screenshot(path=str(shots / "club-joined-en-390.png"), full_page=True)

    owner.reload()
    expect(owner.locator(".team-list")).to_contain_text(f"{VOLUNTEER['name']}")
    expect(owner.locator("#member-2")).to_contain_text("active")
    volunteer.goto(link)
    expect(volunteer.get_by_role("heading", name="This invitation was used already")).to_be_visible()
    assert errors == []


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_club_pages_fit_a_phone_and_a_laptop(app, live_server, launch, tmp_path, language):
    founder = make_user(email=OWNER_EMAIL, name="Mei Chen")
    club = the_club(founder)
    helper = make_user(email="wang.fang@example.org", name="Wang Fang")
    invitation = invite_member(club, founder, helper.email, "manager")
    join_club(team_invitation_secret(invitation), helper)
    invite_member(club, founder, "li.wei@example.org", "steward")
    pending = invite_member(club, founder, "zhang.min@example.org", "supervisor")
    join_path = f"/join/{team_invitation_secret(pending)}"
    shots, base = screenshot_dir(tmp_path), live_server.url
    browser = launch()
    for label, viewport in (("390", PHONE), ("1280", DESKTOP)):
        visitor = browser.new_context(viewport=viewport).new_page()
        visitor.goto(f"{base}/clubs/{club.slug}?lang={language}")
        upcoming = visitor.locator("section").first
        expect(upcoming).to_contain_text("人工智能创业者之夜" if language == "zh-CN" else "AI Founders Night")
        expect(visitor.locator(".event-cancelled .badge-cancelled")).to_be_visible()
        fits(visitor, viewport)
        visitor.screenshot(path=str(shots / f"club-page-{language}-{label}.png"), full_page=True)
        visitor.goto(f"{base}{join_path}")
        expect(visitor.locator("main .button.primary")).to_be_visible()
        fits(visitor, viewport)
        visitor.screenshot(path=str(shots / f"club-join-{language}-{label}.png"), full_page=True)

        owner = browser.new_context(viewport=viewport).new_page()
        sign_in(owner, base, OWNER_EMAIL, language)
        owner.goto(f"{base}/manage/clubs/{club.slug}")
        expect(owner.locator(".team-list .member")).to_have_count(4)
        fits(owner, viewport)
        owner.screenshot(path=str(shots / f"club-team-{language}-{label}.png"), full_page=True)
        owner.goto(f"{base}/manage/clubs/{club.slug}/trail")
        expect(owner.locator(".trail li").first).to_be_visible()
        fits(owner, viewport)
        owner.screenshot(path=str(shots / f"club-trail-{language}-{label}.png"), full_page=True)
        visitor.context.close()
        owner.context.close()
