"""Word-level diffs between two texts, and their layouts for reading (pure: no Flask, no database).

:func:`word_diff` gives diff-match-patch tuples ``(op, text)`` (-1 deleted, 0 kept, 1 inserted)
over ordinary Python strings (code points): the diff runs on words, spaces and punctuation marks
as units, then a semantic clean-up folds the separators between two changes (a space, a comma and a
space) into them, so that "red car" -> "blue bike" reads as one change. The clean-up never folds a
kept word: unchanged text is never shown as deleted and inserted again (diff-match-patch's own
``diff_cleanupSemantic`` does that to any kept run shorter than the changes around it). Whatever the
clean-up does, the kept and deleted runs spell the old text and the kept and inserted runs spell the
new one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.sync import DeterministicDiffMatchPatch

DELETE, EQUAL, INSERT = -1, 0, 1

# Words (letters, digits, underscore: any script), runs of spaces, or one other character
# (punctuation, symbols, emoji).
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_WORD = re.compile(r"\w", re.UNICODE)

# Work budget of one diff (steps of Myers' bisection over tokens): past it, the rest of the diff
# is a plain delete/insert, deterministically.
DIFF_BUDGET = 2_000_000

Diffs = list[tuple[int, str]]


def _token_char(index: int) -> str:
    # Skip the surrogate block so that every token is one ordinary code point.
    return chr(index + 1 if index + 1 < 0xD800 else index + 1 + 0x800)


def _encode(text: str, table: dict[str, str], tokens: list[str]) -> str:
    out = []
    for token in _TOKEN.findall(text):
        char = table.get(token)
        if char is None:
            char = _token_char(len(tokens))
            table[token] = char
            tokens.append(token)
        out.append(char)
    return "".join(out)


def _token(char: str) -> int:
    """The index in the token table of a token's code (the inverse of :func:`_token_char`)."""
    return ord(char) - 1 if ord(char) < 0xD800 else ord(char) - 0x801


# Kept runs of at most this many separator tokens (no letter or digit) between two changes are
# folded into them.
FOLDED_SEPARATORS = 2


def _fold_separators(dmp: DeterministicDiffMatchPatch, encoded: Diffs, tokens: list[str]) -> Diffs:
    """The semantic clean-up over token codes: a short kept run of separators only (spaces,
    punctuation) between two changes joins them; kept words always stay kept."""
    out: Diffs = []
    folded = False
    for index, (op, chars) in enumerate(encoded):
        if (
            op == EQUAL
            and 0 < index < len(encoded) - 1
            and len(chars) <= FOLDED_SEPARATORS
            and encoded[index - 1][0] != EQUAL
            and encoded[index + 1][0] != EQUAL
            and not any(_WORD.search(tokens[_token(c)]) for c in chars)
        ):
            out.extend(((DELETE, chars), (INSERT, chars)))  # the changes on both sides now meet
            folded = True
        else:
            out.append((op, chars))
    if folded:
        dmp.diff_cleanupMerge(out)  # deletions together, then insertions
    return out


def _token_diff(old: str, new: str) -> Diffs:
    """diff-match-patch over tokens, semantically cleaned up over tokens, expanded to text."""
    if old == new:
        return [(EQUAL, old)] if old else []
    if not old or not new:
        return [(INSERT, new)] if new else [(DELETE, old)]
    table: dict[str, str] = {}
    tokens: list[str] = []
    encoded_old = _encode(old, table, tokens)
    encoded_new = _encode(new, table, tokens)
    dmp = DeterministicDiffMatchPatch(DIFF_BUDGET)
    encoded = _fold_separators(dmp, dmp.diff_main(encoded_old, encoded_new, False), tokens)
    diffs: Diffs = []
    for op, chars in encoded:
        text = "".join(tokens[_token(c)] for c in chars)
        if text:
            _push(diffs, op, text)
    return diffs


def _push(diffs: Diffs, op: int, text: str) -> None:
    if not text:
        return
    if diffs and diffs[-1][0] == op:
        diffs[-1] = (op, diffs[-1][1] + text)
    else:
        diffs.append((op, text))


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix, backed off to the start of the token it ends in."""
    n = _DMP.diff_commonPrefix(a, b)
    if n == 0 or (n == len(a) and n == len(b)):
        return n
    # The last token of the prefix may continue differently in each text: leave it out.
    tail = _LAST_TOKEN.search(a, max(0, n - 200), n)
    return tail.start() if tail else n


def _common_suffix(a: str, b: str) -> int:
    n = _DMP.diff_commonSuffix(a, b)
    if n == 0:
        return n
    head = _FIRST_TOKEN.match(a, len(a) - n, min(len(a), len(a) - n + 200))
    return n - (head.end() - head.start()) if head else n


# A word or run of spaces ending at the end of the searched span / starting at its start.
_LAST_TOKEN = re.compile(r"(?:\w+|\s+)\Z")
_FIRST_TOKEN = re.compile(r"\w+|\s+")
# Sentences and lines (with the spaces after them): the units of a first, coarse pass on long texts.
_CHUNK = re.compile(r"[^\n.!?]*(?:[.!?]+|\n)\s*|[^\n.!?]+")
# Above this many characters (both sides), diff sentences first and words within changed sentences.
CHUNKED_ABOVE = 4000
_DMP = DeterministicDiffMatchPatch(DIFF_BUDGET)


def _chunked_diff(old: str, new: str) -> Diffs:
    table: dict[str, str] = {}
    chunks: list[str] = []

    def encode(text: str) -> str:
        out = []
        for chunk in _CHUNK.findall(text):
            char = table.get(chunk)
            if char is None:
                char = _token_char(len(chunks))
                table[chunk] = char
                chunks.append(chunk)
            out.append(char)
        return "".join(out)

    encoded = DeterministicDiffMatchPatch(DIFF_BUDGET).diff_main(encode(old), encode(new), False)
    diffs: Diffs = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        for op, text in _token_diff("".join(deleted), "".join(inserted)):
            _push(diffs, op, text)
        deleted.clear()
        inserted.clear()

    for op, chars in encoded:
        text = "".join(chunks[_token(c)] for c in chars)
        if op == EQUAL:
            flush()
            _push(diffs, EQUAL, text)
        else:
            (deleted if op == DELETE else inserted).append(text)
    flush()
    return diffs


def word_diff(old: str, new: str) -> Diffs:
    """Word-level diff of two texts, semantically cleaned up, as (op, text) tuples.

    The diff and diff-match-patch's semantic clean-up both run on tokens (words, runs of spaces,
    single other characters), so a change is always a whole number of tokens. The common beginning
    and end are set aside first; long texts are compared sentence by sentence first, then word by
    word within the sentences that changed.
    """
    if old == new:
        return [(EQUAL, old)] if old else []
    prefix = _common_prefix(old, new)
    old_rest, new_rest = old[prefix:], new[prefix:]
    suffix = _common_suffix(old_rest, new_rest)
    old_mid = old_rest[: len(old_rest) - suffix]
    new_mid = new_rest[: len(new_rest) - suffix]
    diffs: Diffs = []
    _push(diffs, EQUAL, old[:prefix])
    middle = (
        _chunked_diff(old_mid, new_mid)
        if len(old_mid) + len(new_mid) > CHUNKED_ABOVE
        else _token_diff(old_mid, new_mid)
    )
    for op, text in middle:
        _push(diffs, op, text)
    _push(diffs, EQUAL, old_rest[len(old_rest) - suffix :])
    return diffs


def stats(diffs: Iterable[tuple[int, str]]) -> dict[str, int]:
    """How many characters were deleted and inserted."""
    deleted = inserted = 0
    for op, text in diffs:
        if op == DELETE:
            deleted += len(text)
        elif op == INSERT:
            inserted += len(text)
    return {"deleted": deleted, "inserted": inserted}


@dataclass
class SideBySideRow:
    """One row of a side-by-side diff: the old side's and the new side's (op, text) pieces."""

    old: Diffs = field(default_factory=list)
    new: Diffs = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(op != EQUAL for op, _ in self.old + self.new)


def side_by_side(diffs: Iterable[tuple[int, str]]) -> list[SideBySideRow]:
    """Rows aligned on the kept line breaks: each row is a line (or several changed lines) of
    both texts, so unchanged lines face each other."""
    rows: list[SideBySideRow] = []
    row = SideBySideRow()
    for op, text in diffs:
        if op != EQUAL:
            (row.old if op == DELETE else row.new).append((op, text))
            continue
        lines = text.split("\n")
        for i, piece in enumerate(lines):
            if piece:
                row.old.append((EQUAL, piece))
                row.new.append((EQUAL, piece))
            if i < len(lines) - 1:  # a kept line break ends the row on both sides
                row.old.append((EQUAL, "\n"))
                row.new.append((EQUAL, "\n"))
                rows.append(row)
                row = SideBySideRow()
    if row.old or row.new:
        rows.append(row)
    return rows


def hunks(diffs: Diffs, context: int = 80) -> list[Diffs]:
    """The changes with up to `context` characters of kept text around each (for short previews);
    kept text between two changes that is longer than twice the context splits them."""
    out: list[Diffs] = []
    current: Diffs = []
    for index, (op, text) in enumerate(diffs):
        if op != EQUAL:
            current.append((op, text))
            continue
        first = index == 0
        last = index == len(diffs) - 1
        if first:
            current.append((EQUAL, _tail(text, context)))
        elif last:
            current.append((EQUAL, _head(text, context)))
        elif len(text) > 2 * context:
            current.append((EQUAL, _head(text, context)))
            out.append(current)
            current = [(EQUAL, _tail(text, context))]
        else:
            current.append((EQUAL, text))
    if any(op != EQUAL for op, _ in current):
        out.append(current)
    return out


def _head(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _tail(text: str, n: int) -> str:
    return text if len(text) <= n else "…" + text[-n:]
