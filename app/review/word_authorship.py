"""Whole-word authorship for reading (pure): blame runs rounded so that no word is split between
two people. The API's blame stays exact, character by character; the authorship page reads words."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from itertools import accumulate

_NONSPACE = re.compile(r"\S*")


def whole_words(pieces: list[tuple[str, int]], author_of: Callable[[int], object]) -> list[tuple[str, int]]:
    """The (piece, revision) runs with every word credited to one author, for reading.

    A word is a run of characters other than spaces ("7:45", "don't", "Street,"). A word written by
    several people goes to the author of most of its characters (a tie: the author of the newest of
    the tied revisions), credited to that author's newest revision in the word; so a typo fixed by
    someone else stays with the word's writer. Spaces keep the revision that wrote them. The pieces
    joined are still the text."""
    if len(pieces) < 2:
        return list(pieces)
    text = "".join(piece for piece, _ in pieces)
    ends = list(accumulate(len(piece) for piece, _ in pieces))
    starts = [0, *ends[:-1]]
    overrides: list[tuple[int, int, int]] = []  # (start, end, revision) of the words to recredit
    done = 0
    for boundary in ends[:-1]:
        if boundary < done or text[boundary - 1].isspace() or text[boundary].isspace():
            continue
        start = boundary
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        end = _NONSPACE.match(text, boundary).end()
        counts: dict[object, int] = {}
        newest: dict[object, int] = {}
        index = bisect_right(starts, start) - 1
        while index < len(pieces) and starts[index] < end:
            revision = pieces[index][1]
            author = author_of(revision)
            counts[author] = counts.get(author, 0) + min(end, ends[index]) - max(start, starts[index])
            newest[author] = max(newest.get(author, -1), revision)
            index += 1
        winner = max(counts, key=lambda a: (counts[a], newest[a]))
        overrides.append((start, end, newest[winner]))
        done = end
    out: list[tuple[str, int]] = []

    def push(piece: str, revision: int) -> None:
        if not piece:
            return
        if out and out[-1][1] == revision:
            out[-1] = (out[-1][0] + piece, revision)
        else:
            out.append((piece, revision))

    at = 0
    for start, end, revision in overrides:
        _copy(pieces, starts, ends, at, start, push)
        push(text[start:end], revision)
        at = end
    _copy(pieces, starts, ends, at, len(text), push)
    return out


def _copy(
    pieces: list[tuple[str, int]], starts: list[int], ends: list[int], a: int, b: int, push: Callable[[str, int], None]
) -> None:
    """Push the text a..b with the revisions of the pieces it falls in."""
    if a >= b:
        return
    index = bisect_right(starts, a) - 1
    while index < len(pieces) and starts[index] < b:
        piece, revision = pieces[index]
        push(piece[max(a, starts[index]) - starts[index] : min(b, ends[index]) - starts[index]], revision)
        index += 1
