"""Clubs, their teams, and joining one with an invitation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from eventsys.api import api_bp
from eventsys.api.auth import caller
from eventsys.api.pagination import paginate
from eventsys.api.schema import Field, json_body, read_fields
from eventsys.api.serializers import event_json
from eventsys.clubs import services
from eventsys.clubs.models import Club, ClubMember
from eventsys.clubs.roles import Permission, allowed
from eventsys.events.services import club_events
from eventsys.extensions import db
from eventsys.i18n import current_language
from eventsys.timeutil import isoformat

CLUB_FIELDS = {
    "name": Field(str, required=True),
    "slug": Field(str, nullable=True),
    "description": Field(str, nullable=True),
}
MEMBER_FIELDS = {"email": Field(str, required=True), "role": Field(str, required=True)}
ROLE_FIELDS = {"role": Field(str, required=True)}
EVENTS_LISTED = 50  # of each of upcoming and past, in the club's JSON


def club_json(club: Club) -> dict[str, Any]:
    return {"slug": club.slug, "name": club.name, "description": club.description}


def member_json(member: ClubMember) -> dict[str, Any]:
    user = member.user
    return {
        "id": member.id,
        "email": user.email if user is not None else member.email,
        "name": user.name if user is not None else None,
        "role": member.role.value,
        "status": member.status,
        "invited_at": isoformat(member.invited_at, "UTC"),
        "joined_at": isoformat(member.joined_at, "UTC"),
    }


@api_bp.post("/clubs")
def create_club():
    values = read_fields(json_body(), CLUB_FIELDS)
    details = services.ClubDetails(values["name"], values.get("slug") or "", values.get("description") or "")
    return club_json(services.create_club(caller().require_organizer(), details)), 201


@api_bp.get("/clubs/<slug>")
def get_club(slug: str):
    """The club, with its published events to come and those past (the newest first)."""
    club = services.find_club(slug)
    body = club_json(club)
    for name, query in zip(("upcoming", "past"), club_events(club), strict=True):
        events = db.session.scalars(query.limit(EVENTS_LISTED))
        body[name] = [event_json(event, with_questions=False) for event in events]
    return body


def _club(slug: str, permission: Permission) -> Club:
    return services.require_club_permission(slug, caller().require_organizer(), permission)


@api_bp.get("/clubs/<slug>/members")
def list_members(slug: str):
    """The team; its owners also see who was invited, and everyone's address (as on the team page)."""
    club = _club(slug, Permission.SEE_TEAM)
    if allowed(Permission.MANAGE_TEAM):
        return paginate(services.members_of(club), member_json)
    active = services.members_of(club).where(ClubMember.user_id.is_not(None))
    return paginate(active, lambda member: {**member_json(member), "email": None})


@api_bp.post("/clubs/<slug>/members")
def invite_member(slug: str):
    club = _club(slug, Permission.MANAGE_TEAM)
    values = read_fields(json_body(), MEMBER_FIELDS)
    member = services.invite_member(club, caller().user, values["email"], values["role"], current_language())
    return member_json(member), 201


@api_bp.patch("/clubs/<slug>/members/<int:member_id>")
def change_member_role(slug: str, member_id: int):
    club = _club(slug, Permission.MANAGE_TEAM)
    values = read_fields(json_body(), ROLE_FIELDS)
    return member_json(services.change_role(club, caller().user, member_id, values["role"]))


@api_bp.delete("/clubs/<slug>/members/<int:member_id>")
def remove_member(slug: str, member_id: int):
    club = _club(slug, Permission.MANAGE_TEAM)
    services.remove_member(club, caller().user, member_id)
    return "", 204


@api_bp.post("/join/<token>")
def join(token: str):
    member = services.join_club(token, caller().require_organizer())
    club = db.session.scalar(select(Club).where(Club.id == member.club_id))
    return {"club": club.slug, "role": member.role.value}
