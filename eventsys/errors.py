"""Domain errors, defined once.

Services raise these; the HTML views turn them into a flash or a field error, the API
into the contract's error body with ``status`` and ``code``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def _plain(messages):
    """A field's messages as plain strings (a lazily translated one becomes the request's language)."""
    return [str(message) for message in messages] if isinstance(messages, list | tuple) else messages


class DomainError(Exception):
    status = 400
    code = "bad_request"
    message = _l("The request could not be carried out.")

    def __init__(self, message: str | None = None, fields: dict[str, list[str]] | None = None):
        # Words are chosen now, in the language of the request that raised the error (English outside
        # one), and kept as plain strings: the API's JSON body and the pages take them as they are.
        text = str(message or self.message)
        super().__init__(text)
        self.message = text
        self.fields = {name: _plain(messages) for name, messages in fields.items()} if fields else fields


class MalformedRequest(DomainError):
    status = 400
    code = "bad_request"
    message = _l("The request is malformed.")


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    message = _l("Some fields are missing or invalid.")

    def __init__(self, fields: dict[str, list[str]], message: str | None = None):
        super().__init__(message, fields)


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = _l("Not found.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message = _l("You are not allowed to do this.")


class OnlineOnly(Forbidden):
    code = "online_only"
    message = _l(
        "This gate is online-only: it gets no offline dataset and judges no scan while offline. "
        "The organizer can change that on the door access page."
    )


class InvitationRequired(Forbidden):
    code = "invitation_required"
    message = _l("This event is by invitation only: register with the personal link from your invitation e-mail.")


class InvalidCredentials(DomainError):
    status = 401
    code = "invalid_credentials"
    message = _l("E-mail address or password is wrong.")


class Conflict(DomainError):
    status = 409
    code = "conflict"


class CapacityBelowRegistrations(Conflict):
    code = "capacity_below_registrations"
    message = _l("The capacity cannot be set below the seats already taken.")


class SoldOut(Conflict):
    code = "sold_out"
    message = _l("This event is sold out.")


class AlreadyRegistered(Conflict):
    code = "already_registered"
    message = _l("This e-mail address is already registered for this event.")


class RegistrationClosed(Conflict):
    code = "registration_closed"
    message = _l("Registration for this event is closed.")


class RegistrationNotOpen(Conflict):
    code = "registration_not_open"
    message = _l("Registration for this event has not opened yet.")


class NonceReused(Conflict):
    code = "nonce_reused"
    message = _l("This nonce was already used for another scan; send a new nonce for each scan.")


class ResetLinkInvalid(DomainError):
    status = 410
    code = "reset_link_invalid"
    message = _l("This password reset link has expired or was used already. Ask for a new one.")


class InvitationUsed(DomainError):
    status = 410
    code = "invitation_used"
    message = _l("This invitation was used already. Ask the club's owner for a new one.")


class InvitationExpired(DomainError):
    status = 410
    code = "invitation_expired"
    message = _l("This invitation has expired. Ask the club's owner for a new one.")


class LastOwner(Conflict):
    code = "last_owner"
    message = _l("A club needs at least one owner: make someone else an owner first.")
