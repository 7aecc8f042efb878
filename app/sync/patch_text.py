"""Patch text in diff-match-patch's ``patch_toText`` format, counted in UTF-16 code units.

Everything here works on UTF-16 views (see :mod:`app.sync.text`). The format is the one
JavaScript diff-match-patch 1.0.5 writes and reads, byte for byte:

* a hunk header ``@@ -a,b +c,d @@`` (1-based starts; ``-a`` alone means length 1 and
  ``-a,0`` an empty range *after* position a), then one line per diff: ``' '`` equal,
  ``'-'`` delete, ``'+'`` insert;
* each line's text is ``encodeURI``-encoded (UTF-8 percent escapes, except for
  ``A-Z a-z 0-9 - _ . ! ~ * ' ( ) ; / ? : @ & = + $ , #``), with ``%20`` turned back into
  a space;
* parsing follows ``decodeURI``: escapes of ``; / ? : @ & = + $ , #`` stay as written,
  malformed escapes or invalid UTF-8 are errors.

Hunks apply *in order*, each at its ``start2`` in the text as patched by the hunks before
it (diff-match-patch's rolling context). Here they apply *exactly*: every hunk's context
and deleted text must sit exactly at that position, with no fuzzy matching.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from . import operations as ot
from .diffs import DIFF_DELETE, DIFF_EQUAL, DIFF_INSERT, to_diffs
from .errors import BadPatch, Conflict
from .text import from_utf16_view, has_surrogates, is_high_surrogate, is_low_surrogate, splits_pair, to_utf16_view

PATCH_MARGIN = 4  # diff-match-patch's Patch_Margin
MATCH_MAX_BITS = 32  # diff-match-patch's Match_MaxBits

_HEADER = re.compile(r"@@ -([0-9]+),?([0-9]*) \+([0-9]+),?([0-9]*) @@")
_ESCAPE_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_URI_SAFE = "!~*'();/?:@&=+$,# "  # with A-Z a-z 0-9 _ . - ~ always safe: encodeURI's set, plus space
_DECODE_RESERVED = frozenset(";/?:@&=+$,#")
_MAX_NUMBER_DIGITS = 9


@dataclass(slots=True)
class Hunk:
    """One hunk: positions and lengths in UTF-16 units, diff texts as UTF-16 views."""

    start1: int = 0
    start2: int = 0
    length1: int = 0
    length2: int = 0
    diffs: list[tuple[int, str]] = field(default_factory=list)

    def texts(self) -> tuple[str, str]:
        """The old text (equalities and deletions) and new text (equalities and insertions)."""
        old = "".join(t for kind, t in self.diffs if kind != DIFF_INSERT)
        new = "".join(t for kind, t in self.diffs if kind != DIFF_DELETE)
        return old, new

    def header(self) -> str:
        """The ``@@ -a,b +c,d @@`` line, as diff-match-patch writes it."""
        return f"@@ -{_coords(self.start1, self.length1)} +{_coords(self.start2, self.length2)} @@"


def _coords(start: int, length: int) -> str:
    if length == 0:
        return f"{start},0"
    if length == 1:
        return str(start + 1)
    return f"{start + 1},{length}"


# -- text format ------------------------------------------------------------------------


def encode_line(view: str) -> str:
    """``encodeURI(text)`` with ``%20`` as a space, for a UTF-16 view without lone surrogates."""
    return quote(from_utf16_view(view), safe=_URI_SAFE)


def decode_line(line: str) -> str:
    """``decodeURI(line)`` (as an ordinary string); ``ValueError`` where JavaScript would throw."""
    if "%" not in line:
        return line
    out: list[str] = []
    pos = 0
    for m in _ESCAPE_RUN.finditer(line):
        if "%" in line[pos : m.start()]:
            raise ValueError("malformed escape")
        out.append(line[pos : m.start()])
        run = m.group()
        data = bytes.fromhex(run.replace("%", ""))
        i = 0
        while i < len(data):
            b = data[i]
            if b < 0x80:
                ch = chr(b)
                out.append(run[3 * i : 3 * i + 3] if ch in _DECODE_RESERVED else ch)
                i += 1
                continue
            if 0xC0 <= b < 0xE0:
                n = 2
            elif 0xE0 <= b < 0xF0:
                n = 3
            elif 0xF0 <= b < 0xF8:
                n = 4
            else:
                raise ValueError("invalid UTF-8 lead byte")
            if i + n > len(data):
                raise ValueError("truncated UTF-8 sequence")
            out.append(data[i : i + n].decode("utf-8"))  # strict: rejects overlong forms and surrogates
            i += n
        pos = m.end()
    if "%" in line[pos:]:
        raise ValueError("malformed escape")
    out.append(line[pos:])
    return "".join(out)


def _number(digits: str) -> int:
    if len(digits) > _MAX_NUMBER_DIGITS:
        raise BadPatch("patch offset out of range")
    return int(digits)


def parse_patch(text: str) -> list[Hunk]:
    """Parse patch text (as ``patch_fromText`` does) into hunks over UTF-16 views.

    Raises :class:`BadPatch` where JavaScript diff-match-patch would throw, and also when
    a header's lengths disagree with its lines or a start is negative.
    """
    if not isinstance(text, str):
        raise BadPatch("patch must be a string")
    if has_surrogates(text):
        raise BadPatch("patch contains unpaired surrogates")
    hunks: list[Hunk] = []
    if not text:
        return hunks
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = _HEADER.fullmatch(lines[i])
        if not m:
            raise BadPatch(f"invalid patch header: {lines[i][:60]!r}")
        hunk = Hunk()
        s1, l1, s2, l2 = m.groups()
        hunk.start1, hunk.length1 = _range(_number(s1), l1)
        hunk.start2, hunk.length2 = _range(_number(s2), l2)
        i += 1
        while i < len(lines):
            line = lines[i]
            if not line:
                i += 1  # blank line: ignored, as diff-match-patch does
                continue
            sign = line[0]
            if sign == "@":
                break
            kind = {"-": DIFF_DELETE, "+": DIFF_INSERT, " ": DIFF_EQUAL}.get(sign)
            if kind is None:
                raise BadPatch(f"invalid patch line: {line[:60]!r}")
            try:
                body = decode_line(line[1:])
            except (ValueError, UnicodeDecodeError) as exc:
                raise BadPatch(f"illegal escape in patch: {line[:60]!r}") from exc
            hunk.diffs.append((kind, to_utf16_view(body)))
            i += 1
        old, new = hunk.texts()
        if len(old) != hunk.length1 or len(new) != hunk.length2:
            raise BadPatch("hunk lengths do not match its header")
        if hunk.start1 < 0 or hunk.start2 < 0:
            raise BadPatch("negative hunk start")
        hunks.append(hunk)
    return hunks


def _range(start: int, length: str) -> tuple[int, int]:
    # Mirrors patch_fromText: "-a" is (a-1, 1), "-a,0" is (a, 0), "-a,n" is (a-1, n).
    if length == "":
        return start - 1, 1
    if length == "0":
        return start, 0
    return start - 1, int(length)


def serialise_patch(hunks: Sequence[Hunk]) -> str:
    """Patch text for ``hunks``, byte for byte as ``patch_toText`` writes it."""
    out: list[str] = []
    signs = {DIFF_INSERT: "+", DIFF_DELETE: "-", DIFF_EQUAL: " "}
    for hunk in hunks:
        out.append(hunk.header() + "\n")
        for kind, text in hunk.diffs:
            out.append(signs[kind] + encode_line(text) + "\n")
    return "".join(out)


# -- making hunks -----------------------------------------------------------------------


def _occurs_twice(text: str, pattern: str) -> bool:
    """``text.indexOf(pattern) != text.lastIndexOf(pattern)``, usually without scanning it all."""
    first = text.find(pattern)
    return first != -1 and text.find(pattern, first + 1) != -1


def _add_context(hunk: Hunk, text: str) -> None:
    """diff-match-patch's patch_addContext_, widened so context never cuts a surrogate pair."""
    if not text:
        return
    pattern = text[hunk.start2 : hunk.start2 + hunk.length1]
    padding = 0
    while _occurs_twice(text, pattern) and len(pattern) < MATCH_MAX_BITS - 2 * PATCH_MARGIN:
        padding += PATCH_MARGIN
        pattern = text[max(0, hunk.start2 - padding) : hunk.start2 + hunk.length1 + padding]
    padding += PATCH_MARGIN

    prefix_start = max(0, hunk.start2 - padding)
    if 0 < prefix_start < hunk.start2 and is_low_surrogate(text[prefix_start]):
        prefix_start -= 1
    prefix = text[prefix_start : hunk.start2]
    if prefix:
        hunk.diffs.insert(0, (DIFF_EQUAL, prefix))

    suffix_start = hunk.start2 + hunk.length1
    suffix_end = min(len(text), suffix_start + padding)
    if suffix_start < suffix_end < len(text) and is_high_surrogate(text[suffix_end - 1]):
        suffix_end += 1
    suffix = text[suffix_start:suffix_end]
    if suffix:
        hunk.diffs.append((DIFF_EQUAL, suffix))

    hunk.start1 -= len(prefix)
    hunk.start2 -= len(prefix)
    hunk.length1 += len(prefix) + len(suffix)
    hunk.length2 += len(prefix) + len(suffix)


def make_hunks(text1: str, diffs: Sequence[tuple[int, str]]) -> list[Hunk]:
    """``patch_make(text1, diffs)`` of diff-match-patch 1.0.5 (JavaScript), on UTF-16 views.

    ``diffs`` must not split surrogate pairs; the context added around each hunk is
    widened by one unit where it would.
    """
    hunks: list[Hunk] = []
    if not diffs:
        return hunks
    hunk = Hunk()
    char_count1 = 0
    char_count2 = 0
    prepatch = text1
    # Changes of the open hunk, applied to `prepatch` when the hunk closes (the library
    # applies them diff by diff; the result is the same).
    core_start = 0
    core_old = 0
    core_new: list[str] = []
    last = len(diffs) - 1

    def close() -> None:
        nonlocal hunk, prepatch, char_count1
        _add_context(hunk, prepatch)
        hunks.append(hunk)
        prepatch = prepatch[:core_start] + "".join(core_new) + prepatch[core_start + core_old :]
        hunk = Hunk()
        core_new.clear()
        char_count1 = char_count2

    for x, (kind, text) in enumerate(diffs):
        if not hunk.diffs and kind != DIFF_EQUAL:
            hunk.start1 = char_count1
            hunk.start2 = char_count2
            core_start = char_count2
            core_old = 0
        if kind == DIFF_INSERT:
            hunk.diffs.append((kind, text))
            hunk.length2 += len(text)
            core_new.append(text)
        elif kind == DIFF_DELETE:
            hunk.diffs.append((kind, text))
            hunk.length1 += len(text)
            core_old += len(text)
        elif len(text) <= 2 * PATCH_MARGIN and hunk.diffs and x != last:
            # Small equality inside a hunk.
            hunk.diffs.append((kind, text))
            hunk.length1 += len(text)
            hunk.length2 += len(text)
            core_old += len(text)
            core_new.append(text)
        elif len(text) >= 2 * PATCH_MARGIN and hunk.diffs:
            close()  # a long equality ends the hunk
        if kind != DIFF_INSERT:
            char_count1 += len(text)
        if kind != DIFF_DELETE:
            char_count2 += len(text)
    if hunk.diffs:
        close()
    return hunks


def patch_from_operation(base: str, ops: Sequence[ot.Component]) -> str:
    """Patch text that turns ``base`` (a UTF-16 view) into ``apply_operation(base, ops)``."""
    return serialise_patch(make_hunks(base, to_diffs(base, ops)))


# -- applying ---------------------------------------------------------------------------


def apply_hunks(base: str, hunks: Sequence[Hunk]) -> tuple[str, ot.Operation]:
    """Apply hunks exactly to ``base`` (a UTF-16 view).

    Returns the new view and the operation the hunks performed (their composition, in
    canonical form). Raises :class:`Conflict` if a hunk does not sit exactly where it
    says or would cut a surrogate pair.
    """
    fast = _apply_sorted(base, hunks)
    if fast is not None:
        return fast
    return _apply_general(base, hunks)


def _hunk_ops(hunk: Hunk, ops: ot.Operation) -> None:
    for kind, text in hunk.diffs:
        if kind == DIFF_EQUAL:
            ot.push_retain(ops, len(text))
        elif kind == DIFF_DELETE:
            ot.push_delete(ops, len(text))
        else:
            ot.push_insert(ops, text)


def _check_at(text: str, at: int, old: str, index: int) -> None:
    if at + len(old) > len(text) or text[at : at + len(old)] != old:
        raise Conflict(f"hunk {index + 1} does not apply exactly at offset {at}")
    if not old and splits_pair(text, at):
        raise Conflict(f"hunk {index + 1} would split a surrogate pair")


def _apply_sorted(base: str, hunks: Sequence[Hunk]) -> tuple[str, ot.Operation] | None:
    """One pass, for hunks whose changes come in order (context may overlap); else None."""
    ops: ot.Operation = []
    parts: list[str] = []
    pos = 0  # base offset up to which the result has been written
    delta = 0  # length change of the hunks so far
    changed_until = 0  # end of the previous hunk's last change, in the patched text
    for index, hunk in enumerate(hunks):
        if hunk.start2 < changed_until:
            return None
        # From `changed_until` on, the patched text is the base shifted by `delta`.
        at = hunk.start2 - delta
        old, new = hunk.texts()
        _check_at(base, at, old, index)
        cur = at
        for kind, text in hunk.diffs:
            if kind == DIFF_EQUAL:
                cur += len(text)
                continue
            parts.append(base[pos:cur])
            ot.push_retain(ops, cur - pos)
            pos = cur
            if kind == DIFF_DELETE:
                ot.push_delete(ops, len(text))
                pos += len(text)
                cur += len(text)
            else:
                parts.append(text)
                ot.push_insert(ops, text)
        delta += len(new) - len(old)
        changed_until = pos + delta
    parts.append(base[pos:])
    ot.push_retain(ops, len(base) - pos)
    return "".join(parts), ops


def _apply_general(base: str, hunks: Sequence[Hunk]) -> tuple[str, ot.Operation]:
    """Hunk by hunk on the text, then the hunks' operations composed pairwise (any order)."""
    text = base
    hunk_ops: list[ot.Operation] = []
    for index, hunk in enumerate(hunks):
        at = hunk.start2
        old, new = hunk.texts()
        _check_at(text, at, old, index)
        ops: ot.Operation = []
        ot.push_retain(ops, at)
        _hunk_ops(hunk, ops)
        ot.push_retain(ops, len(text) - at - len(old))
        hunk_ops.append(ops)
        text = text[:at] + new + text[at + len(old) :]
    if not hunk_ops:
        return text, ot.identity(len(base))
    # Composing in a balanced tree keeps the cost near-linear in the number of hunks.
    while len(hunk_ops) > 1:
        paired = [ot.compose_operations(hunk_ops[i], hunk_ops[i + 1]) for i in range(0, len(hunk_ops) - 1, 2)]
        if len(hunk_ops) % 2:
            paired.append(hunk_ops[-1])
        hunk_ops = paired
    return text, hunk_ops[0]
