"""Real-browser tests of the door page: Debian's chromium driven by Playwright, the app under gunicorn.

The browser's camera is Chromium's fake device, fed a rendered ticket QR from a .y4m file, so a
test exercises the page's own decoder (Chromium on Linux has no native BarcodeDetector). Never
`playwright install`: the browser is the system's /usr/bin/chromium, which `make test` ensures.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from sqlalchemy import select

from eventsys.auth.models import TokenKind
from eventsys.auth.services import issue_token
from eventsys.checkin.models import Scan
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.registration.models import Registration
from eventsys.registration.services import RegistrationRequest, register_attendee
from eventsys.registration.tickets import qr_png
from tests.conftest import make_event
from tests.live_server import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
# What sticks out past the viewport's right or left edge (the page must not scroll sideways).
OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')].filter((el) => {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || el.closest('.visually-hidden, .skip-link')) return false;
        return box.right > width + 0.5 || box.left < -0.5;
    }).map((el) => el.outerHTML.slice(0, 80));
    return {scroll: document.documentElement.scrollWidth, width, wide};
}"""
TICKET_KEY = "test-ticket-key"  # what LiveServer gives gunicorn, so the test computes the same QR payloads
GATE = "North door"


@pytest.fixture
def app_config() -> dict:
    return {"TICKET_KEY": TICKET_KEY}


@pytest.fixture
def live_server(app, database_url) -> Iterator[LiveServer]:
    server = LiveServer(database_url, workers=2).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (Debian package chromium)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def launch(playwright: Playwright) -> Iterator[Callable[..., Browser]]:
    """Start chromium; ``camera`` is a .y4m file the fake camera shows (else Chromium's test pattern)."""
    browsers: list[Browser] = []

    def start(camera: Path | None = None) -> Browser:
        args = list(CHROMIUM_ARGS)
        if camera is not None:
            args.append(f"--use-file-for-fake-video-capture={camera}")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        browsers.append(browser)
        return browser

    yield start
    for browser in browsers:
        browser.close()


def ticket_video(payload: str, path: Path, frames: int = 20) -> Path:
    """A 640×480 .y4m video of a ticket's QR code, as the app renders it for ``payload``."""
    return still_video(Image.open(io.BytesIO(qr_png(payload))), path, frames)


def still_video(picture: Image.Image, path: Path, frames: int = 20) -> Path:
    """A 640×480 .y4m video that shows ``picture`` (e.g. a ticket's QR) centred: a grey Y plane, flat U and V planes."""
    grey = picture.convert("L")
    canvas = Image.new("L", (640, 480), 255)
    grey.thumbnail((440, 440))
    canvas.paste(grey, ((640 - grey.width) // 2, (480 - grey.height) // 2))
    chroma = bytes([128]) * (640 * 480 // 4)
    with path.open("wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(frames):
            out.write(b"FRAME\n" + canvas.tobytes() + chroma + chroma)
    return path


@dataclass
class Door:
    event: Event
    people: dict[str, Registration]
    link: str  # the gate's door link, /door/<token> on the live server
    page_url: str
    script_errors: list[str] = field(default_factory=list)

    def open(self, page: Page) -> Page:
        """Sign the browser in as the gate with its door link, and wait for the page to be ready."""
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        page.goto(self.link)
        assert page.url == self.page_url, page.url  # the token left the address bar
        page.locator("#door[data-state=ready]").wait_for()
        return page


@pytest.fixture
def door(app, live_server) -> Iterator[Door]:
    """A published event with three confirmed attendees, and a door link for its North door."""
    event = make_event(name="Hangzhou Tech Day", timezone="Asia/Shanghai")
    people = {
        name: register_attendee(event, RegistrationRequest(name, email))
        for name, email in [
            ("Li Wei", "li.wei@example.org"),
            ("Zhang Min", "zhang.min@example.org"),
            ("Ana García", "ana@example.org"),
        ]
    }
    _, token = issue_token(event.owner, TokenKind.DOOR, GATE, event_id=event.id)
    door = Door(
        event=event,
        people=people,
        link=f"{live_server.url}/door/{token}",
        page_url=f"{live_server.url}/events/{event.slug}/door",
    )
    yield door
    assert door.script_errors == [], "uncaught errors in the door page's script"


def scans_of(registration: Registration) -> list[Scan]:
    """The scan log rows for one registration, as the server wrote them."""
    db.session.rollback()  # end the test's read transaction, to see what the server committed
    return list(db.session.scalars(select(Scan).where(Scan.registration_id == registration.id).order_by(Scan.id)))
