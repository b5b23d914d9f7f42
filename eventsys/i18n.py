"""Which language a page speaks (the contract's "Languages"): ``?lang=`` on any page, remembered in a
cookie; else the browser's ``Accept-Language``; else English.

The contract names the languages by their tags (``en``, ``zh-CN``); Babel and the catalogues in
``translations/`` by their locales (``en``, ``zh_Hans_CN``).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlencode

from babel.dates import format_datetime
from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import get_locale

from eventsys.timeutil import to_local

LANGUAGES = {"en": "English", "zh-CN": "中文"}  # tag -> its name, written in itself (the switcher)
DEFAULT_LANGUAGE = "en"
LOCALES = {"en": "en", "zh-CN": "zh_Hans_CN"}
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
SIMPLIFIED_CHINESE = ("zh-cn", "zh-hans", "zh-sg", "zh-my")  # and "zh" alone, and their subtags


def language_tag(value: str | None) -> str | None:
    """The contract's tag a browser's or a person's language names (``zh``, ``zh_CN``, ``zh-Hans-CN``
    → ``zh-CN``; ``en-GB`` → ``en``), or None when it is none of ours (Traditional Chinese included)."""
    text = (value or "").strip().lower().replace("_", "-")
    if text == "zh" or any(text == tag or text.startswith(tag + "-") for tag in SIMPLIFIED_CHINESE):
        return "zh-CN"
    if text == "en" or text.startswith("en-"):
        return "en"
    return None


def page_language() -> str:
    """The language of this request's page, chosen once a request."""
    if "language" not in g:
        g.language = _chosen_language()
    return g.language


def _chosen_language() -> str:
    if not has_request_context():  # mail rendered by the sender, the CLI: English unless forced
        return DEFAULT_LANGUAGE
    for choice in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if tag := language_tag(choice):
            return tag
    for value, _quality in request.accept_languages:  # best first
        if tag := language_tag(value):
            return tag
    return DEFAULT_LANGUAGE


# How a moment reads, by style and language (CLDR patterns): "Sat 18 Sep 2027, 09:00", "2027年9月18日 周六 09:00".
MOMENT_STYLES = {
    "datetime": {"en": "EEE dd MMM y, HH:mm", "zh": "y年M月d日 EEE HH:mm"},
    "date_time": {"en": "dd MMM y, HH:mm", "zh": "y年M月d日 HH:mm"},
    "date_time_seconds": {"en": "dd MMM y, HH:mm:ss", "zh": "y年M月d日 HH:mm:ss"},
    "time": {"en": "HH:mm", "zh": "HH:mm"},
    "time_seconds": {"en": "HH:mm:ss", "zh": "HH:mm:ss"},
}


def format_moment(moment: datetime | None, tz_name: str, style: str = "datetime") -> str:
    """A stored UTC moment as people read it in ``tz_name``, in the language being spoken (the
    page's, or the one a mail is rendered in): "" for none."""
    local = to_local(moment, tz_name)
    if local is None:
        return ""
    pattern = MOMENT_STYLES[style]["zh" if current_language() == "zh-CN" else "en"]
    return format_datetime(local, pattern, tzinfo=local.tzinfo, locale=get_locale() or DEFAULT_LANGUAGE)


def current_language() -> str:
    """The tag of the language being written now: the page's, or the one a mail is rendered in."""
    locale = get_locale()
    return "zh-CN" if locale is not None and locale.language == "zh" else DEFAULT_LANGUAGE


def babel_locale() -> str:
    """Flask-Babel's locale selector."""
    return LOCALES[page_language()]


def remember_language(response: Response) -> Response:
    """A ``?lang=`` the page was asked in becomes the cookie that later pages follow."""
    tag = language_tag(request.args.get("lang"))
    if tag and request.cookies.get(COOKIE) != tag:
        secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
        response.set_cookie(COOKIE, tag, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True, secure=secure)
    return response


def language_switch_url(tag: str) -> str:
    """This page in another language: its address with ``lang`` set, the other arguments kept."""
    args = [(name, value) for name, value in request.args.items(multi=True) if name != "lang"]
    return f"{quote(request.path)}?{urlencode([*args, ('lang', tag)])}"


def install(app: Flask) -> None:
    app.after_request(remember_language)
    app.add_template_global(page_language)
    app.add_template_global(language_switch_url)
    app.add_template_global(LANGUAGES, "languages")
    app.add_template_filter(format_moment, "local")
