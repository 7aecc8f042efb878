"""Signing throughput on PostgreSQL under the production server, beside a bare endpoint.

Starts gunicorn (gevent workers, as in production) on a fresh PostgreSQL database with a locked
letter, then runs wrk (Debian's package) against:
  1. GET /healthz               - a bare Flask endpoint on the same server (no database);
  2. POST /api/v1/letters/ID/signatures - accepted signature submissions (202), each a new address;
  3. POST /api/v1/signatures/confirm    - confirmations, each of its own emailed link (tokens are
     prepared in the database beforehand; the rate counts signatures stored, not answers);
  4. GET /letters/ID with If-None-Match - public page views answered from the ETag (304);
  5. GET /letters/ID                   - public page views rendered in full.
Prints a table (with the server worker's and wrk's own CPU) and writes bench/results/signing-*.json.
`--profile DIR` records each phase with py-spy (bench/requirements.txt) into DIR/<phase>.txt.
Nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

SETUP = """
from app import create_app
from app.extensions import db
from app.accounts.models import Official
from app.letters import creation
from app.review import locking
app = create_app()
with app.app_context():
    drafter = Official(email="d@bench.example", name="Bench Drafter", role="drafter")
    clerk = Official(email="c@bench.example", name="Bench Clerk", role="clerk")
    db.session.add_all([drafter, clerk]); db.session.commit()
    letter = creation.create_letter(drafter, "Bench letter", "# Bench\\n\\nWe, the undersigned, ask.\\n" * 20)
    locking.lock_letter(clerk, letter.id)
    print(letter.id)
"""

TOKENS = """
import sys
from sqlalchemy import insert, text
from app import create_app
from app.extensions import db
from app.shared.db_types import utcnow
from app.shared.secret_tokens import digest, new_token
from app.signing.models import SignatureSubmission
from app.signing.signatures import email_hmac
letter_id, count, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
app = create_app()
with app.app_context():
    tokens = [new_token() for _ in range(count)]
    now = utcnow()
    rows = [
        dict(letter_id=letter_id, email_hmac=email_hmac(f"c{i}@bench.example"), email=f"c{i}@bench.example",
             name=f"Bench Confirmer {i}", ward=f"Ward {i % 30 + 1}", public=i % 3 == 0, wants_updates=i % 2 == 0,
             locale="en", confirm_digest=digest(t), created_at=now, mailed_at=now)
        for i, t in enumerate(tokens)
    ]
    for start in range(0, count, 5000):
        db.session.execute(insert(SignatureSubmission), rows[start : start + 5000])
    db.session.commit()
    # Statistics for the planner, as autovacuum would have them on a table that grew this big
    # (without them PostgreSQL scans every submission of the letter to retire a signer's links).
    db.session.execute(text("ANALYZE"))
    db.session.commit()
with open(path, "w") as f:
    f.write("\\n".join(tokens) + "\\n")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_database(name: str) -> str:
    import sqlalchemy as sa

    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def is_mail_sender(pid: int) -> bool:
    return b"mail\0serve" in Path(f"/proc/{pid}/cmdline").read_bytes()


def worker_pid(master: int) -> int:
    """The gunicorn worker (the master's child that is not the mail sender)."""
    for _ in range(100):
        children = [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
        workers = [pid for pid in children if not is_mail_sender(pid)]
        if workers:
            return workers[0]
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker")


def mail_sender_pid(master: int) -> int | None:
    """The mail sender the master started (MAIL_SENDER=process), if any."""
    for _ in range(50):
        children = [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
        senders = [pid for pid in children if is_mail_sender(pid)]
        if senders:
            return senders[0]
        time.sleep(0.1)
    return None


def wrk(
    url: str,
    seconds: int,
    connections: int,
    threads: int,
    script: str | None = None,
    headers=(),
    worker: int | None = None,
    mailer: int | None = None,
    profile: Path | None = None,
    env: dict | None = None,
    nice: list[str] | None = None,
) -> dict:
    command = [*(nice or []), "wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    spy = None
    if profile is not None and worker is not None:
        spy = subprocess.Popen(
            [
                *(str(ROOT / ".venv/bin/py-spy"), "record", "--pid", str(worker), "--rate", "250", "--nonblocking"),
                *("--duration", str(seconds), "--format", "raw", "--output", str(profile)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)
    worker_before = cpu_seconds(worker) if worker else 0.0
    mailer_before = cpu_seconds(mailer) if mailer else 0.0
    wrk_before, busy_before, started = children_cpu(), machine_busy(), time.monotonic()
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True, env=env).stdout
    elapsed = time.monotonic() - started
    wrk_cpu = children_cpu() - wrk_before
    busy_after = machine_busy()
    worker_cpu = (cpu_seconds(worker) - worker_before) if worker else 0.0
    mailer_cpu = (cpu_seconds(mailer) - mailer_before) if mailer else 0.0
    if spy is not None:
        spy.wait(timeout=seconds + 30)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    total = int(re.search(r"(\d+) requests in", output).group(1))

    def ms(match):
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    machine = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1]) * os.cpu_count() * 100
    return {
        "rate": rate,
        "p50_ms": ms(p50),
        "p99_ms": ms(p99),
        "requests": total,
        "seconds": elapsed,
        "errors": int(non2xx.group(1)) if non2xx else 0,
        "worker_cpu_pct": round(worker_cpu / elapsed * 100, 1),
        "mail_cpu_pct": round(mailer_cpu / elapsed * 100, 1),
        "wrk_cpu_pct": round(wrk_cpu / elapsed * 100, 1),
        "machine_cpu_pct": round(machine, 1),
    }


PHASES = ("bare", "submit", "confirm", "revalidate", "render")


def count_rows(url: str, table: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608  (our names)
    engine.dispose()
    return value


def drain(url: str, timeout: float = 120.0) -> dict:
    """Wait until the server's mail sender has mailed every submission and sent every mail (the
    next phase then starts on an idle sender); how long that took."""
    import sqlalchemy as sa

    query = sa.text(
        "SELECT (SELECT count(*) FROM signature_submissions WHERE mailed_at IS NULL)"
        " + (SELECT count(*) FROM outgoing_mail WHERE NOT failed)"
    )
    engine = sa.create_engine(url)
    started = time.monotonic()
    with engine.connect() as connection:
        waiting = first = connection.execute(query).scalar()
        while waiting and time.monotonic() - started < timeout:
            time.sleep(0.5)
            waiting = connection.execute(query).scalar()
            connection.rollback()
    engine.dispose()
    return {"waiting_at_start": first, "seconds": round(time.monotonic() - started, 1), "left": waiting}


def browser_revalidation_headers(url: str) -> tuple[str, str]:
    """The headers a browser sends to revalidate the page: its ETag, and the cookies it keeps after
    a render and a first revalidation (a browser stores every cookie the server sets; sending the
    first render's cookies forever would make the server set them again on every answer)."""
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    etag = browser.open(url).headers["ETag"]
    try:
        browser.open(urllib.request.Request(url, headers={"If-None-Match": etag}))  # noqa: S310  (loopback)
    except urllib.error.HTTPError as answer:  # the 304
        assert answer.code == 304, answer.code
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)
    return (f"If-None-Match: {etag}", f"Cookie: {cookies}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes (the goal is for one)")
    parser.add_argument(
        "--mail-sender",
        choices=("process", "worker"),
        default="process",
        help="where gunicorn runs the mail sender (MAIL_SENDER): its own process (the default) or the worker",
    )
    parser.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated, from {','.join(PHASES)}")
    parser.add_argument("--confirm-tokens", type=int, default=40000, help="links prepared for the confirm phase")
    parser.add_argument("--profile", type=Path, help="record each phase with py-spy into this folder")
    parser.add_argument("--priority", type=int, default=0, help="run gunicorn and wrk at nice -N (root)")
    args = parser.parse_args()
    phases = [p for p in args.phases.split(",") if p]

    temp = Path(tempfile.mkdtemp(prefix="undersigned-signing-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database("undersigned_bench_signing"),
        "UNDERSIGNED_INSTANCE_PATH": str(temp / "instance"),
        "SECRET_KEY": "bench",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "RATE_LIMIT_ALLOWLIST": "127.0.0.1",  # the load comes from one address
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "MAIL_SENDER": args.mail_sender,
    }
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)
    subprocess.run(
        [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    letter_id = int(
        subprocess.run(
            [str(PY), "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        ).stdout.split()[-1]
    )
    tokens = temp / "tokens.txt"
    if "confirm" in phases:
        subprocess.run(
            [str(PY), "-c", TOKENS, str(letter_id), str(args.confirm_tokens), str(tokens)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    nice = ["nice", "-n", str(-args.priority)] if args.priority else []
    server = subprocess.Popen(
        [
            *nice,
            str(ROOT / ".venv/bin/gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "--workers",
            str(args.workers),
            "--access-logfile",
            "/dev/null",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict] = {}
    counts: dict[str, int] = {}
    drains: dict[str, dict] = {}
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310  (our own server on loopback)
                break
            except OSError:
                time.sleep(0.2)
        worker = worker_pid(server.pid) if args.workers == 1 else None
        common = {
            "seconds": args.seconds,
            "connections": args.connections,
            "threads": args.threads,
            "worker": worker,
            "mailer": mail_sender_pid(server.pid) if args.mail_sender == "process" else None,
            "nice": nice,
        }

        def run(phase: str, name: str, url: str, **extra) -> None:
            if phase in phases:
                profile = args.profile / f"{phase}.txt" if args.profile else None
                results[name] = wrk(url, profile=profile, **common, **extra)

        run("bare", "bare endpoint (GET /healthz)", f"{base}/healthz")
        before = count_rows(env["DATABASE_URL"], "signature_submissions")
        run(
            "submit",
            "signature submissions (POST, 202)",
            f"{base}/api/v1/letters/{letter_id}/signatures",
            script=str(ROOT / "bench/signing_submit.lua"),
        )
        counts["submissions stored"] = count_rows(env["DATABASE_URL"], "signature_submissions") - before
        if "submit" in phases:
            drains["after submissions"] = drain(env["DATABASE_URL"])
        if "confirm" in phases:
            name = "confirmations (POST, signatures stored)"
            run(
                "confirm",
                name,
                f"{base}/api/v1/signatures/confirm",
                script=str(ROOT / "bench/signing_confirm.lua"),
                env={**os.environ, "BENCH_TOKENS": str(tokens), "BENCH_THREADS": str(args.threads)},
            )
            counts["signatures stored"] = count_rows(env["DATABASE_URL"], "signatures")
            results[name]["answers_per_s"] = results[name]["rate"]
            results[name]["rate"] = counts["signatures stored"] / results[name]["seconds"]
            drains["after confirmations"] = drain(env["DATABASE_URL"])
        time.sleep(2)  # requests still in flight settle; the page's version is read again
        headers = browser_revalidation_headers(f"{base}/letters/{letter_id}")
        run("revalidate", "public page, ETag revalidation (304)", f"{base}/letters/{letter_id}", headers=headers)
        if "revalidate" in phases:  # the ETag held for the whole phase: every answer was a 304
            url = f"{base}/letters/{letter_id}"
            check = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))  # noqa: S310
            try:
                status = urllib.request.urlopen(check).status  # noqa: S310  (our own server on loopback)
            except urllib.error.HTTPError as answer:
                status = answer.code
            results["public page, ETag revalidation (304)"]["status_after"] = status
        run("render", "public page, full render (200)", f"{base}/letters/{letter_id}")
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)
    counts["mails queued"] = count_rows(env["DATABASE_URL"], "outgoing_mail")
    print(
        f"{'what':<42} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}"
        f" {'worker%':>8} {'mail%':>6} {'wrk%':>6} {'machine%':>9}"
    )
    for name, r in results.items():
        print(
            f"{name:<42} {r['rate']:>8.0f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['errors']:>8}"
            f" {r['worker_cpu_pct']:>8.0f} {r['mail_cpu_pct']:>6.0f}"
            f" {r['wrk_cpu_pct']:>6.0f} {r['machine_cpu_pct']:>9.0f}"
        )
    print("; ".join(f"{k}: {v}" for k, v in counts.items()))
    for name, d in drains.items():
        print(f"mail {name}: {d['waiting_at_start']} waiting, all sent after {d['seconds']} s (left {d['left']})")
    if "public page, ETag revalidation (304)" in results:
        print(f"revalidation status after the phase: {results['public page, ETag revalidation (304)']['status_after']}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    out = ROOT / "bench" / "results" / f"signing-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(exist_ok=True)
    record = {
        "args": {k: str(v) for k, v in vars(args).items()},
        "date": datetime.now(UTC).isoformat(),
        "commit": commit.strip(),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        "results": results,
        "counts": counts,
        "mail_drain": drains,
    }
    out.write_text(json.dumps(record, indent=2))


if __name__ == "__main__":
    sys.exit(main())
