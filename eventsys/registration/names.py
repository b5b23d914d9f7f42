"""People's names in any script: the key they sort by, and the pinyin a door staffer types.

Chinese names are sorted by their pinyin among Latin names (王芳 next to Wang Fang, not after
every Latin name as code points would put it), and found by it ("wang" finds 王芳): someone at
the door may not be able to type Chinese. pypinyin reads each character in its most common
reading; a surname read otherwise (曾 as zeng, not ceng) sorts by that common reading.
"""

from __future__ import annotations

import unicodedata

from pypinyin import lazy_pinyin

SORT_NAME_LENGTH = 200  # the column's length: a sort key need not be whole


def _is_han(char: str) -> bool:
    return unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH")


def is_ideograph_search(q: str) -> bool:
    """Is ``q`` one character that is a name on its own: a Chinese surname (王), a Korean
    syllable (김) or a kana? Latin letters need two: one letter matches nearly everyone."""
    if len(q) != 1:
        return False
    return unicodedata.name(q, "").startswith(("CJK UNIFIED IDEOGRAPH", "HANGUL SYLLABLE", "HIRAGANA", "KATAKANA"))


def _folded(text: str) -> str:
    """Lower-case without accents (Émilie as emilie), other scripts as they are."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def sort_name_of(name: str) -> str:
    """The key a name sorts by: lower-case, accents dropped, Chinese characters as pinyin
    syllables ("王芳" → "wang fang", "Li Wei (李伟)" → "li wei ( li wei )")."""
    return " ".join(" ".join(lazy_pinyin(_folded(name))).split())[:SORT_NAME_LENGTH]


def spellings_of(name: str) -> list[str]:
    """Other ways someone types ``name``: its sort key where that differs (pinyin, no accents:
    "wang fang", "emilie") and a Chinese name's pinyin run together ("wangfang")."""
    spellings = []
    if (sort_name := sort_name_of(name)) != name.lower():
        spellings.append(sort_name)
    if any(_is_han(char) for char in name):
        spellings.append("".join(lazy_pinyin([char for char in name if _is_han(char)])))
    return spellings
