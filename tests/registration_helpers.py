"""Shared by the registration form, registration API and ticket tests."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from eventsys.events.models import Event, Question, QuestionKind
from eventsys.events.services import QuestionDetails, add_question

YEAR = datetime.now(UTC).year + 2  # a date well ahead, whatever day the tests run
# 09:00 to 18:00 in Hangzhou (UTC+8, no daylight saving time).
STARTS = datetime(YEAR, 6, 18, 1, 0, tzinfo=UTC)
ENDS = datetime(YEAR, 6, 18, 10, 0, tzinfo=UTC)
CODE = r"^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}$"
DRINKS = ["Tea", "Coffee", "Juice"]
TOPICS = ["AI", "Hardware", "E-commerce"]


def add_every_question(event: Event, required: tuple[str, ...] = ()) -> dict[str, Question]:
    """One question of each kind, with help text; ``required`` names the kinds that must be answered."""
    questions = {}
    for kind in QuestionKind:
        options = {QuestionKind.SELECT: DRINKS, QuestionKind.MULTISELECT: TOPICS}.get(kind, [])
        questions[kind.value] = add_question(
            event,
            QuestionDetails(
                label=f"Your {kind.value} answer",
                kind=kind,
                required=kind.value in required,
                options=list(options),
                help_text=f"Help for the {kind.value} question.",
            ),
        )
    return questions


def api_register(client: FlaskClient, event: Event | str, name: str, email: str, **fields) -> TestResponse:
    slug = event if isinstance(event, str) else event.slug
    return client.post(f"/api/v1/events/{slug}/registrations", json={"name": name, "email": email, **fields})


def path_of(url: str) -> str:
    """The path of an absolute URL the app made (PUBLIC_BASE_URL is http://eventsys.test in the tests)."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "http://eventsys.test", url
    return parts.path


def registration_status(client: FlaskClient, event: Event, code: str, headers: dict[str, str]) -> str:
    """A registration's status as its organizer reads it through the API."""
    response = client.get(f"/api/v1/events/{event.slug}/registrations/{code}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["status"]
