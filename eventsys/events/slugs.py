"""An event's address made from its name: short and readable, also for a Chinese name.

python-slugify spells each Chinese character on its own (``hang-zhou-chuang-ye-zhe-da-hui``);
here a Chinese name gives one pinyin word per Chinese word instead (``hangzhou-chuangyezhe-dahui``),
and a name that also holds Latin words keeps only those (``TECOM Conf 杭州大会 2027`` →
``tecom-conf-2027``): they are what people type and recognise.
"""

from __future__ import annotations

import re

from pypinyin import lazy_pinyin
from pypinyin.seg.mmseg import seg
from slugify import slugify

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # \Z: `$` would let a trailing newline in
CJK_SLUG_MAX = 30  # a Chinese name's address stays short enough to read out and type


def slug_from_name(name: str, max_length: int) -> str:
    """The address ``name`` suggests (may be empty); names without Chinese characters: as slugify makes it."""
    if not HAN.search(name):
        return slugify(name, max_length=max_length, word_boundary=True)
    limit = min(max_length, CJK_SLUG_MAX)
    if LATIN_LETTER.search(HAN.sub(" ", name)):
        return slugify(HAN.sub(" ", name), max_length=limit, word_boundary=True)
    spelled = HAN.sub(lambda run: " " + " ".join(_pinyin_words(run.group())) + " ", name)
    return slugify(spelled, max_length=limit, word_boundary=True)


def _pinyin_words(run: str) -> list[str]:
    """A run of Chinese characters as pinyin words: the dictionary's phrases kept whole, characters
    it does not know paired (most Chinese words have two), an odd one left over joined to the word before."""
    words: list[str] = []
    singles: list[str] = []

    def flush() -> None:
        pairs = ["".join(singles[i : i + 2]) for i in range(0, len(singles), 2)]
        if len(singles) % 2 and (words or len(pairs) > 1):
            lone = pairs.pop()
            if pairs:
                pairs[-1] += lone
            else:
                words[-1] += lone
        words.extend(pairs)
        singles.clear()

    for word in seg.cut(run):
        syllables = lazy_pinyin(word)
        if len(word) == 1:
            singles.extend(syllables)
            continue
        if singles:
            flush()
        words.append("".join(syllables))
    flush()
    return words
