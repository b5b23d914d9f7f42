"""names in any script: a registration's sort_name (Chinese names in pinyin), its pinyin searchable

The list sorts by name through (event_id, sort_name, id), no longer (event_id, name, id). Existing
registrations get their sort key, and their search text the pinyin and the name's characters
one by one (‹王›‹芳›, for a one-character search through the index), computed here as
registration/names.py did when this was written. Added with op.add_column (no table rebuilt, so
migration 0006's search triggers are untouched and keep the FTS5 table up to date).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:15:00

"""
import unicodedata

import sqlalchemy as sa
from alembic import op
from pypinyin.pinyin_dict import pinyin_dict


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    op.add_column('registrations', sa.Column('sort_name', sa.String(length=200), nullable=False, server_default=''))
    _fill_sort_names()
    op.drop_index('ix_registrations_event_name', table_name='registrations')
    op.create_index('ix_registrations_event_sort_name', 'registrations', ['event_id', 'sort_name', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_registrations_event_sort_name', table_name='registrations')
    op.create_index('ix_registrations_event_name', 'registrations', ['event_id', 'name', 'id'], unique=False)
    op.drop_column('registrations', 'sort_name')


def _folded(text):
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _syllables(name):
    """Each character's most common reading without tones, None for one that is not Chinese."""
    readings = (pinyin_dict.get(ord(char)) for char in name)
    return [_folded(r.split(",", 1)[0]) if r else None for r in readings]


def _sort_name(name):
    if name.isascii():
        return " ".join(name.lower().split())[:200]
    folded = _folded(name)
    spelled = (char if syllable is None else f" {syllable} " for char, syllable in zip(folded, _syllables(folded)))
    return " ".join("".join(spelled).split())[:200]


def _is_name_character(char):
    return unicodedata.name(char, "").startswith(("CJK UNIFIED IDEOGRAPH", "HANGUL SYLLABLE", "HIRAGANA", "KATAKANA"))


def _spellings(name, sort_name):
    spellings = [sort_name] if sort_name != name.lower() else []
    if name.isascii():
        return spellings
    if run_together := "".join(s for s in _syllables(name) if s is not None):
        spellings.append(run_together)
    if singles := "".join(f"‹{char}›" for char in name if _is_name_character(char)):
        spellings.append(singles)
    return spellings


def _fill_sort_names():
    """Every registration's sort key; its spellings in the search text, after the name (its first line)."""
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name, search_text FROM registrations")).all()
    changes = []
    for row in rows:
        sort_name = _sort_name(row.name)
        name_line, _newline, rest = row.search_text.partition("\n")
        search_text = "\n".join([name_line, *(s.lower() for s in _spellings(row.name, sort_name)), rest])
        changes.append({"id": row.id, "sort_name": sort_name, "search_text": search_text})
    update = sa.text("UPDATE registrations SET sort_name = :sort_name, search_text = :search_text WHERE id = :id")
    for start in range(0, len(changes), BATCH):
        conn.execute(update, changes[start:start + BATCH])
