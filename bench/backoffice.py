"""Benchmark: the organizer's back office at 100,000 registrations, on SQLite, through gunicorn.

Seeds the demo conference with `flask seed-demo --attendees 100000` (timed), then asks the
registrations API one request at a time, with a personal API token: page 1, a search for
``zhang``, a Chinese three-character search, a two-character one (too short for the trigram
index: it reads the event's rows), a domain search with a status filter, page 400 and the
Waitlist tab; each the median of ``--repeat`` answers. The organizer's HTML list page too, signed in
as the demo organizer: page 1, the searches, the domain on the Confirmed tab and page 400, each
with its tab counts and fifty cards. Then the CSV export of every
registration: its time and the worker's memory, peak (VmHWM) against resident before (VmRSS).

Beside it, in the same run, the bare sketch of a list and an export (bench/baseline_list.py:
plain Flask and sqlite3, one query each) on the same database: this machine's speed drifts, so
the two are alternated for ``--rounds`` rounds and what counts is their ratio. One gunicorn
worker (threaded, as gunicorn.conf.py says), so the export's worker is the one measured.
Run with `make bench-backoffice`.
"""

from __future__ import annotations

import http.cookiejar
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from harness import ROOT, Bench, arguments

SLUG = "tecom-conf-hangzhou"
LIST = f"/api/v1/events/{SLUG}/registrations"
EXPORT = f"/api/v1/events/{SLUG}/exports/registrations.csv"
ASKS = {  # what is timed: the query string of the list
    "list": "",
    "search zhang": "?q=zhang",
    "search 张子涵": "?q=" + urllib.parse.quote("张子涵"),
    "search 陈静 (no trigram)": "?q=" + urllib.parse.quote("陈静"),
    "@zju.edu.cn confirmed": "?q=%40zju.edu.cn&status=confirmed",
    "page 400": "?page=400",
    "waitlist tab": "?status=waitlisted",
}
PAGE = f"/manage/events/{SLUG}/registrations"
PAGE_ASKS = {  # the organizer's page: the same asks, as the page's query string says them
    "page: list": "",
    "page: search zhang": "?q=zhang",
    "page: search 陈静": "?q=" + urllib.parse.quote("陈静"),
    "page: @zju.edu.cn confirmed": "?q=%40zju.edu.cn&tab=confirmed",
    "page: page 400": "?page=400",
}
TARGET_MS = 150
LIMIT_MS = 500
TARGET_EXPORT_MB = 100
TARGET_SEED_S = 60


def seed(bench: Bench, attendees: int) -> float:
    """The CLI's seed, timed from the command's start to its end (interpreter start included)."""
    env = {**bench.env, "INSTANCE_PATH": str(bench.dir / "instance")}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "seed-demo", "--attendees", str(attendees)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def api_token(bench: Bench) -> str:
    from eventsys.auth.models import TokenKind
    from eventsys.auth.services import find_user_by_email, issue_token
    from eventsys.cli import DEMO_EMAIL

    with bench.app().app_context():
        return issue_token(find_user_by_email(DEMO_EMAIL), TokenKind.PERSONAL, "bench")[1]


def signed_in(bench: Bench) -> urllib.request.OpenerDirector:
    """A browser signed in as the demo organizer (the password seed-demo wrote to the instance)."""
    email, password = (bench.dir / "instance" / "demo-login.txt").read_text().split()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form = browser.open(bench.url + "/login", timeout=30).read().decode()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', form).group(1)
    data = {"csrf_token": token, "email": email, "password": password}
    with browser.open(bench.url + "/login", urllib.parse.urlencode(data).encode(), timeout=30) as answer:
        assert "/login" not in answer.url, "the demo organizer could not sign in"
    return browser


def fetch(bench: Bench, path: str, token: str | urllib.request.OpenerDirector | None) -> tuple[float, int]:
    """Milliseconds to read the whole answer, and its size in bytes; ``token`` an API token or a
    signed-in browser."""
    opener = token if isinstance(token, urllib.request.OpenerDirector) else urllib.request.build_opener()
    headers = {"Authorization": f"Bearer {token}"} if isinstance(token, str) else {}
    started = time.perf_counter()
    with opener.open(urllib.request.Request(bench.url + path, headers=headers), timeout=120) as response:
        size = 0
        while chunk := response.read(256 * 1024):
            size += len(chunk)
    return (time.perf_counter() - started) * 1000, size


def median_ms(bench: Bench, path: str, token: str | None, repeat: int) -> float:
    fetch(bench, path, token)  # unmeasured: the first answer warms the worker's caches
    return statistics.median(fetch(bench, path, token)[0] for _ in range(repeat))


def worker_pid(bench: Bench) -> int:
    children = Path(f"/proc/{bench.server.pid}/task/{bench.server.pid}/children").read_text().split()
    assert len(children) == 1, "run with one worker: the export's memory is read from it"
    return int(children[0])


def memory_kb(pid: int) -> dict[str, int]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return {name: int(fields[name].split()[0]) for name in ("VmRSS", "VmHWM")}


def measure_eventsys(bench: Bench, token: str, repeat: int, export: bool) -> dict[str, float]:
    bench.serve("app:app")
    try:
        figures = {label: median_ms(bench, LIST + query, token, repeat) for label, query in ASKS.items()}
        browser = signed_in(bench)
        figures |= {label: median_ms(bench, PAGE + query, browser, repeat) for label, query in PAGE_ASKS.items()}
        if export:
            pid = worker_pid(bench)
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS: the peak is the export's own
            before = memory_kb(pid)
            figures["export ms"], figures["export bytes"] = fetch(bench, EXPORT, token)
            after = memory_kb(pid)
            figures["rss before MB"] = before["VmRSS"] / 1024
            figures["peak growth MB"] = (after["VmHWM"] - before["VmRSS"]) / 1024
    finally:
        bench.stop()
    return figures


def measure_baseline(bench: Bench, repeat: int, export: bool) -> dict[str, float]:
    bench.serve("baseline_list:app", str(ROOT / "bench"))
    try:
        figures = {"list": median_ms(bench, LIST, None, repeat)}
        if export:
            figures["export ms"] = fetch(bench, EXPORT, None)[0]
    finally:
        bench.stop()
    return figures


def main() -> None:
    args = arguments(__doc__, attendees=100_000, rounds=3, repeat=7)
    bench = Bench(workers=1, threads=args.threads)
    try:
        bench.migrate()
        seconds = seed(bench, args.attendees)
        print(
            f"back office: seed-demo --attendees {args.attendees} in {seconds:.1f} s (target < {TARGET_SEED_S} s);"
            f" SQLite, 1 gunicorn worker, one request at a time, medians of {args.repeat};"
            f" {args.rounds} rounds, eventsys and baseline alternated",
            flush=True,
        )
        token = api_token(bench)
        ours: list[dict[str, float]] = []
        bare: list[dict[str, float]] = []
        for number in range(1, args.rounds + 1):
            last = number == args.rounds
            ours.append(measure_eventsys(bench, token, args.repeat, export=last))
            bare.append(measure_baseline(bench, args.repeat, export=last))
            timings = "   ".join(f"{label} {ours[-1][label]:.1f}" for label in [*ASKS, *PAGE_ASKS])
            print(f"  round {number}: {timings} ms; baseline list {bare[-1]['list']:.1f} ms", flush=True)
        report(ours, bare, args.attendees)
    finally:
        bench.close()


def report(ours: list[dict[str, float]], bare: list[dict[str, float]], attendees: int) -> None:
    baseline = statistics.median(b["list"] for b in bare)
    print(f"  medians of the rounds (target < {TARGET_MS} ms, limit {LIMIT_MS} ms), ratio to the baseline list:")
    for label in [*ASKS, *PAGE_ASKS]:
        ms = statistics.median(o[label] for o in ours)
        ratio = statistics.median(o[label] / b["list"] for o, b in zip(ours, bare, strict=True))
        verdict = "ok" if ms < TARGET_MS else ("over target" if ms < LIMIT_MS else "TOO SLOW")
        print(f"    {label:<28} {ms:7.1f} ms   {ratio:5.1f}x   {verdict}")
    print(f"    {'baseline list':<28} {baseline:7.1f} ms")
    last, bare_last = ours[-1], bare[-1]
    print(
        f"  CSV export of {attendees} registrations: {last['export ms'] / 1000:.2f} s,"
        f" {last['export bytes'] / 1e6:.1f} MB; baseline export {bare_last['export ms'] / 1000:.2f} s"
        f" ({last['export ms'] / bare_last['export ms']:.1f}x)"
    )
    growth = last["peak growth MB"]
    print(
        f"  worker memory: {last['rss before MB']:.0f} MB resident before, peak +{growth:.1f} MB during the export"
        f" (target < {TARGET_EXPORT_MB} MB: {'ok' if growth < TARGET_EXPORT_MB else 'OVER'})"
    )


if __name__ == "__main__":
    main()
