"""Reading the HTML pages as a user (and a screen reader) would: fields, their values, labels and errors."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

CONTROLS = ("input", "select", "textarea")


@dataclass
class Form:
    method: str
    action: str | None
    csrf_token: str | None = None


class Page(HTMLParser):
    """The parts of a page the tests look at, parsed with the standard library's HTML parser."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.controls: list[dict[str, str | None]] = []
        self.label_for: list[str] = []
        self.ids: Counter[str] = Counter()
        self.forms: list[Form] = []
        self.texts: dict[str, str] = {}  # id -> text, for elements with an id
        self.textareas: dict[str, str] = {}  # name -> text
        self.selected: dict[str, list[str]] = {}  # select name -> the values of its selected options
        self.described_by: list[str] = []  # every id an aria-describedby names
        self.autofocused: list[str] = []  # the tags (and ids) with the autofocus attribute
        self._open_ids: list[tuple[str, str]] = []  # (tag, id) of elements with an id still open
        self._textarea: str | None = None
        self._select: str | None = None
        self.feed(html)
        self.close()

    # --- parsing ---------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        self.described_by.extend((attrs.get("aria-describedby") or "").split())
        if "autofocus" in attrs:
            self.autofocused.append(f"{tag}#{attrs.get('id') or ''}")
        if attrs.get("id"):
            self.ids[attrs["id"]] += 1
            if tag not in ("input", "br", "img", "meta", "link"):
                self._open_ids.append((tag, attrs["id"]))
                self.texts.setdefault(attrs["id"], "")
        if tag == "form":
            self.forms.append(Form((attrs.get("method") or "get").lower(), attrs.get("action")))
        elif tag in CONTROLS:
            self.controls.append({"tag": tag, **attrs})
            if tag == "input" and attrs.get("name") == "csrf_token" and attrs.get("type") == "hidden" and self.forms:
                self.forms[-1].csrf_token = attrs.get("value")
            if tag == "textarea":
                self._textarea = attrs.get("name") or ""
                self.textareas[self._textarea] = ""
            if tag == "select":
                self._select = attrs.get("name") or ""
                self.selected[self._select] = []
        elif tag == "option" and self._select is not None and "selected" in attrs:
            self.selected[self._select].append(attrs.get("value") or "")
        elif tag == "label" and attrs.get("for"):
            self.label_for.append(attrs["for"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        for index in range(len(self._open_ids) - 1, -1, -1):
            if self._open_ids[index][0] == tag:
                del self._open_ids[index]
                break

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open_ids:
            self.texts[element_id] += data
        if self._textarea is not None:
            self.textareas[self._textarea] += data

    # --- reading -----------------------------------------------------------------------------

    def control(self, name: str) -> dict[str, str | None]:
        found = [c for c in self.controls if c.get("name") == name and c.get("type") != "hidden"]
        assert len(found) == 1, f"expected one field named {name!r}, found {len(found)}"
        return found[0]

    def value(self, name: str) -> str:
        """What a field shows: an input's value, a textarea's text, a select's chosen option."""
        control = self.control(name)
        if control["tag"] == "textarea":
            # As a browser reads it: line breaks as "\n", without the one that may follow <textarea>.
            return self.textareas[name].replace("\r\n", "\n").replace("\r", "\n").removeprefix("\n")
        if control["tag"] == "select":
            chosen = self.selected[name]
            return chosen[0] if chosen else ""
        return control.get("value") or ""

    def checked(self, name: str) -> bool:
        return "checked" in self.control(name)

    def error(self, field_id: str) -> str | None:
        """The error message shown beside a field (the form macro's ``<p id="<field>-error">``)."""
        text = self.texts.get(f"{field_id}-error")
        return " ".join(text.split()) if text is not None else None

    def fields_with_errors(self) -> set[str]:
        return {element_id.removesuffix("-error") for element_id in self.texts if element_id.endswith("-error")}

    def error_summary(self) -> tuple[str, list[tuple[str | None, str]]] | None:
        """The error summary at the top of a form shown again: its heading, and each problem as
        (the id its link points to, or None for plain text; its text). None: the page has none."""
        found = re.search(r"<div [^>]*data-error-summary[^>]*>(.*?)</div>", self.html, flags=re.S)
        if not found:
            return None
        heading = re.search(r"<h2>(.*?)</h2>", found.group(1), flags=re.S)
        items = []
        for item in re.findall(r"<li>(.*?)</li>", found.group(1), flags=re.S):
            link = re.fullmatch(r'\s*<a href="#([^"]+)">(.*?)</a>\s*', item, flags=re.S)
            text = link.group(2) if link else item
            items.append((link.group(1) if link else None, " ".join(unescape(text).split())))
        return " ".join(unescape(heading.group(1) if heading else "").split()), items

    def text(self) -> str:
        """The page's visible text, whitespace collapsed."""
        without_tags = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", self.html, flags=re.S))
        return " ".join(unescape(without_tags).split())


def page(response) -> Page:
    assert response.mimetype == "text/html", response.mimetype
    return Page(response.get_data(as_text=True))


def location_path(response) -> str:
    """The path (and query) a redirect sends the browser to; it must stay on this site."""
    assert response.status_code in (301, 302, 303, 307, 308), response.status_code
    parts = urlsplit(response.headers["Location"])
    assert parts.netloc in ("", "localhost"), response.headers["Location"]
    return parts.path + (f"?{parts.query}" if parts.query else "")


def assert_form_page_is_accessible(doc: Page) -> None:
    """Every form that changes something carries the CSRF token; every visible field has its own label."""
    post_forms = [form for form in doc.forms if form.method == "post"]
    assert post_forms, "no form on the page"
    for form in post_forms:
        assert form.csrf_token, f"the form posting to {form.action!r} has no csrf_token hidden input"
    visible = [c for c in doc.controls if c.get("type") != "hidden"]
    labels = Counter(doc.label_for)
    for control in visible:
        control_id = control.get("id")
        assert control_id, f"a <{control['tag']} name={control.get('name')!r}> has no id for a label to point to"
        assert doc.ids[control_id] == 1, f"the id {control_id!r} is used {doc.ids[control_id]} times on the page"
        assert labels[control_id] >= 1, f"no <label for={control_id!r}>"
        for described_by in (control.get("aria-describedby") or "").split():
            assert doc.ids[described_by] == 1, f"{control_id!r} is described by a missing element {described_by!r}"
        invalid = control.get("aria-invalid")
        assert invalid in (None, "true"), f"{control_id!r} has aria-invalid={invalid!r}"
    assert not set(labels) - {c.get("id") for c in visible}, "a label points to no field"


def assert_errors_are_summarised(doc: Page, heading: str = "There is a problem") -> list[tuple[str | None, str]]:
    """A form shown again with errors: the summary lists each field's problem, linked to the field
    (an id that exists once), the field is described by its error, and no field takes the focus."""
    summary = doc.error_summary()
    assert summary is not None, "no error summary"
    assert summary[0] == heading
    linked = [target for target, _ in summary[1] if target]
    assert set(linked) == doc.fields_with_errors(), "the summary's links and the fields with errors differ"
    for target, text in summary[1]:
        if target:
            assert doc.ids[target] == 1, f"the summary links to #{target}, which is not once on the page"
            assert f"{target}-error" in doc.described_by, f"#{target}'s error describes no field"
            assert doc.error(target) in text, f"the summary says {text!r}, beside the field {doc.error(target)!r}"
    assert doc.autofocused == ["div#"], f"autofocus: {doc.autofocused} (only the summary may take the focus)"
    return summary[1]
