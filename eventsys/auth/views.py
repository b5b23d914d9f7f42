"""Sign up, log in, log out, change password."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from eventsys.auth import password_reset, services
from eventsys.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ResetPasswordForm, SignupForm
from eventsys.auth.models import User
from eventsys.auth.throttle import login_limits, reset_request_limits
from eventsys.errors import InvalidCredentials, ResetLinkInvalid, ValidationFailed
from eventsys.extensions import db, limiter, login_manager
from eventsys.forms import add_field_errors
from eventsys.i18n import page_language

auth_bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Log in to see this page.")
login_manager.localize_callback = str  # the lazy message, in the page's language, flashed as a plain string
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


UNSAFE_IN_NEXT = re.compile(r"[\\\x00-\x20\x7f]")


def _safe_next(target: str | None) -> str:
    """Only follow a `next` address on this site, so a login link cannot send people elsewhere.

    Browsers read a backslash as a slash and drop tabs and line breaks from a link: the redirect
    page's own link to such a target ("/", backslash, "host") would leave the site, so it is refused.
    """
    if target and not UNSAFE_IN_NEXT.search(target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("manage.my_events")


@auth_bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["ACCOUNT_RATE_LIMIT"], methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("manage.my_events"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.name.data, form.password.data)
        except ValidationFailed as exc:
            add_field_errors(form, exc)
        else:
            login_user(user)
            if request.args.get("next"):  # e.g. a door-staff invitation opened before having an account
                flash(_("Welcome, %(name)s.", name=user.name), "success")
                return redirect(_safe_next(request.args.get("next")))
            flash(_("Welcome, %(name)s. Create your first event.", name=user.name), "success")
            return redirect(url_for("manage.new_event"))
    return render_template("auth/signup.html", form=form), 422 if form.errors else 200


@auth_bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except InvalidCredentials as exc:
            form.password.errors = [exc.message]
        else:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@auth_bp.post("/logout")
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.home"))


@auth_bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except ValidationFailed as exc:
            add_field_errors(form, exc)
        else:
            # The session carries the new session version. Pass the user itself, not the proxy, which
            # login_user would store as the request's user and make current_user refer to itself.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other devices are logged out and your API tokens revoked."), "success")
            return redirect(url_for("manage.my_events"))
    return render_template("auth/change_password.html", form=form), 422 if form.errors else 200


@auth_bp.get("/account/tokens")
@login_required
def tokens():
    listed = db.session.scalars(services.personal_tokens(current_user.id)).all()
    return render_template("auth/tokens.html", tokens=listed)


@auth_bp.route("/account/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke_token(token_id: int):
    """Ask first (GET), then revoke (POST): a script using the token stops working at once."""
    token = services.get_personal_token(current_user.id, token_id)
    if request.method == "GET":
        return render_template("auth/revoke_token.html", token=token)
    services.revoke_token(token.id)
    flash(_("The token “%(label)s” is revoked.", label=token.label), "success")
    return redirect(url_for("auth.tokens"))


@auth_bp.route("/password/forgot", methods=["GET", "POST"])
@reset_request_limits
def forgot_password():
    """Ask for a reset link. The answer is the same page whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.request_password_reset(form.email.data, page_language())
        except ValidationFailed as exc:
            add_field_errors(form, exc)
        else:
            return render_template("auth/forgot_password_sent.html", email=form.email.data.strip())
    return render_template("auth/forgot_password.html", form=form), 422 if form.errors else 200


def _private(response):
    """A page whose address holds a secret: no Referer to anywhere, never cached."""
    response = make_response(response)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@auth_bp.route("/password/reset/<secret>", methods=["GET", "POST"])
def reset_password(secret: str):
    form = ResetPasswordForm()
    try:
        email = password_reset.find_usable_reset(secret).user.email
        if form.validate_on_submit():
            try:
                password_reset.reset_password(secret, form.new_password.data)
            except ValidationFailed as exc:
                add_field_errors(form, exc)
            else:
                logout_user()
                message = _("Your password is changed, and every device is logged out. Log in with the new one.")
                flash(message, "success")
                return redirect(url_for("auth.login"))
    except ResetLinkInvalid as exc:
        return _private((render_template("auth/reset_link_invalid.html", message=exc.message), exc.status))
    page = render_template("auth/reset_password.html", form=form, email=email)
    return _private((page, 422 if form.errors else 200))
