"""What the review pages read, as pure functions: editing sessions per author even when authors
interleave, word diffs that never show kept words as deleted and inserted again, authorship in
whole words, and dates in one format per language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.review.history import RevisionInfo, group_sessions
from app.review.textdiff import DELETE, EQUAL, INSERT, word_diff
from app.review.word_authorship import whole_words

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
NAMES = {1: "Ada", 2: "Bo", 3: "Cy"}


def info(number: int, author: int | None, minutes: float, edit_id: str | None = None) -> RevisionInfo:
    return RevisionInfo(
        number, author, NAMES.get(author or 0), T0 + timedelta(minutes=minutes), edit_id or f"e-{number}"
    )


def numbers(sessions) -> list[list[int]]:
    return [[r.number for r in s.revisions] for s in sessions]


# -- sessions ---------------------------------------------------------------------------------


def test_two_alders_typing_at_once_have_one_session_each():
    infos = [info(0, 1, 0, "created")]
    infos += [info(n, 1 if n % 2 else 2, n / 10) for n in range(1, 21)]  # Ada, Bo, Ada, Bo, ...
    sessions = group_sessions(infos)
    assert numbers(sessions) == [[0], list(range(1, 21, 2)), list(range(2, 21, 2))]
    assert sessions[1].alongside == ["Bo"] and sessions[2].alongside == ["Ada"]


def test_a_session_ends_after_its_author_pauses_even_if_others_type_on():
    infos = [info(1, 1, 0), info(2, 2, 5), info(3, 2, 14), info(4, 1, 12)]  # Ada pauses 12 minutes
    assert numbers(group_sessions(infos)) == [[1], [2, 3], [4]]


def test_a_restore_ends_every_open_session_and_suggestions_stand_alone():
    infos = [
        info(1, 1, 0),
        info(2, 2, 1),
        info(3, 3, 2, "suggestion-7"),  # an accepted suggestion: its own entry
        info(4, 1, 3),
        info(5, 2, 4, "restore-x"),
        info(6, 1, 5),
        info(7, 2, 6),
    ]
    sessions = group_sessions(infos)
    assert numbers(sessions) == [[1, 4], [2], [3], [5], [6], [7]]
    assert sessions[0].alongside == ["Bo", "Cy"]


def test_one_author_alone_is_grouped_as_before():
    infos = [info(n, 1, n) for n in range(1, 6)]
    [session] = group_sessions(infos)
    assert session.count == 5 and session.alongside == []


# -- word diffs -------------------------------------------------------------------------------


def spell(diffs) -> tuple[str, str]:
    return (
        "".join(t for op, t in diffs if op != INSERT),
        "".join(t for op, t in diffs if op != DELETE),
    )


def test_unchanged_words_between_changes_stay_kept():
    old = "We ask the council to open the shelter at 7:45 am on Park Street every night.\n\nSincerely,\nThe alders"
    new = (
        "We urge the mayor and the council to keep the shelter open from 6:30 pm on Park Street every single "
        "night of the winter.\n\nSincerely,\nThe undersigned alders of the city"
    )
    diffs = word_diff(old, new)
    assert spell(diffs) == (old, new)
    kept = "".join(text for op, text in diffs if op == EQUAL)
    for phrase in (" on Park Street every", "Sincerely,", "alders"):
        assert phrase in kept
    changed = "".join(text for op, text in diffs if op != EQUAL)
    assert "Park" not in changed and "Sincerely" not in changed


def test_separators_between_two_changed_words_read_as_one_change():
    assert word_diff("the red car is here", "the blue bike is here") == [
        (EQUAL, "the "),
        (DELETE, "red car"),
        (INSERT, "blue bike"),
        (EQUAL, " is here"),
    ]


WORDS = st.lists(st.sampled_from(["alders", "ask", "the", "city", "Park", "7:45", "am", "😀", "é"]), max_size=20)


@settings(max_examples=300, deadline=None)
@given(WORDS, st.lists(st.tuples(st.integers(0, 20), st.sampled_from(["new", "words", "here", "the"])), max_size=8))
def test_inserting_words_never_deletes_any(words, insertions):
    """Text only added: the diff deletes nothing, however small the kept islands between the additions."""
    new_words = list(words)
    for at, word in insertions:
        new_words.insert(min(at, len(new_words)), word)
    old, new = " ".join(words), " ".join(new_words)
    diffs = word_diff(old, new)
    assert spell(diffs) == (old, new)
    assert not any(op == DELETE and any(c.isalnum() for c in text) for op, text in diffs), diffs


# -- whole-word authorship --------------------------------------------------------------------

AUTHOR_OF_REVISION = {0: 1, 1: 1, 2: 2, 3: 1, 4: 3}.get


def test_a_word_goes_to_the_author_of_most_of_its_characters():
    pieces = [("at 7:4", 1), ("5 am", 2), (" on Park", 3)]
    assert whole_words(pieces, AUTHOR_OF_REVISION) == [("at 7:45", 1), (" am", 2), (" on Park", 3)]
    # A typo fixed by someone else stays with the word's writer.
    assert whole_words([("goverm", 1), ("n", 2), ("ent is", 1)], AUTHOR_OF_REVISION) == [("govermnent is", 1)]


def test_a_tie_goes_to_the_newest_revision_and_spaces_keep_their_writer():
    assert whole_words([("ab", 1), ("cd", 2)], AUTHOR_OF_REVISION) == [("abcd", 2)]
    assert whole_words([("ab ", 1), ("cd", 2)], AUTHOR_OF_REVISION) == [("ab ", 1), ("cd", 2)]
    # One author's two revisions in a word: credited to that author's newest of them.
    assert whole_words([("wo", 0), ("r", 2), ("ds", 3)], AUTHOR_OF_REVISION) == [("words", 3)]


PIECES = st.lists(st.tuples(st.text(alphabet="ab 7:\n😀é", min_size=1, max_size=6), st.integers(0, 4)), max_size=12)


@settings(max_examples=300, deadline=None)
@given(PIECES)
def test_whole_words_spell_the_text_and_never_split_a_word(pieces):
    out = whole_words(pieces, AUTHOR_OF_REVISION)
    text = "".join(p for p, _ in pieces)
    assert "".join(p for p, _ in out) == text
    assert all(p for p, _ in out)
    at = 0
    for piece, _revision in out[:-1]:
        at += len(piece)
        assert text[at - 1].isspace() or text[at].isspace(), (out, at)
    # Every credited revision wrote some of the text.
    assert {r for _, r in out} <= {r for _, r in pieces}
