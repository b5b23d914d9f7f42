"""An event's description as its organizer wrote it: a safe subset of Markdown (paragraphs, line
breaks, lists, emphasis, links), rendered with markdown-it-py and sanitised with nh3.

Raw HTML in the text is shown as text, never run; links keep only http, https and mailto.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(["image"])
# The page has its own h1 and h2: a description's headings sit below them.
HEADING_LEVELS = {"1": "3", "2": "3", "3": "3", "4": "4", "5": "4", "6": "4"}
HEADING = re.compile(r"<(/?)h([1-6])>")
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote", "code", "pre", "hr"}


def description_html(text: str | None) -> Markup:
    """The description as safe HTML."""
    html = HEADING.sub(lambda m: f"<{m[1]}h{HEADING_LEVELS[m[2]]}>", _MARKDOWN.render(text or ""))
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)
