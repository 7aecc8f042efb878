"""Operational transformation: carrying an operation past a concurrent one.

Two operations are concurrent when both were made on the same text (two drafters typing
at once; a client's unsent changes and a revision it has not seen yet). The rules
(:func:`transform_operations`), the same as the browser's ``transform`` in
``static/js/drafting/operations.js``:

* where both insert at the same position, the one committed first goes first;
* inserted texts are never split, so concurrent insertions never land inside one another;
* a deletion never removes text it did not see: text inserted concurrently inside a
  deleted range survives;
* deleting text that is already deleted is a no-op.

:func:`map_offset` (the browser's ``transformIndex``) carries a single offset (a cursor, a
comment's anchor) the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from .operations import Component, Cursor, Operation, base_length, push_delete, push_insert, push_retain


def transform_operations(a: Sequence[Component], b: Sequence[Component]) -> tuple[Operation, Operation]:
    """Transform two concurrent operations on the same text (the browser's ``transform``).

    ``b`` is the operation committed first: returns ``(a2, b2)`` such that applying
    ``b`` then ``a2`` gives the same text as applying ``a`` then ``b2``. Where both
    insert at the same position, ``b``'s text comes first.
    """
    if base_length(a) != base_length(b):
        raise ValueError("transform: operations have different base lengths")
    a2: Operation = []
    b2: Operation = []
    ca, cb = Cursor(a), Cursor(b)
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


def transform_past(a: Sequence[Component], b: Sequence[Component]) -> Operation:
    """``transform_operations(a, b)[0]``, computed alone: ``a`` carried past ``b``, which was
    committed first. The server's merge calls this once per later revision, so it walks the
    components by index without building ``b``'s counterpart."""
    a2: Operation = []
    la, lb = len(a), len(b)
    i = j = 0
    x = a[0] if la else None
    y = b[0] if lb else None
    while True:
        if y is not None and y.__class__ is str:
            push_retain(a2, len(y))
            j += 1
            y = b[j] if j < lb else None
            continue
        if x is not None and x.__class__ is str:
            push_insert(a2, x)
            i += 1
            x = a[i] if i < la else None
            continue
        if x is None or y is None:
            if x is None and y is None:
                return a2
            raise ValueError("transform: operations have different base lengths")
        ax = x if x > 0 else -x
        ay = y if y > 0 else -y
        n = ax if ax < ay else ay
        if x > 0 and y > 0:
            push_retain(a2, n)
        elif x < 0 < y:
            push_delete(a2, n)
        # where b deleted the text, a's retain or deletion of it is gone
        if ax == n:
            i += 1
            x = a[i] if i < la else None
        else:
            x = x - n if x > 0 else x + n
        if ay == n:
            j += 1
            y = b[j] if j < lb else None
        else:
            y = y - n if y > 0 else y + n


def map_offset(index: int, ops: Sequence[Component], after_insert: bool = True) -> int:
    """Map an offset in the base text of ``ops`` to the matching offset in its result.

    Text inserted exactly at the offset goes before it when ``after_insert`` (the offset moves
    past it), after it otherwise; an offset inside a deleted range moves to where it was.
    """
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
