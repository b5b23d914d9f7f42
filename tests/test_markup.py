"""An event's description: paragraphs, line breaks and lists kept; nothing the organizer types runs."""

from __future__ import annotations

from eventsys.markup import description_html


def test_paragraphs_line_breaks_lists_and_emphasis_are_kept():
    html = description_html("Day one\nDoors open at 9:00\n\n- AI\n- **Hardware**\n\n1. Talks\n2. Dinner")
    assert "<p>Day one<br>\nDoors open at 9:00</p>" in html
    assert "<ul>\n<li>AI</li>\n<li><strong>Hardware</strong></li>\n</ul>" in html
    assert "<ol>\n<li>Talks</li>" in html


def test_chinese_text_and_links_come_through_and_unsafe_ones_do_not():
    html = description_html("欢迎来到杭州！[报名须知](https://tecom.example/faq) [x](javascript:alert(1))")
    assert "欢迎来到杭州！" in html
    assert '<a href="https://tecom.example/faq" rel="noopener noreferrer nofollow">报名须知</a>' in html
    assert 'href="javascript' not in html


def test_raw_html_is_shown_as_text_and_headings_sit_below_the_page_s():
    html = description_html('<script>alert(1)</script><img src=x onerror=alert(1)>\n\n# Programme\n\n## Talks')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert "<h3>Programme</h3>" in html and "<h3>Talks</h3>" in html and "<h1>" not in html
