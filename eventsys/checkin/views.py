"""The door page and its JSON endpoints, for a gate's browser (door link) or the organizer.

A door link trades its token for a session that remembers the token's id, so the token leaves
the address bar at once and revoking it ends every browser signed in with it.
"""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_translations, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Row, select
from sqlalchemy.orm import selectinload

from eventsys.api.schema import Field, UnsupportedMediaType, json_body, read_fields
from eventsys.auth.models import ApiToken, DoorTokenRole, TokenKind
from eventsys.auth.services import find_active_token, get_door_token, list_door_tokens, revoke_token
from eventsys.checkin import dataset as offline_dataset
from eventsys.checkin import numbers, services, staff
from eventsys.checkin.access import DoorAccess, access_at_door, find_event_at_door, require_look_up, require_offline
from eventsys.checkin.conflicts import double_admissions
from eventsys.checkin.forms import DoorLinkForm, DoorStaffForm, GateOfflineForm
from eventsys.checkin.models import Scan
from eventsys.checkin.services import EventAtDoor, Scanner
from eventsys.clubs.roles import Permission
from eventsys.errors import DomainError, Forbidden, MalformedRequest, NotFound, ValidationFailed
from eventsys.events import services as event_services
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.forms import add_field_errors
from eventsys.i18n import page_language
from eventsys.registration import listing
from eventsys.registration.listing import AttendeeFilter
from eventsys.registration.models import Registration
from eventsys.registration.search import door_can_search
from eventsys.registration.serializers import registration_json
from eventsys.security import json_page
from eventsys.timeutil import isoformat, utcnow
from eventsys.web_errors import error_response

door_bp = Blueprint("door", __name__)

SESSION_KEY = "door_token_id"
RECENT_SCANS = 8
OFFLINE_WARNING_AFTER_S = 600  # an offline gate says loudly, after this long, that it sees no other gate
LOOKUP_LIMIT = 20
# What the scan log shows of a scan's result (the values stay English in the data and the API).
SCAN_RESULT_LABELS = {
    "ok": _l("ok"),
    "already_checked_in": _l("already checked in"),
    "invalid": _l("invalid"),
    "wrong_event": _l("wrong event"),
    "cancelled": _l("cancelled"),
    "not_confirmed": _l("not confirmed"),
    "not_inside": _l("not inside"),
    "undo": _l("undo"),
}


# The door script's words (static/js/door/words.js reads them from the page's door config, and
# fills in their %(name)s placeholders): here, so that they are translated with the page's.
DOOR_WORDS = {
    "unreachable": _l("Cannot reach the server: scans are kept on this device and sent when it answers."),
    "offline": _l("Offline: scans are kept on this device and sent when the connection is back."),
    "checking": _l("Checking…"),
    "code_read": _l("Code read: %(code)s"),
    "not_checked_yet": _l("Not checked yet: scan saved"),
    "no_connection_saved": _l("No connection: scan saved"),
    "sent_later": _l("It is sent by itself when the server answers again. Check this ticket by eye."),
    "scanned_at_code": _l("Scanned at %(time)s: %(code)s"),
    "scanned_late": _l("Scanned at %(time)s, sent just now"),
    "none_yet": _l("None yet."),
    # The verdict's big word (shown in capitals): OK, or not, or a warning the door staff judge.
    "verdict_ok": _l("OK"),
    "verdict_not_ok": _l("Not OK"),
    "verdict_warning": _l("Warning"),
    "verdict_not_checked": _l("Not checked"),
    "verdict_review": _l("Valid"),  # review mode: a ticket that would be admitted, not admitted yet
    "review_ok_in": _l("Not admitted yet: Admit or Enter lets them in"),
    "review_ok_out": _l("Inside: Check out or Enter lets them out"),
    "review_unavailable": _l("Cannot check this ticket now: no answer from the server"),
    "review_no_details": _l("No details: the server did not answer. Admit sends the scan when it can."),
    "review_dismissed": _l("Dismissed: nobody was admitted"),
    "ready_next": _l("Ready for the next ticket."),
    "admit": _l("Admit"),
    "mode_express_help": _l("Express: a valid ticket is admitted at once."),
    "mode_review_help": _l("Review: see who it is first, then Admit (or Enter); Esc dismisses."),
    "result_ok": _l("Checked in"),
    "result_already_checked_in": _l("Already checked in"),
    "result_invalid": _l("Unknown ticket"),
    "result_wrong_event": _l("This ticket is for another event"),
    "result_cancelled": _l("This ticket was cancelled"),
    "result_not_confirmed": _l("Not confirmed"),
    "result_not_inside": _l("Not inside"),
    "type_instead": _l("Scan or type the codes into the field above."),
    "start_camera": _l("Start the camera"),
    "stop_camera": _l("Stop the camera"),
    "starting_camera": _l("Starting the camera…"),
    "no_camera_access": _l("This browser has no camera access."),
    "needs_https": _l("The camera needs a secure (https) address."),
    "camera_refused": _l("Camera access was refused (allow it in the browser's site settings)."),
    "no_camera": _l("No camera found."),
    "camera_not_started": _l("The camera could not be started."),
    "no_decoder": _l("The QR decoder could not be loaded, so the camera cannot read tickets."),
    "camera_on": _l("Camera on: hold the ticket's QR code in front of it."),
    "camera_stopped": _l("Camera stopped."),
    "cannot_decode": _l("The camera picture cannot be decoded."),
    "status_confirmed": _l("Confirmed"),
    "status_waitlisted": _l("On the waiting list"),
    "status_pending_approval": _l("Waiting for approval"),
    "status_rejected": _l("Not accepted"),
    "status_cancelled": _l("Cancelled"),
    "type_two_letters": _l("Type at least 2 letters, or one Chinese character."),
    "searching": _l("Searching…"),
    "lookup_offline": _l("No connection: looking people up needs the network."),
    "found": _l("%(num)s found."),
    "nobody_found": _l("Nobody found for “%(q)s”."),
    "checked_in": _l("checked in"),
    "check": _l("Check"),
    "check_in": _l("Check in"),
    "check_out": _l("Check out"),
    "signed_out": _l(
        "This browser is no longer signed in at this gate. Open the door link again, "
        "or ask the organizer for a new one."
    ),
    "expired": _l("This page has expired. Reload it."),
    "too_many": _l("Too many scans at once. Retrying in a moment."),
    "server_problem": _l("The server had a problem (HTTP %(status)s). Retrying in a moment."),
    # The offline door (static/js/door/offline-*.js): verdicts judged on the device, in the server's words.
    "welcome": _l("Welcome, %(name)s"),
    "goodbye": _l("Goodbye, %(name)s"),
    "already_in": _l("Already checked in"),
    "already_in_at": _l("Already checked in at %(time)s"),
    "already_in_at_gate": _l("Already checked in at %(time)s at %(gate)s"),
    "not_inside_never": _l("Not inside: this ticket was never checked in"),
    "not_inside_out": _l("Not inside: checked out"),
    "not_inside_out_at": _l("Not inside: checked out at %(time)s"),
    "not_inside_out_at_gate": _l("Not inside: checked out at %(time)s at %(gate)s"),
    "not_confirmed_waitlisted": _l("Not confirmed: on the waiting list"),
    "not_confirmed_pending_approval": _l("Not confirmed: waiting for the organizer's approval"),
    "not_confirmed_rejected": _l("Not confirmed: the registration was not accepted"),
    "offline_mark": _l("Offline: judged on this device"),
    "online_only_offline": _l(
        "Offline: this gate is online-only, so it cannot admit anyone until the connection is back."
    ),
    "online_only_title": _l("Online-only gate: nobody was admitted"),
    "online_only_detail": _l(
        "This gate does not judge tickets offline. Wait for the connection, or send the person to another gate."
    ),
    "no_offline_data_title": _l("No offline data on this device: nobody was admitted"),
    "no_offline_data_detail": _l("Open the door page online first, and wait until it says that offline data is ready."),
    "link_online": _l("Online"),
    "link_offline": _l("Offline"),
    "data_age_now": _l("Offline data from just now"),
    "data_age_min": _l("Offline data from %(num)s min ago"),
    "data_age_hours": _l("Offline data from %(num)s h ago"),
    "data_preparing": _l("Offline data is still being prepared"),
    "data_none": _l("No offline data yet"),
    "data_online_only": _l("Online-only gate: no offline data"),
    "to_upload": _l("%(num)s to upload"),
    "offline_warning": _l(
        "Offline for %(num)s min: admissions at other gates cannot be seen here, "
        "so a ticket already used at another gate looks valid."
    ),
    "conflict_note": _l("Admitted twice while apart: %(name)s — %(gates)s"),
    "conflicts_heading": _l("Double admissions"),
    "upload_refused": _l("Offline scan not recorded: %(message)s"),
    "offline_recent": _l("offline, not sent yet"),
}


def door_words() -> dict[str, object]:
    """The door script's words in the page's language; a plural as its "one" and "other" forms."""
    words: dict[str, object] = {key: str(text) for key, text in DOOR_WORDS.items()}
    translations = get_translations()
    words["leave_question"] = {
        form: translations.ungettext(
            "%(num)s scan is not sent yet. They stay on this device and are sent when the door page is open "
            "here again. Leave anyway?",
            "%(num)s scans are not sent yet. They stay on this device and are sent when the door page is open "
            "here again. Leave anyway?",
            count,
        )
        for form, count in (("one", 1), ("other", 2))
    }
    return words


@door_bp.get("/door/<token>")
def door_entry(token: str):
    """Trade the token in the link for a session, and drop it from the address bar."""
    door_token = find_active_token(token)
    if door_token is None or door_token.kind != TokenKind.DOOR:
        raise NotFound(_("This door link is not valid, or it was revoked. Ask the organizer for a new one."))
    session[SESSION_KEY] = door_token.id
    event = db.session.get(Event, door_token.event_id)
    response = redirect(url_for("door.door_page", slug=event.slug))
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def current_gate(event_id: int) -> ApiToken | None:
    """The door token this browser was signed in with, while it is still active."""
    token_id = session.get(SESSION_KEY)
    if not isinstance(token_id, int) or not 0 < token_id < 2**31:
        return None
    token = db.session.get(ApiToken, token_id)
    if token is None or not token.is_active or token.event_id != event_id:
        return None
    return token


def gate_at_door(slug: str) -> tuple[Row, DoorAccess]:
    """The event and who is at its door: this browser's gate, else the signed-in organizer or door staff."""
    event = find_event_at_door(slug)
    viewer = current_user if current_user.is_authenticated else None
    access = access_at_door(event, current_gate(event.id), None) or access_at_door(event, None, viewer)
    if access is None:
        raise NotFound(_("Open this page with the door link the organizer gave you."))
    return event, access


@door_bp.get("/events/<slug>/door")
def door_page(slug: str):
    at_door, access = gate_at_door(slug)
    event = db.session.get(Event, at_door.id)
    counts = numbers.attendance(event.id)
    gate = access.scanner.gate
    door = {
        "scan_url": url_for("door.scan", slug=slug),
        "lookup_url": url_for("door.lookup", slug=slug) if access.may_look_up else None,
        "state_url": url_for("door.state", slug=slug),
        "leave_url": url_for("door.leave", slug=slug),
        "dataset_url": url_for("door.dataset", slug=slug) if access.offline else None,
        "offline_allowed": access.offline,
        "offline_warning_after_s": OFFLINE_WARNING_AFTER_S,
        "csrf_token": generate_csrf(),
        "gate": gate,
        "role": access.role.value,
        "mode_key": f"eventsys:door-mode:{event.id}:{gate}",
        "timezone": event.timezone,
        "words": door_words(),
        "ticket_types": {ticket_type.id: ticket_type.translated("name") for ticket_type in event.ticket_types},
        **counts,
    }
    if access.may_see_numbers:
        door["gate_numbers"] = numbers.gate_numbers(event.id, gate, utcnow(), counts)
    page = render_template("checkin/door.html", event=event, gate=gate, door=door, access=access)
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


def _json_errors(handler):
    """The door page's fetch() calls get the API's error body, not an HTML page."""

    def wrapped(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except (ValidationFailed, MalformedRequest, UnsupportedMediaType, Forbidden) as exc:
            return error_response(exc.status, exc.code, exc.message, exc.fields)

    wrapped.__name__ = handler.__name__
    wrapped.answers_json = True  # and so do the errors raised before it (web_errors.wants_json)
    return wrapped


# Read as the API reads a check-in (NUL, lone surrogates and out-of-range times refused, not a 500);
# the gate is the browser's, not the request's.
SCAN_FIELDS = {
    "code": Field(str, nullable=True),
    "direction": Field(str, nullable=True),
    "nonce": Field(str, nullable=True),
    "scanned_at": Field("datetime", nullable=True),
    "dry_run": Field(bool),
    "lookup": Field(str, nullable=True),
    "offline_result": Field(str, nullable=True),
}


@door_bp.post("/events/<slug>/door/scan")
@json_page
@_json_errors
def scan(slug: str):
    event, access = gate_at_door(slug)
    values = read_fields(json_body(), SCAN_FIELDS, event.timezone)
    scan_request = services.scan_request_from(values)
    return services.check_in(EventAtDoor(event.id, event.timezone), scan_request, access.scanner)


@door_bp.get("/events/<slug>/door/dataset")
@_json_errors
def dataset(slug: str):
    """The offline dataset for this gate (checkin/dataset.py), with an ETag: a 304 when unchanged."""
    event, access = gate_at_door(slug)
    require_offline(access)
    return offline_dataset.dataset_response(event)


@door_bp.get("/events/<slug>/door/lookup")
@_json_errors
def lookup(slug: str):
    """Find people without their ticket: by name (its pinyin too) or code, from two characters or
    one Chinese one. Gates neither see nor search e-mail addresses; a steward cannot look up (403)."""
    event, access = gate_at_door(slug)
    require_look_up(access)
    q = request.args.get("q", "").strip().lower()[:100]
    if not door_can_search(q):
        return {"items": []}
    query = listing.attendees(event.id, AttendeeFilter(q=q, sort="name", by_email=False))
    registrations = db.session.scalars(query.options(selectinload(Registration.ticket_type)).limit(LOOKUP_LIMIT)).all()
    return {"items": [registration_json(r, for_door=True) for r in registrations]}


@door_bp.get("/events/<slug>/door/state")
def state(slug: str):
    """The counter, the last scans at this gate, and its numbers for those who may see them."""
    event, access = gate_at_door(slug)
    gate = access.scanner.gate
    recent = db.session.scalars(
        select(Scan).where(Scan.event_id == event.id, Scan.gate == gate).order_by(Scan.id.desc()).limit(RECENT_SCANS)
    ).all()
    counts = numbers.attendance(event.id)
    extra = {"gate_numbers": numbers.gate_numbers(event.id, gate, utcnow(), counts)} if access.may_see_numbers else {}
    conflicts = double_admissions(event.id, gate=gate)
    return {
        **counts,
        **extra,
        "csrf_token": generate_csrf(),  # a page reopened offline from the cache holds an old one
        "offline_allowed": access.offline,
        "conflicts": [
            {"name": c.name, "at": isoformat(c.admissions[-1].at, event.timezone), "gates": c.gates} for c in conflicts
        ],
        "recent": [
            {
                "at": isoformat(s.scanned_at, event.timezone),
                "result": s.result.value,
                "message": s.answer.get("message", ""),
                "name": (s.answer.get("registration") or {}).get("name"),
            }
            for s in recent
        ],
    }


@door_bp.post("/events/<slug>/door/leave")
def leave(slug: str):
    session.pop(SESSION_KEY, None)
    return redirect(url_for("public.event_page", slug=slug))


# --- the organizer: door links and door staff --------------------------------------------------


def _door_access_page(event: Event, link_form=None, staff_form=None, status: int = 200, new_link=None):
    tokens = db.session.scalars(list_door_tokens(event.id)).all()
    return (
        render_template(
            "checkin/door_access.html",
            event=event,
            tokens=tokens,
            staff=staff.door_staff_of(event),
            link_form=link_form or DoorLinkForm(formdata=None),
            staff_form=staff_form or DoorStaffForm(formdata=None),
            new_link=new_link,
        ),
        status,
    )


@door_bp.get("/manage/events/<slug>/door-access")
@login_required
def door_access(slug: str):
    return _door_access_page(event_services.find_managed_event(slug, current_user))


@door_bp.post("/manage/events/<slug>/door-links")
@login_required
def create_door_link(slug: str):
    event = event_services.find_managed_event(slug, current_user)
    form = DoorLinkForm()
    if not form.validate_on_submit():
        return _door_access_page(event, link_form=form, status=422)
    try:
        link = staff.create_door_link(event, current_user, form.label.data, form.role.data, form.offline.data)
    except ValidationFailed as exc:
        add_field_errors(form, exc)
        return _door_access_page(event, link_form=form, status=422)
    # Shown on this answer alone: a flash would carry the token in the (signed, readable) session cookie.
    response = make_response(_door_access_page(event, new_link=link, status=201))
    response.headers["Cache-Control"] = "no-store"
    return response


@door_bp.post("/manage/events/<slug>/door-links/<int:token_id>/revoke")
@login_required
def revoke_door_link(slug: str, token_id: int):
    event = event_services.find_managed_event(slug, current_user)
    revoke_token(get_door_token(event.id, token_id).id)
    flash(_("Door link revoked: every phone that used it is signed out."), "success")
    return redirect(url_for("door.door_access", slug=slug))


@door_bp.post("/manage/events/<slug>/door-links/<int:token_id>/offline")
@login_required
def set_door_link_offline(slug: str, token_id: int):
    """The door access page's switch: may this gate judge scans offline, or is it online-only?"""
    event = event_services.find_managed_event(slug, current_user)
    form = GateOfflineForm()
    if not form.validate_on_submit():
        raise MalformedRequest(_("Choose whether this gate may work offline."))
    token = staff.set_gate_offline(event, token_id, form.offline.data == "yes")
    if token.offline:
        flash(_("%(gate)s judges scans offline when the network drops.", gate=token.label), "success")
    else:
        flash(_("%(gate)s is online-only: offline it refuses to judge scans.", gate=token.label), "success")
    return redirect(url_for("door.door_access", slug=slug))


@door_bp.post("/manage/events/<slug>/door-staff")
@login_required
def invite_staff(slug: str):
    event = event_services.find_managed_event(slug, current_user)
    form = DoorStaffForm()
    if form.validate_on_submit():
        try:
            invited = staff.invite_door_staff(event, form.email.data, page_language(), DoorTokenRole(form.role.data))
        except ValidationFailed as exc:
            add_field_errors(form, exc)
        else:
            flash(_("Invitation sent to %(address)s.", address=invited.email), "success")
            return redirect(url_for("door.door_access", slug=slug))
    return _door_access_page(event, staff_form=form, status=422)


@door_bp.post("/manage/events/<slug>/door-staff/<int:staff_id>/remove")
@login_required
def remove_staff(slug: str, staff_id: int):
    event = event_services.find_managed_event(slug, current_user)
    staff.remove_door_staff(event, staff_id)
    flash(_("Removed from the door staff."), "success")
    return redirect(url_for("door.door_access", slug=slug))


@door_bp.get("/door-invite/<secret>")
@login_required
def accept_invitation(secret: str):
    if len(secret) != 32:
        raise NotFound(_("This invitation is not valid, or it was withdrawn."))
    try:
        accepted = staff.accept_invitation(secret, current_user)
    except ValidationFailed as exc:
        flash(" ".join(exc.fields.get("invitation", [exc.message])), "error")
        return redirect(url_for("manage.my_events"))
    event = db.session.get(Event, accepted.event_id)
    flash(_("You are door staff for %(event)s. This is the door page.", event=event.name), "success")
    return redirect(url_for("door.door_page", slug=event.slug))


# --- the organizer: live numbers, the scan log, undo ---------------------------------------------


@door_bp.get("/manage/events/<slug>/checkins")
@login_required
def checkin_dashboard(slug: str):
    event = event_services.find_event_for(slug, current_user, Permission.READ_ATTENDEES)
    scans = db.session.scalars(select(Scan).where(Scan.event_id == event.id).order_by(Scan.id.desc()).limit(50)).all()
    undone = set(
        db.session.scalars(
            select(Scan.undoes_scan_id).where(Scan.event_id == event.id, Scan.undoes_scan_id.isnot(None))
        )
    )
    return render_template(
        "checkin/dashboard.html",
        event=event,
        conflicts=double_admissions(event.id),
        stats=numbers.checkin_stats(EventAtDoor(event.id, event.timezone)),
        scans=scans,
        undone=undone,
        result_labels=SCAN_RESULT_LABELS,
        stats_url=url_for("door.checkin_stats_json", slug=slug),
    )


@door_bp.app_template_global()
def arrivals_summary(arrivals: list[dict]) -> str:
    """The arrivals chart's caption, in the page's language: on the page, and with each live update."""
    if not arrivals:
        return _("Nobody has arrived yet.")
    busiest = max(bucket["count"] for bucket in arrivals)
    periods = ngettext(
        "Arrivals in %(num)d five-minute period", "Arrivals in %(num)d five-minute periods", len(arrivals)
    )
    most = ngettext("the busiest had %(num)d person.", "the busiest had %(num)d people.", busiest)
    return _("%(periods)s; %(busiest)s", periods=periods, busiest=most)


@door_bp.get("/manage/events/<slug>/checkins/stats.json")
@login_required
def checkin_stats_json(slug: str):
    """The live numbers of the organizer's pages (the API's stats, and the chart's caption in words)."""
    event = event_services.find_event_for(slug, current_user, Permission.READ_ATTENDEES)
    stats = numbers.checkin_stats(EventAtDoor(event.id, event.timezone))
    return {**stats, "arrivals_summary": arrivals_summary(stats["arrivals"])}


@door_bp.post("/manage/events/<slug>/checkins/<int:scan_id>/undo")
@login_required
def undo(slug: str, scan_id: int):
    event = event_services.find_event_for(slug, current_user, Permission.UNDO)
    if not 0 < scan_id < 2**31:
        raise NotFound(_("No such check-in."))
    try:
        services.undo_checkin(
            EventAtDoor(event.id, event.timezone), scan_id, Scanner(current_user.name, user_id=current_user.id)
        )
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Check-in undone."), "success")

    return redirect(url_for("door.checkin_dashboard", slug=slug))
