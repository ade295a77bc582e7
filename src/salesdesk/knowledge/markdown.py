"""Markdown to safe HTML: CommonMark (raw HTML off) rendered by markdown-it-py, then nh3.

Rendering with raw HTML disabled already escapes ``<script>``; nh3 (the Rust ammonia
sanitiser) is the second wall, and the one that drops ``javascript:`` and ``data:`` URLs
that Markdown links and images can carry.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitise(html: str) -> str:
    """Keep formatting tags and http(s)/mailto links only; scripts, handlers and styles go."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render(text: str) -> str:
    """Markdown source → sanitised HTML, safe to mark_safe in a template."""
    return sanitise(_md.render(text or ""))
