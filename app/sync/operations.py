"""Operations: retain / insert / delete sequences over a whole text, with OT.

An operation is a list of components that together cover the whole base text:

* a positive ``int`` n: keep (retain) the next n code units;
* a negative ``int`` -n: delete the next n code units;
* a non-empty ``str``: insert that text here.

Offsets and lengths count UTF-16 code units: operations work on UTF-16 views (see
:mod:`app.sync.text`), and insert strings are views too. Operations built here are
*canonical* (no empty components, neighbours of the same kind merged, and where an
insertion and a deletion meet, the insertion comes first), exactly like ``push`` in the
browser's ``static/js/drafting/operations.js``, so both sides compute identical results.

Concurrency rules (:func:`transform`): where two concurrent operations insert at the same
position, the one committed first goes first; inserted texts are never split, so
concurrent insertions never land inside one another; a deletion never removes text it did
not see (text inserted concurrently inside a deleted range survives); deleting text that
is already deleted is a no-op.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from diff_match_patch import diff_match_patch

from .text import to_utf16_view

Op = int | str
Ops = list[Op]

DIFF_DELETE = -1
DIFF_INSERT = 1
DIFF_EQUAL = 0

# Work budget (inner steps of the Myers bisection) for one diff. When it runs out, the
# rest of the diff is expressed as delete-all/insert-all, like diff-match-patch does on
# its timeout, but deterministically: the same texts always give the same diff.
DIFF_BUDGET = 500_000


# -- building ---------------------------------------------------------------------------


def push_retain(ops: Ops, n: int) -> None:
    """Append a retain of ``n`` units (merged with a preceding retain)."""
    if n <= 0:
        return
    if ops and isinstance(ops[-1], int) and ops[-1] > 0:
        ops[-1] += n
    else:
        ops.append(n)


def push_delete(ops: Ops, n: int) -> None:
    """Append a deletion of ``n`` units (merged with a preceding deletion)."""
    if n <= 0:
        return
    if ops and isinstance(ops[-1], int) and ops[-1] < 0:
        ops[-1] -= n
    else:
        ops.append(-n)


def push_insert(ops: Ops, text: str) -> None:
    """Append an insertion; where it meets a deletion it is placed before it."""
    if not text:
        return
    if ops:
        last = ops[-1]
        if isinstance(last, str):
            ops[-1] = last + text
            return
        if last < 0:
            if len(ops) >= 2 and isinstance(ops[-2], str):
                ops[-2] = ops[-2] + text
            else:
                ops.insert(len(ops) - 1, text)
            return
    ops.append(text)


def push(ops: Ops, op: Op) -> None:
    """Append any component, keeping ``ops`` canonical."""
    if isinstance(op, str):
        push_insert(ops, op)
    elif op > 0:
        push_retain(ops, op)
    else:
        push_delete(ops, -op)


def canonical(ops: Iterable[Op]) -> Ops:
    """A canonical copy of ``ops``."""
    out: Ops = []
    for op in ops:
        push(out, op)
    return out


def identity(length: int) -> Ops:
    """The operation that keeps a text of ``length`` units unchanged."""
    return [length] if length > 0 else []


def base_length(ops: Sequence[Op]) -> int:
    """Length of the text ``ops`` applies to."""
    return sum(abs(op) for op in ops if isinstance(op, int))


def target_length(ops: Sequence[Op]) -> int:
    """Length of the text ``ops`` produces."""
    return sum(len(op) if isinstance(op, str) else op for op in ops if isinstance(op, str) or op > 0)


def is_noop(ops: Sequence[Op]) -> bool:
    """Whether ``ops`` changes nothing."""
    return all(isinstance(op, int) and op > 0 for op in ops)


# -- diffs ------------------------------------------------------------------------------


class _DeterministicDmp(diff_match_patch):
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
    dmp = _DeterministicDmp(DIFF_BUDGET)
    diffs = dmp.diff_main(old, new, True)
    if len(diffs) > 2:
        dmp.diff_cleanupSemantic(diffs)
        dmp.diff_cleanupEfficiency(diffs)
    return diffs


def from_diffs(diffs: Iterable[tuple[int, str]]) -> Ops:
    """Operation from diff-match-patch tuples (strings already in the units wanted)."""
    ops: Ops = []
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


def from_diff(old: str, new: str) -> Ops:
    """Operation (in UTF-16 units) turning ``old`` into ``new`` (ordinary strings).

    The diff runs on code points, so a surrogate pair is never split; the result is
    then expressed in UTF-16 units with inserts as UTF-16 views.
    """
    return from_diffs((kind, to_utf16_view(text)) for kind, text in diff(old, new))


def to_diffs(base: str, ops: Sequence[Op]) -> list[tuple[int, str]]:
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


# -- applying, composing, transforming --------------------------------------------------


def apply(text: str, ops: Sequence[Op]) -> str:
    """Apply ``ops`` to ``text``; ``ValueError`` if it does not fit."""
    if base_length(ops) != len(text):
        raise ValueError(f"operation of base length {base_length(ops)} applied to a text of length {len(text)}")
    parts: list[str] = []
    pos = 0
    for op in ops:
        if isinstance(op, str):
            parts.append(op)
        elif op > 0:
            parts.append(text[pos : pos + op])
            pos += op
        else:
            pos -= op
    return "".join(parts)


class _Cursor:
    """Walks the components of an operation, able to take part of one."""

    __slots__ = ("index", "offset", "ops")

    def __init__(self, ops: Sequence[Op]) -> None:
        self.ops = ops
        self.index = 0
        self.offset = 0

    def peek(self) -> Op | None:
        """The rest of the current component, or None at the end."""
        if self.index >= len(self.ops):
            return None
        op = self.ops[self.index]
        if not self.offset:
            return op
        if isinstance(op, str):
            return op[self.offset :]
        return op - self.offset if op > 0 else op + self.offset

    def take(self, n: int | None = None) -> Op:
        """Take up to ``n`` units of the current component (all of it if None)."""
        rest = self.peek()
        if rest is None:
            raise IndexError("operation exhausted")
        length = len(rest) if isinstance(rest, str) else abs(rest)
        k = length if n is None else min(n, length)
        if isinstance(rest, str):
            part: Op = rest[:k]
        else:
            part = k if rest > 0 else -k
        if k >= length:
            self.index += 1
            self.offset = 0
        else:
            self.offset += k
        return part


def _span(op: Op) -> int:
    return len(op) if isinstance(op, str) else abs(op)


def compose(a: Sequence[Op], b: Sequence[Op]) -> Ops:
    """One operation equivalent to applying ``a`` and then ``b``."""
    if target_length(a) != base_length(b):
        raise ValueError("compose: the second operation does not fit the result of the first")
    out: Ops = []
    ca, cb = _Cursor(a), _Cursor(b)
    while True:
        x, y = ca.peek(), cb.peek()
        if x is None and y is None:
            break
        if isinstance(x, int) and x < 0:
            push(out, ca.take())
            continue
        if isinstance(y, str):
            push(out, cb.take())
            continue
        if x is None or y is None:
            raise ValueError("compose: length mismatch")
        n = min(_span(x), _span(y))
        first, second = ca.take(n), cb.take(n)
        if isinstance(second, int) and second > 0:
            push(out, first)  # a's retain or insert, kept by b
        elif isinstance(first, int):
            push_delete(out, n)  # a kept it, b deletes it
        # a inserted it, b deletes it: cancels out
    return out


def transform(a: Sequence[Op], b: Sequence[Op]) -> tuple[Ops, Ops]:
    """Transform two concurrent operations on the same text.

    ``b`` is the operation committed first: returns ``(a2, b2)`` such that applying
    ``b`` then ``a2`` gives the same text as applying ``a`` then ``b2``. Where both
    insert at the same position, ``b``'s text comes first.
    """
    if base_length(a) != base_length(b):
        raise ValueError("transform: operations have different base lengths")
    a2: Ops = []
    b2: Ops = []
    ca, cb = _Cursor(a), _Cursor(b)
    while True:
        x, y = ca.peek(), cb.peek()
        if x is None and y is None:
            break
        if isinstance(y, str):
            cb.take()
            push_insert(b2, y)
            push_retain(a2, len(y))
            continue
        if isinstance(x, str):
            ca.take()
            push_insert(a2, x)
            push_retain(b2, len(x))
            continue
        if x is None or y is None:
            raise ValueError("transform: operations have different base lengths")
        n = min(abs(x), abs(y))
        ca.take(n)
        cb.take(n)
        if x > 0 and y > 0:
            push_retain(a2, n)
            push_retain(b2, n)
        elif x < 0 < y:
            push_delete(a2, n)
        elif y < 0 < x:
            push_delete(b2, n)
        # both deleted the same text: nothing left to do
    return a2, b2


def transform_index(index: int, ops: Sequence[Op], after_insert: bool = True) -> int:
    """Map an offset in the base text of ``ops`` to the matching offset in its result."""
    base = 0
    shift = 0
    for op in ops:
        if base > index:
            break
        if isinstance(op, str):
            if base < index or (base == index and after_insert):
                shift += len(op)
        elif op > 0:
            base += op
        else:
            if base < index:
                shift -= min(-op, index - base)
            base -= op
    return index + shift
