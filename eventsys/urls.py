"""Absolute links for e-mails, tickets and API answers, built on PUBLIC_BASE_URL."""

from __future__ import annotations

from typing import Any

from flask import current_app


def public_url(endpoint: str, **values: Any) -> str:
    """The public address of ``endpoint``; works inside a request and outside (mail sender, CLI)."""
    adapter = current_app.url_map.bind("localhost")
    return current_app.config["PUBLIC_BASE_URL"] + adapter.build(endpoint, values)
