"""Review speed on a letter with a long history: reading revisions, blame, diffs.

Builds one letter of ~60,000 characters with 10,000 revisions on a fresh SQLite database (the app
factory, the real migrations plus any review tables they lack), stored exactly as drafting stores them
(a patch per revision, a full snapshot every SNAPSHOT_EVERY revisions; by default rows are written in
bulk, with --via-service every edit goes through app.drafting.edits.submit_edit), then measures,
through the JSON API (Flask's test client: routing, bearer-token check, JSON) and at the service level:

* reading the newest revision, GET /letters/{id}/revisions/{newest};
* reading a random revision, GET /letters/{id}/revisions/{n} (goal: at most 2x the newest);
* blame at the newest revision, GET /letters/{id}/blame (goal: at most 2x reading it): the first request
  ever (no stored authorship: it catches up once, storing authorship every BLAME_SNAPSHOT_EVERY
  revisions), then "cold" (a new process: memory caches empty, stored authorship present) and "warm";
* a diff of two revisions of the 60,000-character letter: one revision apart, 100 apart, and the first
  against the newest.

"Cold" means every in-process cache (revision texts, authorship, diffs) is emptied before each call, as
in a freshly started server process. Times are medians (and p95) of --reads calls, in milliseconds.

    .venv/bin/python bench/review_speed.py
    .venv/bin/python bench/review_speed.py --revisions 2000 --size 20000 --reads 50
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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARAGRAPH = (
    "To the Mayor and the Common Council \u2014 We, the undersigned alders, ask that the city\u2019s "
    "\u201cSafe Streets\u201d plan be funded this year. Crossings near schools are dangerous and buses are late. "
)
WORDS = ["safe ", "crossing ", "budget ", "school ", "bus ", "tree ", "\U0001f6b2 ", "lamp ", "the ", "a "]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * (len(ordered) - 1) + 0.5))]


class Times(list):
    """Wall-clock seconds of each call, with the process's CPU seconds of each in `.cpu`."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: list[float] = []


def clock(fn: Callable[[], object], out: Times) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    out.cpu.append(time.process_time() - cpu)
    out.append(time.perf_counter() - wall)


def summary(values: list[float]) -> dict[str, float]:
    result = {"median_ms": statistics.median(values) * 1000, "p95_ms": percentile(values, 0.95) * 1000}
    cpu = getattr(values, "cpu", None)
    if cpu:
        result["cpu_median_ms"] = statistics.median(cpu) * 1000
    return result


def timed(fn: Callable[[], object], runs: int, before: Callable[[], None] | None = None) -> Times:
    times = Times()
    for _ in range(runs):
        if before is not None:
            before()
        clock(fn, times)
    return times


def interleaved(
    first: Callable[[], object], second: Callable[[], object], runs: int, before: Callable[[], None] | None = None
) -> tuple[Times, Times]:
    """Time two calls taking turns; `before` runs before each of them."""
    a, b = Times(), Times()
    for _ in range(runs):
        for fn, out in ((first, a), (second, b)):
            if before is not None:
                before()
            clock(fn, out)
    return a, b


class Typist:
    """Edits as drafters make them: each editing session puts a cursor somewhere and types there
    (words, a few backspaces), now and then deleting a phrase nearby; a new session starts elsewhere.
    With --edits scattered every edit goes to a random place instead (the worst case for blame)."""

    def __init__(self, rng: random.Random, scattered: bool) -> None:
        self.rng = rng
        self.scattered = scattered
        self.cursor = 0

    def new_session(self, text: str) -> None:
        self.cursor = self.rng.randrange(len(text) + 1)

    def next_text(self, text: str) -> str:
        rng = self.rng
        if self.scattered:
            self.cursor = rng.randrange(len(text) + 1)
        at = min(self.cursor, len(text))
        roll = rng.random()
        if roll < 0.75 or len(text) < 200:  # type a word at the cursor
            word = rng.choice(WORDS)
            self.cursor = at + len(word)
            return text[:at] + word + text[at:]
        if roll < 0.9:  # backspace
            n = min(at, rng.randint(1, 5))
            self.cursor = at - n
            return text[: at - n] + text[at:]
        # delete a phrase near the cursor
        start = max(0, min(len(text) - 40, at + rng.randint(-300, 300)))
        end = start + rng.randint(5, 30)
        if start < self.cursor:
            self.cursor = max(start, self.cursor - (end - start))
        return text[:start] + text[end:]


def build(
    app, revisions: int, size: int, seed: int, via_service: bool, scattered: bool = False
) -> tuple[int, list[int], float]:
    """The letter, its authors' ids and the seconds it took to store."""
    from app.accounts.models import Official
    from app.drafting import edits as drafting
    from app.extensions import db
    from app.letters import creation
    from app.letters.models import Letter, Revision
    from app.sync import make_patch

    rng = random.Random(seed)
    authors = []
    for n in range(5):
        official = Official(email=f"bench-review-{n}@bench.invalid", name=f"Alder {n}", role="drafter", active=True)
        db.session.add(official)
        authors.append(official)
    db.session.commit()
    author_ids = [a.id for a in authors]
    text = (PARAGRAPH * (size // len(PARAGRAPH) + 1))[:size]
    letter = creation.create_letter(authors[0], "Bench: review speed", text)
    letter_id = letter.id
    every = app.config["SNAPSHOT_EVERY"]
    started = time.perf_counter()
    when = datetime.now(UTC) - timedelta(days=30)
    author = author_ids[0]
    typist = Typist(rng, scattered)
    typist.new_session(text)
    rows = []
    for number in range(1, revisions + 1):
        if rng.random() < 0.02:  # a new editing session, by someone else
            author = rng.choice(author_ids)
            when += timedelta(minutes=rng.randint(15, 600))
            typist.new_session(text)
        else:
            when += timedelta(seconds=rng.randint(1, 20))
        new_text = typist.next_text(text)
        patch = make_patch(text, new_text)
        if via_service:
            drafting.submit_edit(db.session.get(Official, author), letter_id, f"b-{number}", number - 1, patch)
            db.session.remove()
        else:
            rows.append(
                {
                    "letter_id": letter_id,
                    "number": number,
                    "author_id": author,
                    "base_revision": number - 1,
                    "edit_id": f"b-{number}",
                    "patch": patch,
                    "snapshot": new_text if number % every == 0 else None,
                    "created_at": when,
                }
            )
            if len(rows) >= 1000:
                db.session.execute(Revision.__table__.insert(), rows)
                db.session.commit()
                rows.clear()
        text = new_text
    if rows:
        db.session.execute(Revision.__table__.insert(), rows)
    if not via_service:
        db.session.execute(
            Letter.__table__.update().where(Letter.id == letter_id).values(text=text, revision=revisions)
        )
    db.session.commit()
    return letter_id, author_ids, time.perf_counter() - started


def measure(args: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="undersigned-review-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'review.sqlite3'}"
    os.environ["UNDERSIGNED_INSTANCE_PATH"] = str(workdir / "instance")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    from app import create_app

    app = create_app({"MAIL_SENDER_ENABLED": False})
    try:
        return _measure(app, args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _measure(app, args: argparse.Namespace) -> dict:
    from flask_migrate import upgrade

    from app.accounts import api_tokens
    from app.accounts.models import Official
    from app.extensions import db
    from app.letters.models import Letter
    from app.letters.revision_texts import cache as text_cache
    from app.letters.revision_texts import text_at
    from app.review import authorship, history
    from app.review.models import BlameSnapshot

    rng = random.Random(args.seed + 1)
    results: dict = {}
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.create_all()  # review tables the migrations may not have yet (a no-op otherwise)
        letter_id, author_ids, build_seconds = build(
            app, args.revisions, args.size, args.seed, args.via_service, args.edits == "scattered"
        )
        letter = db.session.get(Letter, letter_id)
        newest = letter.revision
        final_chars = len(letter.text)
        token = api_tokens.issue_token(db.session.get(Official, author_ids[0]), "bench")
        db.session.remove()
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()

    def cold() -> None:
        text_cache.clear()
        authorship.clear_caches()
        history.diff_cache.clear()

    def get(path: str) -> None:
        response = client.get(f"/api/v1/letters/{letter_id}{path}", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]

    print(f"letter: {final_chars} characters, {newest} revisions (stored in {build_seconds:.1f} s)", flush=True)
    results["letter"] = {"characters": final_chars, "revisions": newest, "store_seconds": build_seconds}
    results["load_average_before"] = os.getloadavg()

    # Reading: the newest and a random revision, taking turns (so that a busy moment of the machine
    # weighs on both alike).
    api = {}
    for _ in range(5):  # warm up the app (first requests compile templates, fill pools)
        get(f"/revisions/{newest}")
    numbers = [rng.randrange(newest + 1) for _ in range(args.reads)]
    it = iter(numbers)
    newest_times, random_times = interleaved(
        lambda: get(f"/revisions/{newest}"), lambda: get(f"/revisions/{next(it)}"), args.reads, cold
    )
    api["read_newest"] = summary(newest_times)
    api["read_random_cold"] = summary(random_times)

    # Blame: the first request ever catches up once; then cold (stored authorship) and warm.
    start = time.perf_counter()
    get("/blame")
    api["blame_first_ever_ms"] = (time.perf_counter() - start) * 1000
    read_times, blame_times = interleaved(lambda: get(f"/revisions/{newest}"), lambda: get("/blame"), args.reads, cold)
    api["read_newest_beside_blame_cold"] = summary(read_times)
    api["blame_newest_cold"] = summary(blame_times)
    get("/blame")
    read_times, blame_times = interleaved(lambda: get(f"/revisions/{newest}"), lambda: get("/blame"), args.reads)
    api["read_newest_beside_blame_warm"] = summary(read_times)
    api["blame_newest_warm"] = summary(blame_times)
    it = iter(numbers)
    api["blame_random_cold"] = summary(timed(lambda: get(f"/blame?revision={next(it)}"), args.reads, cold))

    # Diffs of the 60,000-character letter.
    pairs = {
        "diff_1_apart": [(n - 1, n) for n in (max(1, x) for x in numbers)],
        "diff_100_apart": [(max(0, n - 100), n) for n in numbers],
        "diff_first_to_newest": [(0, newest)] * max(3, args.reads // 10),
    }
    for name, items in pairs.items():
        it2 = iter(items)

        def one(it2=it2) -> None:
            a, b = next(it2)
            get(f"/diff?from={a}&to={b}")

        api[name] = summary(timed(one, len(items), cold))
    results["api"] = api

    # The same at the service level (no HTTP, no token check, no JSON).
    service = {}
    with app.app_context():
        letter = db.session.get(Letter, letter_id)
        service["read_newest"] = summary(timed(lambda: text_at(letter, newest), args.reads, cold))
        it = iter(numbers)
        service["read_random_cold"] = summary(timed(lambda: text_at(letter, next(it)), args.reads, cold))
        service["blame_newest_cold"] = summary(timed(lambda: authorship.blame_pieces(letter, newest), args.reads, cold))
        authorship.blame_pieces(letter, newest)
        service["blame_newest_warm"] = summary(timed(lambda: authorship.blame_pieces(letter, newest), args.reads))
        it3 = iter(pairs["diff_100_apart"])
        service["diff_100_apart"] = summary(
            timed(lambda: history.diff_revisions(letter, *next(it3)), len(pairs["diff_100_apart"]), cold)
        )
        stored = db.session.query(BlameSnapshot).filter_by(letter_id=letter_id).count()
        runs = len(authorship.blame_runs(letter, newest))
        db.session.remove()
    results["service"] = service
    results["blame_snapshots_stored"] = stored
    results["blame_runs_at_newest"] = runs

    def cpu_ratio(a: str, b: str) -> float:
        return api[a].get("cpu_median_ms", 0.0) / max(api[b].get("cpu_median_ms", 0.0), 1e-9)

    results["cpu_ratios"] = {
        "api_read_random_over_newest": cpu_ratio("read_random_cold", "read_newest"),
        "api_blame_cold_over_read_newest": cpu_ratio("blame_newest_cold", "read_newest_beside_blame_cold"),
        "api_blame_warm_over_read_newest": cpu_ratio("blame_newest_warm", "read_newest_beside_blame_warm"),
    }
    results["load_average_after"] = os.getloadavg()
    results["ratios"] = {
        "api_read_random_over_newest": api["read_random_cold"]["median_ms"] / api["read_newest"]["median_ms"],
        "api_blame_cold_over_read_newest": api["blame_newest_cold"]["median_ms"]
        / api["read_newest_beside_blame_cold"]["median_ms"],
        "api_blame_warm_over_read_newest": api["blame_newest_warm"]["median_ms"]
        / api["read_newest_beside_blame_warm"]["median_ms"],
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--revisions", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=45_000, help="initial letter size (characters)")
    parser.add_argument("--reads", type=int, default=100, help="calls per measurement")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--via-service", action="store_true", help="store every edit with drafting.submit_edit")
    parser.add_argument("--edits", choices=["typing", "scattered"], default="typing", help="how the edits are made")
    args = parser.parse_args()
    started = datetime.now(UTC)
    results = measure(args)
    for section in ("api", "service"):
        print(f"== {section} (ms)")
        for name, value in results[section].items():
            if isinstance(value, dict):
                cpu = value.get("cpu_median_ms")
                extra = f"   cpu {cpu:8.2f}" if cpu is not None else ""
                print(f"  {name:<30} median {value['median_ms']:8.2f}   p95 {value['p95_ms']:8.2f}{extra}")
            else:
                print(f"  {name:<30} {value:8.2f}")
    print("== ratios (wall clock; CPU time of this process)")
    for name, value in results["ratios"].items():
        print(f"  {name:<36} {value:5.2f}x   {results['cpu_ratios'][name]:5.2f}x")
    print(f"load average at the end: {results['load_average_after']}")
    stored, runs = results["blame_snapshots_stored"], results["blame_runs_at_newest"]
    print(f"blame snapshots stored: {stored}; runs at newest: {runs}")
    out = ROOT / "bench" / "results" / f"review-{started:%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {"command": " ".join(sys.argv), "date_utc": started.isoformat(), "args": vars(args), **results}, indent=2
        )
    )
    print(f"JSON: {out}")


if __name__ == "__main__":
    main()
