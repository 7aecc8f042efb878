"""Operations (app.sync.operations, .transform, .diffs): canonical form, apply, compose, transform, diffs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sync import (
    Operation,
    apply_operation,
    canonical_operation,
    compose_operations,
    from_utf16_view,
    map_offset,
    operation_between,
    to_utf16_view,
    transform_operations,
)
from app.sync import operations as ot  # white-box: building and measuring
from app.sync.diffs import diff, from_diffs, to_diffs  # white-box: the diff behind operation_between

ALPHABET = ["a", "b", "c", "x", " ", "\n", "é", "你", "\ud83d\ude00"]  # the emoji as a UTF-16 view
views = st.lists(st.sampled_from(ALPHABET), max_size=12).map("".join)


@st.composite
def text_and_op(draw, text=None):
    """A UTF-16 view and a random operation on it that never cuts a surrogate pair."""
    if text is None:
        text = draw(views)
    ops: Operation = []
    pos = 0
    while pos < len(text) or draw(st.booleans()):
        choice = draw(st.sampled_from(["retain", "delete", "insert"]))
        if choice == "insert":
            ot.push_insert(ops, draw(st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=3).map("".join)))
            if pos >= len(text):
                break
            continue
        if pos >= len(text):
            break
        n = draw(st.integers(1, len(text) - pos))
        if text[pos + n - 1] == "\ud83d":  # keep pairs whole
            n += 1
        if choice == "retain":
            ot.push_retain(ops, n)
        else:
            ot.push_delete(ops, n)
        pos += n
    ot.push_retain(ops, len(text) - pos)
    return text, ops


@st.composite
def text_and_two_ops(draw):
    text, a = draw(text_and_op())
    _, b = draw(text_and_op(text))
    return text, a, b


def test_canonical_form_puts_inserts_before_deletes():
    ops: Operation = []
    ot.push_retain(ops, 2)
    ot.push_delete(ops, 3)
    ot.push_insert(ops, "xy")
    ot.push_insert(ops, "z")
    ot.push_delete(ops, 1)
    ot.push_retain(ops, 1)
    ot.push_retain(ops, 0)
    assert ops == [2, "xyz", -4, 1]
    assert ot.base_length(ops) == 7
    assert ot.target_length(ops) == 6
    assert canonical_operation([1, 1, -1, "", "a", -1]) == [2, "a", -2]


def test_apply_checks_the_length():
    assert apply_operation("hello", [1, "E", -1, 3]) == "hEllo"
    with pytest.raises(ValueError):
        apply_operation("hello", [1, -1, 2])


def test_from_diff_counts_utf16_units():
    ops = operation_between("a😀b", "a😃b")
    assert ops == [1, to_utf16_view("😃"), -2, 1]
    assert apply_operation(to_utf16_view("a😀b"), ops) == to_utf16_view("a😃b")


def test_same_position_inserts_earlier_committed_first():
    # b was committed first: its text comes first, and neither is split.
    a = [2, "AAA", 2]
    b = [2, "BBB", 2]
    a2, b2 = transform_operations(a, b)
    assert apply_operation(apply_operation("wxyz", b), a2) == "wxBBBAAAyz"
    assert apply_operation(apply_operation("wxyz", a), b2) == "wxBBBAAAyz"


def test_insert_inside_a_concurrent_deletion_survives():
    a = [1, -4, 1]  # delete "bcde" from "abcdef"
    b = [3, "NEW", 3]  # insert between c and d
    a2, _ = transform_operations(a, b)
    assert apply_operation(apply_operation("abcdef", b), a2) == "aNEWf"
    b2, _ = transform_operations(b, a)
    assert apply_operation(apply_operation("abcdef", a), b2) == "aNEWf"


def test_deleting_deleted_text_is_a_noop():
    a = [1, -3, 2]
    b = [2, -3, 1]
    a2, _ = transform_operations(a, b)
    assert apply_operation(apply_operation("abcdef", b), a2) == "af"
    assert a2 == [1, -1, 1]


def test_replacement_keeps_a_concurrent_insert_after_it():
    a = [1, "dog", -3, 1]  # "xcaty" -> "xdogy"
    b = [4, "!", 1]  # insert after "cat"
    a2, _ = transform_operations(a, b)
    assert apply_operation(apply_operation("xcaty", b), a2) == "xdog!y"


@settings(max_examples=300, deadline=None)
@given(text_and_two_ops())
def test_transform_converges(case):
    text, a, b = case
    a2, b2 = transform_operations(a, b)
    left = apply_operation(apply_operation(text, b), a2)
    right = apply_operation(apply_operation(text, a), b2)
    assert left == right
    assert a2 == canonical_operation(a2) and b2 == canonical_operation(b2)
    # Every insertion of both survives whole.
    for op in a + b:
        if isinstance(op, str):
            assert op in left


@settings(max_examples=300, deadline=None)
@given(text_and_op(), st.data())
def test_compose_is_sequential_application(case, data):
    text, a = case
    middle = apply_operation(text, a)
    _, b = data.draw(text_and_op(middle))
    assert apply_operation(text, compose_operations(a, b)) == apply_operation(middle, b)


@settings(max_examples=200, deadline=None)
@given(views, views)
def test_diff_and_to_diffs_round_trip(old_view, new_view):
    old, new = from_utf16_view(old_view), from_utf16_view(new_view)
    ops = operation_between(old, new)
    assert apply_operation(old_view, ops) == new_view
    assert from_diffs(to_diffs(old_view, ops)) == ops


def test_diff_is_deterministic_and_bounded():
    # Two unrelated long texts: the bisection budget runs out and the diff falls back to
    # delete/insert, the same way every time.
    import random

    rnd = random.Random(7)
    old = "".join(rnd.choice("abcdefgh") for _ in range(3000))
    new = "".join(rnd.choice("abcdefgh") for _ in range(3000))
    first = diff(old, new)
    assert first == diff(old, new)
    ops = operation_between(old, new)
    assert apply_operation(old, ops) == new


def test_transform_index():
    ops = [2, "XY", -1, 3]
    assert map_offset(0, ops) == 0
    assert map_offset(2, ops) == 4
    assert map_offset(2, ops, after_insert=False) == 2
    assert map_offset(3, ops) == 4
    assert map_offset(6, ops) == 7


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_transform_past_is_the_first_result_of_transform_operations(data):
    """The server's one-sided transform agrees with the two-sided one, errors included."""
    from app.sync.transform import transform_operations, transform_past

    def operation(length: int) -> list:
        ops, left = [], length
        while left:
            n = data.draw(st.integers(1, left))
            ops.append(n if data.draw(st.booleans()) else -n)
            if data.draw(st.booleans()):
                ops.append(data.draw(st.text("ab😀\\n", min_size=1, max_size=3)))
            left -= n
        if data.draw(st.booleans()):
            ops.append(data.draw(st.text("xy", min_size=1, max_size=2)))
        return canonical_operation(ops)

    length = data.draw(st.integers(0, 12))
    a = operation(length)
    b = operation(length if data.draw(st.integers(0, 9)) else length + 1)
    try:
        expected = transform_operations(a, b)[0]
    except ValueError:
        with pytest.raises(ValueError):
            transform_past(a, b)
        return
    assert transform_past(a, b) == expected
