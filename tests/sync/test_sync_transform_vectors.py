"""The shared transform vectors (data/transform_vectors.json) through the Python engine's public API.

tests/js/transform_vectors.test.js runs the same file through the browser's operations.js: both
must give every expected text and patch. Server side, an edit is merged with ``merge_edit`` past
the revisions committed after its base; client side, the drafter who made it (its edit applied
locally) transforms each committed revision past it, and the drafter whose revision was
committed last applies the merged revision's patch. All end with the same text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.sync import (
    Operation,
    SyncError,
    apply_operation,
    apply_patch_to_view,
    canonical_operation,
    from_utf16_view,
    merge_edit,
    normalise_newlines,
    operation_between,
    patch_from_operation,
    to_utf16_view,
    transform_operations,
)

from .data.make_transform_vectors import render

DATA = Path(__file__).parent / "data" / "transform_vectors.json"
VECTORS: list[dict[str, Any]] = json.loads(DATA.read_text("utf-8"))["vectors"]
MERGES = [v for v in VECTORS if "error" not in v]
REFUSED = [v for v in VECTORS if "error" in v]


def ops_of(step: dict[str, Any]) -> Operation:
    """A vector's operation with its inserted texts as UTF-16 views (JSON gives ordinary strings)."""
    return [to_utf16_view(op) if isinstance(op, str) else op for op in step["ops"]]


def check_step(before: str, step: dict[str, Any]) -> None:
    """One edit: its operation, its patch text and the operation read back from the patch agree."""
    view, ops = to_utf16_view(before), ops_of(step)
    assert ops == canonical_operation(ops)
    assert from_utf16_view(apply_operation(view, ops)) == step["text"]
    assert patch_from_operation(view, ops) == step["patch"]
    assert apply_patch_to_view(view, step["patch"]) == (to_utf16_view(step["text"]), ops)
    assert operation_between(before, step["text"]) == ops_of({"ops": step["diff"]})


def test_the_file_is_what_its_script_makes():
    assert DATA.read_text("utf-8") == render()


def test_the_vectors_cover_the_cases_the_engines_must_agree_on():
    names = " / ".join(v["name"] for v in VECTORS)
    for topic in ("same position", "overlapping deletes", "inside a deleted range", "emoji", "surrogate pair"):
        assert topic in names
    assert any(v.get("newlines_normalised") for v in VECTORS)
    assert {v["error"] for v in REFUSED} == {"conflict", "bad_patch"}
    texts = [v["base"] for v in VECTORS] + [v["merged"] for v in MERGES]
    assert any(to_utf16_view(t) != t for t in texts)  # characters outside the BMP


@pytest.mark.parametrize("vector", MERGES, ids=[v["name"] for v in MERGES])
def test_a_merge_vector(vector):
    base, merged = vector["base"], vector["merged"]
    text = base
    for step in vector["committed"]:
        check_step(text, step)
        text = step["text"]
    newest = text
    edit = vector["edit"]
    check_step(base, edit)

    # The server: the edit's patch merged past the committed revisions' patches.
    result = merge_edit(base, edit["patch"], later_patches=[step["patch"] for step in vector["committed"]])
    assert result.text == merged
    assert result.patch == vector["merged_patch"]
    assert result.changed == (merged != newest)

    # The drafters whose revisions were committed: the merged revision's patch, applied exactly.
    assert apply_patch_to_view(to_utf16_view(newest), vector["merged_patch"])[0] == to_utf16_view(merged)

    # The edit's drafter: its edit is applied locally; each committed revision arrives and is
    # transformed past it (the committed one counts as first), as the browser does.
    pending = ops_of(edit)
    if vector.get("newlines_normalised"):  # what the drafter's client sends: LF only
        pending = canonical_operation(normalise_newlines(op) if isinstance(op, str) else op for op in pending)
    local = apply_operation(to_utf16_view(base), pending)
    for step in vector["committed"]:
        pending, remote = transform_operations(pending, ops_of(step))
        local = apply_operation(local, remote)
    assert from_utf16_view(local) == merged
    assert from_utf16_view(apply_operation(to_utf16_view(newest), pending)) == merged


@pytest.mark.parametrize("vector", REFUSED, ids=[v["name"] for v in REFUSED])
def test_a_refused_vector(vector):
    text = vector["base"]
    for step in vector["committed"]:
        check_step(text, step)
        text = step["text"]
    patch = vector["edit"]["patch"]
    with pytest.raises(SyncError) as refused:
        merge_edit(vector["base"], patch, later_patches=[step["patch"] for step in vector["committed"]])
    assert refused.value.code == vector["error"]
    with pytest.raises(SyncError):  # nor does it apply to its base alone
        apply_patch_to_view(to_utf16_view(vector["base"]), patch)
