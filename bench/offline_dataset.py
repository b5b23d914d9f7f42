"""Benchmark: the offline door's dataset (checkin/dataset.py) for an event of 10,000 tickets, on SQLite.

Seeds the demo conference's shape with ``--tickets`` registrations (the bulk seed: every status,
about 30 % of the confirmed checked in), then measures, in this process:

- the first derivation of every ticket's door keys (PBKDF2 of the QR payload and of the short
  code), which a real event spreads over its gates' first requests or `flask prepare-door`;
- a build of the dataset once the keys exist (what each change of the event costs the first gate
  that asks: every minute while people arrive), against a bare baseline: the same rows read with
  plain sqlite3 and written as JSON in clear, no crypto (the ratio is the price of the encryption);
- its size, raw and gzipped, per 1,000 tickets;
- a refresh of an unchanged dataset (a 304 through the door token's API call, Flask's test client)
  against a one-query route in plain Flask + sqlite3 through the same test client;
- a refresh after a minute of arrivals (200 admissions): with the gate's cursor (its changes only)
  and without (the whole dataset again), time and gzipped bytes.

Each figure is the median of ``--repeat`` runs, the build and its baseline alternated (this machine's
speed drifts). Run with `make bench-offline`.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import statistics
import time
from contextlib import closing
from datetime import timedelta

from flask import Flask
from harness import Bench, arguments, create_published_event

ARRIVALS = 200  # a busy minute at a big event's doors


def median_ms(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bare_dataset(path: str, event_id: int) -> bytes:
    """The baseline: the same registrations, in clear, as plain sqlite3 and json would serve them."""
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT r.id, r.name, r.status, r.is_inside, t.id, t.name FROM registrations r "
            "JOIN ticket_types t ON t.id = r.ticket_type_id WHERE r.event_id = ?",
            (event_id,),
        ).fetchall()
    entries = [{"id": r[0], "name": r[1], "status": r[2], "inside": bool(r[3]), "type": [r[4], r[5]]} for r in rows]
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode()


def bare_app(path: str) -> Flask:
    bare = Flask("bare")

    @bare.get("/one")
    def one():
        with closing(sqlite3.connect(path)) as conn:
            return {"n": conn.execute("SELECT count(*) FROM events").fetchone()[0]}

    return bare


def main() -> None:
    options = arguments(__doc__, tickets=10_000, repeat=7)
    bench = Bench()
    bench.migrate()
    app = bench.app()
    path = bench.database_url.removeprefix("sqlite:///")
    with app.app_context():
        from sqlalchemy import select, update

        from eventsys.auth.models import TokenKind
        from eventsys.auth.services import issue_token
        from eventsys.checkin import dataset
        from eventsys.checkin.services import EventAtDoor, Scanner, ScanRequest, check_in
        from eventsys.demo_attendees import seed_attendees
        from eventsys.events.services import add_ticket_type
        from eventsys.extensions import db
        from eventsys.registration.models import Registration, RegistrationStatus
        from eventsys.timeutil import utcnow

        event = create_published_event("Offline door bench")
        for name in ("Investor", "Community"):  # the seed draws from the demo's three ticket types
            add_ticket_type(event, name, None)
        seed_attendees(event, options.tickets, event.owner)
        event_id, slug, tz = event.id, event.slug, event.timezone
        token = issue_token(event.owner, TokenKind.DOOR, "North door", event_id=event_id)[1]

        salt = dataset.event_salt(event_id)
        started = time.perf_counter()
        dataset.derive_missing_keys(event_id, salt, budget_s=3600)
        derive_s = time.perf_counter() - started

        def build():
            dataset._built.clear()
            return dataset.current_dataset(event_id, tz)

        built = build()
        ours, bare = [], []
        for _ in range(options.repeat):
            ours.append(median_ms(build, 1))
            bare.append(median_ms(lambda: bare_dataset(path, event_id), 1))
        build_ms, bare_ms = statistics.median(ours), statistics.median(bare)

        client = app.test_client()
        url = f"/api/v1/events/{slug}/checkin-dataset"
        headers = {"Authorization": f"Bearer {token}", "If-None-Match": f"\"{built.version}\""}
        assert client.get(url, headers=headers).status_code == 304
        bare_client = bare_app(path).test_client()
        refresh, one = [], []
        for _ in range(options.repeat):
            refresh.append(median_ms(lambda: client.get(url, headers=headers), 5))
            one.append(median_ms(lambda: bare_client.get("/one"), 5))
        refresh_ms, one_ms = statistics.median(refresh), statistics.median(one)

        # A minute of arrivals: ARRIVALS admissions, then a gate holding the dataset from before them
        # asks with its cursor (its changes only) and another without (the whole dataset again).
        db.session.execute(  # registered days before the doors open, not this very minute
            update(Registration)
            .where(Registration.event_id == event_id)
            .values(updated_at=utcnow() - timedelta(days=1))
        )
        db.session.commit()
        scanner = Scanner("North door")
        codes = db.session.scalars(
            select(Registration.code).where(
                Registration.event_id == event_id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.is_inside.is_(False),
            ).limit(ARRIVALS + 1)
        ).all()
        check_in(EventAtDoor(event_id, tz), ScanRequest(code=codes.pop()), scanner)  # the gate's last sight
        cursor = json.loads(build().body)["cursor"]
        for code in codes:
            check_in(EventAtDoor(event_id, tz), ScanRequest(code=code), scanner)
        gzip_headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
        delta = client.get(f"{url}?since={cursor}", headers=gzip_headers)
        assert json.loads(gzip.decompress(delta.get_data()))["delta"] is True
        delta_ms = median_ms(lambda: client.get(f"{url}?since={cursor}", headers=gzip_headers), options.repeat)
        whole_ms = median_ms(lambda: (dataset._built.clear(), client.get(url, headers=gzip_headers)), options.repeat)
        delta_bytes, whole_bytes = len(delta.get_data()), len(client.get(url, headers=gzip_headers).get_data())

    per_thousand = 1000 / options.tickets
    print(f"Offline dataset, {options.tickets:,} tickets ({len(json.loads(built.body)['entries']):,} entries), SQLite")
    a_ticket = derive_s * 1000 / options.tickets
    print(f"  first derivation of every ticket's keys: {derive_s:.1f} s ({a_ticket:.2f} ms a ticket)")
    print(f"  build with the keys derived: {build_ms:.0f} ms; bare rows as JSON in clear: {bare_ms:.0f} ms")
    print(f"    ratio {build_ms / bare_ms:.1f}x")
    print(
        f"  size per 1,000 tickets: {len(built.body) * per_thousand / 1024:.0f} KiB raw, "
        f"{len(built.gzipped) * per_thousand / 1024:.0f} KiB gzip "
        f"(whole: {len(built.body) / 1024:.0f} KiB raw, {len(built.gzipped) / 1024:.0f} KiB gzip)"
    )
    print(f"  refresh, unchanged (304): {refresh_ms:.2f} ms; bare one-query route: {one_ms:.2f} ms")
    print(f"    ratio {refresh_ms / one_ms:.1f}x")
    print(
        f"  refresh after {len(codes)} admissions: with the gate's cursor {delta_ms:.0f} ms, "
        f"{delta_bytes / 1024:.0f} KiB gzip; whole again {whole_ms:.0f} ms, {whole_bytes / 1024:.0f} KiB gzip"
    )
    bench.close()


if __name__ == "__main__":
    main()
