"""The organizer's downloads from the pages, /manage/events/<slug>/exports/<file>: the same files
as the API's, for the logged-in organizer. Endpoints: exports.registrations_csv, …, each taking
``slug`` and the attendee list's filter arguments."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Blueprint, Response, request
from flask_login import current_user, login_required

from eventsys.backoffice.downloads import FILES
from eventsys.events.models import Event
from eventsys.events.services import find_managed_event

exports_bp = Blueprint("exports", __name__, url_prefix="/manage/events")


@exports_bp.before_request
@login_required
def require_login() -> None:
    """Every download needs a logged-in organizer."""


def _view(answer: Callable[[Event, Mapping[str, str]], Response]) -> Callable[[str], Response]:
    def download(slug: str) -> Response:
        return answer(find_managed_event(slug, current_user), request.args)

    return download


for _file, (_name, _answer) in FILES.items():
    exports_bp.add_url_rule(f"/<slug>/exports/{_file}", _name, _view(_answer), methods=["GET"])
