"""The Chinese catalogue holds every word the code and the templates mark for translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def marked_messages() -> set[str]:
    """What `pybabel extract -F babel.cfg -k _l` finds, as `make catalog` runs it."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def chinese_catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="zh_Hans_CN")


def translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def test_every_marked_message_has_a_chinese_translation():
    catalog = chinese_catalog()
    missing = sorted(m for m in marked_messages() if not (catalog.get(m) and translated(catalog.get(m))))
    assert missing == [], f"not in the Chinese catalogue (run `make catalog`, then translate): {missing}"
    fuzzy = sorted(message.id for message in catalog if message.id and message.fuzzy)
    assert fuzzy == [], f"fuzzy entries to review: {fuzzy}"


def test_the_translations_keep_their_placeholders():
    problems = [(message.id, [str(e) for e in errors]) for message, errors in chinese_catalog().check()]
    assert problems == []
