"""The W3C validator run over every page the tests render (tests/html_validation.py) fails the run on an error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.live_server import ROOT

A_TEST_THAT_RENDERS = """
from flask import Flask


def test_the_page():
    app = Flask("pages")
    app.add_url_rule("/page", "page", lambda: {body!r})
    assert app.test_client().get("/page?from=test").status_code == 200
"""
VALID = '<!doctype html><html lang="en"><title>Fine</title><form method="post"><button>Go</button></form></html>'
INVALID = '<!doctype html><html lang="en"><title>Broken</title><span><form method="post"></form></span></html>'


def run_pytest_on(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    """A one-file test run (as `pytest tests/test_x.py` is) with the validation plugin loaded."""
    (tmp_path / "test_one_page.py").write_text(A_TEST_THAT_RENDERS.format(body=body))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.html_validation", "-p", "no:cacheprovider", "test_one_page.py"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_page_with_an_html_error_fails_the_run_and_the_report_names_the_page_and_the_error(tmp_path):
    run = run_pytest_on(tmp_path, INVALID)
    assert run.returncode == 1, run.stdout
    assert "1 failed, 1 passed" in run.stdout  # the test itself passed; html-validation failed
    assert "FAILED html-validation" in run.stdout
    assert "GET /page?from=test → 200, in test_one_page.py::test_the_page" in run.stdout
    assert "Element “form” not allowed as child of element “span”" in run.stdout


def test_valid_pages_pass(tmp_path):
    run = run_pytest_on(tmp_path, VALID)
    assert run.returncode == 0, run.stdout
    assert "2 passed" in run.stdout
