"""The door page's web app routes: its service worker and its manifest (eventsys/checkin/webapp.py)."""

from __future__ import annotations

from eventsys.events.models import EventStatus
from tests.conftest import make_event


def test_the_service_worker_keeps_the_door_files_under_a_version(client, app):
    event = make_event()
    answer = client.get(f"/events/{event.slug}/door/sw.js")
    assert answer.status_code == 200
    assert answer.mimetype == "text/javascript"
    assert answer.headers["Service-Worker-Allowed"] == f"/events/{event.slug}/door"
    assert answer.headers["Cache-Control"] == "no-cache"
    body = answer.get_data(as_text=True)
    for path in (
        "/static/js/door.js",
        "/static/js/door/offline-crypto.js",
        "/static/css/door.css",
        "/static/vendor/zxing-wasm/zxing_reader.wasm",
        "/static/vendor/barcode-detector/ponyfill.js",
    ):
        assert f'"{path}"' in body, path
    assert "/static/js/door-sw.js" not in body.split("\n", 1)[0]  # the worker does not keep itself
    assert f'"page": "/events/{event.slug}/door"' in body
    assert "eventsys-door:" in body
    # The same files, the same worker byte for byte: the browser keeps it and its cache.
    assert client.get(f"/events/{event.slug}/door/sw.js").get_data(as_text=True) == body


def test_the_manifest_opens_the_door_page_standalone(client):
    event = make_event(name="Hangzhou Tech Day")
    answer = client.get(f"/events/{event.slug}/door/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer.mimetype == "application/manifest+json"
    manifest = answer.get_json(force=True)
    assert manifest["start_url"] == f"/events/{event.slug}/door"
    assert manifest["scope"] == f"/events/{event.slug}/door"
    assert manifest["display"] == "standalone"
    assert manifest["name"] == "Door · Hangzhou Tech Day"
    icon = manifest["icons"][0]["src"]
    assert client.get(icon).status_code == 200


def test_an_unknown_event_or_a_strangers_draft_has_neither(client):
    draft = make_event(status=EventStatus.DRAFT)
    for slug in ("no-such-event", draft.slug):
        assert client.get(f"/events/{slug}/door/sw.js").status_code == 404
        assert client.get(f"/events/{slug}/door/manifest.webmanifest").status_code == 404
