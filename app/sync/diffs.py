"""Diffs: deterministic diff-match-patch diffs, and operations made from them and turned into them.

:func:`diff` is diff-match-patch's ``diff_main`` with the clean-ups ``patch_make`` applies,
made deterministic: instead of a timeout, the bisection has a work budget
(:class:`DeterministicDiffMatchPatch`), so the same two texts always give the same diff on
every machine and under any load. :func:`operation_between` turns the diff of two ordinary strings
into an operation in UTF-16 units; :func:`to_diffs` turns an operation back into diff tuples
(what ``patch_make`` takes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from diff_match_patch import diff_match_patch

from .operations import Component, Operation, base_length, push_delete, push_insert, push_retain
from .text import to_utf16_view

DIFF_DELETE = -1
DIFF_INSERT = 1
DIFF_EQUAL = 0

# Work budget (inner steps of the Myers bisection) for one diff. When it runs out, the
# rest of the diff is expressed as delete-all/insert-all, like diff-match-patch does on
# its timeout, but deterministically: the same texts always give the same diff.
DIFF_BUDGET = 500_000


class DeterministicDiffMatchPatch(diff_match_patch):
    """diff-match-patch whose bisection stops after a work budget instead of a timeout."""

    def __init__(self, budget: int) -> None:
        super().__init__()
        self.budget = budget

    def diff_bisect(self, text1: str, text2: str, deadline: float) -> list[tuple[int, str]]:
        # Myers' middle snake, as in diff_match_patch.diff_bisect, with the time check
        # replaced by a step budget shared by the whole diff.
        text1_length = len(text1)
        text2_length = len(text2)
        max_d = (text1_length + text2_length + 1) // 2
        v_offset = max_d
        v_length = 2 * max_d
        v1 = [-1] * v_length
        v1[v_offset + 1] = 0
        v2 = v1[:]
        delta = text1_length - text2_length
        front = delta % 2 != 0
        k1start = k1end = k2start = k2end = 0
        for d in range(max_d):
            if self.budget <= 0:
                break
            steps = 0
            for k1 in range(-d + k1start, d + 1 - k1end, 2):
                k1_offset = v_offset + k1
                if k1 == -d or (k1 != d and v1[k1_offset - 1] < v1[k1_offset + 1]):
                    x1 = v1[k1_offset + 1]
                else:
                    x1 = v1[k1_offset - 1] + 1
                y1 = x1 - k1
                x_start = x1
                while x1 < text1_length and y1 < text2_length and text1[x1] == text2[y1]:
                    x1 += 1
                    y1 += 1
                steps += 1 + x1 - x_start
                v1[k1_offset] = x1
                if x1 > text1_length:
                    k1end += 2
                elif y1 > text2_length:
                    k1start += 2
                elif front:
                    k2_offset = v_offset + delta - k1
                    if 0 <= k2_offset < v_length and v2[k2_offset] != -1:
                        x2 = text1_length - v2[k2_offset]
                        if x1 >= x2:
                            self.budget -= steps
                            return self.diff_bisectSplit(text1, text2, x1, y1, deadline)
            for k2 in range(-d + k2start, d + 1 - k2end, 2):
                k2_offset = v_offset + k2
                if k2 == -d or (k2 != d and v2[k2_offset - 1] < v2[k2_offset + 1]):
                    x2 = v2[k2_offset + 1]
                else:
                    x2 = v2[k2_offset - 1] + 1
                y2 = x2 - k2
                x_start = x2
                while x2 < text1_length and y2 < text2_length and text1[-x2 - 1] == text2[-y2 - 1]:
                    x2 += 1
                    y2 += 1
                steps += 1 + x2 - x_start
                v2[k2_offset] = x2
                if x2 > text1_length:
                    k2end += 2
                elif y2 > text2_length:
                    k2start += 2
                elif not front:
                    k1_offset = v_offset + delta - k2
                    if 0 <= k1_offset < v_length and v1[k1_offset] != -1:
                        x1 = v1[k1_offset]
                        y1 = v_offset + x1 - k1_offset
                        x2 = text1_length - x2
                        if x1 >= x2:
                            self.budget -= steps
                            return self.diff_bisectSplit(text1, text2, x1, y1, deadline)
            self.budget -= steps
        return [(self.DIFF_DELETE, text1), (self.DIFF_INSERT, text2)]


def diff(old: str, new: str) -> list[tuple[int, str]]:
    """Deterministic diff-match-patch diffs between two strings, cleaned up as ``patch_make`` does.

    Works on whatever units the strings have; give it ordinary ``str`` (code points) so
    that no surrogate pair can be split.
    """
    if old == new:
        return [(DIFF_EQUAL, old)] if old else []
    dmp = DeterministicDiffMatchPatch(DIFF_BUDGET)
    diffs = dmp.diff_main(old, new, True)
    if len(diffs) > 2:
        dmp.diff_cleanupSemantic(diffs)
        dmp.diff_cleanupEfficiency(diffs)
    return diffs


def from_diffs(diffs: Iterable[tuple[int, str]]) -> Operation:
    """Operation from diff-match-patch tuples (strings already in the units wanted)."""
    ops: Operation = []
    for kind, text in diffs:
        if kind == DIFF_EQUAL:
            push_retain(ops, len(text))
        elif kind == DIFF_DELETE:
            push_delete(ops, len(text))
        elif kind == DIFF_INSERT:
            push_insert(ops, text)
        else:
            raise ValueError(f"unknown diff kind {kind!r}")
    return ops


def operation_between(old: str, new: str) -> Operation:
    """Operation (in UTF-16 units) turning ``old`` into ``new`` (ordinary strings).

    The diff runs on code points, so a surrogate pair is never split; the result is
    then expressed in UTF-16 units with inserts as UTF-16 views.
    """
    return from_diffs((kind, to_utf16_view(text)) for kind, text in diff(old, new))


def to_diffs(base: str, ops: Sequence[Component]) -> list[tuple[int, str]]:
    """diff-match-patch tuples for ``ops`` applied to ``base`` (deletions before insertions)."""
    if base_length(ops) != len(base):
        raise ValueError("operation does not fit the text")
    out: list[tuple[int, str]] = []
    pos = 0
    pending_ins: list[str] = []
    pending_del = 0

    def flush() -> None:
        nonlocal pos, pending_del
        if pending_del:
            out.append((DIFF_DELETE, base[pos : pos + pending_del]))
            pos += pending_del
            pending_del = 0
        if pending_ins:
            out.append((DIFF_INSERT, "".join(pending_ins)))
            pending_ins.clear()

    for op in ops:
        if isinstance(op, str):
            pending_ins.append(op)
        elif op < 0:
            pending_del += -op
        else:
            flush()
            if out and out[-1][0] == DIFF_EQUAL:
                out[-1] = (DIFF_EQUAL, out[-1][1] + base[pos : pos + op])
            else:
                out.append((DIFF_EQUAL, base[pos : pos + op]))
            pos += op
    flush()
    return out
