"""Made-up attendees for the demo conference, with the variety of a real one.

A few (``make run`` seeds 60) register one by one through the registration service, mail
queued as for anyone. Many (``seed-demo --attendees 100000``) are written in bulk: rows built by
the service's own row builder, inserted with Core executemany in batches inside one write
transaction, the ticket types grown to hold them, a share cancelled or on the waitlist, about
30 % checked in with their scans in the log. On SQLite the search index is filled once at the
end (see ``_search_index_filled_at_the_end``). Seeded rows get no mail.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from eventsys.auth.models import User
from eventsys.checkin.models import CheckinResult, Direction, Scan
from eventsys.checkin.services import loggable
from eventsys.database import write_transaction
from eventsys.events.models import Event, TicketType
from eventsys.extensions import db
from eventsys.registration import tickets
from eventsys.registration.models import ChangeKind, Registration, RegistrationChange, RegistrationStatus
from eventsys.registration.services import RegistrationRequest, new_registration_row, register_attendee
from eventsys.timeutil import utcnow

BULK_FROM = 1000  # fewer go through the registration service, one by one
BATCH = 5000
SEED_CACHE_KB = 256 * 1024
CANCELLED_SHARE = 0.05
WAITLISTED_SHARE = 0.03  # of each grown ticket type's active registrations
CHECKED_IN_SHARE = 0.30  # of the confirmed
LEFT_SHARE = 0.15  # of those checked in: scanned out again
REGISTRATION_DAYS = 45
GATES = ("Main entrance", "Hall B")

CHINESE_FAMILY_NAMES = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
    ("赵", "Zhao"), ("黄", "Huang"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun"),
    ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("林", "Lin"), ("何", "He"),
    ("高", "Gao"), ("罗", "Luo"), ("欧阳", "Ouyang"),
)  # fmt: skip
CHINESE_GIVEN_NAMES = (
    ("伟", "Wei"), ("静", "Jing"), ("娜", "Na"), ("敏", "Min"), ("强", "Qiang"), ("磊", "Lei"),
    ("洋", "Yang"), ("艳", "Yan"), ("杰", "Jie"), ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"),
    ("秀英", "Xiuying"), ("子涵", "Zihan"), ("浩然", "Haoran"), ("欣怡", "Xinyi"), ("雨萱", "Yuxuan"),
    ("俊杰", "Junjie"), ("晓明", "Xiaoming"), ("丽华", "Lihua"), ("志强", "Zhiqiang"), ("思远", "Siyuan"),
)  # fmt: skip
GIVEN_NAMES = (
    "Ana", "Sofia", "Kenji", "Amara", "Lucas", "Omar", "Priya", "Jonas", "Emma", "Mateo", "Aisha",
    "Noah", "Yuki", "Olga", "David", "Fatima", "Minh", "Laura", "Ivan", "Chloé", "Arjun", "Leila",
)  # fmt: skip
FAMILY_NAMES = (
    "Souza", "Okafor", "Tanaka", "Müller", "Haddad", "Sharma", "Kim", "Rossi", "Nguyen", "Smith",
    "García", "Novak", "Dubois", "Kowalski", "Andersen", "Silva", "Cohen", "Ivanova", "Park", "O'Brien",
)  # fmt: skip
COUNTRIES = ("US", "DE", "BR", "NG", "IN", "JP", "KR", "GB", "FR", "SG", "IT", "VN", "RU", "ES", "IL", "PL")
CHINESE_DOMAINS = ("qq.com", "163.com", "zju.edu.cn", "alibaba-inc.com", "gmail.com", "westlake.edu.cn", "antgroup.com")
OTHER_DOMAINS = ("gmail.com", "outlook.com", "zju.edu.cn", "alibaba-inc.com", "proton.me", "yahoo.com")
EMPLOYERS = {
    "alibaba-inc.com": "Alibaba Group",
    "antgroup.com": "Ant Group",
    "zju.edu.cn": "Zhejiang University",
    "westlake.edu.cn": "Westlake University",
}
STARTUPS = (
    "Xixi Robotics", "Qiantang Fintech", "Lingyin Games", "Blue Lake Bio", "Hangzhou Cloudbrain",
    "杭州云脑科技", "西湖智能", "Silk Road Logistics", "Longjing Tea Tech", "Meridian Capital", "Baoshu Labs",
)  # fmt: skip
ROLES_BY_TICKET = (  # Founder, Investor, Community
    ("Founder / CEO", "CTO / engineer"),
    ("Investor",),
    ("CTO / engineer", "Student", "Other"),
)
TOPICS = ("AI", "Hardware", "E-commerce", "Fintech", "Climate")


@dataclass(frozen=True)
class DemoAttendee:
    name: str
    email: str
    ticket_type: int  # an index into the event's ticket types
    answers: dict[str, Any]  # by question label, then (demo_attendees) by question id


def demo_attendee(number: int, rng: random.Random) -> DemoAttendee:
    """The ``number``-th made-up attendee: a Chinese name (in characters or in pinyin) or an
    international one, an address of their own, and answers that fit who they are."""
    kind = rng.random()
    if kind < 0.70:
        (family, family_pinyin), (given, given_pinyin) = (
            rng.choice(CHINESE_FAMILY_NAMES),
            rng.choice(CHINESE_GIVEN_NAMES),
        )
        name = family + given if kind < 0.55 else f"{given_pinyin} {family_pinyin}"
        local, domain, country = f"{given_pinyin}.{family_pinyin}", rng.choice(CHINESE_DOMAINS), "CN"
    else:
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        name = f"{given} {family}"
        local, domain, country = f"{given}.{family}", rng.choice(OTHER_DOMAINS), rng.choice(COUNTRIES)
    ticket_type = number % len(ROLES_BY_TICKET)
    return DemoAttendee(
        name, _address(local, domain, number, rng), ticket_type, _answers(domain, country, ticket_type, rng)
    )


def _address(local: str, domain: str, number: int, rng: random.Random) -> str:
    """Unique by its number; QQ addresses are digits, as they are."""
    if domain == "qq.com":
        return f"{rng.randint(10_000, 99_999)}{number}@qq.com"
    ascii_local = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode().replace("'", "")
    return f"{ascii_local.lower()}{number}@{domain}"


def _answers(domain: str, country: str, ticket_type: int, rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "Company or organization": EMPLOYERS.get(domain) or rng.choice(STARTUPS),
        "Your role": "Student" if domain.endswith(".edu.cn") else rng.choice(ROLES_BY_TICKET[ticket_type]),
        "Country you are from": country,
        "Topics you care about": rng.sample(TOPICS, rng.randint(0, 3)),
        "I will join the networking dinner": rng.random() < 0.6,
    }
    if rng.random() < 0.7:
        answers["WeChat or phone"] = f"+86 1{rng.randint(30, 99)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
    return answers


def demo_attendees(event: Event, count: int, seed: int = 2021) -> Iterator[DemoAttendee]:
    """``count`` made-up attendees, the same ones every time, their answers by question id."""
    rng = random.Random(seed)
    ids = {question.label: str(question.id) for question in event.questions}
    for number in range(1, count + 1):
        attendee = demo_attendee(number, rng)
        answers = {ids[label]: value for label, value in attendee.answers.items() if label in ids}
        yield replace(attendee, answers=answers)


def seed_attendees(event: Event, count: int, organizer: User) -> int:
    """Register ``count`` made-up attendees: through the service below ``BULK_FROM``, else in bulk."""
    if count >= BULK_FROM:
        return bulk_seed(event, count, organizer)
    for attendee in demo_attendees(event, count):
        ticket_type = event.ticket_types[attendee.ticket_type]
        register_attendee(event, RegistrationRequest(attendee.name, attendee.email, ticket_type.id, attendee.answers))
    return count


# --- in bulk ------------------------------------------------------------------------------------

_registrations = Registration.__table__
_changes = RegistrationChange.__table__
_scans = Scan.__table__
_types = TicketType.__table__
_events = Event.__table__
INSERT_REGISTRATIONS = insert(_registrations)
SEARCH_INSERT_TRIGGER = "registrations_search_insert"
TRIGGER_SQL = "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?"
FILL_SEARCH_INDEX = (
    "INSERT INTO registrations_search (rowid, search_text) SELECT id, search_text FROM registrations WHERE event_id = ?"
)
# Read back by code rather than RETURNING: SQLAlchemy sends an ordered RETURNING one row at a time on SQLite.
IDS_BY_CODE = select(_registrations.c.code, _registrations.c.id).where(
    _registrations.c.event_id == bindparam("event_id"), _registrations.c.code.in_(bindparam("codes", expanding=True))
)


@dataclass
class SeededRow:
    """A registration about to be written, with what its history and scans need."""

    row: dict[str, Any]
    qr_payload: str
    cancelled_at: datetime | None = None


def bulk_seed(event: Event, count: int, organizer: User) -> int:
    """Write ``count`` registrations with their history and scans in one write transaction,
    the seat counters of the ticket types and the event set to what was written."""
    rng = random.Random(count)
    attendees = list(demo_attendees(event, count))
    cancelled = _cancelled(attendees, rng)
    capacities = _grown_capacities(event, attendees, cancelled)
    statuses = _statuses(attendees, cancelled, capacities)
    key, codes = tickets.ticket_key(), set()
    start = utcnow() - timedelta(days=REGISTRATION_DAYS)
    step = timedelta(days=REGISTRATION_DAYS) / count
    with write_transaction() as conn, _search_index_filled_at_the_end(conn, event.id):
        _roomy_cache(conn)
        for first in range(0, count, BATCH):
            batch = [
                _seeded_row(event, attendees[n], statuses[n], start + step * n, key, codes, rng)
                for n in range(first, min(first + BATCH, count))
            ]
            ids = _insert_registrations(conn, event.id, batch)
            _write_history(conn, batch, ids)
            _write_scans(conn, event, organizer, batch, ids, rng)
        _set_seats(conn, event, capacities, statuses, attendees)
    db.session.expire_all()  # the event and its ticket types as the transaction left them
    return count


def _cancelled(attendees: list[DemoAttendee], rng: random.Random) -> list[bool]:
    return [rng.random() < CANCELLED_SHARE for _ in attendees]


def _grown_capacities(event: Event, attendees: list[DemoAttendee], cancelled: list[bool]) -> list[int]:
    """Each ticket type's capacity as the demo needs it: its own while its active registrations
    fit, else grown to hold all but a waiting list."""
    active = [0] * len(event.ticket_types)
    for attendee, gone in zip(attendees, cancelled, strict=True):
        active[attendee.ticket_type] += not gone
    capacities = []
    for ticket_type, wanted in zip(event.ticket_types, active, strict=True):
        own = ticket_type.capacity or 0
        capacities.append(own if wanted <= own else max(own, wanted - int(wanted * WAITLISTED_SHARE)))
    return capacities


def _statuses(attendees: list[DemoAttendee], cancelled: list[bool], capacities: list[int]) -> list[RegistrationStatus]:
    """First come, first served: each ticket type confirms up to its capacity and waitlists the rest."""
    seats = list(capacities)
    statuses = []
    for attendee, gone in zip(attendees, cancelled, strict=True):
        if gone:
            statuses.append(RegistrationStatus.CANCELLED)
        elif seats[attendee.ticket_type] > 0:
            seats[attendee.ticket_type] -= 1
            statuses.append(RegistrationStatus.CONFIRMED)
        else:
            statuses.append(RegistrationStatus.WAITLISTED)
    return statuses


def _seeded_row(
    event: Event,
    attendee: DemoAttendee,
    status: RegistrationStatus,
    at: datetime,
    key: bytes,
    codes: set[str],
    rng: random.Random,
) -> SeededRow:
    ticket_type_id = event.ticket_types[attendee.ticket_type].id
    locale = "zh-CN" if rng.random() < 0.4 else "en"
    while True:  # 40-bit codes: at 100,000 registrations a repeat within the event is possible
        row, secrets = new_registration_row(
            event.id, ticket_type_id, attendee.name, attendee.email, attendee.answers, locale, key
        )
        if row["code"] not in codes:
            break
    codes.add(row["code"])
    row.update(status=status.value, created_at=at, updated_at=at, checked_in_at=None)
    seeded = SeededRow(row, secrets.qr_payload)
    if status == RegistrationStatus.CANCELLED:
        seeded.cancelled_at = row["updated_at"] = min(at + timedelta(hours=rng.randint(1, 240)), utcnow())
    elif status == RegistrationStatus.CONFIRMED and rng.random() < CHECKED_IN_SHARE:
        row["checked_in_at"] = event.starts_at + timedelta(minutes=rng.randint(-45, 240))
        row["is_inside"] = rng.random() >= LEFT_SHARE
    return seeded


def _roomy_cache(conn: Connection) -> None:
    """On SQLite, a page cache that holds the indexes being filled (random hashes, trigrams):
    with the default 2 MB the seed spends its time re-reading pages; a quarter faster at 100,000."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA cache_size = -{SEED_CACHE_KB}")


@contextmanager
def _search_index_filled_at_the_end(conn: Connection, event_id: int) -> Iterator[None]:
    """On SQLite, the FTS5 search index filled once from the rows written, not row by row by
    migration 0006's insert trigger: at 30,000 rows 0.8 s instead of 4.6 s. The trigger is
    dropped and created again from its own SQL inside the seed's write transaction, which no
    other writer can enter meanwhile: nobody ever writes while it is missing."""
    trigger = None
    if conn.dialect.name == "sqlite":
        trigger = conn.exec_driver_sql(TRIGGER_SQL, (SEARCH_INSERT_TRIGGER,)).scalar()
    if trigger is None:
        yield
        return
    conn.exec_driver_sql(f"DROP TRIGGER {SEARCH_INSERT_TRIGGER}")
    yield
    conn.exec_driver_sql(FILL_SEARCH_INDEX, (event_id,))
    conn.exec_driver_sql(trigger)


def _insert_registrations(conn: Connection, event_id: int, batch: list[SeededRow]) -> list[int]:
    """Write the batch; back come the rows' ids, in the batch's order."""
    conn.execute(INSERT_REGISTRATIONS, [seeded.row for seeded in batch])
    codes = [seeded.row["code"] for seeded in batch]
    ids = dict(conn.execute(IDS_BY_CODE, {"event_id": event_id, "codes": codes}).all())
    return [ids[code] for code in codes]


def _write_history(conn: Connection, batch: list[SeededRow], ids: list[int]) -> None:
    """What the service records: registered, then where it led; a cancelled one was confirmed first."""
    changes = []
    for seeded, registration_id in zip(batch, ids, strict=True):
        at, status = seeded.row["created_at"], seeded.row["status"]
        first = ChangeKind.CONFIRMED.value if seeded.cancelled_at else status
        change = {"registration_id": registration_id, "at": at, "by_user_id": None, "detail": {}}
        changes += [{**change, "what": ChangeKind.REGISTERED.value}, {**change, "what": first}]
        if seeded.cancelled_at:
            changes.append({**change, "what": ChangeKind.CANCELLED.value, "at": seeded.cancelled_at})
    conn.execute(insert(_changes), changes)


def _write_scans(
    conn: Connection, event: Event, organizer: User, batch: list[SeededRow], ids: list[int], rng: random.Random
) -> None:
    """An admission for each one checked in, and an exit for those no longer inside."""
    scans = []
    for seeded, registration_id in zip(batch, ids, strict=True):
        row = seeded.row
        if row["checked_in_at"] is None:
            continue
        scan = {
            "event_id": event.id,
            "registration_id": registration_id,
            "code_read": loggable(seeded.qr_payload) if rng.random() < 0.9 else row["code"],
            "result": CheckinResult.OK.value,
            "gate": rng.choice(GATES),
            "door_token_id": None,
            "user_id": organizer.id,
            "nonce": None,
        }
        registration = {"code": row["code"], "name": row["name"], "status": row["status"]}
        scans.append(_scan(scan, Direction.IN, row["checked_in_at"], f"Welcome, {row['name']}", registration))
        if not row["is_inside"]:
            out_at = row["checked_in_at"] + timedelta(minutes=rng.randint(20, 300))
            scans.append(_scan(scan, Direction.OUT, out_at, f"Goodbye, {row['name']}", registration))
    if scans:
        conn.execute(insert(_scans), scans)


def _scan(scan: dict[str, Any], direction: Direction, at: datetime, message: str, registration: dict) -> dict:
    answer = {"result": CheckinResult.OK.value, "message": message, "registration": registration, "previous": None}
    return {**scan, "direction": direction.value, "scanned_at": at, "recorded_at": at, "answer": answer}


def _set_seats(
    conn: Connection,
    event: Event,
    capacities: list[int],
    statuses: list[RegistrationStatus],
    attendees: list[DemoAttendee],
) -> None:
    """Each ticket type's capacity and seats taken, and the event's, as the rows written say."""
    taken = [0] * len(event.ticket_types)
    for attendee, status in zip(attendees, statuses, strict=True):
        taken[attendee.ticket_type] += status == RegistrationStatus.CONFIRMED
    for ticket_type, capacity, seats in zip(event.ticket_types, capacities, taken, strict=True):
        conn.execute(update(_types).where(_types.c.id == ticket_type.id).values(capacity=capacity, seats_taken=seats))
    capacity = None if event.capacity is None else max(event.capacity, sum(capacities))
    conn.execute(update(_events).where(_events.c.id == event.id).values(capacity=capacity, seats_taken=sum(taken)))
