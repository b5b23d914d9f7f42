"""The door page as an installable web app: its manifest and its service worker.

The service worker (static/js/door-sw.js, served from under the door page's address so that it may
control it) keeps the door page, its modules, its styles and the QR decoder, so that a gate's phone
opens the door page with no network once it has opened it online. It never keeps an answer of the
door's JSON endpoints: attendee data lives in the page's IndexedDB, encrypted (the offline dataset).

Neither route holds anything secret (PUBLIC in eventsys/authorization.py), but both answer 404 for
an event that does not exist, and for a draft to anyone who is not at its door.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, current_app, make_response, url_for
from flask_babel import gettext as _

from eventsys.checkin.access import find_event_at_door
from eventsys.checkin.views import gate_at_door
from eventsys.events.models import EventStatus

door_app = Blueprint("door_app", __name__)

SW_SOURCE = "js/door-sw.js"
ICON = "img/door-icon.svg"
PNG_ICONS = ("img/door-icon-192.png", "img/door-icon-512.png")
# What the door page loads, under static/: kept by the service worker (the door modules are globbed).
DOOR_FILES = (
    "css/app.css",
    "css/door.css",
    "js/forms.js",
    "js/door.js",
    "js/door/*.js",
    "vendor/barcode-detector/ponyfill.js",
    "vendor/barcode-detector/zxing-exported.js",
    "vendor/zxing-wasm/zxing_reader.wasm",
    ICON,
    *PNG_ICONS,
)


@lru_cache(maxsize=4)
def _precache(static_folder: str) -> tuple[tuple[str, ...], str]:
    """The static files to keep (paths under static/) and a version: a hash of their bytes and of the
    worker's own source, so that any change to them makes a new worker and a new cache."""
    root = Path(static_folder)
    files: list[str] = []
    for pattern in DOOR_FILES:
        matches = sorted(root.glob(pattern)) if "*" in pattern else [root / pattern]
        files.extend(path.relative_to(root).as_posix() for path in matches if path.is_file())
    digest = hashlib.sha256()
    for name in (*files, SW_SOURCE):
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    return tuple(files), digest.hexdigest()[:16]


def _event_at_door(slug: str):
    event = find_event_at_door(slug)
    if event.status == EventStatus.DRAFT:
        gate_at_door(slug)  # a draft only for those at its door
    return event


@door_app.get("/events/<slug>/door/sw.js")
def service_worker(slug: str):
    _event_at_door(slug)
    static_folder = current_app.static_folder
    files, version = _precache(static_folder) if not current_app.debug else _precache.__wrapped__(static_folder)
    door_url = url_for("door.door_page", slug=slug)
    settings = {
        "version": version,
        "cache": f"eventsys-door:{slug}:{version}",
        "cache_prefix": f"eventsys-door:{slug}:",
        "page": door_url,
        "static": [url_for("static", filename=name) for name in files],
    }
    source = (Path(static_folder) / SW_SOURCE).read_text(encoding="utf-8")
    body = f"const DOOR = {json.dumps(settings)};\n{source}"
    response = make_response(body)
    response.mimetype = "text/javascript"
    response.headers["Service-Worker-Allowed"] = door_url
    response.headers["Cache-Control"] = "no-cache"
    return response


@door_app.get("/events/<slug>/door/manifest.webmanifest")
def manifest(slug: str):
    event = _event_at_door(slug)
    door_url = url_for("door.door_page", slug=slug)
    body = {
        "name": _("Door · %(event)s", event=event.name),
        "short_name": _("Door"),
        "start_url": door_url,
        "scope": door_url,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f6f3f",
        "icons": [
            {"src": url_for("static", filename=ICON), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
            *(
                {"src": url_for("static", filename=name), "sizes": f"{size}x{size}", "type": "image/png"}
                for name, size in zip(PNG_ICONS, (192, 512), strict=True)
            ),
        ],
    }
    response = make_response(json.dumps(body, ensure_ascii=False))
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response
