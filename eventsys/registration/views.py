"""Registering on the event page, the attendee's ticket page, and the organizer's outbox."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from eventsys.errors import DomainError, NotFound, ValidationFailed
from eventsys.events import services as event_services
from eventsys.events.models import Event, EventAccess
from eventsys.extensions import db, limiter
from eventsys.forms import add_field_errors
from eventsys.i18n import page_language
from eventsys.mail.messages import calendar_for, render
from eventsys.mail.models import OutboxMessage
from eventsys.registration import services, tickets
from eventsys.registration.forms import (
    InvitedRegistrationForm,
    RegistrationForm,
    add_service_findings,
    answer_errors_to_fields,
    build_registration_form,
)
from eventsys.registration.invitations import find_invitation
from eventsys.registration.models import Invitation, Registration, RegistrationStatus
from eventsys.registration.services import RegistrationRequest

registration_bp = Blueprint("registration", __name__)

QR_CACHE = "private, max-age=86400"
# What the outbox shows of a message's kind and state (the values stay English in the data).
MAIL_KIND_LABELS = {
    "confirmed": _l("confirmed"),
    "waitlisted": _l("waitlisted"),
    "pending_approval": _l("pending approval"),
    "promoted": _l("promoted"),
    "approved": _l("approved"),
    "rejected": _l("rejected"),
    "cancelled": _l("cancelled"),
    "link_again": _l("link again"),
    "door_invite": _l("door invite"),
    "event_cancelled": _l("event cancelled"),
    "password_reset": _l("password reset"),
    "message": _l("message from the organizer"),
    "invitation": _l("invitation"),
}
MAIL_STATUS_LABELS = {
    "queued": _l("queued"),
    "sending": _l("sending"),
    "sent": _l("sent"),
    "skipped": _l("skipped"),
    "failed": _l("failed"),
}


@registration_bp.context_processor
def labels() -> dict:
    return {"mail_kind_labels": MAIL_KIND_LABELS, "mail_status_labels": MAIL_STATUS_LABELS}


def _viewer():
    return current_user if current_user.is_authenticated else None


def _invitation_given() -> str:
    """The secret of an invitee's personal link: in the page's address, or sent with the form."""
    value = request.values.get("invitation", "")
    return value.strip() if isinstance(value, str) else ""


def _page_invitation(event: Event) -> Invitation | None:
    """On an invite-only event, the invitation whose link opened (or sent) the page; else None."""
    if event.access != EventAccess.INVITE_ONLY:
        return None
    return find_invitation(event.id, _invitation_given())


def _registration_form(event: Event, invitation: Invitation | None, **kwargs) -> RegistrationForm:
    """The registration form; from an invitation's link, filled in with the invitee's name and the
    address it was sent to, which cannot be changed there (the link works for it only)."""
    if invitation is None:
        return build_registration_form(event, **kwargs)
    if kwargs.get("formdata", True) is None:
        kwargs["data"] = {"name": invitation.name, "email": invitation.email, "invitation": _invitation_given()}
    form = build_registration_form(event, InvitedRegistrationForm, **kwargs)
    form.email.render_kw = {**(form.email.render_kw or {}), "readonly": True}
    form.email.description = _("Your invitation is for this address: your ticket is sent here.")
    return form


def render_event_page(event: Event, form=None, status: int = 200):
    """The public event page with its registration form (or why one cannot register)."""
    state = services.registration_state(event)
    invitation = _page_invitation(event)
    if state == "open" and event.access == EventAccess.INVITE_ONLY and invitation is None:
        state, form = "invitation_required", None
    if form is None and state == "open":
        form = _registration_form(event, invitation, formdata=None)
    page = render_template(
        "events/public_event.html",
        event=event,
        can_manage=event_services.can_manage(event, _viewer()),
        form=form,
        registration_state=state,
        sold_out=services.is_sold_out(event),
        invitation_given=bool(_invitation_given()),
    )
    # A personal link's secret stays out of the Referer of the page's links.
    headers = {"Referrer-Policy": "no-referrer"} if _invitation_given() else {}
    return page, status, headers


@registration_bp.post("/events/<slug>/register")
@limiter.limit(lambda: current_app.config["REGISTRATION_RATE_LIMIT"])
def register(slug: str):
    event = event_services.find_visible_event(slug, _viewer())
    invitation = _page_invitation(event)
    if event.access == EventAccess.INVITE_ONLY and invitation is None:
        return render_event_page(event, None, 403)  # refused before the form: no link, no registering
    form = _registration_form(event, invitation)
    form_valid = form.validate_on_submit()
    registration_request = RegistrationRequest(
        name=form.name.data or "",
        email=form.email.data or "",
        ticket_type_id=form.ticket_type_id_value(),
        answers=form.answers(),
        locale=page_language(),  # the attendee's mail speaks the page's language
        invitation=_invitation_given() or None,
    )
    if not form_valid:
        add_service_findings(form, lambda: services.check_registration_request(event, registration_request))
        return render_event_page(event, form, 422)
    try:
        registration = services.register_attendee(event, registration_request)
    except ValidationFailed as exc:
        add_field_errors(form, answer_errors_to_fields(exc))
        return render_event_page(event, form, 422)
    except DomainError as exc:
        form.form_errors.append(exc.message)
        if exc.code == "already_registered":
            form.form_errors[-1] = _(
                "This e-mail address is already registered for this event. "
                "We have e-mailed the link to your registration to it."
            )
        return render_event_page(event, form, exc.status)
    flash(_welcome(registration), "success")
    return redirect(url_for("registration.ticket_page", secret=tickets.manage_secret_of(registration)))


def _welcome(registration: Registration) -> str:
    if registration.status == RegistrationStatus.CONFIRMED:
        return _("You are registered. Here is your ticket; we have e-mailed it to you too.")
    if registration.status == RegistrationStatus.WAITLISTED:
        place = services.waitlist_position(registration)
        return _(
            "The event is full: you are number %(place)s on the waiting list. We e-mail you if a seat opens up.",
            place=place,
        )
    return _("Thank you. The organizer reviews each registration; we e-mail you when they decide.")


# --- the attendee's ticket page ---------------------------------------------------------------


@registration_bp.get("/t/<secret>")
def ticket_page(secret: str):
    registration = services.find_by_manage_secret(secret)
    response = Response(
        render_template(
            "registration/ticket.html",
            registration=registration,
            event=registration.event,
            secret=secret,
            position=services.waitlist_position(registration),
        )
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _image(secret: str, body_of, mimetype: str) -> Response:
    registration = services.find_by_manage_secret(secret)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise NotFound(_("This ticket is not valid (the registration is not confirmed)."))
    response = Response(body_of(tickets.qr_payload_of(registration)), mimetype=mimetype)
    response.headers["Cache-Control"] = QR_CACHE
    response.add_etag()
    return response.make_conditional(request)


@registration_bp.get("/t/<secret>/qr.png")
def qr_png(secret: str):
    return _image(secret, tickets.qr_png, "image/png")


@registration_bp.get("/t/<secret>/qr.svg")
def qr_svg(secret: str):
    return _image(secret, tickets.qr_svg, "image/svg+xml")


@registration_bp.get("/t/<secret>/event.ics")
def calendar(secret: str):
    registration = services.find_by_manage_secret(secret)
    response = Response(calendar_for(registration), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{registration.event.slug}.ics"'
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@registration_bp.route("/t/<secret>/cancel", methods=["GET", "POST"])
def cancel_own(secret: str):
    registration = services.find_by_manage_secret(secret)
    if request.method == "GET":
        return render_template(
            "registration/cancel.html", registration=registration, event=registration.event, secret=secret
        )
    try:
        services.cancel_registration(registration)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Your registration is cancelled. Your seat goes to the next person waiting."), "success")
    return redirect(url_for("registration.ticket_page", secret=secret))


# --- the organizer's outbox --------------------------------------------------------------------


@registration_bp.get("/manage/events/<slug>/outbox")
@login_required
def outbox(slug: str):
    event = event_services.find_managed_event(slug, current_user)
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.event_id == event.id).order_by(OutboxMessage.id.desc()).limit(200)
    ).all()
    return render_template(
        "registration/outbox.html",
        event=event,
        messages=messages,
        mail_configured=bool(current_app.config["MAIL_SERVER"]),
    )


@registration_bp.get("/manage/events/<slug>/outbox/<int:message_id>")
@login_required
def outbox_message(slug: str, message_id: int):
    """A queued or sent message as the attendee gets it, so nothing is lost without a mail server."""
    event = event_services.find_managed_event(slug, current_user)
    message = db.session.get(OutboxMessage, message_id) if 0 < message_id < 2**31 else None
    if message is None or message.event_id != event.id:
        raise NotFound(_("No such message."))

    return render_template("registration/outbox_message.html", event=event, message=message, rendered=render(message))
