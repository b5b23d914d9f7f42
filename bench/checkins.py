"""Benchmark: 16 door scanners (wrk) against gunicorn on SQLite with 10,000 confirmed tickets.

Prints judged scans per second and p50/p99 latency, and checks that every ticket was admitted
exactly once. Run with `make bench-checkin` (or `python bench/checkins.py`).
"""

from __future__ import annotations

import argparse
import os
import re
from datetime import UTC, datetime, timedelta

from harness import Bench


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="more than 1: gthread workers (keep-alive)")
    args = parser.parse_args()

    bench = Bench(workers=args.workers, threads=args.threads)
    try:
        bench.migrate()
        app = bench.app()
        with app.app_context():
            from sqlalchemy import func, select

            from eventsys.auth.models import TokenKind
            from eventsys.auth.services import create_user, issue_token
            from eventsys.checkin.models import Scan
            from eventsys.events.models import EventStatus
            from eventsys.events.services import EventDetails, create_event
            from eventsys.extensions import db
            from eventsys.registration.models import Registration
            from eventsys.registration.services import RegistrationRequest, qr_payload_of, register_attendee

            owner = create_user("bench@example.org", "Bench", "bench-password")
            start = datetime.now(UTC) + timedelta(days=1)
            details = EventDetails(name="Door Bench", starts_at=start, ends_at=start + timedelta(hours=8))
            event = create_event(owner, details, EventStatus.PUBLISHED)
            payloads = [
                qr_payload_of(register_attendee(event, RegistrationRequest(f"Guest {n}", f"g{n}@example.org")))
                for n in range(args.tickets)
            ]
            _, token = issue_token(owner, TokenKind.DOOR, "Bench gate", event_id=event.id)
            slug = event.slug
        payload_file = bench.dir / "payloads.txt"
        payload_file.write_text("\n".join(payloads) + "\n")
        os.environ.update(PAYLOADS=str(payload_file), TOKEN=token)
        bench.serve()
        result = bench.wrk(f"/api/v1/events/{slug}/checkins", "scan.lua", args.seconds, args.connections)
        verdicts = dict(re.findall(r"^RESULT (\w+) (\d+)$", result["raw"], re.M))
        with app.app_context():
            admitted = db.session.scalar(select(func.count()).where(Registration.checked_in_at.isnot(None)))
            ok_scans = db.session.scalar(select(func.count()).select_from(Scan).where(Scan.result == "ok"))
        judged = result["statuses"].get(200, 0)
        setup = f"{args.connections} connections, {args.workers} gunicorn workers, SQLite, {args.tickets} tickets"
        print(f"check-in: {setup}")
        print(f"  statuses: {dict(sorted(result['statuses'].items()))}, verdicts: {verdicts}")
        print(f"  judged scans/s: {judged / result['seconds']:.0f}")
        print(f"  latency p50 {result['p50']:.1f} ms, p90 {result['p90']:.1f} ms, p99 {result['p99']:.1f} ms")
        print(f"  admitted in the database: {admitted}; ok scans logged: {ok_scans}")
        if admitted != ok_scans:
            raise SystemExit("MISMATCH: a ticket was admitted more than once, or an admission was not logged")
    finally:
        bench.close()


if __name__ == "__main__":
    main()
