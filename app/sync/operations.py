"""Operations: retain / insert / delete sequences over a whole text.

An operation is a list of components that together cover the whole base text:

* a positive ``int`` n: keep (retain) the next n code units;
* a negative ``int`` -n: delete the next n code units;
* a non-empty ``str``: insert that text here.

Offsets and lengths count UTF-16 code units: operations work on UTF-16 views (see
:mod:`app.sync.text`), and insert strings are views too. Operations built here are
*canonical* (no empty components, neighbours of the same kind merged, and where an
insertion and a deletion meet, the insertion comes first), exactly like ``push`` in the
browser's ``static/js/drafting/operations.js``, so both sides compute identical results.

This module builds, measures, applies and composes operations (one after the other);
:mod:`app.sync.transform` carries them past concurrent ones, :mod:`app.sync.diffs` makes
them from two texts and :mod:`app.sync.patch_text` turns them into patch text and back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Component = int | str
Operation = list[Component]

# -- building ---------------------------------------------------------------------------


def push_retain(ops: Operation, n: int) -> None:
    """Append a retain of ``n`` units (merged with a preceding retain)."""
    if n <= 0:
        return
    if ops and isinstance(ops[-1], int) and ops[-1] > 0:
        ops[-1] += n
    else:
        ops.append(n)


def push_delete(ops: Operation, n: int) -> None:
    """Append a deletion of ``n`` units (merged with a preceding deletion)."""
    if n <= 0:
        return
    if ops and isinstance(ops[-1], int) and ops[-1] < 0:
        ops[-1] -= n
    else:
        ops.append(-n)


def push_insert(ops: Operation, text: str) -> None:
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


def push(ops: Operation, op: Component) -> None:
    """Append any component, keeping ``ops`` canonical."""
    if isinstance(op, str):
        push_insert(ops, op)
    elif op > 0:
        push_retain(ops, op)
    else:
        push_delete(ops, -op)


def canonical_operation(ops: Iterable[Component]) -> Operation:
    """The canonical operation with these components (retain n > 0, delete -n, insert str).

    Empty components are dropped and neighbours merged, so hand-written components (a test's,
    a client's single insertion) compare equal to the engine's own operations.
    """
    out: Operation = []
    for op in ops:
        push(out, op)
    return out


def identity(length: int) -> Operation:
    """The operation that keeps a text of ``length`` units unchanged."""
    return [length] if length > 0 else []


def base_length(ops: Sequence[Component]) -> int:
    """Length of the text ``ops`` applies to."""
    return sum(abs(op) for op in ops if isinstance(op, int))


def target_length(ops: Sequence[Component]) -> int:
    """Length of the text ``ops`` produces."""
    return sum(len(op) if isinstance(op, str) else op for op in ops if isinstance(op, str) or op > 0)


def is_noop(ops: Sequence[Component]) -> bool:
    """Whether ``ops`` changes nothing."""
    return all(isinstance(op, int) and op > 0 for op in ops)


# -- applying and composing -------------------------------------------------------------


def apply_operation(text: str, ops: Sequence[Component]) -> str:
    """Apply ``ops`` to ``text`` (a UTF-16 view); ``ValueError`` if it does not fit."""
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


class Cursor:
    """Walks the components of an operation, able to take part of one."""

    __slots__ = ("index", "offset", "ops")

    def __init__(self, ops: Sequence[Component]) -> None:
        self.ops = ops
        self.index = 0
        self.offset = 0

    def peek(self) -> Component | None:
        """The rest of the current component, or None at the end."""
        if self.index >= len(self.ops):
            return None
        op = self.ops[self.index]
        if not self.offset:
            return op
        if isinstance(op, str):
            return op[self.offset :]
        return op - self.offset if op > 0 else op + self.offset

    def take(self, n: int | None = None) -> Component:
        """Take up to ``n`` units of the current component (all of it if None)."""
        rest = self.peek()
        if rest is None:
            raise IndexError("operation exhausted")
        length = len(rest) if isinstance(rest, str) else abs(rest)
        k = length if n is None else min(n, length)
        if isinstance(rest, str):
            part: Component = rest[:k]
        else:
            part = k if rest > 0 else -k
        if k >= length:
            self.index += 1
            self.offset = 0
        else:
            self.offset += k
        return part


def span(op: Component) -> int:
    """How many units a component covers (inserted, kept or deleted)."""
    return len(op) if isinstance(op, str) else abs(op)


def compose_operations(a: Sequence[Component], b: Sequence[Component]) -> Operation:
    """One operation equivalent to applying ``a`` and then ``b`` (``b`` applies to ``a``'s result)."""
    if target_length(a) != base_length(b):
        raise ValueError("compose: the second operation does not fit the result of the first")
    out: Operation = []
    ca, cb = Cursor(a), Cursor(b)
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
        n = min(span(x), span(y))
        first, second = ca.take(n), cb.take(n)
        if isinstance(second, int) and second > 0:
            push(out, first)  # a's retain or insert, kept by b
        elif isinstance(first, int):
            push_delete(out, n)  # a kept it, b deletes it
        # a inserted it, b deletes it: cancels out
    return out
