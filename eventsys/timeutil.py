"""Time helpers: everything is stored in UTC and shown in the event's own zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    names = {
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "posix/", "right/"))
    }
    return tuple(sorted(names | {"UTC"}))


COMMON_TIMEZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "America/New_York",
    "UTC",
)
DEFAULT_TIMEZONE = "Asia/Shanghai"  # a new event's, unless the organizer's browser says otherwise


def timezones_for_picking() -> tuple[str, ...]:
    """Every zone an organizer can pick: the common ones first, then the rest by name."""
    rest = [name for name in timezone_names() if name not in COMMON_TIMEZONES]
    return (*COMMON_TIMEZONES, *rest)


@lru_cache(maxsize=1)
def _names_by_folded_spelling() -> dict[str, str]:
    return {name.casefold(): name for name in timezone_names()}


def canonical_timezone(typed: str) -> str | None:
    """The zone an organizer typed, read leniently: any case, spaces for underscores, the offset the
    picker shows after it dropped ("asia/hong kong", "Asia/Shanghai (UTC+08:00)"). None: no such zone."""
    spelled = re.sub(r"\s*\(UTC[^)]*\)\s*$", "", typed).strip().replace(" ", "_")
    return _names_by_folded_spelling().get(spelled.casefold())


def utc_offset(name: str, moment: datetime | None = None) -> str:
    """The zone's offset from UTC at ``moment`` (now by default), as ``UTC+08:00`` or ``UTC-04:00``."""
    offset = (moment or utcnow()).astimezone(ZoneInfo(name)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def is_timezone(name: str) -> bool:
    if not isinstance(name, str) or name not in timezone_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def to_local(moment: datetime | None, tz_name: str) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(tz_name))


def from_local(naive: datetime, tz_name: str) -> datetime:
    """Read a wall-clock time in ``tz_name`` (as typed in a form) and return it in UTC."""
    return naive.replace(tzinfo=ZoneInfo(tz_name)).astimezone(UTC)


def parse_iso(value: str, tz_name: str) -> datetime:
    """Parse an ISO 8601 timestamp; one without an offset is read in ``tz_name``."""
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    moment = from_local(moment, tz_name) if moment.tzinfo is None else moment.astimezone(UTC)
    if not 1 < moment.year < 9999:  # year 1 or 9999 overflows when shown in some zone
        raise ValueError("timestamp out of range")
    return moment


def isoformat(moment: datetime | None, tz_name: str = "UTC") -> str | None:
    local = to_local(moment, tz_name)
    return local.isoformat() if local else None


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored as UTC, on SQLite (no zone support) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
