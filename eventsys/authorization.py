"""Who may open which route: one table of every HTML route and API endpoint, enforced before each
request by one hook.

Each row names what a route needs: nothing (``PUBLIC``; a draft is still hidden by the view), the
secret in its own address (``SECRET``: a ticket, a door link, an invitation), a signed-in account
(``ACCOUNT``; ``ANY_TOKEN``: any valid token, a door token too), or a permission on the event or
club of its ``<slug>`` (``on_event``/``on_club``), which eventsys/clubs/roles.py grants to roles.
The caller's role comes from their account (the club's team, or an event's own creator, or door
staff) or from a door token (API header, or the door link this browser opened). A route missing
from the table is refused (404), and tests/test_authorization.py, which walks the table with every
kind of caller, fails.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, g, request, session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Row, bindparam, select

from eventsys.api import api_bp
from eventsys.api.auth import Unauthorized, caller
from eventsys.auth.models import DoorTokenRole, User
from eventsys.checkin.staff import door_staff_role
from eventsys.checkin.views import SESSION_KEY as DOOR_SESSION_KEY
from eventsys.checkin.views import current_gate
from eventsys.clubs.models import Club
from eventsys.clubs.roles import Permission, Role, may
from eventsys.clubs.services import role_in_club, role_on_event
from eventsys.errors import Forbidden, NotFound
from eventsys.events.models import Event, EventStatus
from eventsys.events.services import is_well_formed_slug
from eventsys.extensions import db, login_manager

P = Permission


class Scope(enum.StrEnum):
    PUBLIC = "public"
    SECRET = "secret"
    ACCOUNT = "account"
    TOKEN = "token"  # any valid token, a door token too (it may revoke itself)
    EVENT = "event"
    CLUB = "club"


@dataclass(frozen=True)
class Rule:
    scope: Scope
    permission: Permission | None = None
    # Routes whose <action> says what they do: publishing is editing, cancelling is not.
    by_action: Mapping[str, Permission] = field(default_factory=dict)
    # A door page answers a signed-out visitor itself ("open the door link"), not with the login page.
    signed_out_to_view: bool = False
    # Any door token of the event passes too, whatever its role (the offline dataset).
    door_tokens_too: bool = False

    def permission_for(self, view_args: Mapping[str, Any]) -> Permission | None:
        return self.by_action.get(view_args.get("action"), self.permission)


PUBLIC = Rule(Scope.PUBLIC)
SECRET = Rule(Scope.SECRET)
ACCOUNT = Rule(Scope.ACCOUNT)
ANY_TOKEN = Rule(Scope.TOKEN)


def on_event(permission: Permission, **options: Any) -> Rule:
    return Rule(Scope.EVENT, permission, **options)


def on_club(permission: Permission) -> Rule:
    return Rule(Scope.CLUB, permission)


def at_door(permission: Permission) -> Rule:
    return on_event(permission, signed_out_to_view=True)


ROUTES: dict[str, Rule] = {
    "static": PUBLIC,
    # --- public pages ---------------------------------------------------------------------------
    "public.home": PUBLIC,
    "public.event_page": PUBLIC,
    "club_pages.club_page": PUBLIC,
    "club_pages.calendar_feed": PUBLIC,
    "registration.register": PUBLIC,
    # --- secret links: the secret in the address is the key -------------------------------------
    "registration.ticket_page": SECRET,
    "registration.cancel_own": SECRET,
    "registration.qr_png": SECRET,
    "registration.qr_svg": SECRET,
    "registration.calendar": SECRET,
    "auth.reset_password": SECRET,
    "door.door_entry": SECRET,
    "door.accept_invitation": SECRET,  # asks to log in first, then takes the invitation
    "clubs.join": SECRET,  # shows the invitation; Join when signed in, else log in or sign up and come back
    # --- accounts -------------------------------------------------------------------------------
    "auth.login": PUBLIC,
    "auth.signup": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.forgot_password": PUBLIC,
    "auth.change_password": ACCOUNT,
    "auth.tokens": ACCOUNT,
    "auth.revoke_token": ACCOUNT,
    "manage.my_events": ACCOUNT,
    "manage.new_event": ACCOUNT,  # in a club: owners and managers only (events.services)
    "clubs.new_club": ACCOUNT,
    # --- a club's team --------------------------------------------------------------------------
    "clubs.team": on_club(P.SEE_TEAM),
    "clubs.invite": on_club(P.MANAGE_TEAM),
    "clubs.change_role": on_club(P.MANAGE_TEAM),
    "clubs.remove": on_club(P.MANAGE_TEAM),
    "club_pages.trail": on_club(P.READ_AUDIT),
    # --- an event's back office -----------------------------------------------------------------
    "manage.event_dashboard": on_event(P.EDIT_EVENT),
    "manage.edit_event": on_event(P.EDIT_EVENT),
    "manage.copy_event": on_event(P.EDIT_EVENT),
    "manage.change_status": on_event(P.EDIT_EVENT, by_action={"cancel": P.CANCEL_EVENT}),
    "manage.add_ticket_type": on_event(P.EDIT_EVENT),
    "manage.edit_ticket_type": on_event(P.EDIT_EVENT),
    "manage.delete_ticket_type": on_event(P.EDIT_EVENT),
    "manage.add_question": on_event(P.EDIT_EVENT),
    "manage.edit_question": on_event(P.EDIT_EVENT),
    "manage.question_action": on_event(P.EDIT_EVENT),
    "messages.compose": on_event(P.EDIT_EVENT),
    "messages.sent_list": on_event(P.EDIT_EVENT),
    "door.door_access": on_event(P.EDIT_EVENT),
    "door.create_door_link": on_event(P.EDIT_EVENT),
    "door.revoke_door_link": on_event(P.EDIT_EVENT),
    "door.set_door_link_offline": on_event(P.EDIT_EVENT),
    "door.invite_staff": on_event(P.EDIT_EVENT),
    "door.remove_staff": on_event(P.EDIT_EVENT),
    "backoffice.registrations": on_event(P.READ_ATTENDEES),
    "backoffice.registration": on_event(P.READ_ATTENDEES),
    "backoffice.check_in_by_hand": on_event(P.CHECK_IN_BY_HAND),
    "backoffice.add_by_hand": on_event(P.EDIT_REGISTRATIONS),
    "backoffice.edit_registration": on_event(P.EDIT_REGISTRATIONS),
    "backoffice.registration_action": on_event(P.EDIT_REGISTRATIONS),
    "backoffice.bulk": on_event(P.EDIT_REGISTRATIONS),
    "invitations.invite": on_event(P.EDIT_REGISTRATIONS),
    "registration.outbox": on_event(P.READ_CONTACTS),
    "registration.outbox_message": on_event(P.READ_CONTACTS),
    "exports.registrations_csv": on_event(P.READ_CONTACTS),
    "exports.registrations_xlsx": on_event(P.READ_CONTACTS),
    "exports.badges_pdf": on_event(P.READ_CONTACTS),
    "exports.door_list_pdf": on_event(P.READ_CONTACTS),
    "exports.scans_csv": on_event(P.READ_CONTACTS),
    "door.checkin_dashboard": on_event(P.READ_ATTENDEES),
    "door.checkin_stats_json": on_event(P.READ_ATTENDEES),
    "door.undo": on_event(P.UNDO),
    # --- the door -------------------------------------------------------------------------------
    "door.door_page": at_door(P.SCAN),
    "door.scan": at_door(P.SCAN),
    "door.state": at_door(P.SCAN),
    "door.dataset": on_event(P.OFFLINE_DATASET, signed_out_to_view=True, door_tokens_too=True),
    "door.lookup": at_door(P.LOOK_UP),
    "door.leave": PUBLIC,  # forgets this browser's door link; nothing to protect
    "door_app.service_worker": PUBLIC,  # the door page's service worker: static files, no attendee data
    "door_app.manifest": PUBLIC,  # the door page's web app manifest
    # --- the API --------------------------------------------------------------------------------
    "api.create_token": PUBLIC,
    "api.create_club": ACCOUNT,
    "api.get_club": PUBLIC,
    "api.list_members": on_club(P.SEE_TEAM),
    "api.invite_member": on_club(P.MANAGE_TEAM),
    "api.change_member_role": on_club(P.MANAGE_TEAM),
    "api.remove_member": on_club(P.MANAGE_TEAM),
    "api.join": ACCOUNT,  # the invitation's secret in the address, taken by the caller's account
    "api.list_tokens": ACCOUNT,
    "api.revoke_current_token": ANY_TOKEN,
    "api.revoke_personal_token": ACCOUNT,
    "api.list_events": PUBLIC,
    "api.create_event": ACCOUNT,  # "club": owners and managers only (events.services)
    "api.get_event": PUBLIC,
    "api.update_event": on_event(P.EDIT_EVENT),  # to "cancelled": CANCEL_EVENT, checked on the body
    "api.copy_event": on_event(P.EDIT_EVENT),
    "api.list_ticket_types": PUBLIC,
    "api.create_ticket_type": on_event(P.EDIT_EVENT),
    "api.update_ticket_type": on_event(P.EDIT_EVENT),
    "api.delete_ticket_type": on_event(P.EDIT_EVENT),
    "api.list_questions": PUBLIC,
    "api.create_question": on_event(P.EDIT_EVENT),
    "api.update_question": on_event(P.EDIT_EVENT),
    "api.delete_question": on_event(P.EDIT_EVENT),
    "api.create_registration": PUBLIC,
    "api.list_registrations": on_event(P.LOOK_UP),
    "api.get_registration": on_event(P.READ_ATTENDEES),
    "api.edit_registration": on_event(P.EDIT_REGISTRATIONS),
    "api.registration_action": on_event(P.EDIT_REGISTRATIONS),
    "api.resend": on_event(P.EDIT_REGISTRATIONS),
    "api.bulk": on_event(P.EDIT_REGISTRATIONS),
    "api.create_invitations": on_event(P.EDIT_REGISTRATIONS),
    "api.create_checkin": on_event(P.SCAN),
    "api.undo_checkin": on_event(P.UNDO),
    "api.checkin_stats": on_event(P.LOOK_UP),
    "api.checkin_dataset": on_event(P.OFFLINE_DATASET, door_tokens_too=True),  # the view: unless online-only
    "api.checkin_conflicts": on_event(P.READ_ATTENDEES),
    "api.create_door_token": on_event(P.EDIT_EVENT),
    "api.list_event_door_tokens": on_event(P.EDIT_EVENT),
    "api.revoke_door_token": on_event(P.EDIT_EVENT),
    "api.update_door_token": on_event(P.EDIT_EVENT),
    "api.export_registrations_csv": on_event(P.READ_CONTACTS),
    "api.export_registrations_xlsx": on_event(P.READ_CONTACTS),
    "api.export_badges_pdf": on_event(P.READ_CONTACTS),
    "api.export_door_list_pdf": on_event(P.READ_CONTACTS),
    "api.export_scans_csv": on_event(P.READ_CONTACTS),
    "api.send_message": on_event(P.EDIT_EVENT),
    "api.preview_message": on_event(P.EDIT_EVENT),
    "api.list_messages": on_event(P.EDIT_EVENT),
}


@dataclass(frozen=True)
class DoorTokenHolder:
    """A door token as the table reads it: the event it is bound to, and the role it carries."""

    event_id: int | None
    role: Role


@dataclass(frozen=True)
class Principal:
    user: User | None = None
    door_token: DoorTokenHolder | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.user is None and self.door_token is None


_events = Event.__table__
EVENT_FOR_RULES = select(_events.c.id, _events.c.owner_id, _events.c.club_id, _events.c.status).where(
    _events.c.slug == bindparam("slug")
)


def _event_row(slug: Any) -> Row:
    row = None
    if is_well_formed_slug(slug):
        row = db.session.connection().execute(EVENT_FOR_RULES, {"slug": slug}).first()
    if row is None:
        raise NotFound(_("No such event."))
    return row


def _token_role(token: Any) -> Role:
    return _door_role(getattr(token, "door_role", None))


def _door_role(door_role: DoorTokenRole | None) -> Role:
    """A door link's or an invited door staff member's role, as a row of the table of roles."""
    return Role.STEWARD if door_role == DoorTokenRole.STEWARD else Role.DOOR


def _api_principal() -> Principal:
    current = caller()
    if current.is_door:
        return Principal(door_token=DoorTokenHolder(current.token.event_id, _token_role(current.token)))
    return Principal(user=current.user)


def _page_principal(event_id: int | None) -> Principal:
    user = current_user if current_user.is_authenticated else None
    gate = current_gate(event_id) if event_id is not None else None
    return Principal(user=user, door_token=DoorTokenHolder(gate.event_id, _token_role(gate)) if gate else None)


def roles_on_event(event: Row, principal: Principal) -> list[Role]:
    """Every role ``principal`` holds on ``event``: their account's, and their door token's."""
    roles = []
    if principal.user is not None:
        if (role := role_on_event(event.owner_id, event.club_id, principal.user.id)) is not None:
            roles.append(role)
        if role not in (Role.OWNER, Role.MANAGER, Role.SUPERVISOR) and (
            invited_as := door_staff_role(event.id, principal.user.id)
        ):
            roles.append(_door_role(invited_as))  # a club's steward invited as supervisor looks people up too
    if principal.door_token is not None and principal.door_token.event_id == event.id:
        roles.append(principal.door_token.role)
    return roles


def _signed_out_altogether(is_api: bool, at_door: bool) -> bool:
    """No account, no token, and (on a door page) no door link opened in this browser."""
    if is_api:
        return caller().token is None
    return not current_user.is_authenticated and not (at_door and DOOR_SESSION_KEY in session)


def _signed_out(is_api: bool):
    if is_api:
        raise Unauthorized()
    return login_manager.unauthorized()


def authorize_request():
    """Refuse the request unless the route's row in ROUTES allows this caller (see the module's docstring)."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no such route: routing answers 404 or 405
    rule = ROUTES.get(endpoint)
    if rule is None:
        raise NotFound()
    if rule.scope in (Scope.PUBLIC, Scope.SECRET):
        return None
    is_api = request.blueprint == api_bp.name
    view_args = request.view_args or {}
    at_door = rule.signed_out_to_view  # a door link opened in this browser counts at the door only
    if _signed_out_altogether(is_api, at_door):  # to the login page (or a 401), whatever the address holds
        return None if at_door else _signed_out(is_api)
    if rule.scope == Scope.EVENT:
        event = _event_row(view_args.get("slug"))
        principal = _api_principal() if is_api else _page_principal(event.id if at_door else None)
    else:
        event, principal = None, _api_principal() if is_api else _page_principal(None)
    if principal.is_anonymous:
        return None if rule.signed_out_to_view else _signed_out(is_api)
    if rule.scope == Scope.TOKEN:
        return None
    if rule.scope == Scope.ACCOUNT:
        if principal.user is None:
            raise Forbidden(_("A door token can only check people in at its event."))
        return None
    permission = rule.permission_for(view_args)
    roles = roles_on_event(event, principal) if event is not None else _club_roles(view_args, principal)
    allowed = [role for role in roles if may(role, permission)]
    token = principal.door_token
    if rule.door_tokens_too and event is not None and token is not None and token.event_id == event.id:
        allowed.append(token.role)
    if allowed:
        g.role = allowed[0]
        return None
    if not roles and event is not None and event.status == EventStatus.DRAFT.value:
        raise NotFound(_("No such event."))  # someone else's draft is not there at all
    if not roles and at_door:
        raise NotFound(_("Open this page with the door link the organizer gave you."))
    if not roles:
        raise Forbidden(_("Only the team of this event's club, or its organizer, can do this."))
    raise Forbidden(_("Your role does not allow this."))


def _club_roles(view_args: Mapping[str, Any], principal: Principal) -> list[Role]:
    slug = view_args.get("slug")
    club_id = db.session.scalar(select(Club.id).where(Club.slug == slug)) if isinstance(slug, str) else None
    if club_id is None:
        raise NotFound(_("No such club."))
    role = role_in_club(club_id, principal.user.id if principal.user is not None else None)
    return [role] if role is not None else []


def install(app: Flask) -> None:
    """Check every request against ROUTES: a page first thing, an API call once the API's own hook
    has read its token (the blueprint's hooks run after the app's, in the order they were added).
    Call it after the blueprints are registered."""
    app.before_request(_authorize_page)
    app.before_request_funcs.setdefault(api_bp.name, []).append(authorize_request)


def _authorize_page():
    if request.blueprint == api_bp.name:
        return None
    return authorize_request()
