"""Markdown to safe HTML: markdown-it-py renders, nh3 sanitises.

The options live in markdown_options.json, which the drafting room's preview
(static/js/drafting/markdown.js) reads too: one configuration, so the preview shows exactly what
the published page will. A single line break is a line break (`breaks`), as a letter's address
block or signature needs; a bare address is not turned into a link (`linkify` off), in both."""

from __future__ import annotations

import json
from pathlib import Path

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

OPTIONS = json.loads((Path(__file__).with_name("markdown_options.json")).read_text(encoding="utf-8"))

_markdown = MarkdownIt(OPTIONS["preset"], OPTIONS["options"]).enable(OPTIONS["enable"])


def render_unsanitised(text: str) -> str:
    """markdown-it-py's HTML for `text`, before sanitising (what the browser's markdown-it makes too)."""
    return _markdown.render(text or "")


def render_markdown(text: str) -> Markup:
    """Render letter Markdown to sanitised HTML, safe to put in a page."""
    clean = nh3.clean(
        render_unsanitised(text),
        tags=set(OPTIONS["allowed_tags"]),
        attributes={tag: set(names) for tag, names in OPTIONS["allowed_attributes"].items()},
        url_schemes=set(OPTIONS["url_schemes"]),
        link_rel=OPTIONS["link_rel"],
    )
    return Markup(clean)  # noqa: S704  (sanitised by nh3 just above)
