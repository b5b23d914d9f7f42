"""The organizer's club pages: a new club, its team (invite, change roles, remove), and /join."""

from __future__ import annotations

import math
from datetime import timedelta

from flask import Blueprint, Response, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from eventsys.clubs import services
from eventsys.clubs.forms import ClubForm, InviteForm, role_with_description
from eventsys.clubs.models import Club, ClubMember
from eventsys.clubs.roles import TEAM_ROLES, Permission, Role, may
from eventsys.errors import Forbidden, InvitationExpired, InvitationUsed, LastOwner, ValidationFailed
from eventsys.extensions import db
from eventsys.forms import add_field_errors
from eventsys.i18n import page_language
from eventsys.text import role_label
from eventsys.timeutil import utcnow

clubs_bp = Blueprint("clubs", __name__)

MEMBER_STATUS_LABELS = {"invited": _l("invited"), "expired": _l("invitation expired"), "active": _l("active")}


def days_left(member: ClubMember) -> str:
    """How long an invitation's link still works, in whole days (at least one while it works)."""
    days = max(math.ceil((member.expires_at - utcnow()) / timedelta(days=1)), 1) if member.expires_at else 0
    return ngettext("the link works %(num)d more day", "the link works %(num)d more days", days)


@clubs_bp.context_processor
def labels() -> dict:
    return {
        "days_left": days_left,
        "role_with_description": role_with_description,
        "member_status_labels": MEMBER_STATUS_LABELS,
        "team_roles": TEAM_ROLES,
    }


@clubs_bp.route("/manage/clubs/new", methods=["GET", "POST"])
@login_required
def new_club():
    form = ClubForm()
    if form.validate_on_submit():
        try:
            club = services.create_club(current_user, form.details())
        except ValidationFailed as exc:
            add_field_errors(form, exc)
        else:
            flash(_("The club “%(name)s” is created. Invite your team.", name=club.name), "success")
            return redirect(url_for("clubs.team", slug=club.slug))
    return render_template("clubs/new_club.html", form=form), 422 if form.errors else 200


def _my_role(club: Club) -> Role:
    role = services.role_in_club(club.id, current_user.id)
    if role is None:
        raise Forbidden(_("You are not on this club's team."))
    return role


def _team_page(club: Club, invite_form: InviteForm | None = None, status: int = 200):
    role = _my_role(club)
    members = db.session.scalars(services.members_of(club).options(selectinload(ClubMember.user))).all()
    manages = may(role, Permission.MANAGE_TEAM)
    if not manages:  # the others see who is on the team, not who was asked nor their addresses
        members = [member for member in members if member.status == "active"]
    page = render_template(
        "clubs/team.html",
        club=club,
        role=role,
        manages=manages,
        reads_trail=may(role, Permission.READ_AUDIT),
        members=members,
        invite_form=invite_form or InviteForm(formdata=None),
    )
    return page, status


@clubs_bp.get("/manage/clubs/<slug>")
@login_required
def team(slug: str):
    return _team_page(services.find_club(slug))


@clubs_bp.post("/manage/clubs/<slug>/members")
@login_required
def invite(slug: str):
    club = services.require_club_permission(slug, current_user, Permission.MANAGE_TEAM)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            member = services.invite_member(club, current_user, form.email.data, form.role.data, page_language())
        except ValidationFailed as exc:
            add_field_errors(form, exc)
        else:
            flash(_("Invitation sent to %(address)s.", address=member.email), "success")
            return redirect(url_for("clubs.team", slug=club.slug))
    return _team_page(club, invite_form=form, status=422)


def _member_name(member: ClubMember) -> str:
    return member.user.name if member.user is not None else member.email


@clubs_bp.post("/manage/clubs/<slug>/members/<int:member_id>/role")
@login_required
def change_role(slug: str, member_id: int):
    club = services.require_club_permission(slug, current_user, Permission.MANAGE_TEAM)
    try:
        member = services.change_role(club, current_user, member_id, request.form.get("role"))
    except ValidationFailed as exc:
        flash(" ".join(message for messages in (exc.fields or {}).values() for message in messages), "error")
    except LastOwner as exc:
        flash(exc.message, "error")
    else:
        flash(_("%(name)s is now %(role)s.", name=_member_name(member), role=role_label(member.role)), "success")
    return redirect(url_for("clubs.team", slug=club.slug, _anchor=f"member-{member_id}"))


@clubs_bp.route("/manage/clubs/<slug>/members/<int:member_id>/remove", methods=["GET", "POST"])
@login_required
def remove(slug: str, member_id: int):
    """GET asks; POST removes (or withdraws an invitation)."""
    club = services.require_club_permission(slug, current_user, Permission.MANAGE_TEAM)
    member = services.find_member(club, member_id)
    if request.method == "GET":
        return render_template("clubs/confirm_remove.html", club=club, member=member, name=_member_name(member))
    try:
        services.remove_member(club, current_user, member_id)
    except LastOwner as exc:
        flash(exc.message, "error")
        return redirect(url_for("clubs.team", slug=club.slug))
    if member.user_id == current_user.id:
        flash(_("You left the team of %(club)s.", club=club.name), "success")
        return redirect(url_for("manage.my_events"))
    flash(_("%(name)s is off the team.", name=_member_name(member)), "success")
    return redirect(url_for("clubs.team", slug=club.slug))


# --- /join: taking an invitation ------------------------------------------------------------------


def _no_leaks(response: Response) -> Response:
    """The page's address holds the secret: no Referer to other sites, nothing kept by a cache."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _join_page(template: str, status: int = 200, **context) -> Response:
    return _no_leaks(make_response(render_template(template, **context), status))


@clubs_bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    """The link of a team invitation: the club and the role, then a Join button (signed in), or
    links to log in or sign up that come back here."""
    try:
        member = services.find_invitation(token)
    except (InvitationUsed, InvitationExpired) as exc:
        return _join_page("clubs/join_gone.html", 410, message=exc.message, used=isinstance(exc, InvitationUsed))
    signed_in = current_user.is_authenticated
    already = signed_in and services.role_in_club(member.club_id, current_user.id) is not None
    if request.method == "POST" and signed_in and not already:
        return _take(token, member)
    if request.method == "POST":
        flash(_("You are on this club's team already.") if already else _("Log in first."), "error")
    return _join_page("clubs/join.html", member=member, club=member.club, signed_in=signed_in, already=already)


def _take(token: str, member: ClubMember) -> Response:
    try:
        joined = services.join_club(token, current_user)
    except (InvitationUsed, InvitationExpired) as exc:
        return _join_page("clubs/join_gone.html", 410, message=exc.message, used=isinstance(exc, InvitationUsed))
    except ValidationFailed:
        flash(_("You are on this club's team already."), "error")
        return redirect(url_for("clubs.team", slug=member.club.slug))
    flash(
        _("Welcome to the team of %(club)s, as %(role)s.", club=joined.club.name, role=role_label(joined.role)),
        "success",
    )
    return redirect(url_for("clubs.team", slug=joined.club.slug))
