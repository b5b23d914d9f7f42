"""eventsys: event registration and door check-in."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path

from flask import Flask

from eventsys import authorization, cli, i18n, log_redaction, security, urls, web_errors
from eventsys.api import api_bp
from eventsys.auth.views import auth_bp
from eventsys.backoffice.export_views import exports_bp
from eventsys.backoffice.invitation_views import invitations_bp
from eventsys.backoffice.message_views import messages_bp
from eventsys.backoffice.views import backoffice_bp
from eventsys.checkin.views import door_bp
from eventsys.checkin.webapp import door_app
from eventsys.clubs.roles import allowed
from eventsys.clubs.views import clubs_bp
from eventsys.config import DefaultConfig, settings_from_environment, tie_cookie_settings
from eventsys.database import configure_engine
from eventsys.events.club_views import club_pages
from eventsys.events.views import manage_bp, public_bp
from eventsys.extensions import babel, csrf, db, limiter, login_manager, migrate
from eventsys.forms import has_errors, shown_again
from eventsys.mail import sender
from eventsys.markup import description_html
from eventsys.registration.views import registration_bp
from eventsys.sessions import PagesOnlySessionInterface
from eventsys.text import role_label
from eventsys.urls import public_url

ROOT = Path(__file__).resolve().parent.parent
mimetypes.add_type("application/wasm", ".wasm")  # the door page's QR decoder; browsers compile only this type


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=instance_folder(),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(DefaultConfig)
    app.config.from_mapping(settings_from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    tie_cookie_settings(app.config)
    app.json.sort_keys = False  # keep the contract's field order
    app.session_interface = PagesOnlySessionInterface()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.babel_locale, default_translation_directories=str(ROOT / "translations"))
    with app.app_context():
        configure_engine(db.engine)

    urls.install(app)
    i18n.install(app)
    _register_blueprints(app)
    authorization.install(app)
    _register_template_helpers(app)

    log_redaction.install(app)
    security.register(app)
    sender.install(app)
    web_errors.register(app)
    cli.register(app)
    return app


def instance_folder() -> str:
    """Where the generated keys and the default SQLite database live: ``INSTANCE_PATH``, else ``instance/``."""
    return str(Path(os.environ.get("INSTANCE_PATH") or ROOT / "instance").resolve())


def _register_blueprints(app: Flask) -> None:
    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(door_bp)
    app.register_blueprint(door_app)
    app.register_blueprint(registration_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(backoffice_bp)
    app.register_blueprint(messages_bp)
    app.register_blueprint(clubs_bp)
    app.register_blueprint(club_pages)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # bearer tokens, never cookies


def _register_template_helpers(app: Flask) -> None:
    app.add_template_global(public_url)
    app.add_template_global(shown_again)
    app.add_template_global(has_errors)
    app.add_template_global(role_label)
    app.add_template_global(allowed)
    app.add_template_filter(description_html, "markdown")
