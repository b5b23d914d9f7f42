"""Double admissions that offline gates could not see: the same ticket admitted at two gates apart.

An offline gate uploads each scan with the verdict it showed (`offline_result`). A scan it admitted
that the server, judging it at the time it happened, finds admitted already (by another gate, on
line or off) let a second person in on one ticket: the scan log row says so, and the answer it got
names the admission it repeats. Each conflict is one registration with every admission involved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select

from eventsys.checkin.models import CheckinResult, Direction, Scan
from eventsys.extensions import db
from eventsys.registration.models import Registration
from eventsys.timeutil import isoformat

_scans = Scan.__table__
_registrations = Registration.__table__

ADMITTED_OFFLINE_REFUSED_ONLINE = (
    select(
        _scans.c.id,
        _scans.c.registration_id,
        _scans.c.gate,
        _scans.c.scanned_at,
        _scans.c.answer,
        _registrations.c.code,
        _registrations.c.name,
    )
    .join(_registrations, _registrations.c.id == _scans.c.registration_id)
    .where(
        _scans.c.offline_result == CheckinResult.OK.value,
        _scans.c.result == CheckinResult.ALREADY_CHECKED_IN.value,
        _scans.c.direction == Direction.IN.value,
    )
)


class Admission(NamedTuple):
    at: datetime
    gate: str
    offline: bool  # judged on an offline gate, uploaded later


@dataclass(frozen=True)
class DoubleAdmission:
    """One ticket admitted more than once: every admission involved, oldest first."""

    code: str
    name: str
    admissions: list[Admission]

    @property
    def gates(self) -> list[str]:
        return list(dict.fromkeys(admission.gate for admission in self.admissions))

    def json(self, tz: str) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "admissions": [{"gate": a.gate, "at": isoformat(a.at, tz), "offline": a.offline} for a in self.admissions],
        }


def double_admissions(event_id: int, gate: str | None = None) -> list[DoubleAdmission]:
    """The event's double admissions, the newest first; only those ``gate`` took part in when given."""
    refused = db.session.execute(ADMITTED_OFFLINE_REFUSED_ONLINE.where(_scans.c.event_id == event_id)).all()
    if not refused:
        return []
    first_ids = {_repeated_scan_id(row.answer) for row in refused} - {None}
    firsts = {
        row.id: row
        for row in db.session.execute(
            select(_scans.c.id, _scans.c.gate, _scans.c.scanned_at, _scans.c.offline_result).where(
                _scans.c.id.in_(first_ids), _scans.c.event_id == event_id
            )
        )
    }
    by_registration: dict[int, tuple[str, str, dict[int, Admission]]] = {}
    for row in refused:
        _code, _name, admissions = by_registration.setdefault(row.registration_id, (row.code, row.name, {}))
        admissions[row.id] = Admission(row.scanned_at, row.gate, True)
        if (first := firsts.get(_repeated_scan_id(row.answer))) is not None:
            admissions[first.id] = Admission(first.scanned_at, first.gate, first.offline_result is not None)
    found = [
        DoubleAdmission(code, name, sorted(admissions.values())) for code, name, admissions in by_registration.values()
    ]
    if gate is not None:
        found = [conflict for conflict in found if gate in conflict.gates]
    return sorted(found, key=lambda conflict: conflict.admissions[-1].at, reverse=True)


def _repeated_scan_id(answer: dict[str, Any] | None) -> int | None:
    """The admission an ``already_checked_in`` answer names as the one it repeats."""
    return ((answer or {}).get("previous") or {}).get("id")
