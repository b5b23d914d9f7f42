"""The JSON API, /api/v1, as ../shared/contract/API.md fixes it."""

from flask import Blueprint

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")

from eventsys.api import auth, checkins, clubs, events, exports, messages, registrations, tokens  # noqa: E402,F401  (routes register on import)
