"""Newline normalisation and the UTF-16 view."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.sync import from_utf16_view, normalise_newlines, to_utf16_view, utf16_len
from app.sync.text import splits_pair  # white-box

# Any text without surrogate code points (which Python strings may hold but real text never does).
real_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\r\r\nb", "a\n\nb"),
        ("a\n\rb", "a\n\nb"),
        ("\r\n\r\n", "\n\n"),
        ("no newline", "no newline"),
        ("", ""),
    ],
)
def test_normalise_newlines(raw, expected):
    assert normalise_newlines(raw) == expected


@pytest.mark.parametrize(
    ("text", "units"),
    [("", 0), ("abc", 3), ("é", 1), ("你好", 2), ("😀", 2), ("a😀b", 4), ("🇫🇷", 4), ("👩\u200d💻", 5), ("e\u0301", 2)],
)
def test_utf16_len_matches_javascript_length(text, units):
    assert utf16_len(text) == units


def test_view_splits_astral_characters_into_surrogates():
    assert to_utf16_view("a😀b") == "a\ud83d\ude00b"
    assert to_utf16_view("a😃b") == "a\ud83d\ude03b"
    assert from_utf16_view("a\ud83d\ude00b") == "a😀b"
    assert splits_pair("a\ud83d\ude00b", 2)
    assert not splits_pair("a\ud83d\ude00b", 1)
    assert not splits_pair("a\ud83d\ude00b", 3)


@given(real_text)
def test_view_round_trip(text):
    view = to_utf16_view(text)
    assert len(view) == utf16_len(text) == len(text.encode("utf-16-le")) // 2
    assert from_utf16_view(view) == text
    assert normalise_newlines(text).count("\r") == 0


@pytest.mark.parametrize("bad", ["\ud83d", "a\ude00", "\ude00\ud83d"])
def test_lone_surrogates_are_rejected(bad):
    with pytest.raises(ValueError):
        from_utf16_view(bad)
