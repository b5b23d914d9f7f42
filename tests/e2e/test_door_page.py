"""The door page in a real browser: camera, USB scanner, look-up, a 360 px phone (offline: test_offline_door.py)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from eventsys.registration.tickets import qr_payload_of
from tests.e2e.conftest import GATE, OVERFLOWING, Door, scans_of, ticket_video

VERDICT_TIMEOUT = 15_000  # ms; the first camera decode includes compiling the wasm decoder


# Large touch targets: every visible button and field at least 44 px high.
SMALL_TARGETS = """() => [...document.querySelectorAll(
        '#door button, #door input[type=text], #door input[type=search], #door .direction-option')]
    .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().height < 44)
    .map((el) => el.outerHTML.slice(0, 80))"""
UNLABELED_FIELDS = """() => [...document.querySelectorAll('#door input:not([type=hidden])')]
    .filter((el) => !el.labels || el.labels.length === 0)
    .map((el) => el.outerHTML.slice(0, 80))"""


def verdict(page: Page):
    return page.locator("#verdict")


def verdict_word(page: Page):
    """The verdict's big word (OK, Not OK, Warning), the part read at arm's length."""
    return page.locator("#verdict .verdict-word")


def background_of(page: Page) -> str:
    return page.evaluate("getComputedStyle(document.getElementById('verdict')).backgroundColor")


def scan_field_has_focus(page: Page) -> bool:
    return page.evaluate("document.activeElement && document.activeElement.id === 'scan-code'")


def test_camera_reads_a_ticket_once_and_a_second_phone_finds_it_used(door: Door, launch, tmp_path):
    li = door.people["Li Wei"]
    browser = launch(camera=ticket_video(qr_payload_of(li), tmp_path / "ticket.y4m"))
    context = browser.new_context()
    requests: list[str] = []
    wasm_types: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    context.on(
        "response",
        lambda response: (
            wasm_types.append(response.headers.get("content-type", "")) if response.url.endswith(".wasm") else None
        ),
    )
    first = door.open(context.new_page())

    expect(verdict(first)).to_have_attribute("data-result", "ok", timeout=VERDICT_TIMEOUT)
    expect(verdict(first)).to_contain_text("Li Wei")
    expect(verdict(first)).to_contain_text("General admission")
    expect(verdict(first)).to_have_class(re.compile(r"\bverdict-ok\b"))
    expect(verdict_word(first)).to_have_text("✓OK")
    # Chromium on Linux has no native BarcodeDetector: the ponyfill read it, with the wasm from our static/.
    assert first.locator("#door").get_attribute("data-decoder") == "zxing-wasm"
    assert wasm_types and set(wasm_types) == {"application/wasm"}  # the page's, and the service worker's copy
    assert all(url.startswith(door.page_url.split("/events/")[0]) for url in requests), requests
    expect(first.locator("#count-in")).to_have_text("1", timeout=10_000)
    expect(first.locator("#recent")).to_contain_text("Welcome, Li Wei")

    # The ticket stays in front of the camera past the 3 s window: still one check-in, no red verdict.
    first.wait_for_timeout(4_500)
    expect(verdict(first)).to_have_attribute("data-result", "ok")
    assert [scan.result.value for scan in scans_of(li)] == ["ok"]

    # A second phone at the same gate reads the same ticket: already checked in, in plain words.
    second = context.new_page()
    second.goto(door.page_url)
    expect(verdict(second)).to_have_attribute("data-result", "already_checked_in", timeout=VERDICT_TIMEOUT)
    expect(verdict(second)).to_have_class(re.compile(r"\bverdict-warn\b"))  # amber: the door staff decide
    expect(verdict_word(second)).to_have_text("!Warning")
    expect(verdict(second)).to_contain_text(re.compile(rf"Already checked in at \d\d:\d\d at {GATE}"))
    expect(verdict(second)).to_contain_text("Li Wei")
    assert [scan.result.value for scan in scans_of(li)] == ["ok", "already_checked_in"]
    assert {scan.gate for scan in scans_of(li)} == {GATE}


def test_usb_scanner_types_into_the_focused_field(door: Door, launch):
    li, zhang = door.people["Li Wei"], door.people["Zhang Min"]
    page = door.open(launch().new_page())
    assert scan_field_has_focus(page)

    # A scanner reading the printed short code: it types, then Enter; nobody clicks anything.
    page.keyboard.type(li.code)
    page.keyboard.press("Enter")
    expect(verdict(page)).to_have_attribute("data-result", "ok")
    expect(verdict(page)).to_contain_text("Welcome, Li Wei")
    expect(verdict(page)).to_contain_text("General admission")
    expect(verdict_word(page)).to_have_text("✓OK")
    admitted = background_of(page)
    assert scan_field_has_focus(page)
    assert page.input_value("#scan-code") == ""

    page.keyboard.type(li.code.lower().replace("-", ""))
    page.keyboard.press("Enter")
    expect(verdict(page)).to_have_attribute("data-result", "already_checked_in")
    expect(verdict(page)).to_contain_text("Already checked in at")
    expect(verdict(page)).to_have_class(re.compile(r"\bverdict-warn\b"))
    expect(verdict_word(page)).to_have_text("!Warning")
    warned = background_of(page)
    assert scan_field_has_focus(page)

    # A scanner reading the QR types the whole payload.
    page.keyboard.type(qr_payload_of(zhang))
    page.keyboard.press("Enter")
    expect(verdict(page)).to_contain_text("Welcome, Zhang Min")

    page.keyboard.type("NOT-A-TICKET")
    page.keyboard.press("Enter")
    expect(verdict(page)).to_have_attribute("data-result", "invalid")
    expect(verdict(page)).to_contain_text("Unknown ticket")
    expect(verdict(page)).to_have_class(re.compile(r"\bverdict-bad\b"))
    expect(verdict_word(page)).to_have_text("✕Not OK")
    # Three looks a glance tells apart: green, amber, red; and the last scans list says which, in words.
    assert len({admitted, warned, background_of(page)}) == 3
    expect(page.locator("#recent .recent-warn")).to_contain_text("Warning: Already checked in at")
    expect(page.locator("#count-in")).to_have_text("2", timeout=10_000)
    assert [scan.result.value for scan in scans_of(li)] == ["ok", "already_checked_in"]

    # Exit: the scan lets Li Wei out, and back at Entry the next scan lets Li Wei in again.
    page.check("input[name=direction][value=out]")
    assert scan_field_has_focus(page)
    page.keyboard.type(li.code)
    page.keyboard.press("Enter")
    expect(verdict(page)).to_contain_text("Goodbye, Li Wei")
    expect(verdict(page)).to_have_class(re.compile(r"\bverdict-out\b"))
    expect(verdict_word(page)).to_have_text("←OK")
    page.check("input[name=direction][value=in]")
    page.keyboard.type(li.code)
    page.keyboard.press("Enter")
    expect(verdict(page)).to_contain_text("Welcome, Li Wei")
    assert [(scan.result.value, scan.direction.value) for scan in scans_of(li)][2:] == [("ok", "out"), ("ok", "in")]


def test_look_up_by_name_and_check_in(door: Door, launch):
    zhang = door.people["Zhang Min"]
    page = door.open(launch().new_page())

    page.fill("#lookup-q", "zhang")
    page.keyboard.press("Enter")
    row = page.locator(f".person[data-code='{zhang.code}']")
    expect(row).to_contain_text("Zhang Min")
    expect(row).to_contain_text("General admission")
    expect(page.locator(".person")).to_have_count(1)

    row.get_by_role("button", name="Check in Zhang Min").click()
    expect(verdict(page)).to_have_attribute("data-result", "ok")
    expect(verdict(page)).to_contain_text("Welcome, Zhang Min")
    assert scan_field_has_focus(page)
    expect(row).to_contain_text("checked in")
    assert [scan.result.value for scan in scans_of(zhang)] == ["ok"]

    # Focus is back in the scan field: the next scanner read needs no click.
    page.keyboard.type(zhang.code)
    page.keyboard.press("Enter")
    expect(verdict(page)).to_have_attribute("data-result", "already_checked_in")


def test_nonce_reused_is_shown_as_an_error_and_not_kept(door: Door, launch):
    """409 nonce_reused (the contract's answer to a nonce sent with another code) is final, like any refusal."""
    page = door.open(launch().new_page())
    refusal = {"error": {"code": "nonce_reused", "message": "This scan's nonce was already used for another scan."}}
    page.route("**/door/scan", lambda route: route.fulfill(status=409, json=refusal))

    page.keyboard.type(door.people["Li Wei"].code)
    page.keyboard.press("Enter")
    expect(verdict(page)).to_have_attribute("data-result", "rejected")
    expect(verdict(page)).to_have_class(re.compile(r"\bverdict-bad\b"))
    expect(verdict(page)).to_contain_text("already used for another scan")
    expect(page.locator("#door-sync")).to_contain_text("0 to upload")  # nothing queued
    assert page.evaluate("Object.keys(localStorage)") == []  # no scan kept anywhere in clear


def test_without_camera_or_decoder_the_field_still_works(door: Door, launch):
    li, zhang = door.people["Li Wei"], door.people["Zhang Min"]
    browser = launch()
    # A phone whose camera cannot be had.
    no_camera = browser.new_context()
    no_camera.add_init_script(
        "navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('none', 'NotFoundError'));"
    )
    page = door.open(no_camera.new_page())
    expect(page.locator("#camera-status")).to_contain_text("No camera found")
    expect(page.locator("#camera-frame")).to_be_hidden()
    page.keyboard.type(li.code)
    page.keyboard.press("Enter")
    expect(verdict(page)).to_contain_text("Welcome, Li Wei")

    # A camera, but the decoder's wasm does not arrive.
    no_decoder = browser.new_context()
    no_decoder.route("**/*.wasm", lambda route: route.abort())
    page = door.open(no_decoder.new_page())
    expect(page.locator("#camera-status")).to_contain_text("decoder could not be loaded", timeout=10_000)
    assert page.locator("#door").get_attribute("data-camera") == "unavailable"
    page.keyboard.type(zhang.code)
    page.keyboard.press("Enter")
    expect(verdict(page)).to_contain_text("Welcome, Zhang Min")


def test_fits_a_360_px_phone(door: Door, launch, tmp_path):
    context = launch().new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    page = door.open(context.new_page())
    page.keyboard.type(door.people["Ana García"].code)
    page.keyboard.press("Enter")
    expect(verdict(page)).to_contain_text("Welcome, Ana García")
    page.fill("#lookup-q", "an")  # Zhang Min and Ana García (and anyone whose random code holds AN)
    expect(page.locator(".person", has_text="Zhang Min")).to_have_count(1)
    expect(page.locator(".person", has_text="Ana García")).to_have_count(1)
    page.screenshot(path=str(tmp_path / "door-360.png"), full_page=True)

    overflow = page.evaluate(OVERFLOWING)
    assert overflow["scroll"] <= 360 and overflow["wide"] == [], overflow
    assert page.evaluate(SMALL_TARGETS) == []
    assert page.evaluate(UNLABELED_FIELDS) == []
    assert page.locator("#verdict").get_attribute("aria-live") == "assertive"
