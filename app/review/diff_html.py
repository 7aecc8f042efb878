"""HTML for diffs and authorship, built in Python (long letters make thousands of pieces).

Insertions and deletions are <ins> and <del> with visible text markers ({+ +} and [- -]) and
visually hidden words for screen readers, so a diff reads the same without colour or CSS. Every
piece of text is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.review.textdiff import DELETE, EQUAL, INSERT


def _text(piece: str, changed: bool) -> str:
    escaped = str(escape(piece))
    if changed and "\n" in piece:  # show changed line breaks
        escaped = escaped.replace("\n", '<span class="diff-nl" aria-hidden="true">¶</span>\n')
    return escaped


def change_html(op: int, piece: str) -> str:
    if op == EQUAL:
        return _text(piece, False)
    if op == DELETE:
        return (
            '<del class="diff-del"><span class="diff-mark" aria-hidden="true">[-</span>'
            f'<span class="visually-hidden">{escape(_("deleted:"))} </span>{_text(piece, True)}'
            f'<span class="visually-hidden"> {escape(_("end of deletion"))}</span>'
            '<span class="diff-mark" aria-hidden="true">-]</span></del>'
        )
    if op == INSERT:
        return (
            '<ins class="diff-ins"><span class="diff-mark" aria-hidden="true">{+</span>'
            f'<span class="visually-hidden">{escape(_("inserted:"))} </span>{_text(piece, True)}'
            f'<span class="visually-hidden"> {escape(_("end of insertion"))}</span>'
            '<span class="diff-mark" aria-hidden="true">+}</span></ins>'
        )
    raise ValueError(op)


def diff_html(diffs: Iterable[tuple[int, str]]) -> Markup:
    """Inline diff: kept text plain, deletions and insertions marked."""
    return Markup("".join(change_html(op, piece) for op, piece in diffs))  # noqa: S704  (escaped above)


def blame_html(pieces: list[tuple[str, int, int, str]]) -> Markup:
    """Authorship: (text, revision, author index, label) runs as spans the page's script and CSS use."""
    out = []
    for index, (piece, revision, author_index, label) in enumerate(pieces):
        out.append(
            f'<span class="blame-run author-{author_index % 8}" data-run="{index}" data-revision="{revision}" '
            f'title="{escape(label)}">{escape(piece)}</span>'
        )
    return Markup("".join(out))  # noqa: S704  (escaped above)
