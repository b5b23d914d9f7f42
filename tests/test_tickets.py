"""The ticket: its QR payload and images, its calendar file, its page, and what the database keeps of it."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from icalendar import Calendar
from PIL import Image, ImageDraw
from sqlalchemy import text

from eventsys.extensions import db
from eventsys.registration import tickets
from tests.conftest import csrf_token, make_event
from tests.html_pages import location_path, page
from tests.registration_helpers import ENDS, STARTS, api_register, path_of

VENUE = "ITC Guigu International Center"
ADDRESS = "Xihu District, Hangzhou"



@pytest.fixture
def conference():
    return make_event(
        name="TECOM Conf Hangzhou",
        capacity=10,
        starts_at=STARTS,
        ends_at=ENDS,
        timezone="Asia/Shanghai",
        venue=VENUE,
        address=ADDRESS,
    )


@pytest.fixture
def ticket(client, conference) -> dict:
    """What the API answers to a confirmed registration of Li Wei."""
    response = api_register(client, conference, "Li Wei", "li.wei@example.org")
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "confirmed"
    return body


def decode_png(data: bytes) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))


MODULE = re.compile(r"M(\d+),(\d+)H(\d+)V(\d+)H(\d+)z")


def rasterize_svg(svg: str) -> Image.Image:
    """Draw the QR SVG's modules (unit squares of one path) as a scanner's camera would see them."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    modules = MODULE.findall(svg)
    assert modules, "no QR modules in the SVG"
    for x, y, right, bottom, _ in modules:
        x, y, right, bottom = int(x), int(y), int(right), int(bottom)
        draw.rectangle((x * scale, y * scale, right * scale - 1, bottom * scale - 1), fill=0)
    return image


# --- the QR payload -------------------------------------------------------------------------------


def test_the_qr_payload_is_long_random_and_upper_case_letters_and_digits(client):
    event = make_event()  # no limit: every registration is confirmed
    payloads = []
    for number in range(12):
        body = api_register(client, event, f"Person {number}", f"person{number}@example.org").get_json()
        payload = body["ticket"]["qr_payload"]
        assert re.fullmatch(r"[A-Z0-9]{26,}", payload), payload  # QR alphanumeric mode, ≥128 bits
        assert body["code"].replace("-", "") not in payload
        assert "PERSON" not in payload and "EXAMPLE" not in payload  # nothing personal
        payloads.append(payload)
    assert len(set(payloads)) == len(payloads)
    # Not a counter or a timestamp: no two payloads share a long prefix.
    assert len({p[:8] for p in payloads}) == len(payloads)


def test_the_png_qr_code_scans_as_the_payload(client, ticket):
    response = client.get(path_of(ticket["ticket"]["qr_png_url"]))
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    [barcode] = decode_png(response.data)
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.text == ticket["ticket"]["qr_payload"]


def test_the_svg_qr_code_scans_as_the_payload(client, ticket):
    response = client.get(path_of(ticket["ticket"]["qr_svg_url"]))
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "<svg" in svg and "<script" not in svg
    [barcode] = zxingcpp.read_barcodes(rasterize_svg(svg))
    assert barcode.text == ticket["ticket"]["qr_payload"]


def test_every_ticket_qr_with_the_fixed_mask_scans_also_small_on_a_phone_screen():
    """One mask for every code (not the best of eight, which was slow): 200 random tickets' codes
    all scan, at the e-mailed size and at a third of it (3 px a module, a small phone screen)."""
    key = b"any server key"
    for _ in range(200):
        payload = tickets.qr_payload(key, tickets.new_nonce())
        image = Image.open(io.BytesIO(tickets.qr_png(payload)))
        small = image.resize((image.width // 3, image.height // 3), Image.Resampling.NEAREST)
        for shown in (image, small):
            assert [barcode.text for barcode in zxingcpp.read_barcodes(shown)] == [payload]


@pytest.mark.parametrize("kind", ["qr_png_url", "qr_svg_url"])
def test_qr_images_are_cacheable_and_answer_a_conditional_request(client, conference, ticket, kind):
    path = path_of(ticket["ticket"][kind])
    first = client.get(path)
    assert "max-age" in first.headers["Cache-Control"]
    assert "private" in first.headers["Cache-Control"]  # the address holds the ticket's secret
    etag = first.headers["ETag"]
    assert etag
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    changed = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200 and changed.data == first.data
    other = api_register(client, conference, "Ana", "ana@example.org").get_json()
    assert client.get(path_of(other["ticket"][kind])).headers["ETag"] != etag


# --- the calendar file --------------------------------------------------------------------------------


def test_the_calendar_file_has_the_event_at_its_local_time(client, conference, ticket):
    response = client.get(path_of(ticket["ticket"]["ics_url"]))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    [entry] = calendar.walk("VEVENT")
    start, end = entry.decoded("dtstart"), entry.decoded("dtend")
    assert start == STARTS and end == ENDS
    assert start.utcoffset() is not None
    assert start.astimezone(ZoneInfo("Asia/Shanghai")).hour == 9
    assert str(entry["summary"]) == "TECOM Conf Hangzhou"
    assert str(entry["location"]) == f"{VENUE}, {ADDRESS}"
    assert ticket["manage_url"] in str(entry["description"]).replace("\n ", "")
    # Every TZID the file names is defined in it (RFC 5545), or Outlook cannot place the event.
    tzids = {str(entry["dtstart"].params["TZID"])} if "TZID" in entry["dtstart"].params else set()
    defined = {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")}
    assert tzids <= defined


# --- the ticket page ---------------------------------------------------------------------------------


def test_the_ticket_page_shows_everything_needed_at_the_door(client, conference, ticket):
    path = path_of(ticket["manage_url"])
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Referrer-Policy"] == "no-referrer"  # the address is the ticket's key
    doc = page(response)
    body = doc.text()
    local = STARTS.astimezone(ZoneInfo("Asia/Shanghai"))
    assert "TECOM Conf Hangzhou" in body
    assert f"{local:%a %d %b %Y}, 09:00 – 18:00 (Asia/Shanghai)" in body
    assert f"{VENUE}, {ADDRESS}" in body
    assert "Li Wei" in body and "General admission" in body and "Confirmed" in body
    assert ticket["code"] in body

    image = re.search(r'<img src="([^"]+)" alt="([^"]+)"', doc.html)
    assert image and image.group(1) == path_of(ticket["ticket"]["qr_svg_url"])
    assert "QR code" in image.group(2)
    assert client.get(image.group(1)).status_code == 200
    assert f'href="{path_of(ticket["ticket"]["ics_url"])}">Add to calendar</a>' in doc.html
    assert f'href="{path}/cancel">Cancel my registration' in doc.html
    assert ticket["ticket"]["qr_payload"] not in doc.html  # shown as a picture, never as text to copy


def test_cancelling_from_the_ticket_page_asks_first_and_then_the_ticket_is_gone(client, ticket):
    path = path_of(ticket["manage_url"])
    confirm = page(client.get(f"{path}/cancel"))
    assert "Cancel your registration for TECOM Conf Hangzhou?" in confirm.text()
    assert "your ticket stops working" in confirm.text()
    [form] = [f for f in confirm.forms if f.method == "post"]
    assert form.action == f"{path}/cancel"
    assert "Confirmed" in page(client.get(path)).text()  # looking at the question cancels nothing

    response = client.post(form.action, data={"csrf_token": form.csrf_token})
    assert location_path(response) == path
    after = page(client.get(path))
    text = after.text()
    assert "Your registration is cancelled" in text
    assert "Cancelled" in text and "Confirmed" not in text
    assert "<img" not in after.html and "qr.svg" not in after.html and "qr.png" not in after.html
    assert "event.ics" not in after.html and "/cancel" not in after.html
    assert "TECOM Conf Hangzhou" in text and "Li Wei" in text

    again = client.post(form.action, data={"csrf_token": form.csrf_token})  # a second click
    assert location_path(again) == path
    assert "not active any more" in page(client.get(path)).text()


def test_a_waiting_or_pending_registration_shows_no_qr_code(client):
    full = make_event(capacity=1)
    api_register(client, full, "First", "first@example.org")
    waiting = api_register(client, full, "Ana", "ana@example.org").get_json()
    pending_event = make_event(requires_approval=True)
    pending = api_register(client, pending_event, "Bo", "bo@example.org").get_json()
    for body, says in ((waiting, "On the waiting list, number 1"), (pending, "Waiting for the organizer's approval")):
        doc = page(client.get(path_of(body["manage_url"])))
        assert says in doc.text()
        assert body["code"] in doc.text()
        assert "<img" not in doc.html and "qr.svg" not in doc.html
        assert "Cancel my registration" in doc.text()


@pytest.mark.parametrize(
    "secret",
    [
        "A" * 32,  # the right shape, no such ticket
        "AAAA",  # too short
        "A" * 33,  # too long
        "!" * 32,
    ],
)
@pytest.mark.parametrize("suffix", ["", "/qr.png", "/qr.svg", "/event.ics", "/cancel"])
def test_a_wrong_ticket_secret_is_not_found(client, ticket, secret, suffix):
    response = client.get(f"/t/{secret}{suffix}")
    assert response.status_code == 404
    assert "Li Wei" not in response.get_data(as_text=True)


def test_a_wrong_ticket_secret_cannot_cancel(client, ticket):
    response = client.post("/t/" + "B" * 32 + "/cancel", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 404
    assert "Confirmed" in page(client.get(path_of(ticket["manage_url"]))).text()


# --- what the database keeps -------------------------------------------------------------------------------


@pytest.mark.both_databases
def test_the_database_keeps_only_hashes_and_a_nonce(client, conference, ticket, database_url):
    payload = ticket["ticket"]["qr_payload"]
    secret = path_of(ticket["manage_url"]).removeprefix("/t/")
    db.session.rollback()
    [row] = db.session.execute(text("SELECT * FROM registrations")).mappings().all()
    assert row["secret_hash"] == hashlib.sha256(payload.encode()).hexdigest()
    assert row["manage_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert len(bytes(row["ticket_nonce"])) == 16
    for name, value in row.items():
        shown = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        for clear in (payload, secret):
            assert clear.encode() not in shown and clear.lower().encode() not in shown, name
    for outbox_row in db.session.execute(text("SELECT * FROM outbox_messages")).mappings():
        assert not any(clear in str(value) for value in outbox_row.values() for clear in (payload, secret))
    if database_url.startswith("sqlite:///"):  # nowhere in the file either
        db.session.remove()
        db.engine.dispose()
        path = Path(database_url.removeprefix("sqlite:///"))
        stored = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        assert b"li.wei@example.org" in stored  # the check can see what is there
        assert payload.encode() not in stored and secret.encode() not in stored
