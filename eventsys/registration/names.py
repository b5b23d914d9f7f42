"""People's names in any script: the key they sort by, and the pinyin a door staffer types.

Chinese names are sorted by their pinyin among Latin names (王芳 next to Wang Fang, not after
every Latin name as code points would put it), and found by it ("wang" finds 王芳): someone at
the door may not be able to type Chinese. Each character is read in its most common reading, the
first pypinyin lists, without tones (吕 as lu); a surname read otherwise (曾 as zeng, not ceng)
sorts by that common reading. pypinyin's table is read directly: its ``lazy_pinyin`` took about
100 µs a name (on the registration's hot path, and 100,000 times in the demo seed), this about 10.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from pypinyin.pinyin_dict import pinyin_dict  # code point → readings, the most common first: "céng,zēng"

SORT_NAME_LENGTH = 200  # the column's length: a sort key need not be whole


SINGLE_OPEN, SINGLE_CLOSE = "‹", "›"  # around each character of a name in the search text: see spellings_of


def is_ideograph_search(q: str) -> bool:
    """Is ``q`` one character that is a name on its own: a Chinese surname (王), a Korean
    syllable (김) or a kana? Latin letters need two: one letter matches nearly everyone."""
    if len(q) != 1:
        return False
    return unicodedata.name(q, "").startswith(("CJK UNIFIED IDEOGRAPH", "HANGUL SYLLABLE", "HIRAGANA", "KATAKANA"))


def single_character_needle(char: str) -> str:
    """What a search for one character of a name (王) looks for in the search text: ‹王›, three
    characters, so that a trigram index finds it."""
    return f"{SINGLE_OPEN}{char}{SINGLE_CLOSE}"


def _folded(text: str) -> str:
    """Lower-case without accents or tone marks (Émilie as emilie, lǚ as lu), other scripts as they are."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


@cache  # at most one entry a character of the table
def _syllable(char: str) -> str | None:
    """A character's pinyin syllable without tones, None for a character that is not Chinese."""
    readings = pinyin_dict.get(ord(char))
    return _folded(readings.split(",", 1)[0]) if readings else None


def sort_name_of(name: str) -> str:
    """The key a name sorts by: lower-case, accents dropped, Chinese characters as pinyin
    syllables ("王芳" → "wang fang", "Li Wei (李伟)" → "li wei ( li wei )")."""
    if name.isascii():
        return " ".join(name.lower().split())[:SORT_NAME_LENGTH]
    spelled = (char if (syllable := _syllable(char)) is None else f" {syllable} " for char in _folded(name))
    return " ".join("".join(spelled).split())[:SORT_NAME_LENGTH]


def spellings_of(name: str) -> list[str]:
    """Other ways someone types ``name``: its sort key where that differs (pinyin, no accents:
    "wang fang", "emilie"), a Chinese name's pinyin run together ("wangfang"), and its characters
    one by one, each between ‹ and › ("‹王›‹芳›": a search for 王 alone can use the index)."""
    spellings = []
    if (sort_name := sort_name_of(name)) != name.lower():
        spellings.append(sort_name)
    if name.isascii():
        return spellings
    if run_together := "".join(s for char in name if (s := _syllable(char))):
        spellings.append(run_together)
    if singles := "".join(single_character_needle(char) for char in name if is_ideograph_search(char)):
        spellings.append(singles)
    return spellings
