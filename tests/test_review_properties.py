"""Property tests: a diff's kept and deleted runs spell revision a and its kept and inserted runs spell
revision b; blame's runs spell the text and credit every character to the revision that wrote it;
comment anchors follow untouched text."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.letters.models import Letter
from app.review import authorship, history
from app.review.authorship import blank, carry, decode, encode, from_runs, runs, spans
from app.review.comments import carry_anchor
from app.review.textdiff import _TOKEN, DELETE, EQUAL, INSERT, Diffs, side_by_side, word_diff
from app.sync import Operation, apply_operation, canonical_operation, make_patch, operation_between, to_utf16_view
from tests.review_helpers import clear_all_caches, fresh_caches, new_letter  # noqa: F401

# Letters, spaces, punctuation, line breaks, accents, CJK, emoji outside the BMP (with a modifier).
ALPHABET = st.sampled_from([*"ab cd.,\n\tEé中文", "😀", "👍🏽", "\U0001f3fd", "—", "’"])
TEXTS = st.lists(ALPHABET, max_size=60).map("".join)


def spell(diffs: Diffs) -> tuple[str, str]:
    """The old text (kept and deleted runs) and the new text (kept and inserted runs)."""
    old = "".join(text for op, text in diffs if op != INSERT)
    new = "".join(text for op, text in diffs if op != DELETE)
    return old, new


@settings(max_examples=400, deadline=None)
@given(TEXTS, TEXTS)
def test_diff_runs_spell_both_texts(a, b):
    diffs = word_diff(a, b)
    assert spell(diffs) == (a, b)
    assert all(op in (DELETE, EQUAL, INSERT) and text for op, text in diffs)
    # Neighbouring runs never have the same op (they would have been merged).
    assert all(x[0] != y[0] for x, y in pairwise(diffs))
    # Side by side shows every piece exactly once on its side.
    rows = side_by_side(diffs)
    assert "".join(t for row in rows for _, t in row.old) == a
    assert "".join(t for row in rows for _, t in row.new) == b


SENTENCES = st.lists(
    st.sampled_from(["We ask. ", "The city shall act! ", "Why not? ", "Bus 😀 lanes.\n", "\n", "Trees, now. "]),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(SENTENCES, SENTENCES, st.integers(0, 40))
def test_the_sentence_first_path_spells_both_texts_too(a, b, threshold):
    from app.review import textdiff

    saved = textdiff.CHUNKED_ABOVE
    textdiff.CHUNKED_ABOVE = threshold  # make short texts take the long-text path
    try:
        diffs = word_diff(a, b)
    finally:
        textdiff.CHUNKED_ABOVE = saved
    assert spell(diffs) == (a, b)
    assert all(text for _, text in diffs)
    assert all(x[0] != y[0] for x, y in pairwise(diffs))


def token_boundaries(text: str) -> set[int]:
    return {0, len(text)} | {m.start() for m in _TOKEN.finditer(text)}


@settings(max_examples=300, deadline=None)
@given(TEXTS, TEXTS)
def test_changes_start_and_end_on_word_boundaries(a, b):
    """Word level: a change never splits a word (or a run of spaces) of either text."""
    bounds_a, bounds_b = token_boundaries(a), token_boundaries(b)
    at_a = at_b = 0
    for op, text in word_diff(a, b):
        if op == DELETE:
            assert at_a in bounds_a and at_a + len(text) in bounds_a
        elif op == INSERT:
            assert at_b in bounds_b and at_b + len(text) in bounds_b
        if op != INSERT:
            at_a += len(text)
        if op != DELETE:
            at_b += len(text)


# -- blame, pure ------------------------------------------------------------------------------


def as_list(owners) -> list[int]:
    return [ord(c) for c in owners] if isinstance(owners, str) else list(owners)


def model_after(model: list[int], ops: Operation, revision: int) -> list[int]:
    """The per-unit owners after ops, computed one unit at a time (the obvious way)."""
    out: list[int] = []
    pos = 0
    for op in ops:
        if isinstance(op, str):
            out.extend([revision] * len(op))
        elif op > 0:
            out.extend(model[pos : pos + op])
            pos += op
        else:
            pos -= op
    return out


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.lists(TEXTS, min_size=1, max_size=8), st.booleans())
def test_blame_runs_spell_the_text_and_credit_the_writer(first, later, wide):
    base_revision = 1_200_000 if wide else 0  # past the str encoding's range: the array path
    owners = blank(len(to_utf16_view(first)), base_revision)
    model = [base_revision] * len(to_utf16_view(first))
    text = first
    for offset, new_text in enumerate(later, start=1):
        ops = operation_between(text, new_text)
        owners = carry(owners, ops, base_revision + offset)
        model = model_after(model, ops, base_revision + offset)
        text = new_text
        assert as_list(owners) == model
        pieces = spans(text, owners)
        assert "".join(piece for piece, _ in pieces) == text
        assert all(piece for piece, _ in pieces)
        # Each character is credited to the revision that wrote its first UTF-16 unit.
        at = 0
        for piece, revision in pieces:
            for ch in piece:
                assert model[at] == revision or len(to_utf16_view(ch)) == 2
                at += len(to_utf16_view(ch))
        assert as_list(decode(encode(owners))) == model
        assert as_list(from_runs(runs(owners))) == model


# -- blame and diff through the database ------------------------------------------------------


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXTS, min_size=1, max_size=12), every=st.sampled_from([2, 3, 50]))
def test_blame_and_diff_of_stored_revisions_spell_every_revision(app, drafter, drafter2, texts, every):
    app.config["BLAME_SNAPSHOT_EVERY"] = every
    clear_all_caches()
    from app.drafting import edits as drafting

    letter_id = new_letter(drafter, text=texts[0] or "x")
    stored = [texts[0] or "x"]
    authors = [drafter.id]
    for n, new_text in enumerate(texts[1:], start=1):
        official = drafter if n % 2 else drafter2
        drafting.submit_edit(official, letter_id, f"p-{n}", n - 1, make_patch(stored[-1], new_text))
        stored.append(new_text)
        authors.append(official.id)
    letter = db.session.get(Letter, letter_id)
    db.session.refresh(letter)
    for n, text in enumerate(stored):
        if n % 3 == 0:
            authorship.owners_cache.clear()  # now from a stored snapshot, now from memory
        blame_runs = authorship.blame_runs(letter, n)
        assert "".join(run.text for run in blame_runs) == text
        assert all(run.author["id"] == authors[run.revision] for run in blame_runs)
        assert all(run.revision <= n for run in blame_runs)
        for m in (0, max(0, n - 1)):
            diffs = history.diff_revisions(letter, m, n)
            assert spell(diffs) == (stored[m], text)


# -- anchors ----------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.lists(ALPHABET, min_size=1, max_size=10).map("".join), TEXTS, TEXTS, TEXTS)
def test_an_anchor_follows_text_that_is_not_edited(prefix, anchored, suffix, new_prefix, new_suffix):
    old = prefix + anchored + suffix
    new = new_prefix + anchored + new_suffix
    # Only the text around the anchor changes (an operation that keeps the anchored units).
    view_old, view_new = to_utf16_view(old), to_utf16_view(new)
    start, end = len(to_utf16_view(prefix)), len(to_utf16_view(prefix + anchored))
    ops = canonical_operation(
        [-start, to_utf16_view(new_prefix), end - start, -(len(view_old) - end), to_utf16_view(new_suffix)]
    )
    assert apply_operation(view_old, ops) == view_new
    new_start, new_end = carry_anchor(start, end, ops)
    assert view_new[new_start:new_end] == to_utf16_view(anchored)


@settings(max_examples=200, deadline=None)
@given(TEXTS, TEXTS, TEXTS, TEXTS)
def test_an_anchor_whose_text_is_deleted_collapses(prefix, anchored, suffix, inserted):
    if not anchored:
        return
    old = to_utf16_view(prefix + anchored + suffix)
    start, end = len(to_utf16_view(prefix)), len(to_utf16_view(prefix + anchored))
    ops = canonical_operation([start, to_utf16_view(inserted), -(end - start), len(old) - end])
    new_start, new_end = carry_anchor(start, end, ops)
    assert new_start == new_end
