"""Signing throughput on PostgreSQL under the production server, beside a bare endpoint.

Starts gunicorn (gevent workers, as in production) on a fresh PostgreSQL database with a locked
letter, then runs wrk (Debian's package) against:
  1. GET /healthz               - a bare Flask endpoint on the same server (no database);
  2. POST /api/v1/letters/ID/signatures - accepted signature submissions (202), each a new address;
  3. GET /letters/ID with If-None-Match - public page views answered from the ETag (304);
  4. GET /letters/ID                   - public page views rendered in full.
Prints a table and writes bench/results/signing-*.json. Nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
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


def wrk(url: str, seconds: int, connections: int, threads: int, script: str | None = None, headers=()) -> dict:
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    total = int(re.search(r"(\d+) requests in", output).group(1))

    def ms(match):
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {
        "rate": rate,
        "p50_ms": ms(p50),
        "p99_ms": ms(p99),
        "requests": total,
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()

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
    server = subprocess.Popen(
        [
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
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310  (our own server on loopback)
                break
            except OSError:
                time.sleep(0.2)
        page = urllib.request.urlopen(f"{base}/letters/{letter_id}")  # noqa: S310  (our own server on loopback)
        etag = page.headers["ETag"]
        cookie = page.headers.get("Set-Cookie", "").split(";")[0]
        common = {"seconds": args.seconds, "connections": args.connections, "threads": 2}
        results = {
            "bare endpoint (GET /healthz)": wrk(f"{base}/healthz", **common),
            "signature submissions (POST, 202)": wrk(
                f"{base}/api/v1/letters/{letter_id}/signatures", script=str(ROOT / "bench/signing_submit.lua"), **common
            ),
            "public page, ETag revalidation (304)": wrk(
                f"{base}/letters/{letter_id}", headers=(f"If-None-Match: {etag}", f"Cookie: {cookie}"), **common
            ),
            "public page, full render (200)": wrk(f"{base}/letters/{letter_id}", **common),
        }
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)
    import sqlalchemy as sa

    engine = sa.create_engine(env["DATABASE_URL"])
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT count(*) FROM signature_submissions")).scalar()
        queued = connection.execute(sa.text("SELECT count(*) FROM outgoing_mail")).scalar()
    engine.dispose()
    print(f"{'what':<40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx/3xx':>12}")
    for name, r in results.items():
        print(f"{name:<40} {r['rate']:>9.0f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['errors']:>12}")
    print(f"signature submissions stored: {stored}; confirmation mails queued or sent: {queued} queued")
    out = ROOT / "bench" / "results" / f"signing-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"args": vars(args), "results": results, "stored": stored}, indent=2))


if __name__ == "__main__":
    sys.exit(main())
