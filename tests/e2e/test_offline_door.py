"""The offline door in a real browser: the door page opened online, the network cut, the page
reloaded from its service worker, tickets judged on the device from the encrypted dataset, the
queue uploaded when the network is back; two gates apart; an online-only gate; and what the
browser keeps holds no attendee data in clear."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Door
from tests.e2e.test_door_page import verdict

READY_TIMEOUT = 30_000  # ms: the service worker's install and the first dataset


def scan(page: Page, code: str) -> None:
    """A USB scanner's read: the code typed into the focused field, then Enter."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def controlled(page: Page) -> None:
    """Wait until the door page's service worker controls the page."""
    page.locator("#door[data-service-worker=controlled]").wait_for(timeout=READY_TIMEOUT)


def test_the_door_page_opens_from_its_service_worker_with_no_network(door: Door, launch):
    context = launch().new_context()
    page = door.open(context.new_page())
    controlled(page)
    context.set_offline(True)
    page.reload()
    page.locator("#door[data-state=ready]").wait_for()
    expect(page.locator("#door-sync")).to_contain_text("Offline")
