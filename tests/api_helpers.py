"""Assertions on the API's contract shapes, shared by the API test modules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from werkzeug.test import TestResponse

ERROR_KEYS = {"code", "message", "fields"}

# The ten question kinds the contract names (spelled out here, not taken from the code's enum).
QUESTION_KINDS = (
    "text",
    "textarea",
    "email",
    "phone",
    "number",
    "date",
    "select",
    "multiselect",
    "checkbox",
    "country",
)


def assert_error_body(response: TestResponse) -> dict[str, Any]:
    """The contract's error body: JSON, ``{"error": {"code", "message", "fields"?}}``, no stack trace."""
    assert response.status_code >= 400, response.status_code
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json", (response.status_code, response.mimetype)
    body = response.get_json(silent=True)
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error, dict) and {"code", "message"} <= set(error) <= ERROR_KEYS, error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    assert "Traceback" not in response.get_data(as_text=True)
    if "fields" in error:
        # Field problems belong to validation (422) and to wrong JSON types (400), nothing else.
        assert response.status_code in (400, 422), (response.status_code, error)
        fields = error["fields"]
        assert isinstance(fields, dict) and fields, error
        for name, problems in fields.items():
            assert isinstance(name, str)
            assert isinstance(problems, list) and problems and all(isinstance(p, str) and p for p in problems)
    return error


def assert_error(response: TestResponse, status: int, code: str | None = None) -> dict[str, Any]:
    """``response`` is an error with ``status`` (and ``code``) in the contract's shape; returns the error."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    error = assert_error_body(response)
    if code is not None:
        assert error["code"] == code, error
    return error


def assert_validation(response: TestResponse, *fields: str) -> dict[str, list[str]]:
    """A 422 whose ``fields`` name at least ``fields``; returns the field problems."""
    error = assert_error(response, 422, "validation_failed")
    assert "fields" in error, error
    for name in fields:
        assert name in error["fields"], (name, error)
    return error["fields"]


def assert_page(body: Any) -> None:
    """A list in the contract's shape: items, total, page, per_page."""
    assert isinstance(body, dict) and {"items", "total", "page", "per_page"} <= set(body), body
    assert isinstance(body["items"], list)
    for key in ("total", "page", "per_page"):
        assert isinstance(body[key], int) and not isinstance(body[key], bool), body
    assert 1 <= body["per_page"] <= 200
    assert body["page"] >= 1


def assert_timestamp_with_offset(value: Any) -> datetime:
    """An ISO 8601 timestamp string with an explicit offset."""
    assert isinstance(value, str), value
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None and moment.utcoffset() is not None, value
    return moment
