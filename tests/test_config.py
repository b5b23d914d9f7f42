"""Settings from the environment, the instance secret key, and the SQLite connection set-up."""

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

import eventsys
from eventsys import create_app
from eventsys.config import instance_secret_key
from eventsys.extensions import db


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = instance_secret_key(str(tmp_path))
    second = instance_secret_key(str(tmp_path))
    assert first == second and len(first) >= 64
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_environment_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/other.db")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://tickets.example.org/")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/other.db"
    assert app.config["PUBLIC_BASE_URL"] == "https://tickets.example.org"
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_sqlite_runs_in_wal_mode_with_busy_timeout_and_foreign_keys(app):
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_pages_carry_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_test_suite_keeps_the_working_trees_instance_folder_untouched(app):
    working_tree_instance = Path(eventsys.__file__).resolve().parent.parent / "instance"
    assert Path(app.instance_path) != working_tree_instance
    assert not Path(app.instance_path).is_relative_to(working_tree_instance.parent)


def test_generated_keys_go_to_the_instance_folder_named_by_instance_path(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "keys"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("TICKET_KEY", raising=False)
    app = create_app()
    assert app.instance_path == str(tmp_path / "keys")
    assert app.config["TICKET_KEY"] == (tmp_path / "keys" / "ticket_key").read_text()
    assert app.config["SECRET_KEY"] == (tmp_path / "keys" / "secret_key").read_text()


@pytest.mark.parametrize(
    ("host", "port", "links"),
    [
        (None, None, "http://127.0.0.1:5000"),
        ("127.0.0.1", "5077", "http://127.0.0.1:5077"),
        ("localhost", "8080", "http://localhost:8080"),
        ("0.0.0.0", "5077", "http://127.0.0.1:5077"),  # every interface: this machine reaches it at 127.0.0.1
        ("::1", "5077", "http://[::1]:5077"),
    ],
)
def test_links_follow_host_and_port_when_public_base_url_is_unset(monkeypatch, host, port, links):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    for name, value in (("HOST", host), ("PORT", port)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert create_app().config["PUBLIC_BASE_URL"] == links


def test_public_base_url_wins_over_host_and_port(monkeypatch):
    monkeypatch.setenv("HOST", "127.0.0.1")
    monkeypatch.setenv("PORT", "5077")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://tickets.example.org")
    assert create_app().config["PUBLIC_BASE_URL"] == "https://tickets.example.org"
