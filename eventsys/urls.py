"""Absolute links for e-mails, tickets and API answers, built on PUBLIC_BASE_URL."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from werkzeug.routing import BaseConverter, MapAdapter

ADAPTER = "eventsys.public_url_adapter"


def _adapter(app: Flask) -> MapAdapter:
    """One adapter per app, bound once: binding per link cost as much as building it. (build()
    brings the map up to date itself, and keeps no state between calls.)"""
    adapter = app.extensions.get(ADAPTER)
    if adapter is None:
        adapter = app.extensions[ADAPTER] = app.url_map.bind("localhost")
    return adapter


def public_url(endpoint: str, **values: Any) -> str:
    """The public address of ``endpoint``; works inside a request and outside (mail sender, CLI)."""
    return current_app.config["PUBLIC_BASE_URL"] + _adapter(current_app).build(endpoint, values)


class TicketCodeConverter(BaseConverter):
    """``<code:...>``: a ticket's short code (K7QF-3M2X, any case), so ``registrations/bulk`` is no code."""

    regex = r"[A-Za-z0-9]{4}-[A-Za-z0-9]{4}"


def install(app: Flask) -> None:
    app.url_map.converters["code"] = TicketCodeConverter
