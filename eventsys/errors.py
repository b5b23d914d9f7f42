"""Domain errors, defined once.

Services raise these; the HTML views turn them into a flash or a field error, the API
into the contract's error body with ``status`` and ``code``.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"
    message = "The request could not be carried out."

    def __init__(self, message: str | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.fields = fields


class MalformedRequest(DomainError):
    status = 400
    code = "bad_request"
    message = "The request is malformed."


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    message = "Some fields are missing or invalid."

    def __init__(self, fields: dict[str, list[str]], message: str | None = None):
        super().__init__(message, fields)


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = "Not found."


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message = "You are not allowed to do this."


class InvalidCredentials(DomainError):
    status = 401
    code = "invalid_credentials"
    message = "E-mail address or password is wrong."


class Conflict(DomainError):
    status = 409
    code = "conflict"


class CapacityBelowRegistrations(Conflict):
    code = "capacity_below_registrations"
    message = "The capacity cannot be set below the seats already taken."


class SoldOut(Conflict):
    code = "sold_out"
    message = "This event is sold out."


class AlreadyRegistered(Conflict):
    code = "already_registered"
    message = "This e-mail address is already registered for this event."


class RegistrationClosed(Conflict):
    code = "registration_closed"
    message = "Registration for this event is closed."


class RegistrationNotOpen(Conflict):
    code = "registration_not_open"
    message = "Registration for this event has not opened yet."


class NonceReused(Conflict):
    code = "nonce_reused"
    message = "This nonce was already used for another scan; send a new nonce for each scan."


class ResetLinkInvalid(DomainError):
    status = 410
    code = "reset_link_invalid"
    message = "This password reset link has expired or was used already. Ask for a new one."
