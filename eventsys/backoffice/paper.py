"""Paper for the day: name badges and the door list, as A4 PDFs (fpdf2).

Names print in their own script: DejaVu Sans for Latin, Greek and Cyrillic, with Droid Sans
Fallback (Chinese, Japanese) and Nanum Gothic (Korean Hangul) as fallbacks for what it lacks.
The fonts are Debian's (fonts-dejavu-core, fonts-droid-fallback, fonts-nanum), which
``make assets`` installs; nothing is fetched while a PDF is made.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from sqlalchemy import Select

from eventsys.backoffice.exports import answer_text, ticket_type_names
from eventsys.errors import DomainError
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.i18n import format_moment
from eventsys.registration.answers import shown_answer
from eventsys.registration.listing import AttendeeFilter, attendees
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.registration.tickets import qr_payload_of, qr_png
from eventsys.timeutil import utcnow

FONT_DIR = Path("/usr/share/fonts/truetype")
# family -> (regular, bold) files, and the Debian package that ships them
FONTS = {
    "sans": (("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"), "fonts-dejavu-core"),
    "cjk": (("droid/DroidSansFallbackFull.ttf", None), "fonts-droid-fallback"),
    "hangul": (("nanum/NanumGothic.ttf", "nanum/NanumGothicBold.ttf"), "fonts-nanum"),
}
BATCH = 500
PT = 25.4 / 72  # millimetres per point
LINE = 1.2  # line height as a multiple of the font size

# Badges: 2 × 4 a page, touching, so one cut separates two; cut marks in the margins.
BADGE_W, BADGE_H = 90.0, 65.0
COLUMNS, ROWS = 2, 4
PAGE_W, PAGE_H = 210.0, 297.0
GRID_X = (PAGE_W - COLUMNS * BADGE_W) / 2
GRID_Y = (PAGE_H - ROWS * BADGE_H) / 2
PAD = 5.0
QR_SIZE = 38.0  # mm, quiet zone included: a phone reads it from arm's length
MARK_GAP, MARK_LEN = 2.0, 6.0


class FontsMissing(DomainError):
    status = 503
    code = "fonts_missing"
    message = "The PDF fonts are not installed on the server."


@dataclass(frozen=True)
class PaperAttendee:
    code: str
    name: str
    ticket_type: str
    badge_lines: tuple[str, ...]
    ticket_nonce: bytes


def font_files() -> dict[str, tuple[Path, Path | None]]:
    """The fonts' paths; FontsMissing names the packages whose files are not there."""
    found: dict[str, tuple[Path, Path | None]] = {}
    missing = []
    for family, ((regular, bold), package) in FONTS.items():
        paths = (FONT_DIR / regular, FONT_DIR / bold if bold else None)
        if not all(path.is_file() for path in paths if path is not None):
            missing.append(f"{package} ({FONT_DIR / regular})")
        found[family] = paths
    if missing:
        raise FontsMissing(
            "The PDF fonts are missing: " + ", ".join(missing) + ". Run `make assets` (it installs them)."
        )
    return found


class Paper(FPDF):
    """An A4 page in millimetres with the three fonts loaded and chained."""

    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_title(title)
        self.set_creator("eventsys")
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)
        for family, (regular, bold) in font_files().items():
            self.add_font(family, "", regular)
            if bold is not None:
                self.add_font(family, "B", bold)
        # Droid has no bold: a bold Chinese name falls back to its regular face (exact_match off).
        self.set_fallback_fonts(["cjk", "hangul"], exact_match=False)

    def fit_font(self, text: str, width: float, largest: float, smallest: float, style: str = "") -> float:
        """The largest size (pt) at which ``text`` fits ``width`` on one line (at least ``smallest``)."""
        size = largest
        while size > smallest:
            self.set_font("sans", style, size)
            if self.get_string_width(text) <= width:
                return size
            size -= 0.5
        self.set_font("sans", style, smallest)
        return smallest

    def clipped(self, text: str, width: float) -> str:
        """The text cut with an ellipsis to fit ``width`` in the current font."""
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text.rstrip() + "…"

    def lines_of(self, text: str, width: float, most: int) -> list[str]:
        """The text wrapped to ``width`` by word (a word wider than a line, by character),
        at most ``most`` lines, the last clipped."""
        lines = self.multi_cell(width, text=text, dry_run=True, output="LINES", wrapmode="WORD")
        if len(lines) > most:
            lines = [*lines[: most - 1], self.clipped(" ".join(lines[most - 1 :]), width)]
        return lines

    def text_lines(self, x: float, y: float, lines: list[str], width: float, align: Align = Align.L) -> float:
        """Writes the lines from ``y`` in the current font; returns the y below them."""
        height = self.font_size_pt * PT * LINE
        for line in lines:
            self.set_xy(x, y)
            self.cell(width, height, line, align=align, new_x=XPos.LEFT, new_y=YPos.NEXT)
            y += height
        return y


# --- reading the attendees --------------------------------------------------------------------


def confirmed_attendees(event: Event, values: AttendeeFilter) -> Iterator[PaperAttendee]:
    """The confirmed registrations the filter selects, read in batches, with their badge answers."""
    on_badge = [question for question in event.questions if question.on_badge]
    ticket_types = ticket_type_names(event.id)
    query: Select = (
        attendees(event.id, values)
        .where(Registration.status == RegistrationStatus.CONFIRMED)
        .with_only_columns(
            Registration.code,
            Registration.name,
            Registration.ticket_type_id,
            Registration.answers,
            Registration.ticket_nonce,
        )
    )
    for row in db.session.execute(query.execution_options(yield_per=BATCH)):
        answers = row.answers or {}
        shown = (answer_text(shown_answer(question, answers.get(str(question.id)))) for question in on_badge)
        yield PaperAttendee(
            code=row.code,
            name=row.name,
            ticket_type=ticket_types.get(row.ticket_type_id, ""),
            badge_lines=tuple(text for text in shown if text),
            ticket_nonce=row.ticket_nonce,
        )


# --- badges -----------------------------------------------------------------------------------


def badges_pdf(event: Event, values: AttendeeFilter) -> bytes:
    """A badge for every confirmed registration the filter selects, eight an A4 page."""
    pdf = Paper(_("Badges: %(event)s", event=event.name))
    for count, attendee in enumerate(confirmed_attendees(event, values)):
        place = count % (COLUMNS * ROWS)
        if place == 0:
            pdf.add_page()
            _cut_marks(pdf)
        column, row = place % COLUMNS, place // COLUMNS
        _badge(pdf, event, attendee, GRID_X + column * BADGE_W, GRID_Y + row * BADGE_H)
    if pdf.page == 0:
        pdf.add_page()
        pdf.set_font("sans", "", 12)
        pdf.text_lines(GRID_X, GRID_Y, [_("No confirmed registrations match this list's filters.")], COLUMNS * BADGE_W)
    return bytes(pdf.output())


def _cut_marks(pdf: Paper) -> None:
    """Short lines in the margins along every cut, clear of the badges themselves."""
    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)
    right, bottom = GRID_X + COLUMNS * BADGE_W, GRID_Y + ROWS * BADGE_H
    for column in range(COLUMNS + 1):
        x = GRID_X + column * BADGE_W
        pdf.line(x, GRID_Y - MARK_GAP - MARK_LEN, x, GRID_Y - MARK_GAP)
        pdf.line(x, bottom + MARK_GAP, x, bottom + MARK_GAP + MARK_LEN)
    for row in range(ROWS + 1):
        y = GRID_Y + row * BADGE_H
        pdf.line(GRID_X - MARK_GAP - MARK_LEN, y, GRID_X - MARK_GAP, y)
        pdf.line(right + MARK_GAP, y, right + MARK_GAP + MARK_LEN, y)


def _badge(pdf: Paper, event: Event, attendee: PaperAttendee, x: float, y: float) -> None:
    """Name across the top (shrunk, then wrapped to fit), then ticket type and the badge answers
    on the left, the QR code bottom right, the event and the short code at the foot."""
    inner = BADGE_W - 2 * PAD
    _badge_name(pdf, attendee.name, x + PAD, y + PAD, inner)
    qr_x, qr_y = x + BADGE_W - PAD - QR_SIZE + 2, y + BADGE_H - QR_SIZE - 2
    pdf.image(io.BytesIO(qr_png(qr_payload_of(attendee))), x=qr_x, y=qr_y, w=QR_SIZE, h=QR_SIZE)
    left = qr_x - x - PAD - 1
    pdf.set_font("sans", "B", 11)
    below = pdf.text_lines(x + PAD, y + 28, pdf.lines_of(attendee.ticket_type, left, 2), left)
    pdf.set_font("sans", "", 10)
    for text in attendee.badge_lines[:3]:
        below = pdf.text_lines(x + PAD, below + 1, pdf.lines_of(text, left, 2), left)
    pdf.set_font("sans", "", 7)
    foot = y + BADGE_H - PAD - 2 * 7 * PT * LINE
    pdf.text_lines(x + PAD, foot, [pdf.clipped(event.name, left), attendee.code], left)


def _badge_name(pdf: Paper, name: str, x: float, y: float, width: float) -> None:
    """One line as large as 26 pt fits; else two lines of up to 20 pt; never below 11 pt."""
    size = pdf.fit_font(name, width, 26, 16, "B")
    if pdf.get_string_width(name) <= width:
        lines = [name]
    else:
        size = 20
        pdf.set_font("sans", "B", size)
        while size > 11 and len(pdf.multi_cell(width, text=name, dry_run=True, output="LINES", wrapmode="WORD")) > 2:
            size -= 1
            pdf.set_font("sans", "B", size)
        lines = pdf.lines_of(name, width, 2)
    height = size * PT * LINE * len(lines)
    pdf.text_lines(x, y + max(0.0, (21 - height) / 2), lines, width)


# --- the door list ----------------------------------------------------------------------------

DOOR_COLUMNS = (("", 9.0), (_l("Full name"), 83.0), (_l("Code"), 27.0), (_l("Ticket type"), 61.0))
DOOR_MARGIN = 15.0
DOOR_ROW = 8.0


def door_list_pdf(event: Event, values: AttendeeFilter) -> bytes:
    """The confirmed attendees the filter selects, by name, each with code, ticket type and a box."""
    pdf = Paper(_("Door list: %(event)s", event=event.name))
    pdf.alias_nb_pages()
    printed = format_moment(utcnow(), event.timezone, "date_time")
    y = PAGE_H  # start a page at the first row
    for attendee in confirmed_attendees(event, replace(values, sort="name")):
        if y + DOOR_ROW > PAGE_H - DOOR_MARGIN - 6:
            y = _door_page(pdf, event, printed)
        _door_row(pdf, attendee, y)
        y += DOOR_ROW
    if pdf.page == 0:
        y = _door_page(pdf, event, printed)
        pdf.set_font("sans", "", 11)
        pdf.text_lines(DOOR_MARGIN, y + 2, [_("No confirmed registrations match this list's filters.")], 180)
    return bytes(pdf.output())


def _door_page(pdf: Paper, event: Event, printed: str) -> float:
    """A new page: the event, the page number, the table's head. Returns where rows start."""
    pdf.add_page()
    width = PAGE_W - 2 * DOOR_MARGIN
    pdf.set_font("sans", "B", 15)
    y = pdf.text_lines(DOOR_MARGIN, DOOR_MARGIN, pdf.lines_of(event.name, width, 2), width)
    starts = format_moment(event.starts_at, event.timezone)
    pdf.set_font("sans", "", 9)
    facts = f"{starts} · {event.venue}" if event.venue else starts
    y = pdf.text_lines(DOOR_MARGIN, y + 1, [pdf.clipped(facts, width)], width)
    pdf.text_lines(
        DOOR_MARGIN,
        y,
        [
            _(
                "Confirmed attendees · printed %(when)s · page %(page)s of %(pages)s",
                when=printed,
                page=pdf.page_no(),
                pages="{nb}",
            )
        ],
        width,
    )
    y += 9
    pdf.set_font("sans", "B", 9)
    x = DOOR_MARGIN
    for title, column_width in DOOR_COLUMNS:
        pdf.set_xy(x, y)
        pdf.cell(column_width, DOOR_ROW, str(title), border="B")
        x += column_width
    return y + DOOR_ROW


def _door_row(pdf: Paper, attendee: PaperAttendee, y: float) -> None:
    (_, box), (_, name), (_, code), (_, ticket) = DOOR_COLUMNS
    pdf.set_line_width(0.3)
    pdf.rect(DOOR_MARGIN + 1.5, y + 1.75, 4.5, 4.5)
    x = DOOR_MARGIN + box
    pdf.fit_font(attendee.name, name - 2, 11, 7)
    pdf.set_xy(x, y)
    pdf.cell(name, DOOR_ROW, pdf.clipped(attendee.name, name - 2), border="B")
    pdf.set_font("sans", "", 10)
    pdf.cell(code, DOOR_ROW, attendee.code, border="B")
    pdf.fit_font(attendee.ticket_type, ticket - 2, 10, 7)
    pdf.cell(ticket, DOOR_ROW, pdf.clipped(attendee.ticket_type, ticket - 2), border="B")
    pdf.set_xy(DOOR_MARGIN, y)
    pdf.cell(box, DOOR_ROW, "", border="B")
