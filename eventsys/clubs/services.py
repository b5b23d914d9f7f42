"""Clubs and their teams: creating a club, inviting people with a role, joining, changing roles,
removing members, and the trail of who changed what.

A club always keeps one owner: changing or removing the last one is refused (``LastOwner``), and the
check and the change run in one write transaction so two owners removing each other cannot both win.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError

from eventsys.auth.models import User
from eventsys.auth.services import normalize_email
from eventsys.clubs.models import INVITATION_LIFETIME, AuditEntry, Club, ClubMember
from eventsys.clubs.roles import TEAM_ROLES, Permission, Role, may
from eventsys.database import take_write_lock
from eventsys.errors import Forbidden, InvitationExpired, InvitationUsed, LastOwner, NotFound, ValidationFailed
from eventsys.events.slugs import SLUG_PATTERN, slug_from_name
from eventsys.extensions import db
from eventsys.i18n import DEFAULT_LANGUAGE
from eventsys.mail.models import MailKind
from eventsys.mail.outbox import queue_mail
from eventsys.registration import tickets
from eventsys.text import single_line_problems
from eventsys.timeutil import utcnow

SLUG_MAX = 80  # as an event's
SECRET_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


@dataclass
class ClubDetails:
    name: str
    slug: str = ""
    description: str = ""


# --- the trail ----------------------------------------------------------------------------------


def record_in_trail(
    actor: User | None, action: str, *, club_id: int | None, event_id: int | None = None, **details: Any
) -> None:
    """Note a change in the trail, in the session's transaction (it commits with the change)."""
    if club_id is None:
        return  # an event of one organizer alone: there is no team to account to
    db.session.add(
        AuditEntry(
            club_id=club_id, event_id=event_id, actor_id=actor.id if actor else None, action=action, details=details
        )
    )


def trail_of(club: Club) -> Select:
    return select(AuditEntry).where(AuditEntry.club_id == club.id).order_by(AuditEntry.id.desc())


# --- clubs ---------------------------------------------------------------------------------------


RESERVED_SLUGS = {"new"}  # /manage/clubs/new is the form for a new club


def _slug_taken(slug: str) -> bool:
    return slug in RESERVED_SLUGS or db.session.scalar(select(Club.id).where(Club.slug == slug)) is not None


def _unique_slug(name: str) -> str:
    base = slug_from_name(name, max_length=SLUG_MAX - 6) or "club"
    candidate, number = base, 2
    while _slug_taken(candidate):
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def create_club(founder: User, details: ClubDetails) -> Club:
    """A new club with ``founder`` as its owner."""
    errors: dict[str, list[str]] = {}
    name = (details.name or "").strip()
    if problems := single_line_problems(name, 200, _("Enter a name.")):
        errors["name"] = problems
    slug = (details.slug or "").strip()
    if slug and (len(slug) > SLUG_MAX or not SLUG_PATTERN.match(slug)):
        errors["slug"] = [_("Use lower-case letters, digits and single hyphens (at most 80).")]
    elif slug and _slug_taken(slug):
        errors["slug"] = [_("Another club already uses this address.")]
    if len(details.description or "") > 5000:
        errors["description"] = [_("Use at most %(limit)s characters.", limit="5000")]
    if errors:
        raise ValidationFailed(errors)
    club = Club(name=name, slug=slug or _unique_slug(name), description=(details.description or "").strip())
    db.session.add(club)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ValidationFailed({"slug": [_("Another club already uses this address.")]}) from None
    db.session.add(
        ClubMember(club_id=club.id, email=founder.email, role=Role.OWNER, user_id=founder.id, joined_at=utcnow())
    )
    record_in_trail(founder, "club.created", club_id=club.id, name=club.name)
    db.session.commit()
    return club


def find_club(slug: str) -> Club:
    club = (
        db.session.scalar(select(Club).where(Club.slug == slug))
        if isinstance(slug, str) and len(slug) <= SLUG_MAX
        else None
    )
    if club is None:
        raise NotFound(_("No such club."))
    return club


def clubs_of(user: User) -> list[tuple[Club, Role]]:
    """The clubs ``user`` is on the team of, with their role, by name."""
    rows = db.session.execute(
        select(Club, ClubMember.role)
        .join(ClubMember, ClubMember.club_id == Club.id)
        .where(ClubMember.user_id == user.id, ClubMember.removed_at.is_(None))
        .order_by(Club.name, Club.id)
    )
    return [(club, role) for club, role in rows]


def all_clubs() -> Select:
    return select(Club).order_by(Club.name, Club.id)


def role_in_club(club_id: int | None, user_id: int | None) -> Role | None:
    """``user_id``'s role on the team of ``club_id``, one indexed query; None: not on it."""
    if club_id is None or user_id is None:
        return None
    return db.session.scalar(
        select(ClubMember.role).where(
            ClubMember.club_id == club_id, ClubMember.user_id == user_id, ClubMember.removed_at.is_(None)
        )
    )


def role_on_event(owner_id: int, club_id: int | None, user_id: int | None) -> Role | None:
    """How ``user_id`` stands on an event: through its club's team when it has a club (its creator
    too: one removed from the team loses it), else as its creator (its owner)."""
    if user_id is None:
        return None
    if club_id is None:
        return Role.OWNER if owner_id == user_id else None
    return role_in_club(club_id, user_id)


def require_club_permission(slug: str, user: User | None, permission: Permission) -> Club:
    """The club at ``slug`` if ``user`` may do ``permission`` there (403 when on the team without it)."""
    club = find_club(slug)
    role = role_in_club(club.id, user.id if user is not None else None)
    if not may(role, permission):
        if role is None:
            raise Forbidden(_("You are not on this club's team."))
        raise Forbidden(_("Your role on this club's team does not allow this."))
    return club


# --- the team ------------------------------------------------------------------------------------


def _checked_role(role: Any) -> Role:
    if role not in {r.value for r in TEAM_ROLES}:
        raise ValidationFailed({"role": [_("Choose owner, manager, supervisor or steward.")]})
    return Role(role)


def members_of(club: Club) -> Select:
    """Everyone on the team and everyone invited, oldest first; removed members are left out."""
    return (
        select(ClubMember).where(ClubMember.club_id == club.id, ClubMember.removed_at.is_(None)).order_by(ClubMember.id)
    )


def invite_member(club: Club, inviter: User, email: str, role: Any, language: str = DEFAULT_LANGUAGE) -> ClubMember:
    """Invite ``email`` onto the team with ``role``: a /join link by e-mail, good for 7 days and once."""
    errors: dict[str, list[str]] = {}
    try:
        email = normalize_email(email if isinstance(email, str) else "")
    except ValidationFailed as exc:
        errors.update(exc.fields or {})
    try:
        role = _checked_role(role)
    except ValidationFailed as exc:
        errors.update(exc.fields or {})
    if not errors and _active_member_with_email(club, email) is not None:
        errors["email"] = [_("This person is on the team already.")]
    if errors:
        raise ValidationFailed(errors)
    nonce = tickets.new_nonce()
    now = utcnow()
    member = ClubMember(
        club_id=club.id,
        email=email,
        role=role,
        invite_nonce=nonce,
        invite_hash=tickets.secret_hash(tickets.team_invite_secret(tickets.ticket_key(), nonce)),
        invited_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    db.session.add(member)
    db.session.flush()
    queue_mail(db.session, MailKind.TEAM_INVITE, email, club_member_id=member.id, locale=language)
    record_in_trail(inviter, "member.invited", club_id=club.id, email=email, role=role.value)
    db.session.commit()
    return member


def _active_member_with_email(club: Club, email: str) -> ClubMember | None:
    return db.session.scalar(
        select(ClubMember)
        .outerjoin(User, User.id == ClubMember.user_id)
        .where(
            ClubMember.club_id == club.id,
            ClubMember.removed_at.is_(None),
            ClubMember.user_id.is_not(None),
            func.lower(func.coalesce(User.email, ClubMember.email)) == email,
        )
    )


def find_invitation(secret: str) -> ClubMember:
    """The invitation a /join link stands for, while it can still be taken."""
    secret = (secret or "").strip().upper()
    member = None
    if len(secret) == tickets.SECRET_LENGTH and set(secret) <= SECRET_ALPHABET:
        member = db.session.scalar(select(ClubMember).where(ClubMember.invite_hash == tickets.secret_hash(secret)))
    if member is None or member.removed_at is not None:
        raise NotFound(_("This invitation is not valid, or it was withdrawn."))
    if member.user_id is not None:
        raise InvitationUsed()
    if member.expires_at is not None and member.expires_at <= utcnow():
        raise InvitationExpired()
    return member


def join_club(secret: str, user: User) -> ClubMember:
    """``user`` takes the place the link was sent for. The link works once: the UPDATE only takes a
    place nobody has taken, so two accounts opening it at once cannot both join."""
    member = find_invitation(secret)
    if role_in_club(member.club_id, user.id) is not None:
        raise ValidationFailed({"invitation": [_("You are on this club's team already.")]})
    taken = db.session.execute(
        update(ClubMember)
        .where(ClubMember.id == member.id, ClubMember.user_id.is_(None))
        .values(user_id=user.id, joined_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        db.session.rollback()
        raise InvitationUsed()
    record_in_trail(user, "member.joined", club_id=member.club_id, email=user.email, role=member.role.value)
    db.session.commit()
    db.session.refresh(member)
    return member


def find_member(club: Club, member_id: Any) -> ClubMember:
    member = db.session.get(ClubMember, member_id) if isinstance(member_id, int) and 0 < member_id < 2**31 else None
    if member is None or member.club_id != club.id or member.removed_at is not None:
        raise NotFound(_("No such team member."))
    return member


def _owners_left_without(club_id: int, member_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ClubMember)
        .where(
            ClubMember.club_id == club_id,
            ClubMember.role == Role.OWNER,
            ClubMember.user_id.is_not(None),
            ClubMember.removed_at.is_(None),
            ClubMember.id != member_id,
        )
    )


def _locked_member(club: Club, member_id: Any) -> ClubMember:
    """The member, read under the club's lock: the owners counted next stay as counted until commit."""
    take_write_lock(db.session)
    db.session.execute(select(Club.id).where(Club.id == club.id).with_for_update())
    member = find_member(club, member_id)
    db.session.refresh(member)
    return member


def _refuse_losing_last_owner(member: ClubMember) -> None:
    if (
        member.role == Role.OWNER
        and member.user_id is not None
        and _owners_left_without(member.club_id, member.id) == 0
    ):
        db.session.rollback()
        raise LastOwner()


def change_role(club: Club, actor: User, member_id: Any, role: Any) -> ClubMember:
    role = _checked_role(role)
    member = _locked_member(club, member_id)
    if role != Role.OWNER:
        _refuse_losing_last_owner(member)
    before, member.role = member.role, role
    record_in_trail(
        actor, "member.role_changed", club_id=club.id, email=member.email, before=before.value, after=role.value
    )
    db.session.commit()
    return member


def remove_member(club: Club, actor: User, member_id: Any) -> None:
    member = _locked_member(club, member_id)
    _refuse_losing_last_owner(member)
    member.removed_at = utcnow()
    record_in_trail(actor, "member.removed", club_id=club.id, email=member.email, role=member.role.value)
    db.session.commit()
