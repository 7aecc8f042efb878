"""Writes transform_vectors.json: concurrent edits, their merge and the expected texts.

The cases and their expected merged texts are written by hand below; everything else in the file
(each edit's text and patch text, the merged revision's patch) is made by the Python engine, and
the script refuses to write the file if the engine's merge does not give the hand-written text.
tests/sync/test_sync_transform_vectors.py and tests/js/transform_vectors.test.js run every vector,
through the Python engine's public API and through static/js/drafting/operations.js.

Usage, from the repository root:  .venv/bin/python tests/sync/data/make_transform_vectors.py
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
OUT = Path(__file__).with_name("transform_vectors.json")
sys.path.insert(0, str(ROOT))

from app.sync import (  # noqa: E402  (after the path set-up, run as a script)
    SyncError,
    apply_operation,
    canonical_operation,
    from_utf16_view,
    merge_edit,
    operation_between,
    patch_from_operation,
    to_utf16_view,
    utf16_len,
)


def u(text: str) -> int:
    """Length in UTF-16 code units: the unit of every offset in an operation."""
    return utf16_len(text)


LOREM = (
    "Dear Mayor,\nWe ask the city to build a protected bike lane on Main Street.\n"
    "It would make the street safer for children, for older residents and for everyone.\n"
    "Thank you for your time.\n"
)
BIKE = LOREM.index("bike")

# (name, base, [operations committed after base, each on the text before it], the concurrent edit
# made on base, expected merged text). An operation: int n > 0 keeps n UTF-16 units, -n deletes n,
# a str inserts it.
CASES: list[tuple[str, str, list[list[Any]], list[Any], str]] = [
    # -- inserts at the same position -----------------------------------------------------------
    ("same position: the one committed first goes first", "ab", [[1, "X", 1]], [1, "Y", 1], "aXYb"),
    ("same position at the start of the text", "abc", [["X", 3]], ["Y", 3], "XYabc"),
    ("same position at the end of the text", "abc", [[3, "X"]], [3, "Y"], "abcXY"),
    ("both insert into an empty text", "", [["Hello"]], ["World"], "HelloWorld"),
    (
        "same position, inserts are never split",
        "Names: .",
        [[7, "Ann, Bo", 1]],
        [7, "Cy, Di", 1],
        "Names: Ann, BoCy, Di.",
    ),
    ("inserts at neighbouring positions", "abcd", [[2, "X", 2]], [1, "Y", 3], "aYbXcd"),
    # -- deletes ----------------------------------------------------------------------------------
    ("overlapping deletes", "abcdef", [[1, -3, 2]], [2, -3, 1], "af"),
    ("the same delete twice: no change the second time", "one two three", [[4, -4, 5]], [4, -4, 5], "one three"),
    ("a delete inside a deleted range", "abcdefgh", [[1, -6, 1]], [3, -2, 3], "ah"),
    ("a delete around a deleted range", "abcdefgh", [[3, -2, 3]], [1, -6, 1], "ah"),
    ("delete everything against an insert at the end", "abc", [[3, "!"]], [-3], "!"),
    ("delete everything against an insert at the start", "abc", [["!", 3]], [-3], "!"),
    ("both delete the whole text", "gone", [[-4]], [-4], ""),
    ("deletes at the start and the end", "Hello world", [[-6, 5]], [6, -5], ""),
    # -- an insert meets a delete -----------------------------------------------------------------
    ("text inserted inside a deleted range survives", "abcdef", [[3, "NEW", 3]], [1, -4, 1], "aNEWf"),
    ("a deletion never removes text it did not see", "abcdef", [[1, -4, 1]], [3, "NEW", 3], "aNEWf"),
    ("insert just before a deleted range", "abcd", [[1, -2, 1]], [1, "X", 3], "aXd"),
    ("insert just after a deleted range", "abcd", [[1, -2, 1]], [3, "X", 1], "aXd"),
    ("a replacement and an insert right after it", "xcaty", [[4, "!", 1]], [1, "dog", -3, 1], "xdog!y"),
    ("a replacement and an insert right before it", "xcaty", [[1, "!", 4]], [1, "dog", -3, 1], "x!dogy"),
    ("two replacements of the same word", "a cat sat", [[2, "dog", -3, 4]], [2, "cow", -3, 4], "a dogcow sat"),
    # -- characters outside the Basic Multilingual Plane (surrogate pairs) ------------------------
    ("inserts on both sides of an emoji", "a😀b", [[u("a"), "X", u("😀b")]], [u("a😀"), "Y", u("b")], "aX😀Yb"),
    (
        "an emoji replaced by one with the same high surrogate",
        "a😀b",
        [[u("a"), "😃", -u("😀"), u("b")]],
        [u("a😀b"), "!"],
        "a😃b!",
    ),
    (
        "both replace the same emoji",
        "a😀b",
        [[u("a"), "😃", -u("😀"), u("b")]],
        [u("a"), "😄", -u("😀"), u("b")],
        "a😃😄b",
    ),
    ("between two emoji, against deleting the second", "😀😀", [[u("😀"), "x", u("😀")]], [u("😀"), -u("😀")], "😀x"),
    ("before and after an emoji that is the whole text", "😀", [["<", u("😀")]], [u("😀"), ">"], "<😀>"),
    (
        "an emoji deleted, an insert just before it",
        "a😀b",
        [[u("a"), -u("😀"), u("b")]],
        [u("a"), "X", u("😀b")],
        "aXb",
    ),
    ("an emoji deleted, an insert just after it", "a😀b", [[u("a"), -u("😀"), u("b")]], [u("a😀"), "X", u("b")], "aXb"),
    ("the same position after an emoji", "x😀", [[u("x😀"), "🇫🇷"]], [u("x😀"), "👍🏽"], "x😀🇫🇷👍🏽"),
    (
        "a flag deleted, a zero-width-joined sequence edited",
        "🇫🇷 and 👩\u200d💻!",
        [[-u("🇫🇷 "), u("and 👩\u200d💻!")]],
        [u("🇫🇷 and "), "🧑\u200d🚀 ", u("👩\u200d💻"), -u("!")],
        "and 🧑\u200d🚀 👩\u200d💻",
    ),
    (
        "mathematical letters, a delete across them",
        "𝐀𝐁𝐂 = abc",
        [[u("𝐀"), -u("𝐁"), u("𝐂 = abc")]],
        [u("𝐀𝐁"), -u("𝐂 = a"), u("bc")],
        "𝐀bc",
    ),
    ("emoji and CJK inserted together", "你好", [[u("你"), "😀", u("好")]], [u("你"), "们", u("好")], "你😀们好"),
    # -- several revisions, several hunks ---------------------------------------------------------
    (
        "an edit merged past two revisions",
        "The bus lane.",
        [[4, "new ", 9], [u("The new bus lane"), ", now", 1]],
        [4, "tram", -3, 6],
        "The new tram lane, now.",
    ),
    (
        "an edit with two hunks far apart, past one in the middle",
        LOREM,
        [[u(LOREM[:BIKE]), "green ", u(LOREM[BIKE:])]],
        [u("Dear "), -u("Mayor"), "Mayor Lee", u(LOREM[10:-6]), -u("time"), "attention", u(".\n")],
        LOREM[:5] + "Mayor Lee" + LOREM[10:BIKE] + "green " + LOREM[BIKE:-6] + "attention.\n",
    ),
    (
        "line breaks inserted on both sides",
        "one\ntwo\n",
        [[u("one\n"), "one and a half\n", u("two\n")]],
        [u("one\n"), "1.5\n", u("two\n")],
        "one\none and a half\n1.5\ntwo\n",
    ),
    ("a line joined, a line added", "one\ntwo\nthree", [[3, -1, " ", 9]], [8, "2.5\n", 5], "one two\n2.5\nthree"),
]

# Edits sent with CR line endings: the server normalises them to LF (the browser normalises
# before it sends, so it sends the LF version of the same edit).
CRLF_CASES: list[tuple[str, str, list[list[Any]], list[Any], str]] = [
    (
        "an edit with CRLF line endings",
        "one\ntwo\n",
        [[u("one\ntwo\n"), "end"]],
        [u("one\n"), "1.5\r\n", u("two\n")],
        "one\n1.5\ntwo\nend",
    ),
    ("an edit with a lone CR", "a b", [["X", 3]], [1, "\r", -1, 1], "Xa\nb"),
]

# Edits the server refuses (and that no client may apply): (name, base, committed, patch, code).
REFUSED: list[tuple[str, str, list[list[Any]], str, str]] = [
    ("an insert between the two halves of a surrogate pair", "😀", [], "@@ -1,0 +2,1 @@\n+X\n", "conflict"),
    (
        "an insert inside a surrogate pair after other text",
        "ab😀cd",
        [[2, "Z", 4]],
        "@@ -3,0 +4,1 @@\n+X\n",
        "conflict",
    ),
    (
        "context that is not in the base text",
        "Hello world",
        [[11, "!"]],
        "@@ -1,5 +1,5 @@\n-Hullo\n+Hallo\n",
        "conflict",
    ),
    ("a patch whose hunk is past the end of the text", "short", [], "@@ -10,0 +10,1 @@\n+X\n", "conflict"),
    ("a malformed escape in the patch", "abc", [], "@@ -1,3 +1,4 @@\n abc\n+%E0%A4%A\n", "bad_patch"),
    ("an encoded lone surrogate in the patch", "abc", [], "@@ -1,3 +1,4 @@\n abc\n+%ED%A0%BD\n", "bad_patch"),
    ("a lone surrogate in the patch text", "abc", [], "@@ -1,3 +1,4 @@\n abc\n+\ud83d\n", "bad_patch"),
]


def _view_ops(ops: list[Any]) -> list[Any]:
    """The operation with its inserted texts as UTF-16 views, as the engine takes it."""
    return [to_utf16_view(op) if isinstance(op, str) else op for op in ops]


def _step(before: str, ops: list[Any]) -> dict[str, Any]:
    view = to_utf16_view(before)
    ops_view = canonical_operation(_view_ops(ops))
    after = from_utf16_view(apply_operation(view, ops_view))
    return {
        "ops": [from_utf16_view(op) if isinstance(op, str) else op for op in ops_view],
        "text": after,
        "patch": patch_from_operation(view, ops_view),
        "diff": [from_utf16_view(op) if isinstance(op, str) else op for op in operation_between(before, after)],
    }


def _committed(base: str, committed: list[list[Any]]) -> tuple[list[dict[str, Any]], str]:
    steps = []
    text = base
    for ops in committed:
        step = _step(text, ops)
        steps.append(step)
        text = step["text"]
    return steps, text


def vectors() -> dict[str, Any]:
    out = []
    for group, cases in (("merge", CASES), ("crlf", CRLF_CASES)):
        for name, base, committed, edit_ops, merged in cases:
            steps, _newest = _committed(base, committed)
            edit = _step(base, edit_ops)
            result = merge_edit(base, edit["patch"], later_patches=[s["patch"] for s in steps])
            if result.text != merged:
                raise SystemExit(f"{name!r}: the engine merges to {result.text!r}, the case expects {merged!r}")
            vector = {"name": name, "base": base, "committed": steps, "edit": edit}
            if group == "crlf":
                vector["newlines_normalised"] = True
            vector |= {"merged": merged, "merged_patch": result.patch}
            out.append(vector)
    for name, base, committed, patch, code in REFUSED:
        steps, _newest = _committed(base, committed)
        try:
            merge_edit(base, patch, later_patches=[s["patch"] for s in steps])
        except SyncError as error:
            if error.code != code:
                raise SystemExit(
                    f"{name!r}: the engine refuses with {error.code!r}, the case expects {code!r}"
                ) from None
        else:
            raise SystemExit(f"{name!r}: the engine accepts it, the case expects {code!r}")
        out.append({"name": name, "base": base, "committed": steps, "edit": {"patch": patch}, "error": code})
    return {
        "about": (
            "Concurrent edits and their merge, run by tests/sync/test_sync_transform_vectors.py (Python engine) "
            "and tests/js/transform_vectors.test.js (static/js/drafting/operations.js). Made by "
            "make_transform_vectors.py beside this file; do not edit by hand."
        ),
        "format": {
            "ops": "an operation over the whole text: int n > 0 keeps n UTF-16 code units, -n deletes n, a string "
            "is inserted",
            "committed": "revisions stored after base, in order, each on the text before it: its ops, the text after "
            "it, its patch text, and the ops a diff of the two texts gives (diff; both engines diff alike)",
            "edit": "an edit made on base at the same time; merged after the committed revisions",
            "merged": "the text once the edit is merged; every client ends with it too",
            "merged_patch": "the patch of the merged edit's revision, from the newest committed text ('' when the "
            "edit changes nothing any more)",
            "newlines_normalised": "the edit has CR line endings; the server turns them into LF (a browser does so "
            "before sending)",
            "error": "the edit's patch is refused with this code, and no client may apply it",
        },
        "vectors": out,
    }


def render() -> str:
    """The JSON file's text: one line per vector field, readable in a diff."""
    data = vectors()
    lines = ["{", f'  "about": {json.dumps(data["about"], ensure_ascii=False)},', '  "format": {']
    lines.append(
        ",\n".join(f"    {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in data["format"].items())
    )
    lines.append("  },")
    lines.append('  "vectors": [')
    for index, vector in enumerate(data["vectors"]):
        fields = [f"    {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in vector.items()]
        comma = "," if index < len(data["vectors"]) - 1 else ""
        lines.append("   {\n" + ",\n".join(fields) + "\n   }" + comma)
    lines.append("  ]")
    lines.append("}")
    # Lone surrogates (only in refused patches) as escapes: the file stays valid UTF-8.
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", "\n".join(lines) + "\n")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
