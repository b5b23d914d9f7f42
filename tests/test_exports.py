"""Exports (API and the organizer's pages): every file read back as a spreadsheet program, a PDF
reader and a phone would read it, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from openpyxl import load_workbook
from PIL import Image

from eventsys.backoffice import paper
from eventsys.events.models import Event, QuestionKind
from eventsys.events.services import QuestionDetails, add_question
from eventsys.registration.models import Registration
from eventsys.registration.services import RegistrationRequest, cancel_registration, register_attendee
from eventsys.registration.tickets import qr_payload_of
from tests.api_helpers import assert_error, assert_validation
from tests.conftest import bearer, login, make_event, make_token, make_user

pytestmark = pytest.mark.both_databases

TRICKY = {
    "comma": "Acme, Inc.",
    "newline": "line one\nline two",
    "chinese": "浙江大学",
    "=": "=HYPERLINK(\"http://evil\")",
    "+": "+86 571 0000",
    "-": "-2+3",
    "@": "@SUM(A1)",
}
FILES = ("registrations.csv", "registrations.xlsx", "scans.csv", "badges.pdf", "door-list.pdf")


@pytest.fixture
def questions(event: Event) -> dict[str, int]:
    company = add_question(event, QuestionDetails("Company", QuestionKind.TEXT, on_badge=True))
    topics = add_question(event, QuestionDetails("Topics", QuestionKind.MULTISELECT, options=["AI", "Web3", "Chips"]))
    return {"company": company.id, "topics": topics.id}


def register(event: Event, name: str, email: str, company: str = "", topics=(), questions=None) -> Registration:
    answers = {}
    if questions:
        answers = {str(questions["company"]): company, str(questions["topics"]): list(topics)}
    return register_attendee(event, RegistrationRequest(name=name, email=email, answers=answers))


def api(client, event: Event, name: str, headers, **args):
    return client.get(f"/api/v1/events/{event.slug}/exports/{name}", headers=headers, query_string=args)


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM first, for Excel"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def xlsx_rows(response) -> list[dict[str, object]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    # a read-only sheet leaves out trailing empty cells
    return [dict(zip(header, (*row, *[None] * (len(header) - len(row))), strict=True)) for row in rows]


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "file.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_csv_has_the_contract_columns_and_every_tricky_answer_reads_back(client, event, owner_headers, questions):
    for key, text in TRICKY.items():
        email = f"p{ord(key[0])}{len(text)}@example.com"
        register(event, f"Person {key}", email, text, ["AI", "Chips"], questions)
    response = api(client, event, "registrations.csv", owner_headers)
    assert response.is_streamed
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    rows = csv_rows(response)
    assert list(rows[0]) == [
        "code", "name", "email", "ticket_type", "status", "registered_at", "checked_in_at", "Company", "Topics"
    ]
    companies = {row["name"]: row["Company"] for row in rows}
    assert companies["Person comma"] == "Acme, Inc."
    assert companies["Person newline"] == "line one\nline two"
    assert companies["Person chinese"] == "浙江大学"
    for start in "=+-@":
        assert companies[f"Person {start}"] == "'" + TRICKY[start]
    assert {row["Topics"] for row in rows} == {"AI; Chips"}
    assert {row["status"] for row in rows} == {"confirmed"}


def test_times_are_in_the_event_zone_in_both_formats(client, event, owner_headers):
    registration = register(event, "陈静", "chen@example.com")
    expected = registration.created_at.astimezone(ZoneInfo("Asia/Shanghai"))
    [row] = csv_rows(api(client, event, "registrations.csv", owner_headers))
    assert row["registered_at"] == expected.strftime("%Y-%m-%d %H:%M:%S")
    assert row["name"] == "陈静"
    assert row["checked_in_at"] == ""
    [cells] = xlsx_rows(api(client, event, "registrations.xlsx", owner_headers))
    assert cells["registered_at"] == expected.replace(tzinfo=None, microsecond=0)
    assert cells["name"] == "陈静"


def test_xlsx_guards_formulas_and_keeps_text(client, event, owner_headers, questions):
    for key in ("=", "+", "-", "@", "comma", "newline", "chinese"):
        register(event, f"Person {key}", f"p{len(key)}{ord(key[0])}@example.com", TRICKY[key], ["Web3"], questions)
    response = api(client, event, "registrations.xlsx", owner_headers)
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = {row["name"]: row for row in xlsx_rows(response)}
    for start in "=+-@":
        assert rows[f"Person {start}"]["Company"] == "'" + TRICKY[start]
    assert rows["Person comma"]["Company"] == "Acme, Inc."
    assert rows["Person newline"]["Company"] == "line one\nline two"
    assert rows["Person chinese"]["Company"] == "浙江大学"
    assert rows["Person chinese"]["Topics"] == "Web3"


def test_the_list_filters_apply_and_a_bad_filter_is_a_422(client, event, owner, owner_headers):
    register(event, "Ada Lovelace", "ada@example.com")
    gone = register(event, "Bob Gone", "bob@zju.edu.cn")
    cancel_registration(gone, owner)
    cancelled = csv_rows(api(client, event, "registrations.csv", owner_headers, status="cancelled"))
    assert [r["name"] for r in cancelled] == ["Bob Gone"]
    assert [r["name"] for r in csv_rows(api(client, event, "registrations.csv", owner_headers, q="lovelace"))] == [
        "Ada Lovelace"
    ]
    assert [r["name"] for r in xlsx_rows(api(client, event, "registrations.xlsx", owner_headers, q="@zju.edu"))] == [
        "Bob Gone"
    ]
    for name in ("registrations.csv", "registrations.xlsx", "badges.pdf", "door-list.pdf"):
        assert_validation(api(client, event, name, owner_headers, sort="shoe", status="maybe"), "sort", "status")


def test_scan_log_as_csv(client, event, owner_headers, gate):
    ada = register(event, "Ada Lovelace", "ada@example.com")
    checkins = f"/api/v1/events/{event.slug}/checkins"
    assert client.post(checkins, json={"code": qr_payload_of(ada)}, headers=gate).status_code == 200
    client.post(checkins, json={"code": "ZZZZ-ZZZZ"}, headers=gate)
    response = api(client, event, "scans.csv", owner_headers)
    assert response.is_streamed
    admitted, unknown = csv_rows(response)
    assert list(admitted) == ["at", "gate", "direction", "result", "code", "name"]
    assert (admitted["gate"], admitted["direction"], admitted["code"], admitted["name"]) == (
        "North door", "in", ada.code, "Ada Lovelace"
    )
    assert admitted["at"][:4].isdigit() and "+" not in admitted["at"]
    assert unknown["code"] == "ZZZZ-ZZZZ" and unknown["name"] == ""
    assert qr_payload_of(ada) not in response.get_data(as_text=True)


def test_badges_print_cjk_names_company_and_a_readable_qr(client, event, owner, owner_headers, questions, tmp_path):
    names = ["陈静", "さくら 山田", "김민준", "Maximilian Alexander von Hohenzollern-Sigmaringen"]
    people = [register(event, name, f"b{i}@example.com", "浙江大学 Acme", (), questions)
              for i, name in enumerate(names)]
    cancel_registration(register(event, "Never Printed", "np@example.com"), owner)
    response = api(client, event, "badges.pdf", owner_headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.get_data(), tmp_path)
    for name in ["陈静", "さくら 山田", "김민준", "Maximilian"]:
        assert name in text
    assert "浙江大学 Acme" in text
    assert "Never Printed" not in text
    pdf = str(tmp_path / "file.pdf")
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", pdf, str(tmp_path / "page")], check=True)
    [page] = tmp_path.glob("page*.png")
    read = {barcode.text for barcode in zxingcpp.read_barcodes(Image.open(page))}
    assert read == {qr_payload_of(person) for person in people}


def test_door_list_sorted_by_name_confirmed_only(client, event, owner, owner_headers, tmp_path):
    for name in ("Zhang Wei", "Ada Lovelace", "김민준", "Mia Müller"):
        register(event, name, f"{abs(hash(name))}@example.com")
    cancel_registration(register(event, "Bob Gone", "bob@example.com"), owner)
    response = api(client, event, "door-list.pdf", owner_headers)
    text = pdf_text(response.get_data(), tmp_path)
    order = [text.index(name) for name in ("Ada Lovelace", "Mia Müller", "Zhang Wei", "김민준")]
    assert order == sorted(order)
    assert "Bob Gone" not in text
    assert "Page 1 of 1".lower() in text.lower()


@pytest.mark.parametrize("name", FILES)
def test_nobody_else_gets_an_export(client, app, event, name):
    assert_error(api(client, event, name, {}), 401)
    stranger = bearer(make_token(make_user()))
    assert api(client, event, name, stranger).status_code in (403, 404)
    other = make_event(make_user())
    assert api(client, other, name, stranger).status_code in (403, 404)


@pytest.mark.parametrize("name", FILES)
def test_the_organizer_pages_offer_the_same_files(organizer, app, event, name):
    register(event, "Ada Lovelace", "ada@example.com")
    response = organizer.get(f"/manage/events/{event.slug}/exports/{name}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="{event.slug}-')
    stranger = app.test_client()
    assert stranger.get(f"/manage/events/{event.slug}/exports/{name}").status_code == 302  # to the login
    other = app.test_client()
    login(other, make_user())
    assert other.get(f"/manage/events/{event.slug}/exports/{name}").status_code in (403, 404)


def test_missing_fonts_are_a_clear_error_not_a_crash(client, event, owner_headers, monkeypatch, tmp_path):
    monkeypatch.setattr(paper, "FONT_DIR", tmp_path)
    response = api(client, event, "badges.pdf", owner_headers)
    assert response.status_code == 503  # the server's fault, said plainly: which package, how to install
    error = response.get_json()["error"]
    assert error["code"] == "fonts_missing"
    assert "fonts-droid-fallback" in error["message"] and "make assets" in error["message"]


def test_the_door_list_and_badges_print_in_the_organizers_language(client, event, owner, owner_headers, tmp_path):
    register(event, "王芳", "wang@example.com")
    chinese = {**owner_headers, "Accept-Language": "zh-CN"}
    text = pdf_text(api(client, event, "door-list.pdf", chinese).get_data(), tmp_path)
    assert "王芳" in text and "姓名" in text and "票种" in text
    assert "第 1 页，共 1 页" in text and "年" in text  # the date as Chinese writes it
    empty = make_event(owner)
    badges = pdf_text(api(client, empty, "badges.pdf", chinese).get_data(), tmp_path)
    assert "没有符合当前筛选条件的已确认报名。" in badges
