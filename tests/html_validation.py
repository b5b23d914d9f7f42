"""Every HTML page the tests render goes through the W3C validator (vnu), once, after the last test.

A pytest plugin (tests/conftest.py loads it). While the tests run, each ``text/html`` response
the Flask test client gets is written to a temporary folder, once per distinct page. An item of
its own, ``html-validation``, collected after every other test (also when only one file or a
``-k`` selection runs), hands them all to one vnu run (the JVM is slow to start) and fails with
each error, the request that rendered the page and the test that made it. The validator is the
``vnu-jar`` devDependency (package-lock.json, installed by `make assets`) on Debian's Java
(`make test` installs ``default-jre-headless`` when it is missing).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask, Response, request, request_finished

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ITEM_NAME = "html-validation"
# What differs between two renderings of the same page: the session's CSRF token.
CSRF_VALUE = re.compile(rb'(name="csrf[_-]token"[^>]*?(?:value|content)=")[^"]*"')


@dataclass
class RenderedPages:
    """The distinct pages seen so far, each written to ``folder``: file name -> where it came from."""

    folder: Path
    origins: dict[str, str] = field(default_factory=dict)
    keep: bool = False  # errors were found: the pages stay for a look

    def record(self, sender: Flask, response: Response, **extra) -> None:
        if response.mimetype != "text/html" or response.is_streamed or response.direct_passthrough:
            return
        body = response.get_data()
        if not body:  # 204, or a HEAD request: no page
            return
        name = hashlib.sha256(CSRF_VALUE.sub(rb"\1", body)).hexdigest()[:20] + ".html"
        if name in self.origins:
            return
        (self.folder / name).write_bytes(body)
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" (", 1)[0]
        self.origins[name] = f"{request.method} {request.full_path.rstrip('?')} → {response.status_code}, in {test}"


@dataclass
class Problem:
    page: str
    line: int | None
    message: str
    extract: str


def validate(folder: Path) -> list[Problem]:
    """Run vnu once over every page in ``folder``; its errors (warnings and notes are not failures)."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is missing: `make test` installs default-jre-headless", pytrace=False)
    if not VNU_JAR.exists():
        pytest.fail(f"{VNU_JAR} is missing: run `make assets`", pytrace=False)
    run = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--exit-zero-always", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    try:
        messages = json.loads(run.stderr)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu did not answer in JSON:\n{run.stdout}\n{run.stderr}", pytrace=False)
    return [
        Problem(Path(m.get("url", "?")).name, m.get("lastLine"), m.get("message", ""), m.get("extract", ""))
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]


def report(problems: list[Problem], pages: RenderedPages) -> str:
    by_page: dict[str, list[Problem]] = {}
    for problem in problems:
        by_page.setdefault(problem.page, []).append(problem)
    lines = [f"{len(problems)} HTML errors on {len(by_page)} of {len(pages.origins)} pages (kept in {pages.folder}):"]
    for page, found in by_page.items():
        lines.append(f"\n{pages.origins.get(page, page)}  [{page}]")
        for problem in found:
            extract = " ".join(problem.extract.split())
            lines.append(f"  line {problem.line}: {problem.message}\n      {extract}")
    return "\n".join(lines)


class HtmlValidation(pytest.Item):
    def runtest(self) -> None:
        pages: RenderedPages = self.config.stash[PAGES]
        if not pages.origins:
            pytest.skip("no HTML page was rendered")
        problems = validate(pages.folder)
        if problems:
            pages.keep = True
            pytest.fail(report(problems, pages), pytrace=False)

    def reportinfo(self):
        return Path(__file__), None, f"{ITEM_NAME}: every HTML page the tests rendered, through vnu"


PAGES = pytest.StashKey[RenderedPages]()


def pytest_configure(config: pytest.Config) -> None:
    pages = RenderedPages(Path(tempfile.mkdtemp(prefix="eventsys-html-")))
    config.stash[PAGES] = pages
    request_finished.connect(pages.record)  # every app the tests create; the stash keeps it alive


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run after every other test: after the selection (-k, -m, a file) has been made."""
    if items:
        items.append(HtmlValidation.from_parent(session, name=ITEM_NAME, nodeid=ITEM_NAME))


def pytest_unconfigure(config: pytest.Config) -> None:
    pages = config.stash.get(PAGES, None)
    if pages is None:
        return
    request_finished.disconnect(pages.record)
    if not pages.keep:
        shutil.rmtree(pages.folder, ignore_errors=True)
