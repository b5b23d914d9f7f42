"""Registration, ticket, door and back office pages asked in Chinese speak Chinese (headings,
buttons, form errors, flash messages), keep <html lang="zh-CN">, and still read in English."""

from __future__ import annotations

from sqlalchemy import select

from eventsys.extensions import db
from eventsys.registration.models import Registration
from eventsys.registration.services import RegistrationRequest, register_attendee
from tests.checkin_helpers import attendee, door_config
from tests.conftest import post_form
from tests.html_pages import location_path, page
from tests.test_languages import html_lang

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def test_registering_in_chinese(client, event):
    form = client.get(f"/events/{event.slug}", headers=ZH)
    assert html_lang(form) == "zh-CN"
    assert '<h2 id="register-heading">报名</h2>' in page(form).html
    assert "门票将发送到此邮箱。" in page(form).text()

    refused = post_form(client, f"/events/{event.slug}/register", {"name": "", "email": ""}, headers=ZH)
    assert refused.status_code == 422
    assert page(refused).error("name") == "请输入姓名。"
    assert page(refused).error("email") == "请输入电子邮箱。"

    done = post_form(
        client, f"/events/{event.slug}/register", {"name": "王芳", "email": "wang.fang@zju.edu.cn"}, headers=ZH
    )
    ticket = client.get(location_path(done), headers=ZH)
    assert html_lang(ticket) == "zh-CN"
    text = page(ticket).text()
    assert "报名成功！这是您的门票，我们也已通过邮件发送给您。" in text  # the flash
    assert "我的报名" in text and "已确认" in text and "取消我的报名…" in text


def test_the_ticket_page_still_reads_in_english(client, event):
    done = post_form(client, f"/events/{event.slug}/register", {"name": "Ana", "email": "ana@example.org"}, headers=EN)
    text = page(client.get(location_path(done), headers=EN)).text()
    assert "You are registered. Here is your ticket; we have e-mailed it to you too." in text
    assert "Show this at the door. Code:" in text and "Confirmed" in text


def test_the_back_office_list_and_a_bulk_action_in_chinese(organizer, event):
    person = register_attendee(event, RegistrationRequest("Zhang Wei", "zhang.wei@zju.edu.cn", None, {}))
    base = f"/manage/events/{event.slug}/registrations"
    listing = organizer.get(base, headers=ZH)
    assert html_lang(listing) == "zh-CN"
    doc = page(listing)
    assert "<h1>报名名单 " in doc.html and "手动添加参会者" in doc.text()
    assert "全部" in doc.text() and "待审核" in doc.text()  # tabs
    assert '<span class="badge badge-confirmed">已确认</span>' in doc.html  # a status, through its label
    assert '<button type="submit" class="button primary">显示</button>' in doc.html

    asked = page(post_form(organizer, f"{base}/bulk", {"action": "cancel", "codes": [person.code]}, headers=ZH))
    assert "<h1>确定取消 1 人的报名吗？</h1>" in asked.html
    assert "是的，取消 1 人的报名" in asked.text()
    english = page(post_form(organizer, f"{base}/bulk", {"action": "cancel", "codes": [person.code]}, headers=EN))
    assert "<h1>Cancel 1 person?</h1>" in english.html and "Yes, cancel 1 person" in english.text()

    nothing = post_form(organizer, f"{base}/bulk", {"action": "cancel"}, headers=ZH)
    assert "请先至少选择一条报名。" in page(organizer.get(location_path(nothing), headers=ZH)).text()


def test_adding_someone_by_hand_in_chinese(organizer, event):
    new = f"/manage/events/{event.slug}/registrations/new"
    refused = post_form(organizer, new, {"name": "", "email": ""}, headers=ZH)
    assert refused.status_code == 422
    assert page(refused).error("name") == "请输入姓名。"
    assert "<h1>手动添加参会者</h1>" in page(refused).html

    added = post_form(organizer, new, {"name": "陈静", "email": "", "notify": ""}, headers=ZH)
    shown = page(organizer.get(location_path(added), headers=ZH))
    assert "已添加 陈静：已确认。" in shown.text()
    assert "立即签到" in shown.text() and "历史记录" in shown.text()
    code = db.session.scalar(select(Registration.code).where(Registration.name == "陈静"))
    asked = page(organizer.get(f"/manage/events/{event.slug}/registrations/{code}/cancel", headers=ZH))
    assert "<h1>确定取消 陈静 的报名吗？</h1>" in asked.html


def test_door_access_and_the_door_page_in_chinese(organizer, event):
    access = f"/manage/events/{event.slug}/door-access"
    shown = organizer.get(access, headers=ZH)
    assert html_lang(shown) == "zh-CN" and "<h1>入口权限</h1>" in page(shown).html

    refused = post_form(organizer, f"/manage/events/{event.slug}/door-links", {"label": ""}, headers=ZH)
    assert refused.status_code == 422
    assert page(refused).error("label") == "请填写入口名称，例如“北门”。"

    invited = post_form(
        organizer, f"/manage/events/{event.slug}/door-staff", {"email": "li.na@example.org"}, headers=ZH
    )
    assert "邀请已发送至 li.na@example.org。" in page(organizer.get(location_path(invited), headers=ZH)).text()

    door = page(organizer.get(f"/events/{event.slug}/door", headers=ZH))
    assert "可以扫码了" in door.text() and ">验票</button>" in door.html
    dashboard = page(organizer.get(f"/manage/events/{event.slug}/checkins", headers=ZH))
    assert "<h1>签到</h1>" in dashboard.html and "还没有扫码记录。" in dashboard.text()


def test_the_live_arrivals_caption_speaks_the_pages_language(organizer, event, gate):
    stats = f"/manage/events/{event.slug}/checkins/stats.json"
    assert organizer.get(stats, headers=ZH).json["arrivals_summary"] == "还没有人到场。"
    li = attendee(event, "Li Wei")
    organizer.post(f"/api/v1/events/{event.slug}/checkins", json={"code": li.code}, headers=gate)
    caption = "共 1 个 5 分钟时段有人到场；最多一个时段 1 人。"
    assert organizer.get(stats, headers=ZH).json["arrivals_summary"] == caption  # what the page's script shows
    assert caption in page(organizer.get(f"/manage/events/{event.slug}", headers=ZH)).text()
    assert organizer.get(stats, headers=EN).json["arrivals_summary"].startswith("1 five-minute periods")


def test_the_door_script_gets_its_words_with_the_page(organizer, event):
    chinese = door_config(organizer.get(f"/events/{event.slug}/door", headers=ZH))["words"]
    assert chinese["result_invalid"] == "无效门票"
    assert chinese["code_read"] == "读取到的票号：%(code)s"  # the script fills in the placeholders
    assert chinese["leave_question"]["one"] == chinese["leave_question"]["other"]
    english = door_config(organizer.get(f"/events/{event.slug}/door", headers=EN))["words"]
    assert english["result_invalid"] == "Unknown ticket" and english["check_out"] == "Check out"
    assert english["leave_question"]["one"].startswith("%(num)s scan is not sent yet.")
    assert english["leave_question"]["other"].startswith("%(num)s scans are not sent yet.")


def test_the_list_script_counts_the_selected_in_the_pages_language(organizer, event):
    register_attendee(event, RegistrationRequest("Zhang Wei", "zhang.wei@zju.edu.cn", None, {}))
    base = f"/manage/events/{event.slug}/registrations"
    assert 'data-words="已选 %(num)s 人"' in page(organizer.get(base, headers=ZH)).html
    assert 'data-words="%(num)s selected"' in page(organizer.get(base, headers=EN)).html


def test_the_attendees_mail_follows_the_language_of_the_page_they_registered_on(client, event):
    post_form(client, f"/events/{event.slug}/register?lang=zh-CN", {"name": "李娜", "email": "li.na@example.org"})
    post_form(client, f"/events/{event.slug}/register?lang=en", {"name": "Ana", "email": "ana@example.org"})
    locales = dict(db.session.execute(select(Registration.name, Registration.locale)).all())
    assert locales == {"李娜": "zh-CN", "Ana": "en"}
