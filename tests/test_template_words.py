"""No English a person reads is left outside gettext: in the templates, in flash() and in WTForms' messages.

tests/test_translations.py already checks the other half of issue 9's rule (every msgid pybabel
extracts is in the Chinese catalogue, translated): this file finds the words pybabel cannot see
because nobody marked them.

A template is read as a person would: Jinja comments dropped, every ``{{ … }}`` and ``{% … %}``
replaced by a placeholder (what they print is either marked there or is content), the rest parsed
as HTML; a text node or a visible attribute holding a Latin word of two letters or more is English
left unmarked.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

import pytest
from jinja2 import Environment, nodes

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
PACKAGE = ROOT / "eventsys"

JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
JINJA_TAG = re.compile(r"\{%.*?%\}", re.S)
JINJA_EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)
# Placeholders with no letter in them: what a tag prints is never a word of the template's own. An
# expression's carries its number, so that the HTML pass can tell where it prints (text or class name).
TAG_MARK = "\x00"
EXPRESSION_MARK = re.compile("\x02([0-9]+)\x03")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
RAW_TEXT_TAGS = {"script", "style"}  # code, not prose (the door script's words come with the page)
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "label"}
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
JINJA = Environment(extensions=["jinja2.ext.i18n"])  # parses only: {% trans %} blocks are marked text

# What may stay as it is, and why: never a sentence to translate.
ALLOWED = {
    "eventsys",  # the brand
    "English",  # the language switcher names each language in itself (中文 is the other)
    "UTC",  # the time zone's name, as the event times print theirs (Asia/Shanghai)
    "CSV",  # file formats, named so in Chinese too (the PDF links say "(PDF)" inside _())
    "Excel",
}


class Finding(NamedTuple):
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


class Template(NamedTuple):
    """A template's own text (Jinja replaced, line breaks kept) and its ``{{ … }}`` expressions."""

    text: str
    expressions: list[tuple[int, str]]  # (line, source)


def without_jinja(source: str) -> Template:
    """The template's own text: comments and tags gone, expressions numbered; lines still count."""
    expressions: list[tuple[int, str]] = []

    def blank(match: re.Match[str]) -> str:
        return TAG_MARK + "\n" * match.group(0).count("\n")

    def number(match: re.Match[str]) -> str:
        expressions.append((match.string.count("\n", 0, match.start()) + 1, match.group(1)))
        return f"\x02{len(expressions) - 1}\x03" + "\n" * match.group(0).count("\n")

    text = JINJA_TAG.sub(blank, JINJA_COMMENT.sub(blank, source))
    return Template(JINJA_EXPRESSION.sub(number, text), expressions)


def _words(text: str) -> str:
    return EXPRESSION_MARK.sub(" ", text).replace(TAG_MARK, " ")


def english(text: str) -> bool:
    """Whether the text holds a Latin word of 2+ letters that the allow-list does not explain."""
    return any(word not in ALLOWED for word in LATIN_WORD.findall(_words(text)))


def shown(text: str) -> str:
    """The text as a finding quotes it: one line, a Jinja tag inside it as "…"."""
    return " ".join(EXPRESSION_MARK.sub(" … ", text).replace(TAG_MARK, " … ").split()).strip(" …")


class VisibleText(HTMLParser):
    """Collects the text nodes and the visible attribute values of one HTML template, and which
    expressions print into them."""

    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.found: list[Finding] = []
        self.visible_expressions: set[int] = set()
        self._raw_depth = 0

    def _keep(self, text: str | None, line: int) -> None:
        if not text:
            return
        self.visible_expressions.update(int(n) for n in EXPRESSION_MARK.findall(text))
        if english(text):
            self.found.append(Finding(self.path, line, shown(text)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in RAW_TEXT_TAGS:
            self._raw_depth += 1
        values = dict(attrs)
        line = self.getpos()[0]
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES:
                self._keep(value, line)
        if tag == "button" or (tag == "input" and (values.get("type") or "").lower() in BUTTON_INPUT_TYPES):
            self._keep(values.get("value"), line)
        if tag == "meta" and (values.get("name") or "").lower() == "description":
            self._keep(values.get("content"), line)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in RAW_TEXT_TAGS:
            self._raw_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in RAW_TEXT_TAGS and self._raw_depth:
            self._raw_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._raw_depth:
            return
        leading = data[: len(data) - len(data.lstrip())]
        self._keep(data, self.getpos()[0] + leading.count("\n"))  # where the words start


def _printed_literals(node: nodes.Node) -> Iterator[nodes.Const]:
    """String literals an expression prints as they are: itself, either branch of an ``if … else``,
    the parts of a ``~`` or ``+`` and what a filter is applied to (never a call's or a test's arguments)."""
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        yield node
    elif isinstance(node, nodes.CondExpr):
        yield from _printed_literals(node.expr1)
        if node.expr2 is not None:
            yield from _printed_literals(node.expr2)
    elif isinstance(node, nodes.Concat):
        for part in node.nodes:
            yield from _printed_literals(part)
    elif isinstance(node, nodes.Add):
        yield from _printed_literals(node.left)
        yield from _printed_literals(node.right)
    elif isinstance(node, nodes.Filter) and node.node is not None:
        yield from _printed_literals(node.node)


def literal_findings(path: str, template: Template, visible: Iterable[int]) -> list[Finding]:
    """English that a ``{{ … }}`` printing where people read prints from a bare literal
    (``{{ 'Yes' if x else 'No' }}``): the placeholder hides it from the text check."""
    found = []
    for number in sorted(visible):
        line, source = template.expressions[number]
        for output in JINJA.parse("{{" + source + "}}").find_all(nodes.Output):
            found += [
                Finding(path, line + literal.lineno - 1, literal.value)
                for child in output.nodes
                for literal in _printed_literals(child)
                if english(literal.value)
            ]
    return found


def template_findings(path: Path) -> list[Finding]:
    """English outside gettext in one template: HTML parsed, a mail's .txt read line by line."""
    name = str(path.relative_to(ROOT))
    template = without_jinja(path.read_text(encoding="utf-8"))
    if path.suffix == ".txt":
        lines = template.text.splitlines()
        found = [Finding(name, n, shown(line)) for n, line in enumerate(lines, start=1) if english(line)]
        return found + literal_findings(name, template, range(len(template.expressions)))
    parser = VisibleText(name)
    parser.feed(template.text)
    parser.close()
    return parser.found + literal_findings(name, template, parser.visible_expressions)


def templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})


def test_the_check_sees_the_templates():
    names = {str(p.relative_to(TEMPLATES)) for p in templates()}
    assert {"base.html", "mail/password_reset.txt", "registration/ticket.html"} <= names


def findings_in(source: str, suffix: str = ".html") -> list[Finding]:
    page = TEMPLATES / f"__probe__{suffix}"  # under templates/, as the check reads them
    try:
        page.write_text(source)
        return template_findings(page)
    finally:
        page.unlink()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Register now</p>", ["Register now"]),
        ('<button value="Go">{{ _("Send") }}</button>', ["Go"]),
        ('<input type="submit" value="Save">', ["Save"]),
        ('<img alt="QR code of your ticket" src="{{ url }}">', ["QR code of your ticket"]),
        ('<input placeholder="you@example.org">', ["you@example.org"]),
        ('<meta name="description" content="Events in Hangzhou">', ["Events in Hangzhou"]),
        ('<p>{{ _("Register now") }}</p><p>{{ event.name }}</p>', []),
        ("<p>{# Register now #}{{ x }} · 中文 English</p>", []),
        ('<p class="help badge-ok" id="q-help" data-x="Hello">{{ _("x") }}</p>', []),
        ("<style>.a { width: 12px }</style><script>const label = 'Hi';</script>", []),
        ("<p>{% if x %}Yes{% endif %}</p>", ["Yes"]),
        ('<p>{{ _("Paid") if paid else "Not paid" }}</p>', ["Not paid"]),
        ('<p>{{ ("Left " ~ n)|e }} {{ x|default("—") }} {{ url_for("a.b") }}</p>', ["Left "]),
        ("<a class=\"button {{ 'danger' if x else 'primary' }}\" title=\"{{ 'Open' }}\">{{ _(\"Go\") }}</a>", ["Open"]),
    ],
)
def test_the_check_finds_english_outside_gettext(source: str, expected: list[str]):
    assert [finding.text for finding in findings_in(source)] == expected


def test_a_finding_names_the_file_and_the_line():
    source = '{# a comment\nover two lines #}\n<h1>{{ _("Title") }}</h1>\n\n<p>\n  Left in English\n</p>\n'
    assert [str(f) for f in findings_in(source)] == ["templates/__probe__.html:6: 'Left in English'"]


def test_a_mail_text_is_read_line_by_line():
    source = '{{ _("Hello %(name)s,", name=name) }}\n\n{{ url }}\n{{ "Thanks" }}\nThe eventsys team\n'
    assert [(f.line, f.text) for f in findings_in(source, ".txt")] == [
        (5, "The eventsys team"),
        (4, "Thanks"),
    ]


def test_no_template_holds_english_outside_gettext():
    found = [finding for path in templates() for finding in template_findings(path)]
    assert found == [], "English outside _() (wrap it, `make catalog`, translate):\n" + "\n".join(map(str, found))


# Python: what flash() shows and what a WTForms validator says go through gettext, never a bare literal.
VALIDATORS = {
    "DataRequired",
    "InputRequired",
    "Length",
    "Email",
    "EqualTo",
    "NumberRange",
    "Optional",
    "Regexp",
    "URL",
    "AnyOf",
    "NoneOf",
    "ValidationError",
    "StopValidation",
}


def _is_bare_text(node: ast.expr) -> bool:
    """A string literal or f-string a person would read untranslated."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(LATIN_WORD.search(node.value))
    return isinstance(node, ast.JoinedStr)


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def python_findings(path: Path) -> Iterator[Finding]:
    name = str(path.relative_to(ROOT))
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=name)):
        if not isinstance(node, ast.Call):
            continue
        called = _called_name(node)
        texts: list[ast.expr] = []
        if called == "flash" and node.args:
            texts.append(node.args[0])
        if called in VALIDATORS:
            texts += [kw.value for kw in node.keywords if kw.arg == "message"]
            if called in {"ValidationError", "StopValidation"}:
                texts += node.args[:1]
        for text in texts:
            if _is_bare_text(text):
                yield Finding(name, text.lineno, ast.unparse(text))


def test_python_finds_a_bare_flash_and_validator_message():
    probe = PACKAGE / "__probe__.py"
    try:
        probe.write_text(
            'flash("Saved.")\nflash(_("Saved."))\nLength(max=5, message="Too long")\n'
            'Length(max=5, message=_l("Too long"))\nraise ValidationError(f"No {x}")\n'
        )
        assert [(f.line, f.text) for f in python_findings(probe)] == [
            (1, "'Saved.'"),
            (3, "'Too long'"),
            (5, "f'No {x}'"),
        ]
    finally:
        probe.unlink()


def test_flash_and_validators_speak_through_gettext():
    found = [finding for path in sorted(PACKAGE.rglob("*.py")) for finding in python_findings(path)]
    assert found == [], "a bare string a person reads (wrap it in _() or _l()):\n" + "\n".join(map(str, found))
