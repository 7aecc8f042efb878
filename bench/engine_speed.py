"""The sync engine's time per edit (app.sync.merge_edit) against the letter's size.

For each size (UTF-16 code units) and text kind it builds a letter, then times merging one
drafter's edit (4 characters typed at a random place) made on the newest revision
(base = newest), on the revision 5 behind (base = newest - 5, so the edit is carried past 5
stored revisions, given their texts and patches as app/letters/revisions.py gives them),
and 50 behind (what happens once the server lags), the last also with the patches only.
Reports the median and p95 of many runs, measured with time.perf_counter. No database,
no network: the engine only.

    .venv/bin/python bench/engine_speed.py
    .venv/bin/python bench/engine_speed.py --sizes 1000,10000 --runs 500 --kinds ascii
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.sync import MAX_TEXT_UNITS, make_patch, merge_edit, utf16_len

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    *("the", "council", "shall", "fund", "safe", "crossings", "near", "every"),
    *("school", "and", "repair", "the", "east", "side", "sidewalks"),
]
# Typographic punctuation (BMP, not ASCII) and an occasional emoji (outside the BMP: two UTF-16 units).
MIXED_EXTRAS = ["\u2014", "\u2019s", "\u201cSafe Streets\u201d", "caf\u00e9", "\U0001f6b2"]
BEHIND = 5
FAR_BEHIND = 50  # how far behind bases get when the server is slow (one edit per drafter in flight)


def make_text(units: int, kind: str, rng: random.Random) -> str:
    """A letter-like text of exactly `units` UTF-16 code units."""
    parts: list[str] = []
    size = 0
    while size < units:
        word = rng.choice(WORDS)
        if kind == "mixed" and rng.random() < 0.08:
            word = rng.choice(MIXED_EXTRAS)
        if rng.random() < 0.06:
            word += ".\n" if rng.random() < 0.3 else "."
        piece = word + " "
        parts.append(piece)
        size += utf16_len(piece)
    text = "".join(parts)
    while utf16_len(text) > units:  # trim (never cutting a surrogate pair: we trim characters)
        text = text[:-1]
    return text


def typed(text: str, rng: random.Random, chunk: str = "abcd") -> str:
    """`text` with `chunk` inserted at a random character position."""
    at = rng.randrange(len(text) + 1)
    return text[:at] + chunk + text[at:]


def _time_cases(base: str, rng: random.Random, runs: int, behind: int, with_texts: bool) -> list[float]:
    """Time merge_edit for `runs` fresh cases of an edit made `behind` revisions before the newest."""
    times = []
    for _ in range(runs):
        texts = [base]
        patches = []
        for _ in range(behind):  # other drafters' revisions stored after the base
            nxt = typed(texts[-1], rng, "wxyz")
            patches.append(make_patch(texts[-1], nxt))
            texts.append(nxt)
        patch = make_patch(base, typed(base, rng))
        later_texts = texts[1:] if with_texts else ()
        start = time.perf_counter()
        result = merge_edit(base, patch, later_texts, later_patches=patches if behind else None)
        times.append(time.perf_counter() - start)
        assert result.changed
    return times


def _stats(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def measure(size: int, kind: str, runs: int, seed: int) -> dict:
    rng = random.Random(seed)
    # Leave room for the edits so the result stays within MAX_TEXT_UNITS.
    units = min(size, MAX_TEXT_UNITS - 4 * (FAR_BEHIND + 1))
    base = make_text(units, kind, rng)
    row: dict = {"size": size, "units": utf16_len(base), "kind": kind, "runs": runs}
    # As the server calls it: the texts *and* the stored patches of the revisions since the base.
    for label, behind, count, with_texts in (
        ("newest", 0, runs, True),
        ("behind5", BEHIND, runs, True),
        ("behind50", FAR_BEHIND, max(10, runs // 4), True),
        ("behind50_patches_only", FAR_BEHIND, max(10, runs // 4), False),
    ):
        median, p95 = _stats(_time_cases(base, rng, count, behind, with_texts))
        row[f"{label}_median_ms"] = median
        row[f"{label}_p95_ms"] = p95
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,50000,100000,200000", help="UTF-16 units")
    parser.add_argument("--kinds", default="ascii,mixed", help="ascii and/or mixed (typographic + emoji)")
    parser.add_argument("--runs", type=int, default=200, help="timed merges per case")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = [int(v) for v in args.sizes.split(",")]
    kinds = [k for k in args.kinds.split(",") if k]
    rows = []
    header = (
        f"{'size':>8} {'kind':>6} {'newest p50':>10} {'p95':>7} {'newest-5 p50':>12} {'p95':>7} "
        f"{'newest-50 p50':>13} {'p95':>7} {'-50 patches only p50':>20}"
    )
    print(f"merge_edit time per edit (ms); {args.runs} runs each ({max(10, args.runs // 4)} for newest-50)")
    print(header)
    print("-" * len(header))
    for kind in kinds:
        for size in sizes:
            r = measure(size, kind, args.runs, args.seed)
            rows.append(r)
            print(
                f"{size:>8} {kind:>6} {r['newest_median_ms']:>10.3f} {r['newest_p95_ms']:>7.3f} "
                f"{r['behind5_median_ms']:>12.3f} {r['behind5_p95_ms']:>7.3f} "
                f"{r['behind50_median_ms']:>13.3f} {r['behind50_p95_ms']:>7.3f} "
                f"{r['behind50_patches_only_median_ms']:>20.3f}",
                flush=True,
            )
    started = datetime.now(UTC)
    out = ROOT / "bench" / "results" / f"engine-{started:%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"command": " ".join(sys.argv), "date_utc": started.isoformat(), "rows": rows}, indent=2))
    print(f"JSON: {out}")


if __name__ == "__main__":
    main()
