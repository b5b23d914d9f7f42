"""Invitations through the browser's eyes: the organizer's page (pasted lines, a CSV file), the
invite-only event page that refuses strangers, and an invitee's link, down to the real e-mail."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from eventsys.events.models import EventAccess
from eventsys.extensions import db
from eventsys.log_redaction import redact
from eventsys.mail.sender import send_due
from eventsys.registration import tickets
from eventsys.registration.models import Invitation, Registration
from tests.conftest import csrf_token, make_event, make_user, post_form, signed_in_organizer
from tests.html_pages import assert_form_page_is_accessible, page
from tests.test_events_views import event_form

pytestmark = pytest.mark.both_databases


@pytest.fixture
def private(owner):
    return make_event(owner, name="Members' dinner", access=EventAccess.INVITE_ONLY)


def invitations_url(event) -> str:
    return f"/manage/events/{event.slug}/invitations"


def invited() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(i.name, i.email) for i in db.session.scalars(select(Invitation).order_by(Invitation.id))]


def registrations() -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(select(Registration).order_by(Registration.id)))


def link_of(event, email: str) -> str:
    invitation = db.session.scalar(select(Invitation).where(Invitation.event_id == event.id, Invitation.email == email))
    return f"/events/{event.slug}?invitation={tickets.event_invitation_secret_of(invitation)}"


def test_pasted_lines_in_any_of_the_usual_shapes_are_invited(organizer, private):
    doc = page(organizer.get(invitations_url(private)))
    assert_form_page_is_accessible(doc)
    text = (
        "Ana Souza, ana@example.org\n王芳 <wang@example.org>\n\n张伟，zhang@example.org\nAna again, ANA@example.org\n"
    )
    response = post_form(organizer, invitations_url(private), {"people": text})
    assert response.status_code == 200
    shown = page(response).text()
    assert "3 people invited" in shown
    assert "ana@example.org" in shown  # skipped: twice in the list
    assert invited() == [("Ana Souza", "ana@example.org"), ("王芳", "wang@example.org"), ("张伟", "zhang@example.org")]
    assert page(response).value("people") == ""  # ready for the next list


def test_bad_lines_come_back_with_their_problems_and_nobody_is_invited(organizer, private):
    text = "Ana Souza, ana@example.org\nJust a name\n, nobody@example.org\nBad Address, bad@@example"
    response = post_form(organizer, invitations_url(private), {"people": text})
    assert response.status_code == 422
    doc = page(response)
    assert_form_page_is_accessible(doc)
    assert doc.value("people") == text  # shown again to be corrected
    summary = doc.texts["line-errors"]
    assert "Line 2: No e-mail address on this line." in " ".join(summary.split())
    assert invited() == []
    fixed = "Ana Souza, ana@example.org\nNo Body, nobody@example.org\nBad Address, bad@example.org"
    response = post_form(organizer, invitations_url(private), {"people": fixed.replace("No Body", "")})
    assert "Line 2:" in page(response).text() and "name" in page(response).text()
    assert invited() == []
    assert "3 people invited" in page(post_form(organizer, invitations_url(private), {"people": fixed})).text()


def test_a_csv_file_with_or_without_header_and_bom_is_invited(organizer, private):
    data = '\ufeffemail,name\nwang@example.org,王芳\nana@example.org,"Souza, Ana"\n'.encode()
    response = post_form(
        organizer,
        invitations_url(private),
        {"csv_file": (io.BytesIO(data), "members.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, page(response).text()
    assert invited() == [("王芳", "wang@example.org"), ("Souza, Ana", "ana@example.org")]
    plain = "Zhao Min,zhao@example.org\n李雷,li@example.org\n".encode()
    response = post_form(
        organizer,
        invitations_url(private),
        {"csv_file": (io.BytesIO(plain), "more.csv")},
        content_type="multipart/form-data",
    )
    assert "2 people invited" in page(response).text()


def test_a_csv_file_with_a_bad_row_comes_back_as_lines_to_correct(organizer, private):
    data = "name,email\n王芳,wang@example.org\nZhao Min,zhao-at-example.org\n".encode()
    response = post_form(
        organizer,
        invitations_url(private),
        {"csv_file": (io.BytesIO(data), "members.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    doc = page(response)
    assert doc.value("people") == "王芳, wang@example.org\nZhao Min, zhao-at-example.org"
    assert "Line 2:" in doc.texts["line-errors"]
    latin1 = "Müller,mueller@example.org\n".encode("latin-1")
    response = post_form(
        organizer,
        invitations_url(private),
        {"csv_file": (io.BytesIO(latin1), "old.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "UTF-8" in page(response).error("csv_file")
    assert invited() == []


def test_only_the_organizer_sees_the_page_and_nothing_is_posted_without_the_form(client, private):
    assert client.get(invitations_url(private)).status_code == 302  # to the login page
    signed_in_organizer(client, make_user())
    assert client.get(invitations_url(private)).status_code == 403
    assert post_form(client, invitations_url(private), {"people": "Ana, ana@example.org"}).status_code == 403
    assert invited() == []


def test_the_dashboard_links_to_the_page_and_the_list_has_an_invited_tab(organizer, private):
    dashboard = organizer.get(f"/manage/events/{private.slug}").get_data(as_text=True)
    assert f'href="{invitations_url(private)}"' in dashboard
    post_form(organizer, invitations_url(private), {"people": "Ana Souza, ana@example.org\n王芳, wang@example.org"})
    assert (
        organizer.post(  # 王芳 registers with her link
            f"/events/{private.slug}/register",
            data={
                "csrf_token": csrf_token(organizer),
                "name": "王芳",
                "email": "wang@example.org",
                "invitation": link_of(private, "wang@example.org").split("=", 1)[1],
            },
        ).status_code
        == 302
    )
    listing = page(organizer.get(f"/manage/events/{private.slug}/registrations?tab=invited"))
    assert re.search(r"Invited\s+1\b", listing.text())
    assert "Ana Souza" in listing.text() and "ana@example.org" in listing.text()
    assert "王芳" not in listing.text().split("Invited 1", 1)[1]


def test_an_invite_only_page_refuses_the_form_without_a_link(client, private):
    response = client.get(f"/events/{private.slug}")
    assert response.status_code == 200
    shown = page(response)
    assert "This event is by invitation only." in shown.text()
    assert not [c for c in shown.controls if c.get("name") == "email"]
    posted = post_form(client, f"/events/{private.slug}/register", {"name": "Gate Crasher", "email": "gc@example.org"})
    assert posted.status_code == 403 and "by invitation only" in page(posted).text()
    forged = client.get(f"/events/{private.slug}?invitation=NOTAREALSECRET")
    assert "not valid for this event" in page(forged).text()
    assert registrations() == []


def test_the_invitation_mail_arrives_and_its_link_registers_its_own_address(client, organizer, private, smtp):
    post_form(organizer, invitations_url(private), {"people": "Ana Souza, ana@example.org"})
    assert send_due().sent == 1
    [mail] = smtp.inbox.to("ana@example.org")
    assert mail["Subject"] == "You are invited to Members' dinner"
    text = next(p.get_content() for p in mail.walk() if p.get_content_type() == "text/plain")
    link = re.search(r"https?://\S+invitation=\S+", text).group(0)
    parts = urlsplit(link)
    opened = client.get(f"{parts.path}?{parts.query}")
    assert opened.status_code == 200 and opened.headers["Referrer-Policy"] == "no-referrer"
    form = page(opened)
    assert_form_page_is_accessible(form)
    assert form.value("name") == "Ana Souza" and form.value("email") == "ana@example.org"
    assert "readonly" in form.control("email")
    secret = parts.query.split("=", 1)[1]
    other = post_form(
        client,
        f"/events/{private.slug}/register",
        {"name": "Friend", "email": "friend@example.org", "invitation": secret},
    )
    assert other.status_code == 422 and "its own e-mail address only" in page(other).text()
    done = post_form(
        client,
        f"/events/{private.slug}/register",
        {"name": "Ana Souza", "email": "ana@example.org", "invitation": secret},
    )
    assert done.status_code == 302 and done.headers["Location"].startswith("/t/")
    assert [(r.name, r.email) for r in registrations()] == [("Ana Souza", "ana@example.org")]
    again = post_form(
        client,
        f"/events/{private.slug}/register",
        {"name": "Ana Souza", "email": "ana@example.org", "invitation": secret},
    )
    assert again.status_code == 409 and "already registered" in page(again).text()


def test_the_invitation_mail_speaks_the_organizers_page_language(organizer, private, smtp):
    private.translations = {"zh-CN": {"name": "会员晚宴"}}
    db.session.commit()
    organizer.set_cookie("lang", "zh-CN")
    post_form(organizer, invitations_url(private) + "?lang=zh-CN", {"people": "王芳, wang@example.org"})
    send_due()
    [mail] = smtp.inbox.to("wang@example.org")
    assert mail["Subject"] == "诚邀您参加 会员晚宴"


def test_the_event_form_sets_who_can_register(organizer, event):
    form = page(organizer.get(f"/manage/events/{event.slug}/edit"))
    radios = {c.get("value"): "checked" in c for c in form.controls if c.get("name") == "access"}
    assert radios == {"public": True, "invite_only": False}
    changed = post_form(
        organizer, f"/manage/events/{event.slug}/edit", event_form(name=event.name, access="invite_only")
    )
    assert changed.status_code == 302
    db.session.expire_all()
    assert event.access == EventAccess.INVITE_ONLY
    refused = post_form(organizer, f"/manage/events/{event.slug}/edit", event_form(name=event.name, access="friends"))
    assert refused.status_code == 422 and page(refused).error("access")


def test_a_personal_link_never_reaches_a_log_line():
    from_mail = "GET /events/dinner?invitation=ABCDEFGHJKLMNPQRSTUVWXYZ23456789&lang=zh-CN HTTP/1.1"
    after_login = "GET /login?next=%2Fevents%2Fdinner%3Finvitation%3DABCDEFGHJKLMNPQRSTUVWXYZ23456789 HTTP/1.1"
    for line in (from_mail, after_login):
        assert "ABCDEFGH" not in redact(line) and "<redacted>" in redact(line)
    api_call = "POST /api/v1/events/dinner/invitations HTTP/1.1"
    assert redact(api_call) == api_call
