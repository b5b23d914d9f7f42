"""Ticket codes and secrets, and their renderings: QR (PNG, SVG) and calendar (.ics).

A registration stores a random nonce. The QR payload and the manage link's secret are HMACs of
that nonce under the server's ticket key (TICKET_KEY, or instance/ticket_key), so the database
holds only their SHA-256 hashes: a leaked database hands out no working ticket and no manage
link, while the server can still show and re-send both. The payload is upper-case base32
(160 bits), so the QR code uses alphanumeric mode and stays small.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, Protocol

import qrcode
import qrcode.image.svg
from flask import current_app
from icalendar import Calendar, vDuration
from icalendar import Event as CalendarEvent

SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
SHORT_CODE_LENGTH = 8
assert len(SHORT_CODE_ALPHABET) == 32, "new_short_code() draws 5 bits a character"
SECRET_LENGTH = 32  # base32 characters: 160 bits


def new_short_code() -> str:
    """A code for typing by hand, like K7QF-3M2X: 40 random bits, 5 to a character (the alphabet
    has 32), one call for random bytes instead of one per character."""
    bits = int.from_bytes(secrets.token_bytes(SHORT_CODE_LENGTH * 5 // 8))
    chars = "".join(SHORT_CODE_ALPHABET[(bits >> (5 * i)) & 31] for i in range(SHORT_CODE_LENGTH))
    return f"{chars[:4]}-{chars[4:]}"


def new_nonce() -> bytes:
    return secrets.token_bytes(16)


def _derive(key: bytes, purpose: bytes, nonce: bytes) -> str:
    digest = hmac.digest(key, purpose + nonce, "sha256")
    return base64.b32encode(digest).decode()[:SECRET_LENGTH]


def qr_payload(key: bytes, nonce: bytes) -> str:
    return _derive(key, b"ticket-qr:", nonce)


def manage_secret(key: bytes, nonce: bytes) -> str:
    return _derive(key, b"manage-link:", nonce)


class TicketSecrets(NamedTuple):
    """A registration's QR payload and manage-link secret, derived once from its nonce."""

    qr_payload: str
    manage_secret: str

    @classmethod
    def of(cls, key: bytes, nonce: bytes) -> TicketSecrets:
        return cls(qr_payload(key, nonce), manage_secret(key, nonce))


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def door_invite_secret(key: bytes, nonce: bytes) -> str:
    return _derive(key, b"door-invite:", nonce)


def event_invitation_secret(key: bytes, nonce: bytes) -> str:
    return _derive(key, b"event-invitation:", nonce)


def password_reset_secret(key: bytes, nonce: bytes) -> str:
    return _derive(key, b"password-reset:", nonce)


def team_invite_secret(key: bytes, nonce: bytes) -> str:
    return _derive(key, b"team-invite:", nonce)


# --- the secrets of one registration or invitation, under this server's key -----------------


class HasTicketNonce(Protocol):
    ticket_nonce: bytes


class HasInviteNonce(Protocol):
    invite_nonce: bytes


class HasNonce(Protocol):
    nonce: bytes


def ticket_key() -> bytes:
    return current_app.config["TICKET_KEY"].encode()


def qr_payload_of(registration: HasTicketNonce) -> str:
    return qr_payload(ticket_key(), registration.ticket_nonce)


def manage_secret_of(registration: HasTicketNonce) -> str:
    return manage_secret(ticket_key(), registration.ticket_nonce)


def invitation_secret(staff: HasInviteNonce) -> str:
    return door_invite_secret(ticket_key(), staff.invite_nonce)


def team_invitation_secret(member: HasInviteNonce) -> str:
    """The secret in a club team invitation's /join link."""
    return team_invite_secret(ticket_key(), member.invite_nonce)
def event_invitation_secret_of(invitation: HasNonce) -> str:
    """The secret in an invitee's personal registration link (the database keeps only its hash)."""
    return event_invitation_secret(ticket_key(), invitation.nonce)


def reset_secret_of(reset: HasNonce) -> str:
    """The secret in a password-reset link (the database keeps only its hash)."""
    return password_reset_secret(ticket_key(), reset.nonce)


# --- renderings -------------------------------------------------------------------------------


# Any of the eight masks makes a valid code; qrcode would otherwise try all eight for the one
# with the fewest penalty points, which took more than half of a ticket e-mail's rendering.
# Mask 2 scores best on average over random ticket payloads (and at worst), so it is the fixed one.
QR_MASK_PATTERN = 2


def _qr(payload: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4, mask_pattern=QR_MASK_PATTERN
    )
    qr.add_data(payload)
    qr.make(fit=True)
    return qr


def qr_png(payload: str) -> bytes:
    buffer = io.BytesIO()
    _qr(payload).make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(payload: str) -> bytes:
    buffer = io.BytesIO()
    _qr(payload).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return buffer.getvalue()


class CalendarEntry(NamedTuple):
    """One event in a calendar file: its times aware (UTC for a feed, the event's zone for a ticket)."""

    uid: str
    name: str
    starts_at: datetime
    ends_at: datetime
    location: str
    description: str
    url: str
    stamp: datetime | None = None  # DTSTAMP; None: now


def _calendar_event(entry: CalendarEntry) -> CalendarEvent:
    event = CalendarEvent()
    event.add("uid", entry.uid)
    event.add("summary", entry.name)
    event.add("dtstart", entry.starts_at)
    event.add("dtend", entry.ends_at)
    event.add("dtstamp", entry.stamp or datetime.now(UTC))
    if entry.location:
        event.add("location", entry.location)
    event.add("description", entry.description)
    event.add("url", entry.url)
    return event


def _calendar(product: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//eventsys//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    return calendar


def calendar_file(
    uid: str, name: str, starts_at: datetime, ends_at: datetime, location: str, description: str, url: str
) -> bytes:
    calendar = _calendar("tickets")
    calendar.add_component(_calendar_event(CalendarEntry(uid, name, starts_at, ends_at, location, description, url)))
    # RFC 5545 wants a VTIMEZONE for every TZID used; without one, Outlook cannot place the event.
    calendar.add_missing_timezones(
        first_date=starts_at.date() - timedelta(days=1), last_date=ends_at.date() + timedelta(days=1)
    )
    return calendar.to_ical()


def calendar_feed(name: str, entries: list[CalendarEntry], refresh: timedelta) -> bytes:
    """A calendar that a phone subscribes to (a club's upcoming events): times in UTC, so it needs no
    VTIMEZONE; ``refresh`` tells the calendar how often to fetch it again."""
    calendar = _calendar("club calendar")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(refresh))  # an X- property is text unless told
    for entry in entries:
        calendar.add_component(_calendar_event(entry))
    return calendar.to_ical()
