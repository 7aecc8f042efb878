"""Patch text: byte-for-byte compatibility with JavaScript diff-match-patch 1.0.5, UTF-16 offsets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sync import (
    BadPatch,
    Conflict,
    apply_operation,
    apply_patch_exact,
    canonical_operation,
    make_patch,
    operation_between,
    to_utf16_view,
)
from app.sync.patch_text import (  # white-box: the patch format itself, against JavaScript's
    apply_hunks,
    decode_line,
    encode_line,
    make_hunks,
    parse_patch,
    serialise_patch,
)

# Made by tests/sync/data/gen_js_vectors.cjs with diff-match-patch 1.0.5 under Node 20.
VECTORS = json.loads((Path(__file__).parent / "data" / "dmp_js_1_0_5_vectors.json").read_text("utf-8"))
VECTOR_IDS = [v["name"] for v in VECTORS]

PIECES = [*"abc \n\t%#+;~é你好", "e\u0301", "😀", "😃", "😄", "𝐀", "🇫🇷", "👩\u200d💻"]
texts = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


def test_vectors_cover_the_interesting_cases():
    names = set(VECTOR_IDS)
    assert {"shared high surrogate", "cjk", "combining marks", "emoji insert", "special chars"} <= names
    assert len(VECTORS) >= 15


@pytest.mark.parametrize("vector", VECTORS, ids=VECTOR_IDS)
def test_javascript_patches_apply_exactly(vector):
    assert apply_patch_exact(vector["text1"], vector["patch"]) == vector["text2"]


@pytest.mark.parametrize("vector", VECTORS, ids=VECTOR_IDS)
def test_parse_then_serialise_is_byte_identical(vector):
    assert serialise_patch(parse_patch(vector["patch"])) == vector["patch"]


@pytest.mark.parametrize("vector", VECTORS, ids=VECTOR_IDS)
def test_hunks_from_the_same_diffs_match_javascript(vector):
    diffs = [(kind, to_utf16_view(text)) for kind, text in vector["diffs"]]
    assert serialise_patch(make_hunks(to_utf16_view(vector["text1"]), diffs)) == vector["patch"]


@pytest.mark.parametrize("vector", VECTORS, ids=VECTOR_IDS)
def test_make_patch_matches_javascript(vector):
    # Same diff algorithm and clean-up as patch_make(text1, text2); for the astral cases
    # JavaScript needed surrogate-safe diffs, which are what make_patch computes.
    assert make_patch(vector["text1"], vector["text2"]) == vector["patch"]


def test_shared_high_surrogate_is_not_split():
    patch = make_patch("a😀b", "a😃b")
    assert patch == "@@ -1,4 +1,4 @@\n a\n-%F0%9F%98%80\n+%F0%9F%98%83\n b\n"
    assert apply_patch_exact("a😀b", patch) == "a😃b"


def test_offsets_count_utf16_units():
    # "x" is at UTF-16 offset 7; four units of context would start inside the second
    # emoji, so the context widens to the whole emoji (JavaScript dmp 1.0.5 would throw).
    patch = make_patch("😀😀😀 x", "😀😀😀 y")
    assert patch == "@@ -3,6 +3,6 @@\n %F0%9F%98%80%F0%9F%98%80 \n-x\n+y\n"
    assert apply_patch_exact("😀😀😀 x", patch) == "😀😀😀 y"


def test_context_never_cuts_a_surrogate_pair():
    old = "x" + "😀" * 10 + "abc" + "😃" * 10
    new = "x" + "😀" * 10 + "aXc" + "😃" * 10
    patch = make_patch(old, new)
    assert patch == "@@ -18,11 +18,11 @@\n %F0%9F%98%80%F0%9F%98%80a\n-b\n+X\n c%F0%9F%98%83%F0%9F%98%83\n"
    assert apply_patch_exact(old, patch) == new


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("", ""),
        ("same", "same"),
        ("line one\r\nline two", "line one\r\nline 2"),
        ("你好世界", "你好，世界"),
        ("cafe\u0301", "cafe\u0301s"),
        ("🇫🇷🇩🇪", "🇩🇪🇫🇷"),
    ],
)
def test_make_patch_round_trips(old, new):
    patch = make_patch(old, new)
    assert (patch == "") == (old == new)
    assert apply_patch_exact(old, patch) == new


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_make_patch_then_apply_gives_the_new_text(old, new):
    patch = make_patch(old, new)
    assert apply_patch_exact(old, patch) == new
    patch.encode("utf-8")  # never holds a lone surrogate
    assert serialise_patch(parse_patch(patch)) == patch
    # The hunks compose back to the diff they were made from.
    _, ops = apply_hunks(to_utf16_view(old), parse_patch(patch))
    assert ops == operation_between(old, new)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20).filter(lambda s: not re.search("[\ud800-\udfff]", s)))
def test_encode_then_decode_line(text):
    line = encode_line(to_utf16_view(text))
    assert "\n" not in line and "%20" not in line
    assert decode_line(line) == text


def test_encoding_is_encodeuri_with_spaces():
    assert encode_line(" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t\n\x01é€") == (
        " !%22#$%25&'()*+,-./:;%3C=%3E?@%5B%5C%5D%5E_%60%7B%7C%7D~%09%0A%01%C3%A9%E2%82%AC"
    )
    assert encode_line(to_utf16_view("😀")) == "%F0%9F%98%80"


@pytest.mark.parametrize(
    ("line", "decoded"),
    [
        ("%3B%3b%23%2F%25%20", "%3B%3b%23%2F% "),  # decodeURI keeps escapes of ; / ? : @ & = + $ , #
        ("%e4%bd%a0", "你"),
        ("abc%41%E2%82%AC", "abcA€"),
        ("%F0%9F%98%80", "😀"),
        ("raw 😀 text", "raw 😀 text"),
    ],
)
def test_decode_line_follows_decodeuri(line, decoded):
    assert decode_line(line) == decoded


@pytest.mark.parametrize(
    "line", ["%", "%4", "%zz", "%C0%80", "%ED%A0%80", "%F4%90%80%80", "%F0%9F%98", "%80", "%F8%80%80%80%80", "a%"]
)
def test_decode_line_rejects_what_decodeuri_rejects(line):
    with pytest.raises(ValueError):
        decode_line(line)


def test_header_forms():
    # "-a" alone is one unit at a-1; "-a,0" is an empty range after a.
    hunks = parse_patch("@@ -2 +2 @@\n-b\n+c\n")
    assert (hunks[0].start1, hunks[0].length1, hunks[0].start2, hunks[0].length2) == (1, 1, 1, 1)
    assert apply_patch_exact("abc", "@@ -2 +2 @@\n-b\n+c\n") == "acc"
    assert apply_patch_exact("ab", "@@ -1,0 +2 @@\n+X\n") == "aXb"
    assert apply_patch_exact("", "@@ -0,0 +1,2 @@\n+hi\n") == "hi"
    assert apply_patch_exact("abc", "") == "abc"
    # A blank line between lines is ignored, as diff-match-patch does.
    assert apply_patch_exact("abc", "@@ -1,3 +1,3 @@\n a\n\n-b\n+x\n c\n") == "axc"


@pytest.mark.parametrize(
    "patch",
    [
        "garbage",
        "@@ -1,3 +1,3 @@\n*a\n",
        "@@ -1,3 +1,3 @@\n a\n-%ZZ\n c\n",
        "@@ -1,3 +1,3 @@\n a\n-%ED%A0%80\n",
        "@@ -1,3 +1,4 @@\n abc\n",  # header lengths disagree with the lines
        "@@ -0,5 +0,5 @@\n abcde\n",  # negative start
        "@@ -1,3 +1,3 @@\r\n abc\n",
        "@@ -1a,3 +1,3 @@\n abc\n",
        "@@ -9999999999,1 +1,1 @@\n a\n",
        "\n@@ -1,1 +1,1 @@\n a\n",
    ],
)
def test_malformed_patches_are_bad_patch(patch):
    with pytest.raises(BadPatch) as info:
        apply_patch_exact("abc", patch)
    assert info.value.code == "bad_patch"


@pytest.mark.parametrize(
    ("text", "patch"),
    [
        ("abc", "@@ -1,3 +1,2 @@\n a\n-x\n c\n"),  # deleted text does not match
        ("abc", "@@ -2,3 +2,2 @@\n a\n-b\n c\n"),  # wrong offset
        ("ab", "@@ -1,3 +1,2 @@\n a\n-b\n c\n"),  # runs past the end
        ("a😀b", "@@ -2,0 +3 @@\n+x\n"),  # would split the emoji's surrogate pair
        ("😀", "@@ -2,2 +2 @@\n-%F0%9F%98%80\n+x\n"),  # starts inside the emoji
    ],
)
def test_patches_that_do_not_fit_are_conflicts(text, patch):
    with pytest.raises(Conflict) as info:
        apply_patch_exact(text, patch)
    assert info.value.code == "conflict"


def test_hunks_apply_in_order_with_rolling_context():
    # Overlapping context (the second hunk's context reaches into the first hunk's
    # result) takes the general path and still gives the right text and operation.
    old = "abcabcabcabcabcabcabcabcabc"
    new = "abcabcXabcabcYabcabcabcabc"
    patch = make_patch(old, new)
    assert apply_patch_exact(old, patch) == new
    hunk1 = "@@ -1,4 +1,5 @@\n abc\n+X\n a\n"
    hunk2 = "@@ -3,4 +3,4 @@\n cX\n-a\n+Z\n b\n"  # starts inside the first hunk's output
    view, ops = apply_hunks("abcabc", parse_patch(hunk1 + hunk2))
    assert view == "abcXZbc"
    assert apply_operation("abcabc", ops) == "abcXZbc"


repetitive = st.lists(st.sampled_from(["ab", "abc", "a", "😀", "b😀", "\n"]), max_size=40).map("".join)


@settings(max_examples=200, deadline=None)
@given(repetitive, repetitive)
def test_one_pass_and_general_application_agree(old, new):
    # Repetitive texts make diff-match-patch widen contexts until they overlap.
    from app.sync.patch_text import _apply_general

    view = to_utf16_view(old)
    hunks = parse_patch(make_patch(old, new))
    assert apply_hunks(view, hunks) == _apply_general(view, hunks)
    assert apply_hunks(view, hunks)[0] == to_utf16_view(new)


def test_hunks_in_reverse_order_take_the_general_path():
    # Hunks listed from the end of the text to its start cannot be applied in one pass;
    # the general path applies them one by one and composes their operations pairwise.
    old = "".join(f"line {i:04d} 😀\n" for i in range(600))
    text = old
    pieces = []
    for i in reversed(range(600)):
        new = text.replace(f"line {i:04d}", f"LINE {i:04d}")
        pieces.append(make_patch(text, new))
        text = new
    patch = "".join(pieces)
    view, ops = apply_hunks(to_utf16_view(old), parse_patch(patch))
    assert view == to_utf16_view(text) == to_utf16_view(old.replace("line", "LINE"))
    assert apply_operation(to_utf16_view(old), ops) == view
    assert ops == canonical_operation(ops)
