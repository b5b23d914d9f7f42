"""One error shape per audience: the contract's JSON body under /api, a page elsewhere."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from eventsys.errors import DomainError

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal_error",
}

# Said in the request's language, on pages and in the JSON API alike (its machine codes never change).
MESSAGES = {
    404: _l("Nothing is here. Check the address."),
    405: _l("This address does not accept that method."),
    413: _l("The request body is too large."),
    429: _l("Too many requests. Wait a moment and try again."),
    500: _l("Something went wrong on our side. Nothing you did; please try again."),
}

# Werkzeug's own descriptions of the other statuses, word for word, so that a page can say them in its
# language (the English stays Werkzeug's); a description given when raising is shown as it is.
WERKZEUG_DESCRIPTIONS = {
    400: _l("The browser (or proxy) sent a request that this server could not understand."),
    401: _l(
        "The server could not verify that you are authorized to access the URL requested. You either supplied the"
        " wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials"
        " required."
    ),
    403: _l(
        "You don't have the permission to access the requested resource. It is either read-protected or not"
        " readable by the server."
    ),
    409: _l(
        "A conflict happened while processing the request. The resource might have been modified while the"
        " request was being processed."
    ),
    415: _l("The server does not support the media type transmitted in the request."),
    422: _l("The request was well-formed but was unable to be followed due to semantic errors."),
}


def page_description(exc: HTTPException):
    """What a page or the API says of an HTTP error that has no message of ours: Werkzeug's words, translated."""
    if exc.code in WERKZEUG_DESCRIPTIONS and exc.description == type(exc).description:
        return WERKZEUG_DESCRIPTIONS[exc.code]
    return exc.description


def wants_json() -> bool:
    """Under /api, and on a page's own JSON endpoints (the door's scan, look-up and state, marked
    ``answers_json``), whoever refuses the request: the view or the check before it."""
    if request.path.startswith("/api/"):
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "answers_json", False))


def error_response(status: int, code: str, message: str, fields: dict | None = None, headers=None):
    body: dict = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if wants_json():
            return error_response(exc.status, exc.code, exc.message, exc.fields)
        return render_template("errors/error.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        message = _("This form has expired or was not sent by this site. Reload the page and try again.")
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        headers = {}
        if status == 429:
            retry_after = _retry_after(exc)
            headers["Retry-After"] = retry_after
        if status == 405 and exc.valid_methods:
            headers["Allow"] = ", ".join(exc.valid_methods)
        message = MESSAGES.get(status) or page_description(exc) or _("The request could not be handled.")
        if wants_json():
            return error_response(status, HTTP_CODES.get(status, "error"), str(message), headers=headers)
        response = app.make_response((render_template("errors/error.html", status=status, message=message), status))
        response.headers.update(headers)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return http_error(InternalServerError())


def _retry_after(exc: HTTPException) -> str:
    response = getattr(exc, "response", None)
    if response is not None and response.headers.get("Retry-After"):
        return response.headers["Retry-After"]
    return "60"
