"""A club's team page (invite, change roles, remove, the last owner), /join, and the trail."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from eventsys.auth.models import User
from eventsys.clubs.models import Club, ClubMember
from eventsys.clubs.services import ClubDetails, create_club, invite_member, join_club, record_in_trail
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.mail.sender import send_due
from eventsys.registration.tickets import team_invitation_secret
from eventsys.timeutil import utcnow
from tests.conftest import PASSWORD, bearer, login, make_event, make_token, make_user, post_form
from tests.html_pages import assert_errors_are_summarised, assert_form_page_is_accessible, location_path, page

JOIN_LINK = re.compile(r"http://eventsys\.test/join/[A-Z2-7]{32}")


@pytest.fixture
def founder(app) -> User:
    return make_user(email="mei@xiaoshan.example", name="Mei Chen")


@pytest.fixture
def club(founder: User) -> Club:
    return create_club(founder, ClubDetails(name="Xiaoshan International Talent Club"))


@pytest.fixture
def owner(app, founder: User) -> FlaskClient:
    browser = app.test_client()
    login(browser, founder)
    return browser


def team_path(club: Club) -> str:
    return f"/manage/clubs/{club.slug}"


def member_of(club: Club, email: str) -> ClubMember:
    db.session.rollback()
    return db.session.scalar(
        select(ClubMember).where(
            ClubMember.club_id == club.id, ClubMember.email == email, ClubMember.removed_at.is_(None)
        )
    )


def on_team(club: Club, user: User, role: str) -> ClubMember:
    """``user`` invited with ``role`` and joined, through the services."""
    invitation = invite_member(club, db.session.get(User, club_founder_id(club)), user.email, role)
    return join_club(team_invitation_secret(invitation), user)


def club_founder_id(club: Club) -> int:
    return db.session.scalar(select(ClubMember.user_id).where(ClubMember.club_id == club.id).order_by(ClubMember.id))


def browser_of(app, user: User) -> FlaskClient:
    browser = app.test_client()
    login(browser, user)
    return browser


def chosen_role(doc, member: ClubMember) -> str:
    """The role the member's select on the team page shows."""
    select = re.search(rf'<select id="member-{member.id}-role".*?</select>', doc.html, re.S).group(0)
    return re.search(r'<option value="(\w+)" selected>', select).group(1)


def join_path_from_mail(smtp, address: str) -> str:
    assert send_due().sent >= 1
    [mail] = smtp.inbox.to(address)
    [url] = JOIN_LINK.findall(mail.get_body(("plain",)).get_content())
    assert url in mail.get_body(("html",)).get_content()
    return url.removeprefix("http://eventsys.test")


# --- inviting, and joining from the e-mail ------------------------------------------------------------


@pytest.mark.both_databases
def test_the_owner_invites_by_e_mail_and_a_newcomer_signs_up_and_joins(app, smtp, owner, club):
    doc = page(owner.get(team_path(club)))
    assert_form_page_is_accessible(doc)
    assert re.search(r"manager ?: everything on the club's events but the team and cancelling events", doc.text())
    response = post_form(owner, f"{team_path(club)}/members", {"email": " Wang.Fang@Example.org ", "role": "manager"})
    assert location_path(response) == team_path(club)
    assert "Invitation sent to wang.fang@example.org." in page(owner.get(team_path(club))).text()
    join_path = join_path_from_mail(smtp, "wang.fang@example.org")
    team = page(owner.get(team_path(club))).text()
    assert "wang.fang@example.org invited the link works 7 more days" in team
    invited = member_of(club, "wang.fang@example.org")
    assert chosen_role(page(owner.get(team_path(club))), invited) == "manager"

    # Signed out, the link shows the club and the role, and links to log in or sign up that come back.
    newcomer = app.test_client()
    response = newcomer.get(join_path)
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    doc = page(response)
    assert "Join the team of Xiaoshan International Talent Club" in doc.text()
    assert re.search(r"Role manager ?: everything on the club's events but the team and cancelling events", doc.text())
    assert not [form for form in doc.forms if form.method == "post" and form.action is None]  # no Join button yet
    [signup] = re.findall(r'href="(/signup\?next=[^"]+)"', doc.html)
    assert re.search(r'href="/login\?next=/join/[A-Z2-7]{32}"', doc.html)
    signup = signup.replace("&amp;", "&")
    response = post_form(
        newcomer, signup, {"name": "Wang Fang", "email": "wang.fang@example.org", "password": PASSWORD}
    )
    assert location_path(response) == join_path
    doc = page(newcomer.get(join_path))
    assert "You join as Wang Fang (wang.fang@example.org)." in doc.text()
    assert_form_page_is_accessible(doc)
    response = post_form(newcomer, join_path, {})
    assert location_path(response) == team_path(club)
    team = page(newcomer.get(team_path(club)))
    assert "Welcome to the team of Xiaoshan International Talent Club, as manager." in team.text()
    assert "Your role: manager." in team.text()
    assert member_of(club, "wang.fang@example.org").status == "active"

    # The link worked once: again, or for someone else, it is gone (410).
    for browser in (newcomer, browser_of(app, make_user(name="Intruder")), app.test_client()):
        response = browser.get(join_path)
        assert response.status_code == 410
        assert "This invitation was used already" in page(response).text()
        assert post_form(browser, join_path, {}).status_code == 410
    assert "Wang Fang wang.fang@example.org active" in page(owner.get(team_path(club))).text()


def test_a_signed_out_visitor_logs_in_and_comes_back_to_the_invitation(app, owner, club):
    invitation = invite_member(club, db.session.get(User, club_founder_id(club)), "hu@example.org", "steward")
    join_path = f"/join/{team_invitation_secret(invitation)}"
    visitor = app.test_client()
    assert post_form(visitor, join_path, {}).status_code == 200  # not signed in: nothing taken
    assert member_of(club, "hu@example.org").status == "invited"
    hu = make_user(email="hu@example.org", name="Hu Jun")
    response = post_form(visitor, f"/login?next={join_path}", {"email": hu.email, "password": PASSWORD})
    assert location_path(response) == join_path
    response = post_form(visitor, join_path, {})
    assert location_path(response) == team_path(club)
    assert member_of(club, "hu@example.org").user_id == hu.id


def test_an_expired_or_unknown_invitation_is_a_page_that_says_so(app, owner, club):
    invitation = invite_member(club, db.session.get(User, club_founder_id(club)), "late@example.org", "steward")
    join_path = f"/join/{team_invitation_secret(invitation)}"
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    latecomer = browser_of(app, make_user(email="late@example.org"))
    for response in (latecomer.get(join_path), post_form(latecomer, join_path, {})):
        assert response.status_code == 410
        assert "This invitation has expired" in page(response).text()
    assert "invitation expired" in page(owner.get(team_path(club))).text()
    for path in ("/join/NOT-A-TOKEN", "/join/" + "A" * 32, "/join/" + "a" * 5000):
        assert latecomer.get(path).status_code == 404, path
    assert page(latecomer.get(join_path + "?lang=zh-CN")).text().count("此邀请已过期") == 2


def test_someone_on_the_team_already_cannot_take_a_second_place(app, owner, club):
    member = make_user(email="li@example.org", name="Li Wei")
    on_team(club, member, "steward")
    second = invite_member(club, db.session.get(User, club_founder_id(club)), "li.other@example.org", "manager")
    join_path = f"/join/{team_invitation_secret(second)}"
    browser = browser_of(app, member)
    doc = page(browser.get(join_path))
    assert "You are on this club's team already." in doc.text()
    assert not [form for form in doc.forms if form.method == "post" and form.action is None]
    response = post_form(browser, join_path, {})
    assert response.status_code == 200
    assert "You are on this club&#39;s team already." in response.get_data(as_text=True)
    assert member_of(club, "li.other@example.org").status == "invited"


def test_an_invitation_with_errors_comes_back_beside_the_fields(owner, club):
    response = post_form(owner, f"{team_path(club)}/members", {"email": "not an address", "role": "emperor"})
    assert response.status_code == 422
    doc = page(response)
    assert_errors_are_summarised(doc)
    assert doc.fields_with_errors() == {"email", "role"}
    assert doc.value("email") == "not an address"
    response = post_form(owner, f"{team_path(club)}/members", {"email": "mei@xiaoshan.example", "role": "owner"})
    assert page(response).error("email") == "This person is on the team already."


# --- roles, removing, the last owner -------------------------------------------------------------------


def test_the_owner_changes_a_role_and_removes_a_member_after_asking(app, owner, club):
    zhang = make_user(email="zhang@example.org", name="Zhang Min")
    place = on_team(club, zhang, "manager")
    response = post_form(owner, f"{team_path(club)}/members/{place.id}/role", {"role": "supervisor"})
    assert response.headers["Location"].endswith(f"{team_path(club)}#member-{place.id}")
    doc = page(owner.get(team_path(club)))
    assert "Zhang Min is now supervisor." in doc.text()
    assert re.search(
        rf'id="member-{place.id}-role"[^>]*>(?:(?!</select>).)*<option value="supervisor" selected>', doc.html, re.S
    )
    assert member_of(club, "zhang@example.org").role == "supervisor"
    assert post_form(owner, f"{team_path(club)}/members/{place.id}/role", {"role": "king"}).status_code == 302
    assert "Choose owner, manager, supervisor or steward." in page(owner.get(team_path(club))).text()

    remove = f"{team_path(club)}/members/{place.id}/remove"
    ask = page(owner.get(remove))
    assert "Remove Zhang Min from the team?" in ask.text()
    assert_form_page_is_accessible(ask)
    zhang_browser = browser_of(app, zhang)
    assert zhang_browser.get(team_path(club)).status_code == 200
    assert location_path(post_form(owner, remove, {})) == team_path(club)
    assert "Zhang Min is off the team." in page(owner.get(team_path(club))).text()
    assert "Zhang Min" not in page(owner.get(team_path(club))).text()
    assert zhang_browser.get(team_path(club)).status_code == 403
    assert owner.get(remove).status_code == 404


@pytest.mark.both_databases
def test_the_last_owner_can_neither_step_down_nor_leave(app, owner, club):
    me = member_of(club, "mei@xiaoshan.example")
    response = post_form(owner, f"{team_path(club)}/members/{me.id}/role", {"role": "manager"})
    assert response.status_code == 302
    doc = page(owner.get(team_path(club)))
    assert "A club needs at least one owner: make someone else an owner first." in doc.text()
    response = post_form(owner, f"{team_path(club)}/members/{me.id}/remove", {})
    assert location_path(response) == team_path(club)
    assert "A club needs at least one owner" in page(owner.get(team_path(club))).text()
    assert member_of(club, "mei@xiaoshan.example").role == "owner"

    # With a second owner, the first may leave.
    on_team(club, make_user(name="Second Owner"), "owner")
    response = post_form(owner, f"{team_path(club)}/members/{me.id}/remove", {})
    assert location_path(response) == "/manage/events"
    assert owner.get(team_path(club)).status_code == 403


def test_the_others_on_the_team_see_who_is_on_it_and_change_nothing(app, owner, club):
    manager = make_user(email="wang@example.org", name="Wang Fang")
    steward = make_user(email="hu@example.org", name="Hu Jun")
    on_team(club, manager, "manager")
    steward_place = on_team(club, steward, "steward")
    invite_member(club, db.session.get(User, club_founder_id(club)), "pending@example.org", "steward")
    stranger = browser_of(app, make_user(name="Stranger"))
    for user in (manager, steward):
        browser = browser_of(app, user)
        doc = page(browser.get(team_path(club)))
        assert "Mei Chen" in doc.text() and "Hu Jun" in doc.text()
        assert "pending@example.org" not in doc.text() and "hu@example.org" not in doc.text()
        assert [form for form in doc.forms if form.method == "post" and form.action != "/logout"] == []
        assert (
            post_form(browser, f"{team_path(club)}/members", {"email": "x@example.org", "role": "owner"}).status_code
            == 403
        )
        assert (
            post_form(browser, f"{team_path(club)}/members/{steward_place.id}/role", {"role": "owner"}).status_code
            == 403
        )
        assert browser.get(f"{team_path(club)}/members/{steward_place.id}/remove").status_code == 403
        assert browser.get(f"{team_path(club)}/trail").status_code == 403
    assert 'href="/manage/events/new?club=' in page(browser_of(app, manager).get(team_path(club))).html
    assert stranger.get(team_path(club)).status_code == 403
    assert stranger.get(f"{team_path(club)}/trail").status_code == 403
    assert app.test_client().get(f"{team_path(club)}/trail").status_code == 302  # to log in
    assert owner.get("/manage/clubs/no-such-club").status_code == 404


# --- the trail ----------------------------------------------------------------------------------------


@pytest.mark.both_databases
def test_the_trail_tells_owners_who_changed_what_in_both_languages(app, owner, founder, club):
    wang = make_user(email="wang@example.org", name="Wang Fang")
    place = on_team(club, wang, "manager")
    post_form(owner, f"{team_path(club)}/members/{place.id}/role", {"role": "steward"})
    event = make_event(founder, name="Founders Night", timezone="Europe/Berlin")
    event.club_id = club.id
    record_in_trail(
        founder, "event.updated", club_id=club.id, event_id=event.id, event=event.name, fields=["capacity", "starts_at"]
    )
    record_in_trail(
        wang, "registrations.bulk", club_id=club.id, event_id=event.id, event=event.name, bulk_action="approve", count=3
    )
    record_in_trail(founder, "event.cancelled", club_id=club.id, event_id=event.id)  # the name from the event
    record_in_trail(None, "club.renamed_itself", club_id=club.id)
    db.session.commit()

    doc = page(owner.get(f"{team_path(club)}/trail"))
    lines = [
        " ".join(re.sub(r"<[^>]+>", " ", item).split())
        for item in re.findall(r"<li>(.*?)</li>", doc.html.split('class="trail"')[1], re.S)
    ]
    text = "\n".join(lines)
    assert "Someone whose account is deleted: club.renamed_itself" in text
    assert "Mei Chen cancelled the event Founders Night" in text
    assert "Wang Fang, bulk action on Founders Night: approved, 3 registrations" in text
    assert "Mei Chen changed the settings of Founders Night: Capacity (seats), Starts" in text
    assert "Mei Chen changed the role of wang@example.org from manager to steward" in text
    assert "Wang Fang joined the team as manager" in text
    assert "Mei Chen invited wang@example.org as manager" in text
    assert "Mei Chen created the club Xiaoshan International Talent Club" in text
    assert text.index("club.renamed_itself") < text.index("invited wang")  # newest first
    assert "Times in Europe/Berlin." in doc.text()  # the zone of the club's latest event

    chinese = page(owner.get(f"{team_path(club)}/trail?lang=zh-CN")).text()
    assert "Mei Chen 将 wang@example.org 的角色从经理改为引导员" in chinese
    assert "Mei Chen 邀请 wang@example.org 担任经理" in chinese
    assert "Wang Fang 对活动 Founders Night 批量操作：已通过，3 条报名" in chinese
    assert "Mei Chen 修改了活动 Founders Night 的设置：名额（座位数）、开始时间" in chinese


@pytest.mark.both_databases
def test_the_trail_tells_who_changed_the_ticket_types_and_the_questions(app, client, owner, founder, club):
    wang = make_user(email="wang@example.org", name="Wang Fang")
    on_team(club, wang, "manager")
    manager = app.test_client()
    login(manager, wang)
    event = make_event(founder, name="Founders Night")
    event.club_id = club.id
    db.session.commit()
    base = f"/manage/events/{event.slug}"

    def saved(path: str, data: dict) -> None:
        assert post_form(manager, f"{base}{path}", data).status_code == 302, path

    def fresh(event: Event) -> Event:
        db.session.rollback()  # end the test's read transaction, to see what the pages committed
        return event

    saved("/ticket-types", {"name": "Investor", "capacity": "40"})
    investor = next(t for t in fresh(event).ticket_types if t.name == "Investor")
    saved(f"/ticket-types/{investor.id}", {"name": "Angel investor", "capacity": "30"})
    saved(f"/ticket-types/{investor.id}", {"name": "Angel investor", "capacity": "30"})  # nothing changed
    saved("/questions", {"label": "Company", "kind": "text"})
    saved("/questions", {"label": "Your role", "kind": "text"})
    company, role = fresh(event).questions
    saved(f"/questions/{company.id}", {"label": "Company", "kind": "text", "required": "y", "help_text": "Or school"})
    saved(f"/questions/{role.id}/up", {})
    saved(f"/questions/{role.id}/up", {})  # first already: no move
    token = bearer(make_token(founder))
    assert client.delete(f"/api/v1/events/{event.slug}/questions/{company.id}", headers=token).status_code == 204
    assert client.delete(f"/api/v1/events/{event.slug}/ticket-types/{investor.id}", headers=token).status_code == 204

    trail = owner.get(f"{team_path(club)}/trail").get_data(as_text=True)
    lines = [html.unescape(line) for line in re.findall(r"<li><time[^>]*>.*?</time> <span>(.*?)</span></li>", trail)]
    said = [line for line in lines if "Founders Night" in line and "created the event" not in line]
    assert said == [  # newest first
        "Mei Chen deleted the ticket type Angel investor of Founders Night",
        "Mei Chen deleted the question “Company” of Founders Night",
        "Wang Fang moved the question “Your role” in the form of Founders Night",
        "Wang Fang changed the question “Company” of Founders Night: An answer is required, Help text",
        "Wang Fang added the question “Your role” to Founders Night",
        "Wang Fang added the question “Company” to Founders Night",
        "Wang Fang changed the ticket type Angel investor of Founders Night: Name, Seats of this type",
        "Wang Fang added the ticket type Investor to Founders Night",
    ]
    chinese = page(owner.get(f"{team_path(club)}/trail?lang=zh-CN")).text()
    assert "Wang Fang 修改了活动 Founders Night 的票种 Angel investor：名称、此票种名额" in chinese
    assert "Wang Fang 调整了活动 Founders Night 报名表中问题“Your role”的顺序" in chinese


def test_the_trail_comes_a_page_at_a_time(owner, founder, club):
    for number in range(60):
        record_in_trail(founder, "member.invited", club_id=club.id, email=f"p{number}@example.org", role="steward")
    db.session.commit()
    first = page(owner.get(f"{team_path(club)}/trail"))
    assert "p59@example.org" in first.text() and "p9@example.org" not in first.text()
    assert "Page 1 of 2" in first.text()
    second = page(owner.get(f"{team_path(club)}/trail?page=2"))
    assert "p9@example.org" in second.text() and "created the club" in second.text()
