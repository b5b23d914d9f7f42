"""Benchmark: a rush of registrations (wrk, 16 connections) against gunicorn on SQLite.

Prints confirmed registrations per second and p50/p99 latency, then checks the database agrees
with what the clients were told. Run with `make bench-register` (or `python bench/registrations.py`).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from harness import Bench


def main() -> None:
    parser = argparse.ArgumentParser()
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

            from eventsys.auth.services import create_user
            from eventsys.events.models import EventStatus
            from eventsys.events.services import EventDetails, create_event
            from eventsys.extensions import db
            from eventsys.registration.models import Registration, RegistrationStatus

            owner = create_user("bench@example.org", "Bench", "bench-password")
            start = datetime.now(UTC) + timedelta(days=30)
            event = create_event(
                owner,
                EventDetails(
                    name="Bench Conf", starts_at=start, ends_at=start + timedelta(hours=8), capacity=1_000_000
                ),
                EventStatus.PUBLISHED,
            )
            slug = event.slug
            db.session.commit()
        bench.serve()
        result = bench.wrk(f"/api/v1/events/{slug}/registrations", "register.lua", args.seconds, args.connections)
        with app.app_context():
            confirmed = db.session.scalar(
                select(func.count()).where(Registration.status == RegistrationStatus.CONFIRMED)
            )
        created = result["statuses"].get(201, 0)
        setup = f"{args.connections} connections, {args.workers} gunicorn workers, SQLite"
        print(f"registrations: {setup}, {result['seconds']:.1f} s")
        print(f"  statuses: {dict(sorted(result['statuses'].items()))}")
        print(f"  confirmed registrations/s: {created / result['seconds']:.0f}")
        print(f"  latency p50 {result['p50']:.1f} ms, p90 {result['p90']:.1f} ms, p99 {result['p99']:.1f} ms")
        print(f"  confirmed in the database: {confirmed} (clients were told {created}; wrk drops in-flight answers)")
        if not created <= confirmed <= created + args.connections:
            raise SystemExit("MISMATCH between the database and the responses")
    finally:
        bench.close()


if __name__ == "__main__":
    main()
