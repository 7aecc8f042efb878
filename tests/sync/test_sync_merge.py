"""merge_edit: exact base application, carrying edits past later revisions, limits and errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sync import (
    MAX_PATCH_BYTES,
    MAX_TEXT_UNITS,
    BadPatch,
    Conflict,
    SyncError,
    TooLarge,
    apply_patch_exact,
    make_patch,
    merge_edit,
)


def commit(history: list[str], patches: list[str], base: int, new_text: str) -> str:
    """A client on revision ``base`` edits it into ``new_text``; store the merged result."""
    result = merge_edit(history[base], make_patch(history[base], new_text), later_patches=patches[base + 1 :])
    if result.changed:
        assert apply_patch_exact(history[-1], result.patch) == result.text
        history.append(result.text)
        patches.append(result.patch)
    return result.text


def start(text: str) -> tuple[list[str], list[str]]:
    return [text], [""]


def test_edit_on_the_newest_revision():
    result = merge_edit("Dear Sir,", make_patch("Dear Sir,", "Dear Madam,"))
    assert result.text == "Dear Madam,"
    assert result.changed
    assert apply_patch_exact("Dear Sir,", result.patch) == "Dear Madam,"


def test_edits_on_an_older_revision_are_carried_forward():
    history, patches = start("We ask the council for a safer street.")
    commit(history, patches, 0, "We kindly ask the council for a safer street.")
    commit(history, patches, 1, "We kindly ask the city council for a safer street.")
    # Made on revision 0, which has neither change.
    assert commit(history, patches, 0, "We ask the council for a safer, greener street.") == (
        "We kindly ask the city council for a safer, greener street."
    )


def test_later_texts_or_later_patches_give_the_same_result():
    base = "one two three four five"
    r1 = "one 2 three four five"
    r2 = "one 2 three four 5"
    patch = make_patch(base, "one two three FOUR five")
    by_texts = merge_edit(base, patch, [r1, r2])
    by_patches = merge_edit(base, patch, later_patches=[make_patch(base, r1), make_patch(r1, r2)])
    both = merge_edit(base, patch, [r1, r2], later_patches=[make_patch(base, r1), make_patch(r1, r2)])
    assert by_texts == by_patches == both
    assert by_texts.text == "one 2 three FOUR 5"
    with pytest.raises(ValueError):
        merge_edit(base, patch, [r1, "something else"], later_patches=[make_patch(base, r1), make_patch(r1, r2)])


def test_concurrent_inserts_at_the_same_place_do_not_interleave():
    history, patches = start("Signed: .")
    commit(history, patches, 0, "Signed: Alice Appleseed.")
    final = commit(history, patches, 0, "Signed: Bob Builder.")
    # The earlier-committed insertion goes first; both stay whole.
    assert final == "Signed: Alice AppleseedBob Builder."


def test_insert_inside_a_concurrently_deleted_range_survives():
    history, patches = start("keep [this whole sentence goes] keep")
    commit(history, patches, 0, "keep [this whole NEW sentence goes] keep")
    final = commit(history, patches, 0, "keep  keep")
    assert final == "keep NEW  keep"


def test_deletion_first_then_insertion_inside_it():
    history, patches = start("keep [this whole sentence goes] keep")
    commit(history, patches, 0, "keep  keep")
    final = commit(history, patches, 0, "keep [this whole NEW sentence goes] keep")
    assert final == "keep NEW  keep"


def test_deleting_already_deleted_text_changes_nothing():
    history, patches = start("abc DELETE ME def")
    commit(history, patches, 0, "abc def")
    result = merge_edit(history[0], make_patch(history[0], "abc def"), later_patches=patches[1:])
    assert not result.changed
    assert result.patch == ""
    assert result.text == "abc def"


def test_emoji_edits_on_an_older_revision():
    history, patches = start("a😀b 你好")
    commit(history, patches, 0, "🇫🇷 a😀b 你好")
    final = commit(history, patches, 0, "a😃b 你好!")
    assert final == "🇫🇷 a😃b 你好!"
    # The revision patch counts UTF-16 units: "a" is at offset 5 after the flag and space.
    assert patches[-1].startswith("@@ -")
    assert apply_patch_exact(history[-2], patches[-1]) == final


def test_crlf_in_a_patch_is_normalised():
    base = "line one\nline two"
    patch = make_patch(base, "line one\r\nline 1.5\r\nline two\rend")
    result = merge_edit(base, patch)
    assert result.text == "line one\nline 1.5\nline two\nend"
    assert apply_patch_exact(base, result.patch) == result.text


def test_patch_that_does_not_fit_its_base_is_a_conflict_and_changes_nothing():
    base = "The quick brown fox"
    later = ["The quick red fox"]
    stale = make_patch("The quick brown dog", "The quick brown cat")  # made on another text
    with pytest.raises(Conflict) as info:
        merge_edit(base, stale, later)
    assert info.value.code == "conflict"
    assert later == ["The quick red fox"]
    with pytest.raises(Conflict):
        merge_edit(base, stale)  # also when the base is the newest revision


def test_result_patch_is_exact_for_the_newest_text():
    history, patches = start("alpha beta gamma delta")
    commit(history, patches, 0, "alpha BETA gamma delta")
    commit(history, patches, 1, "alpha BETA gamma delta epsilon")
    result = merge_edit(history[1], make_patch(history[1], "ALPHA BETA gamma"), later_patches=patches[2:])
    assert result.text == "ALPHA BETA gamma epsilon"
    assert apply_patch_exact(history[-1], result.patch) == result.text


# -- limits and malformed input -----------------------------------------------------------


def test_text_limit_counts_utf16_units():
    # 99_999 emoji are 99_999 code points but 199_998 UTF-16 units.
    base = "😀" * 99_999
    assert len(base) < MAX_TEXT_UNITS // 2
    assert merge_edit(base, make_patch(base, base + "ab")).changed
    with pytest.raises(TooLarge) as info:
        merge_edit(base, make_patch(base, base + "abc"))
    assert info.value.code == "too_large"
    with pytest.raises(TooLarge):
        merge_edit(base, make_patch(base, base + "😀😀"))


def test_merged_result_over_the_limit_is_too_large():
    base = "a" * (MAX_TEXT_UNITS - 10)
    later = [base + "b" * 10]
    patch = make_patch(base, "c" * 5 + base)
    with pytest.raises(TooLarge):
        merge_edit(base, patch, later)


def test_patch_size_limit_counts_utf8_bytes():
    base = ""
    # Raw (unescaped) characters are accepted, as decodeURI does, and counted in UTF-8 bytes.
    assert merge_edit(base, "@@ -0,0 +1,3 @@\n+你好!\n").text == "你好!"
    raw = "@@ -0,0 +1,30000 @@\n+" + "你" * 30_000 + "\n"
    assert len(raw) < MAX_PATCH_BYTES < len(raw.encode("utf-8"))
    with pytest.raises(TooLarge):
        merge_edit(base, raw)
    with pytest.raises(TooLarge):
        merge_edit(base, make_patch(base, "a" * (MAX_PATCH_BYTES + 1)))
    assert merge_edit(base, make_patch(base, "a" * 60_000)).changed


@pytest.mark.parametrize("patch", [None, 42, b"@@ -0,0 +1 @@\n+a\n", ["@@"], "\ud83d"])
def test_wrong_patch_types_are_bad_patch(patch):
    with pytest.raises(BadPatch):
        merge_edit("text", patch)


@pytest.mark.parametrize(
    "patch",
    ["nonsense", "@@ -1,4 +1,4 @@\n?text\n", "@@ -1,4 +1,4 @@\n tex\n", "@@ -1,4 +1,4 @@\n t%e\n"],
)
def test_malformed_patch_text_is_bad_patch(patch):
    with pytest.raises(BadPatch) as info:
        merge_edit("text", patch)
    assert info.value.code == "bad_patch"
    assert isinstance(info.value, SyncError)
    assert info.value.message


def test_wrong_server_side_arguments():
    with pytest.raises(TypeError):
        merge_edit(None, "")
    with pytest.raises(TypeError):
        merge_edit("abc", "", "abc")
    with pytest.raises(TypeError):
        merge_edit("abc", "", [None])
    with pytest.raises(ValueError):
        merge_edit("abc\ud83d", "")


def test_empty_patch_is_a_noop():
    result = merge_edit("abc", "", ["abcd"])
    assert result.text == "abcd" and result.patch == "" and not result.changed


# -- properties ------------------------------------------------------------------------------

PIECES = ["a", "b", " ", "\n", "é", "你", "😀", "😃", "🇫🇷"]
texts = st.lists(st.sampled_from(PIECES), max_size=15).map("".join)


@st.composite
def edit_of(draw, text):
    """A local edit: replace a code-point range of ``text`` by a marker."""
    i = draw(st.integers(0, len(text)))
    j = draw(st.integers(i, len(text)))
    marker = draw(st.sampled_from(["<1>", "<2😀>", "<3\n>", ""]))
    return text[:i] + marker + text[j:]


@settings(max_examples=150, deadline=None)
@given(texts, st.data())
def test_stale_edit_merges_and_the_patch_is_exact(base, data):
    first = data.draw(edit_of(base))
    second = data.draw(edit_of(base))
    history, patches = start(base)
    commit(history, patches, 0, first)
    result = merge_edit(base, make_patch(base, second), later_patches=patches[1:])
    newest = history[-1]
    assert apply_patch_exact(newest, result.patch) == result.text
    assert result.changed == (result.text != newest)
    # Both edits' inserted markers are there (unless one deleted the other's range
    # before it existed, which cannot happen here: both were made on the base).
    for marker in ("<1>", "<2😀>", "<3\n>"):
        expected = (marker in first and marker not in base) + (marker in second and marker not in base)
        if expected:
            assert result.text.count(marker) >= 1


@settings(max_examples=100, deadline=None)
@given(texts, st.data())
def test_merge_is_pure_on_conflict(base, data):
    other = data.draw(texts)
    new = data.draw(edit_of(other))
    patch = make_patch(other, new)
    try:
        expected = apply_patch_exact(base, patch)
    except SyncError:
        with pytest.raises(SyncError):
            merge_edit(base, patch)
    else:
        assert merge_edit(base, patch).text == expected
