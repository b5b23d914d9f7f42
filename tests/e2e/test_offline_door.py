"""The offline door in a real browser: the door page opened online, the network cut, the page
reloaded from its service worker, tickets judged on the device from the encrypted dataset, the
queue uploaded when the network is back; two gates admitting one ticket while apart; an
online-only gate; and what the browser keeps holds no attendee data in clear."""

from __future__ import annotations

import json
import re
import urllib.request

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from eventsys.checkin import numbers
from eventsys.checkin.models import Scan
from eventsys.checkin.services import EventAtDoor, Scanner, ScanRequest, check_in
from eventsys.extensions import db
from eventsys.registration.models import Registration
from eventsys.registration.services import RegistrationRequest, cancel_registration, register_attendee
from eventsys.registration.tickets import qr_payload_of
from tests.conftest import make_token
from tests.e2e.conftest import Door
from tests.e2e.test_door_page import verdict

READY_TIMEOUT = 30_000  # ms: the service worker's install and the first dataset
UPLOAD_TIMEOUT = 20_000

# Everything the browser keeps: every IndexedDB database's every store, and every Cache Storage answer.
BROWSER_KEEPS = """async () => {
    const found = [];
    for (const info of await indexedDB.databases()) {
        const db = await new Promise((ok, fail) => {
            const open = indexedDB.open(info.name);
            open.onsuccess = () => ok(open.result);
            open.onerror = () => fail(open.error);
        });
        for (const name of db.objectStoreNames) {
            const rows = await new Promise((ok, fail) => {
                const request = db.transaction(name).objectStore(name).getAll();
                request.onsuccess = () => ok(request.result);
                request.onerror = () => fail(request.error);
            });
            found.push({where: `indexedDB ${info.name} ${name}`, count: rows.length, text: JSON.stringify(rows)});
        }
        db.close();
    }
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
            const response = await cache.match(request);
            const body = new Uint8Array(await response.arrayBuffer());
            // text as UTF-8 (the wasm too: a name in it would show as such)
            found.push({where: `cache ${name} ${request.url}`, count: 1, text: new TextDecoder().decode(body)});
        }
    }
    return found;
}"""


def scan(page: Page, code: str) -> None:
    """A USB scanner's read: the code typed into the focused field, then Enter."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def controlled(page: Page) -> None:
    """Wait until the door page's service worker controls the page."""
    page.locator("#door[data-service-worker=controlled]").wait_for(timeout=READY_TIMEOUT)


def offline_ready(page: Page) -> None:
    page.locator("main[data-offline-ready=true]").wait_for(timeout=READY_TIMEOUT)


def expect_offline_verdict(page: Page, result: str, text: str) -> None:
    expect(verdict(page)).to_have_attribute("data-result", result)
    expect(verdict(page)).to_have_attribute("data-offline", "true")
    expect(verdict(page)).to_contain_text(text)
    expect(verdict(page).locator(".verdict-offline")).to_have_text("Offline: judged on this device")


def open_gate(door: Door, context: BrowserContext, link: str | None = None) -> Page:
    page = context.new_page()
    page.on("pageerror", lambda error: door.script_errors.append(str(error)))
    page.goto(link or door.link)
    page.locator("#door[data-state=ready]").wait_for()
    return page


def event_scans(door: Door) -> list[Scan]:
    db.session.rollback()  # see what the server committed
    query = select(Scan).where(Scan.event_id == door.event.id).order_by(Scan.scanned_at, Scan.id)
    return list(db.session.scalars(query))


def api(door: Door, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    base = door.link.split("/door/")[0]
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}/api/v1{path}", data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status, json.loads(answer.read() or b"{}")


def cancelled_attendee(door: Door) -> Registration:
    chen = register_attendee(door.event, RegistrationRequest("Chen Jie", "chen.jie@example.org"))
    return cancel_registration(chen)


def clear_values(door: Door, *more: Registration) -> list[str]:
    """What must never be kept in clear: every attendee's name, e-mail, short code and QR payload."""
    values = []
    for person in [*door.people.values(), *more]:
        values += [person.name, person.email, person.code, person.code.replace("-", ""), qr_payload_of(person)]
    return values


def test_the_door_page_opens_from_its_service_worker_with_no_network(door: Door, launch):
    context = launch().new_context()
    page = door.open(context.new_page())
    controlled(page)
    context.set_offline(True)
    page.reload()
    page.locator("#door[data-state=ready]").wait_for()
    expect(page.locator("#door-sync")).to_contain_text("Offline")


def test_a_gate_judges_offline_then_uploads_in_order_when_back(door: Door, launch):
    li, zhang = door.people["Li Wei"], door.people["Zhang Min"]
    chen = cancelled_attendee(door)
    context = launch().new_context()
    page = door.open(context.new_page())
    offline_ready(page)
    expect(page.locator("#door-sync")).to_contain_text("Online · Offline data from just now · 0 to upload")

    context.set_offline(True)
    page.reload()  # opens from the service worker
    page.locator("#door[data-state=ready]").wait_for()
    offline_ready(page)
    expect(page.locator("#door-sync")).to_contain_text("Offline")

    scan(page, qr_payload_of(li))  # a USB scanner types the QR payload
    expect_offline_verdict(page, "ok", "Welcome, Li Wei")
    scan(page, zhang.code.lower().replace("-", ""))  # the short code typed by hand
    expect_offline_verdict(page, "ok", "Welcome, Zhang Min")
    scan(page, chen.code)
    expect_offline_verdict(page, "cancelled", "This ticket was cancelled")
    scan(page, "ZZZZ-ZZZZ")
    expect_offline_verdict(page, "invalid", "Unknown ticket")
    scan(page, li.code)  # the same ticket again, by its code this time
    expect_offline_verdict(page, "already_checked_in", re.compile(r"Already checked in at \d\d:\d\d at North door"))
    expect(page.locator("#door-sync")).to_contain_text("5 to upload")
    expect(page.locator("#recent")).to_contain_text("Welcome, Li Wei")
    page.wait_for_timeout(1_500)
    assert event_scans(door) == []  # nothing reached the server

    context.set_offline(False)
    expect(page.locator("#door-sync")).to_contain_text("Online", timeout=UPLOAD_TIMEOUT)
    expect(page.locator("#door-sync")).to_contain_text("0 to upload", timeout=UPLOAD_TIMEOUT)
    expect(page.locator("#count-in")).to_have_text("2", timeout=UPLOAD_TIMEOUT)

    scans = event_scans(door)
    assert [s.result.value for s in scans] == ["ok", "ok", "cancelled", "invalid", "already_checked_in"]
    assert [s.offline_result for s in scans] == [
        "ok",
        "ok",
        "cancelled",
        "invalid",
        "already_checked_in",
    ]
    assert [s.registration_id for s in scans] == [li.id, zhang.id, chen.id, None, li.id]
    assert all(s.nonce for s in scans) and len({s.nonce for s in scans}) == 5
    assert [s.id for s in scans] == sorted(s.id for s in scans)  # uploaded oldest first
    assert all(s.gate == "North door" for s in scans)
    # Recorded when they were scanned, not when they reached the server.
    assert all((s.recorded_at - s.scanned_at).total_seconds() > 1 for s in scans)
    assert [s.scanned_at for s in scans] == sorted({s.scanned_at for s in scans})
    stats = numbers.checkin_stats(EventAtDoor(door.event.id, door.event.timezone))
    assert (stats["checked_in"], stats["inside"]) == (2, 2)
    assert stats["by_gate"] == [{"gate": "North door", "checked_in": 2}]


def test_two_gates_apart_admit_one_ticket_and_the_server_reports_one_conflict(door: Door, launch):
    li = door.people["Li Wei"]
    organizer = make_token(door.event.owner)
    status, south = api(door, "POST", f"/events/{door.event.slug}/door-tokens", organizer, {"label": "South door"})
    assert status == 201
    browser = launch()
    north_context, south_context = browser.new_context(), browser.new_context()
    north = open_gate(door, north_context)
    south_page = open_gate(door, south_context, south["door_url"])
    for page in (north, south_page):
        offline_ready(page)
    for context in (north_context, south_context):
        context.set_offline(True)
    for page in (north, south_page):
        scan(page, qr_payload_of(li))
        expect_offline_verdict(page, "ok", "Welcome, Li Wei")

    for context in (north_context, south_context):
        context.set_offline(False)
    for page in (north, south_page):
        expect(page.locator("#door-sync")).to_contain_text("0 to upload", timeout=UPLOAD_TIMEOUT)

    status, answer = api(door, "GET", f"/events/{door.event.slug}/checkins/conflicts", organizer)
    assert status == 200
    [conflict] = answer["items"]
    assert conflict["name"] == "Li Wei"
    assert sorted(admission["gate"] for admission in conflict["admissions"]) == ["North door", "South door"]
    # And a note at the gates that admitted them.
    for page in (north, south_page):
        expect(page.locator("#door-conflicts")).to_contain_text(
            "Admitted twice while apart: Li Wei — ", timeout=UPLOAD_TIMEOUT
        )
        expect(page.locator("#door-conflicts")).to_contain_text("North door")
        expect(page.locator("#door-conflicts")).to_contain_text("South door")


def test_an_online_only_gate_refuses_to_judge_offline(door: Door, launch):
    li = door.people["Li Wei"]
    organizer = make_token(door.event.owner)
    body = {"label": "Main hall", "offline": False}
    status, token = api(door, "POST", f"/events/{door.event.slug}/door-tokens", organizer, body)
    assert status == 201
    context = launch().new_context()
    page = open_gate(door, context, token["door_url"])
    config = json.loads(page.locator("#door-config").text_content())
    assert config["offline_allowed"] is False and config["dataset_url"] is None
    controlled(page)
    expect(page.locator("#door-sync")).to_contain_text("Online-only gate")
    assert page.locator("main").get_attribute("data-offline-ready") is None

    context.set_offline(True)
    scan(page, qr_payload_of(li))
    expect(verdict(page)).to_have_attribute("data-result", "online_only")
    expect(verdict(page)).to_have_class(re.compile(r"\bverdict-bad\b"))
    expect(verdict(page)).to_contain_text("Online-only gate: nobody was admitted")
    expect(page.locator("#door-connection")).to_contain_text("online-only")
    expect(page.locator("#door-sync")).to_contain_text("0 to upload")
    kept = page.evaluate(BROWSER_KEEPS)
    assert all(item["count"] == 0 for item in kept if item["where"].startswith("indexedDB")), kept
    context.set_offline(False)
    page.wait_for_timeout(1_500)
    assert event_scans(door) == []


def test_the_browser_and_the_dataset_hold_no_attendee_data_in_clear(door: Door, launch):
    li, ana = door.people["Li Wei"], door.people["Ana García"]
    chen = cancelled_attendee(door)
    context = launch().new_context()
    page = door.open(context.new_page())
    offline_ready(page)
    config = json.loads(page.locator("#door-config").text_content())
    fetch_text = "async (url) => (await fetch(url, {credentials: 'same-origin'})).text()"
    dataset = page.evaluate(fetch_text, config["dataset_url"])
    assert json.loads(dataset)["entries"]

    context.set_offline(True)
    page.reload()
    offline_ready(page)
    scan(page, qr_payload_of(li))
    expect_offline_verdict(page, "ok", "Welcome, Li Wei")
    scan(page, ana.code)
    expect_offline_verdict(page, "ok", "Welcome, Ana García")
    scan(page, chen.code)
    expect_offline_verdict(page, "cancelled", "cancelled")
    expect(page.locator("#door-sync")).to_contain_text("3 to upload")

    kept = page.evaluate(BROWSER_KEEPS)
    wheres = [item["where"] for item in kept]
    assert any(" queue" in where for where in wheres) and any(where.startswith("cache ") for where in wheres), wheres
    assert [item["count"] for item in kept if item["where"].endswith(" queue")] == [3]
    texts = [("dataset endpoint", dataset)] + [(item["where"], item["text"]) for item in kept]
    for where, text in texts:
        for value in clear_values(door, chen):
            assert value.lower() not in text.lower(), f"{value!r} in clear in {where}"


def test_review_mode_offline_shows_who_it_is_and_admits_on_tap(door: Door, launch):
    zhang = door.people["Zhang Min"]
    context = launch().new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = door.open(context.new_page())
    offline_ready(page)
    page.get_by_label("Review").check()
    context.set_offline(True)

    scan(page, zhang.code)
    expect(page.locator("#review")).to_be_visible()
    expect(page.locator("#review-name")).to_have_text("Zhang Min")
    expect(page.locator("#review-type")).to_have_text("General admission")
    expect(verdict(page)).to_have_attribute("data-result", "review_ok")
    expect(verdict(page)).to_have_attribute("data-offline", "true")
    expect(page.locator("#door-sync")).to_contain_text("0 to upload")  # a look is not a scan
    page.get_by_role("button", name="Admit").tap()
    expect_offline_verdict(page, "ok", "Welcome, Zhang Min")
    expect(page.locator("#door-sync")).to_contain_text("1 to upload")

    scan(page, zhang.code)  # again: the device's own log knows
    expect_offline_verdict(page, "already_checked_in", "Already checked in")
    expect(page.locator("#review-admit")).to_be_hidden()


def kept_rows(page: Page) -> int:
    return sum(item["count"] for item in page.evaluate(BROWSER_KEEPS) if item["where"].startswith("indexedDB"))


def test_leaving_the_gate_or_a_revoked_link_wipes_the_device(door: Door, launch):
    li = door.people["Li Wei"]
    browser = launch()
    context = browser.new_context()
    page = door.open(context.new_page())
    offline_ready(page)
    assert kept_rows(page) > 0
    page.get_by_role("button", name="Leave this gate").click()
    page.wait_for_url(f"**/events/{door.event.slug}")
    assert kept_rows(page) == 0

    # Another phone, whose door link the organizer revokes: the next state answers 404, and it forgets all.
    organizer = make_token(door.event.owner)
    _, token = api(door, "POST", f"/events/{door.event.slug}/door-tokens", organizer, {"label": "East door"})
    other = browser.new_context()
    east = open_gate(door, other, token["door_url"])
    offline_ready(east)
    other.set_offline(True)
    scan(east, qr_payload_of(li))
    expect_offline_verdict(east, "ok", "Welcome, Li Wei")
    other.set_offline(False)
    expect(east.locator("#door-sync")).to_contain_text("0 to upload", timeout=UPLOAD_TIMEOUT)
    request = urllib.request.Request(
        f"{door.link.split('/door/')[0]}/api/v1/events/{door.event.slug}/door-tokens/{token['id']}", method="DELETE"
    )
    request.add_header("Authorization", f"Bearer {organizer}")
    urllib.request.urlopen(request, timeout=10).close()
    expect(east.locator("#door-connection")).to_contain_text("no longer signed in", timeout=UPLOAD_TIMEOUT)
    assert east.locator("main").get_attribute("data-offline-ready") is None
    assert kept_rows(east) == 0


def test_an_answer_lost_on_the_way_is_judged_here_and_recorded_once(door: Door, launch):
    """The server judges a scan but its answer is lost: the gate judges it on the device and queues
    it with the same nonce, so its upload records nothing new."""
    ana = door.people["Ana García"]
    context = launch().new_context()
    page = door.open(context.new_page())
    offline_ready(page)
    lost = {"count": 0}

    def lose_first_answer(route) -> None:
        if lost["count"] == 0:
            lost["count"] += 1
            route.fetch()  # it reaches the server
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/door/scan", lose_first_answer)
    scan(page, ana.code)
    expect_offline_verdict(page, "ok", "Welcome, Ana García")
    expect(page.locator("#door-sync")).to_contain_text("0 to upload", timeout=UPLOAD_TIMEOUT)
    assert [s.result.value for s in event_scans(door)] == ["ok"]
    assert page.evaluate("Object.keys(localStorage)") == []  # no scan kept anywhere in clear


def test_a_refresh_brings_other_gates_admissions_as_a_delta(door: Door, launch):
    li, ana = door.people["Li Wei"], door.people["Ana García"]
    context = launch().new_context()
    page = door.open(context.new_page())
    offline_ready(page)
    answers: list[tuple[str, int, bool | None]] = []

    def note(response) -> None:
        if "/door/dataset" in response.url and response.status == 200:
            answers.append((response.url, response.status, response.json().get("delta")))

    page.on("response", note)
    # Li Wei comes in at the South door while this gate is still online.
    check_in(EventAtDoor(door.event.id, door.event.timezone), ScanRequest(li.code), Scanner("South door"))
    page.evaluate("window.dispatchEvent(new Event('online'))")  # refresh now rather than in a minute
    for _ in range(100):  # up to 20 s
        if answers:
            break
        page.wait_for_timeout(200)
    assert answers and "since=" in answers[-1][0] and answers[-1][2] is True, answers

    context.set_offline(True)
    scan(page, qr_payload_of(li))
    expect_offline_verdict(page, "already_checked_in", re.compile(r"Already checked in at \d\d:\d\d at South door"))
    scan(page, ana.code)  # an entry the delta did not carry still opens
    expect_offline_verdict(page, "ok", "Welcome, Ana García")
