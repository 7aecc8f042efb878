"""How often to keep a full snapshot of a letter's text (SNAPSHOT_EVERY, app/config.py).

For each interval K it makes a letter on a fresh SQLite database (the app factory, the real
migrations), stores ~1000 revisions through app.drafting.edits.submit_edit (4 characters
typed at a random place, as a drafter would), then measures, with the revision-text cache
cleared before every call:

* reading one revision's text (app.letters.revision_texts.text_at) for random revisions,
  and for the worst case (the revision just before a snapshot);
* what an edit made 5 revisions behind needs after a restart (its base text, text_at(newest-5),
  and the patches since, patches_after(newest-5), as the revision store reads them);
* the storage the snapshots take.

    .venv/bin/python bench/snapshot_interval.py
    .venv/bin/python bench/snapshot_interval.py --intervals 10,50,200 --revisions 1000 --sizes 5000,50000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARAGRAPH = (
    "To the Mayor and the Common Council \u2014 We, the undersigned alders, ask that the city\u2019s "
    "\u201cSafe Streets\u201d plan be funded this year. Crossings near schools are dangerous and buses are late. "
)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * (len(ordered) - 1) + 0.5))]


def run(intervals: list[int], revisions: int, sizes: list[int], reads: int, seed: int) -> list[dict]:
    workdir = Path(tempfile.mkdtemp(prefix="undersigned-snapshots-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'snapshots.sqlite3'}"
    os.environ["UNDERSIGNED_INSTANCE_PATH"] = str(workdir / "instance")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")

    from app import create_app

    app = create_app({"MAIL_SENDER_ENABLED": False})
    try:
        return _measure(app, intervals, revisions, sizes, reads, seed)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _measure(app, intervals: list[int], revisions: int, sizes: list[int], reads: int, seed: int) -> list[dict]:
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from app.accounts.models import Official
    from app.drafting import edits as drafting
    from app.extensions import db
    from app.letters import creation
    from app.letters.models import Letter, Revision
    from app.letters.revision_texts import cache, patches_after, text_at
    from app.sync import make_patch

    rows = []
    rng = random.Random(seed)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        official = Official(email="bench-snapshots@bench.invalid", name="Bench", role="drafter", active=True)
        db.session.add(official)
        db.session.commit()
        official_id = official.id
        for size in sizes:
            initial = (PARAGRAPH * (size // len(PARAGRAPH) + 1))[:size]
            for every in intervals:
                app.config["SNAPSHOT_EVERY"] = every
                official = db.session.get(Official, official_id)
                letter = creation.create_letter(official, f"K={every} size={size}", initial)
                letter_id = letter.id
                text = initial
                submit_times = []
                for n in range(1, revisions + 1):
                    at = rng.randrange(len(text) + 1)
                    new_text = text[:at] + "abcd" + text[at:]
                    patch = make_patch(text, new_text)
                    start = time.perf_counter()
                    stored = drafting.submit_edit(official, letter_id, f"e{every}-{size}-{n}", n - 1, patch)
                    submit_times.append(time.perf_counter() - start)
                    assert stored.revision == n
                    text = new_text
                    db.session.remove()
                    official = db.session.get(Official, official_id)
                letter = db.session.get(Letter, letter_id)
                assert letter.text == text
                # Random revisions, cold cache each time.
                read_times = []
                for _ in range(reads):
                    number = rng.randrange(revisions + 1)
                    cache.clear()
                    start = time.perf_counter()
                    text_at(letter, number)
                    read_times.append(time.perf_counter() - start)
                # Worst case: the revision just before a snapshot (K-1 patches to replay).
                worst_number = (revisions // every) * every - 1 if revisions >= every else revisions
                worst_times = []
                for _ in range(max(5, reads // 10)):
                    cache.clear()
                    start = time.perf_counter()
                    text_at(letter, worst_number)
                    worst_times.append(time.perf_counter() - start)
                # An edit 5 behind after a restart: texts of newest-5 .. newest.
                behind_times = []
                for _ in range(max(5, reads // 10)):
                    cache.clear()
                    start = time.perf_counter()
                    text_at(letter, letter.revision - 5)
                    patches_after(letter, letter.revision - 5)
                    behind_times.append(time.perf_counter() - start)
                snapshots, snapshot_chars = db.session.execute(
                    select(func.count(Revision.id), func.coalesce(func.sum(func.length(Revision.snapshot)), 0)).where(
                        Revision.letter_id == letter_id, Revision.snapshot.is_not(None)
                    )
                ).one()
                patch_chars = db.session.scalar(
                    select(func.coalesce(func.sum(func.length(Revision.patch)), 0)).where(
                        Revision.letter_id == letter_id
                    )
                )
                db.session.remove()
                row = {
                    "K": every,
                    "initial_chars": size,
                    "final_chars": len(text),
                    "revisions": revisions,
                    "text_at_median_ms": statistics.median(read_times) * 1000,
                    "text_at_p95_ms": percentile(read_times, 0.95) * 1000,
                    "text_at_worst_median_ms": statistics.median(worst_times) * 1000,
                    "restart_edit_5_behind_median_ms": statistics.median(behind_times) * 1000,
                    "submit_edit_median_ms": statistics.median(submit_times) * 1000,
                    "submit_edit_p95_ms": percentile(submit_times, 0.95) * 1000,
                    "snapshots": snapshots,
                    "snapshot_mb": snapshot_chars / 1e6,
                    "patch_mb": patch_chars / 1e6,
                }
                rows.append(row)
                print(
                    f"{every:>4} {size:>7} {len(text):>7} "
                    f"{row['text_at_median_ms']:>9.2f} {row['text_at_p95_ms']:>9.2f} "
                    f"{row['text_at_worst_median_ms']:>9.2f} {row['restart_edit_5_behind_median_ms']:>10.2f} "
                    f"{row['submit_edit_median_ms']:>9.2f} {snapshots:>5} {row['snapshot_mb']:>8.2f}",
                    flush=True,
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--intervals", default="10,50,200")
    parser.add_argument("--revisions", type=int, default=1000)
    parser.add_argument("--sizes", default="5000,50000", help="initial letter sizes (characters)")
    parser.add_argument("--reads", type=int, default=200, help="random text_at calls per case")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(
        f"{'K':>4} {'initial':>7} {'final':>7} {'read p50':>9} {'read p95':>9} {'worst p50':>9} "
        f"{'5-behind':>10} {'submit':>9} {'snaps':>5} {'snap MB':>8}   (times in ms, cache cleared)"
    )
    rows = run(
        [int(v) for v in args.intervals.split(",")],
        args.revisions,
        [int(v) for v in args.sizes.split(",")],
        args.reads,
        args.seed,
    )
    started = datetime.now(UTC)
    out = ROOT / "bench" / "results" / f"snapshots-{started:%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"command": " ".join(sys.argv), "date_utc": started.isoformat(), "rows": rows}, indent=2))
    print(f"JSON: {out}")


if __name__ == "__main__":
    main()
