"""Exports of an event (organizer): registrations as CSV and Excel, the scan log, badges, door list."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Response, request

from eventsys.api import api_bp
from eventsys.api.auth import caller
from eventsys.backoffice.downloads import FILES
from eventsys.events.models import Event
from eventsys.events.services import find_managed_event


def _view(answer: Callable[[Event, Mapping[str, str]], Response]) -> Callable[[str], Response]:
    def download(slug: str) -> Response:
        return answer(find_managed_event(slug, caller().require_organizer()), request.args)

    return download


for _file, (_name, _answer) in FILES.items():
    api_bp.add_url_rule(f"/events/<slug>/exports/{_file}", f"export_{_name}", _view(_answer), methods=["GET"])
