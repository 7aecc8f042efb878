"""Load test of real-time drafting: N simulated drafters typing on one letter.

For each N it prepares a letter (in a fresh database made once per run), starts the server
(gunicorn with gunicorn.conf.py, or `python wsgi.py`), spawns K load-generator processes
(bench/drafting_worker.py) carrying N/K drafters each, lets them type at the rate of
Etherpad's load tester (4 characters every 400 ms, one edit in flight, later keystrokes
merged into the next edit), and reports:

* p50 / p95 / p99 of the time from an edit's send until *every* other drafter has it
  (and the same per single delivery), and of send -> acknowledgement;
* edits per second stored, server CPU and RSS (the gunicorn worker, not the master),
  the load generators' CPU and the rest of the machine's CPU;
* divergence: after typing stops, every drafter's text must equal the server's text
  (GET /api/v1/letters/{id}), and the server's text must hold every typed character.

Usage (from the repository root):

    .venv/bin/python bench/drafting_load.py                       # SQLite, gunicorn, defaults
    .venv/bin/python bench/drafting_load.py --drafters 100 --server wsgi
    .venv/bin/python bench/drafting_load.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench

Results: a table on standard output and JSON in bench/results/. Every wait is bounded.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import secrets
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

BENCH_ROOT = Path(__file__).resolve().parent.parent
ROOT = BENCH_ROOT  # the app source served; --source changes it
VENV_BIN = BENCH_ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
RESULTS = BENCH_ROOT / "bench" / "results"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
QUANTILES = (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))

# The opening of an ordinary open letter (typographic quotes and dashes: not ASCII, all in the BMP).
LETTER_PARAGRAPH = (
    "To the Mayor and the Common Council \u2014 We, the undersigned alders, write to ask that the "
    "city\u2019s \u201cSafe Streets\u201d plan be funded in this year\u2019s budget. Residents of every ward "
    "have told us the same thing: crossings near schools are dangerous, buses are late, and the "
    "sidewalks on the east side are broken. We ask for three things. "
)

SETUP_SNIPPET = """
import json, sys
from app import create_app
from app.extensions import db
from app.accounts.models import Official
from app.accounts import api_tokens
from app.letters import creation

spec = json.loads(sys.argv[1])
app = create_app()
with app.app_context():
    officials = []
    for i in range(spec["drafters"]):
        official = Official(email=f"bench-{spec['run']}-{i}@bench.invalid", name=f"Drafter {i}",
                            role="drafter", active=True)
        db.session.add(official)
        officials.append(official)
    db.session.commit()
    tokens = [api_tokens.issue_token(official, "bench") for official in officials]
    letter_ids = [creation.create_letter(officials[0], f"Bench letter {n}", spec["text"]).id
                  for n in range(spec["letters"])]
print(json.dumps({"tokens": tokens, "letter_ids": letter_ids}))
"""


# -- /proc ------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine since boot, in seconds."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB."""
    rss = hwm = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
        elif line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) / 1024
    return rss, hwm


def is_mail_sender(pid: int) -> bool:
    """The mail sender gunicorn's master starts beside its worker (MAIL_SENDER=process)."""
    try:
        return b"mail\0serve" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def machine_description() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    os_name = ""
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "os": os_name,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


# -- helpers ----------------------------------------------------------------------------


def git_state() -> str:
    """The commit measured, and whether app/ had uncommitted changes."""
    if ROOT != BENCH_ROOT:
        return f"source tree {ROOT}"
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "app", "wsgi.py", "gunicorn.conf.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{' + uncommitted changes in app/' if dirty else ''}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile_from_hist(hist: dict[int, int], fraction: float, bucket_us: int = 100) -> float | None:
    total = sum(hist.values())
    if total == 0:
        return None
    rank = fraction * total
    seen = 0
    for bucket in sorted(hist):
        seen += hist[bucket]
        if seen >= rank:
            return (bucket + 0.5) * bucket_us / 1000  # ms, bucket midpoint
    return None


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


class LineReader:
    """Read JSON lines from a child's stdout with a deadline (never blocks forever)."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.buffer = b""
        self.selector = selectors.DefaultSelector()
        self.selector.register(proc.stdout, selectors.EVENT_READ)

    def read(self, deadline: float) -> dict[str, Any]:
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"generator {self.proc.pid} said nothing in time")
            if not self.selector.select(remaining):
                continue
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
            if not chunk:
                raise RuntimeError(f"generator {self.proc.pid} exited (code {self.proc.poll()})")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


def send(proc: subprocess.Popen, payload: dict[str, Any]) -> None:
    proc.stdin.write((json.dumps(payload) + "\n").encode())
    proc.stdin.flush()


# -- database and server ----------------------------------------------------------------


def prepare_database(workdir: Path, args: argparse.Namespace, letters_needed: int) -> dict[str, Any]:
    instance = workdir / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "UNDERSIGNED_INSTANCE_PATH": str(instance),
        "SECRET_KEY": secrets.token_hex(32),
        "PYTHONPATH": str(ROOT),
    }
    log_file = workdir / "setup.log"
    with log_file.open("w") as out:
        subprocess.run(
            [str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=300,
        )
    if args.sqlite_wal and not args.database_url:
        # An experiment, not the app's setting: WAL is a property of the database file.
        import sqlite3

        with contextlib.closing(sqlite3.connect(workdir / "bench.sqlite3")) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
    spec = {
        "drafters": max(args.drafters),
        "letters": letters_needed,
        "run": secrets.token_hex(4),
        "text": initial_text(args.initial_chars, args.letter),
    }
    done = subprocess.run(
        [PYTHON, "-c", SETUP_SNIPPET, json.dumps(spec)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    made = json.loads(done.stdout.strip().splitlines()[-1])
    return {"env": env, "database_url": database_url, **made}


def initial_text(chars: int, kind: str = "typographic") -> str:
    paragraph = LETTER_PARAGRAPH
    if kind == "ascii":
        paragraph = (
            paragraph.replace("\u2014", "-").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
        )
    text = ""
    while len(text) < chars:
        text += paragraph
    return text[:chars].rstrip() + "\n"


class Server:
    def __init__(
        self, kind: str, env: dict[str, str], port: int, log_path: Path, extra_env: dict[str, str] | None = None
    ) -> None:
        self.kind = kind
        self.port = port
        self.log_path = log_path
        self.env = {**env, **(extra_env or {}), "HOST": "127.0.0.1", "PORT": str(port)}
        if kind == "gunicorn":
            command = [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"]
        else:
            command = [PYTHON, "wsgi.py"]
        self.log = log_path.open("w")
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.pid = self.proc.pid  # the process that serves (set below for gunicorn)

    def wait_ready(self, token: str, letter_id: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log_path}")
            with contextlib.suppress(requests.RequestException):
                answer = requests.get(
                    f"http://127.0.0.1:{self.port}/api/v1/letters/{letter_id}",
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=2,
                )
                if answer.status_code == 200:
                    if self.kind == "gunicorn":
                        workers = [pid for pid in children(self.proc.pid) if not is_mail_sender(pid)]
                        if len(workers) != 1:
                            raise RuntimeError(f"expected one gunicorn worker, found {workers}")
                        self.pid = workers[0]
                    return
            time.sleep(0.2)
        raise TimeoutError(f"server not ready after {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=25)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log.close()

    def problems(self) -> list[str]:
        """Tracebacks and error lines the server logged."""
        lines = self.log_path.read_text(errors="replace").splitlines()
        found = [
            line
            for line in lines
            if "Traceback" in line or "ERROR" in line or "Error:" in line or "drafting event failed" in line
        ]
        return found


def server_letter(port: int, token: str, letter_id: int) -> dict[str, Any]:
    answer = requests.get(
        f"http://127.0.0.1:{port}/api/v1/letters/{letter_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()


# -- one step: N drafters -----------------------------------------------------------------


def background_cpu(seconds: float = 2.0) -> float:
    """The machine's busy CPU (% of one core) over a short sample, before a step starts."""
    busy0, _ = machine_cpu()
    time.sleep(seconds)
    busy1, _ = machine_cpu()
    return (busy1 - busy0) / seconds * 100


def wait_for_quiet(limit_pct: float, max_wait: float) -> float:
    """Wait (at most max_wait seconds) until other work on the machine uses under limit_pct of a core."""
    deadline = time.monotonic() + max_wait
    load = background_cpu()
    while load > limit_pct and time.monotonic() < deadline:
        print(f"  machine busy ({load:.0f}% of a core); waiting for it to calm down ...", flush=True)
        time.sleep(5)
        load = background_cpu()
    return load


def generator_command(args: argparse.Namespace) -> list[str]:
    """One load-generator process: the Node one (bench/drafting_worker.mjs, one record of the
    letter per process) or the Python one (bench/drafting_worker.py, a full shadow per drafter)."""
    if args.generator == "node":
        return ["node", str(BENCH_ROOT / "bench" / "drafting_worker.mjs")]
    return [PYTHON, str(BENCH_ROOT / "bench" / "drafting_worker.py")]


def generator_processes(args: argparse.Namespace, n: int) -> int:
    """How many generator processes carry N drafters: --processes, else one Node process per server
    process (each talks to its own server) or four Python ones."""
    default = args.server_processes if args.generator == "node" else 4
    return max(1, min(args.processes or default, n))


def run_step(n: int, letter_id: int, db_info: dict[str, Any], args: argparse.Namespace, workdir: Path) -> dict:
    tokens = db_info["tokens"][: max(n, 1)]  # N = 0 (--memory): one token to check the server is up
    background_before = wait_for_quiet(args.quiet_below, args.wait_quiet) if args.wait_quiet > 0 else background_cpu()
    extra_env = {"SOCKETIO_MESSAGE_QUEUE": args.message_queue} if args.server_processes > 1 else {}
    if args.server_processes > 1:
        flush_message_queue(args.message_queue)
    servers = [
        Server(args.server, db_info["env"], free_port(), workdir / f"server-{n}-{s}.log", extra_env)
        for s in range(args.server_processes)
    ]
    server = servers[0]
    port = server.port
    generators: list[subprocess.Popen] = []
    try:
        for one in servers:
            one.wait_ready(tokens[0], letter_id)
        initial = server_letter(port, tokens[0], letter_id)
        if args.memory:
            return memory_step(n, letter_id, tokens, servers, args, workdir)
        k = generator_processes(args, n)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_APP_ROOT": str(ROOT)}
        for p in range(k):
            mine = [(i, tokens[i]) for i in range(p, n, k)]
            # With several server processes, generator p talks to server p mod S: half the drafters each.
            target = servers[p % len(servers)]
            proc = subprocess.Popen(
                generator_command(args),
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=(workdir / f"generator-{n}-{p}.log").open("w"),
            )
            generators.append(proc)
            send(
                proc,
                {
                    "host": "127.0.0.1",
                    "port": target.port,
                    "letter_id": letter_id,
                    "drafters": mine,
                    "seed": p,
                    "typists": args.typists,
                    "settle_seconds": args.settle_seconds,
                    "protocol": args.protocol,
                },
            )
        readers = [LineReader(proc) for proc in generators]
        connect_deadline = time.monotonic() + 120
        ready = [reader.read(connect_deadline) for reader in readers]
        connected = sum(r["connected"] for r in ready)
        connect_failures = [f for r in ready for f in r["failures"]]
        if connected < n:
            print(f"  warning: only {connected}/{n} drafters connected: {connect_failures[:3]}", flush=True)

        start = time.time() + 1.0
        measure_from = start + args.warmup
        measure_until = measure_from + args.seconds
        for proc in generators:
            send(
                proc,
                {
                    "cmd": "go",
                    "start": start,
                    "measure_from": measure_from,
                    "measure_until": measure_until,
                    "stop": measure_until,
                },
            )
        # CPU over the measured window only.
        time.sleep(max(0.0, measure_from - time.time()))
        pids = {
            **{f"server{s}": one.pid for s, one in enumerate(servers)},
            **{f"gen{p}": proc.pid for p, proc in enumerate(generators)},
        }
        profiler = None
        if args.profile:
            # Sample the serving process's Python stacks (py-spy, see bench/requirements.txt).
            profiler = subprocess.Popen(
                [
                    str(VENV_BIN / "py-spy"),
                    "record",
                    "--nonblocking",
                    "--idle",
                    "-r",
                    "200",
                    "-f",
                    "raw",
                    "-d",
                    str(int(args.seconds)),
                    "-p",
                    str(server.pid),
                    "-o",
                    str(workdir / f"profile-{n}.txt"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        busy0, total0 = machine_cpu()
        wall0 = time.monotonic()
        time.sleep(max(0.0, measure_until - time.time()))
        after = {name: cpu_seconds(pid) for name, pid in pids.items()}
        busy1, total1 = machine_cpu()
        wall = time.monotonic() - wall0
        memories = [memory_mb(one.pid) for one in servers]
        rss, hwm = sum(m[0] for m in memories), sum(m[1] for m in memories)
        profile: dict[str, Any] | None = None
        if profiler is not None:
            try:
                profiler.wait(timeout=30)
            except subprocess.TimeoutExpired:
                profiler.kill()
            profile = summarise_profile(workdir / f"profile-{n}.txt")

        settle_deadline = time.monotonic() + args.settle_seconds + 30
        settled = [reader.read(settle_deadline) for reader in readers]
        final = server_letter(port, tokens[0], letter_id)
        digest = hashlib.sha256(final["text"].encode("utf-8")).hexdigest()
        for proc in generators:
            send(proc, {"cmd": "verify", "revision": final["revision"], "sha256": digest})
        verify_deadline = time.monotonic() + args.settle_seconds + 30
        results = [reader.read(verify_deadline) for reader in readers]
        for proc in generators:
            with contextlib.suppress(OSError):
                send(proc, {"cmd": "quit"})
        for proc in generators:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        per_server_cpu = [(after[f"server{s}"] - before[f"server{s}"]) / wall * 100 for s in range(len(servers))]
        server_cpu = sum(per_server_cpu)
        generator_cpu = sum(after[k] - before[k] for k in pids if k.startswith("gen")) / wall * 100
        machine_busy = (busy1 - busy0) / wall * 100
        return summarise(
            n,
            k,
            args,
            initial,
            final,
            results,
            settled,
            connected,
            connect_failures,
            {
                "server_cpu_pct": round(server_cpu, 1),
                "generator_cpu_pct": round(generator_cpu, 1),
                "machine_busy_pct": round(machine_busy, 1),
                "background_cpu_before_pct": round(background_before, 1),
                "other_cpu_pct": round(machine_busy - server_cpu - generator_cpu, 1),
                "machine_capacity_pct": round((total1 - total0) / wall * 100),
                "server_rss_mb": round(rss, 1),
                "server_peak_rss_mb": round(hwm, 1),
                "server_processes": len(servers),
                "per_server_cpu_pct": [round(c, 1) for c in per_server_cpu],
                "per_server_rss_mb": [round(m[0], 1) for m in memories],
            },
            [line for one in servers for line in one.problems()],
            profile,
        )
    finally:
        for proc in generators:
            if proc.poll() is None:
                proc.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)
        for one in servers:
            one.stop()


def flush_message_queue(url: str) -> None:
    """Empty the bench's own Redis database (pub/sub itself is not per database; see docs/PERFORMANCE.md)."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(["redis-cli", "-u", url, "FLUSHDB"], capture_output=True, timeout=10)


def memory_step(
    n: int, letter_id: int, tokens: list[str], servers: list[Server], args: argparse.Namespace, workdir: Path
) -> dict:
    """Server RSS before and after N idle drafters connect and join (nobody types)."""
    time.sleep(2)
    before = [memory_mb(one.pid)[0] for one in servers]
    generators: list[subprocess.Popen] = []
    connected = 0
    try:
        if n:
            k = generator_processes(args, n)
            env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_APP_ROOT": str(ROOT)}
            for p in range(k):
                proc = subprocess.Popen(
                    generator_command(args),
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=(workdir / f"generator-mem-{n}-{p}.log").open("w"),
                )
                generators.append(proc)
                send(
                    proc,
                    {
                        "host": "127.0.0.1",
                        "port": servers[p % len(servers)].port,
                        "letter_id": letter_id,
                        "drafters": [(i, tokens[i]) for i in range(p, n, k)],
                        "seed": p,
                        "typists": 0,
                        "settle_seconds": 5,
                    },
                )
            readers = [LineReader(proc) for proc in generators]
            deadline = time.monotonic() + 120
            connected = sum(reader.read(deadline)["connected"] for reader in readers)
        time.sleep(5)  # let the joins' allocations settle
        after = [memory_mb(one.pid)[0] for one in servers]
    finally:
        for proc in generators:
            proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
    growth = sum(after) - sum(before)
    return {
        "drafters": n,
        "connected": connected,
        "server_processes": len(servers),
        "rss_before_mb": round(sum(before), 1),
        "rss_after_mb": round(sum(after), 1),
        "rss_growth_mb": round(growth, 1),
        "mb_per_drafter": round(growth / n, 3) if n else None,
    }


def summarise_profile(path: Path, top: int = 25) -> dict[str, Any] | None:
    """Share of py-spy samples per function: where the time went (self) and under what (inclusive)."""
    if not path.exists():
        return None
    total = 0
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit() or not stack:
            continue
        samples = int(count)
        total += samples
        frames = [frame.split(":")[0] + ")" if " (" in frame else frame for frame in stack.split(";")]
        own[frames[-1]] = own.get(frames[-1], 0) + samples
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + samples
    if total == 0:
        return None

    def share(counts: dict[str, int]) -> list[list]:
        ranked = sorted(counts.items(), key=lambda item: -item[1])[:top]
        return [[name, round(100 * value / total, 1)] for name, value in ranked]

    return {"samples": total, "self_pct": share(own), "inclusive_pct": share(inclusive)}


def summarise(
    n, k, args, initial, final, results, settled, connected, connect_failures, cpu, problems, profile=None
) -> dict:
    delivery: dict[int, int] = {}
    acks: dict[int, int] = {}
    per_edit: dict[str, list[int]] = {}
    sent: list[str] = []
    errors: dict[str, int] = {}
    samples: list[str] = []
    keystrokes = 0
    for r in results:
        for bucket, count in r["delivery_hist"].items():
            delivery[int(bucket)] = delivery.get(int(bucket), 0) + count
        for bucket, count in r["ack_hist"].items():
            acks[int(bucket)] = acks.get(int(bucket), 0) + count
        for edit_id, (latency, receivers) in r["per_edit"].items():
            entry = per_edit.setdefault(edit_id, [0, 0])
            entry[0] = max(entry[0], latency)
            entry[1] += receivers
        sent.extend(r["sent_in_window"])
        for code, count in r["errors"].items():
            errors[code] = errors.get(code, 0) + count
        samples.extend(r["error_samples"])
        keystrokes += r["keystroke_batches"]
    others = connected - 1
    complete = [per_edit[e][0] / 1000 for e in sent if e in per_edit and per_edit[e][1] >= others]
    incomplete = len(sent) - len(complete)
    acked = sum(r["acked_in_window"] for r in results)
    typed_units = keystrokes * 4
    growth = len(final["text"]) - len(initial["text"])  # the typed text is ASCII
    diverged = sum(r["diverged"] for r in results)
    step = {
        "drafters": n,
        "connected": connected,
        "processes": k,
        "edits_in_window": len(sent),
        "typists": args.typists or n,
        "edits_per_s": round(acked / args.seconds, 1),
        "server_cpu_ms_per_edit": round(cpu["server_cpu_pct"] * 10 / max(acked / args.seconds, 1e-9), 2),
        "offered_edits_per_s": round(2.5 * (args.typists or n), 1),
        "all_received_ms": {
            "p50": _r(percentile(complete, 0.50)),
            "p95": _r(percentile(complete, 0.95)),
            "p99": _r(percentile(complete, 0.99)),
            "max": _r(max(complete) if complete else None),
        },
        "edits_not_received_by_all": incomplete,
        "per_delivery_ms": {q: _r(percentile_from_hist(delivery, f)) for q, f in QUANTILES},
        "deliveries": sum(delivery.values()),
        "generator_cpu_us_per_delivery": round(
            cpu["generator_cpu_pct"] * 1e4 / max(sum(delivery.values()) / args.seconds, 1e-9), 1
        ),
        "ack_ms": {q: _r(percentile_from_hist(acks, f)) for q, f in QUANTILES},
        **cpu,
        "final_revision": final["revision"],
        "final_length": len(final["text"]),
        "typed_units": typed_units,
        "server_text_growth": growth,
        "lost_characters": typed_units - growth,
        "diverged_clients": diverged,
        "diverged_samples": [s for r in results for s in r["diverged_samples"]][:5],
        "lagging_clients": sum(r["lagging"] for r in results),
        "sync_mismatches": sum(r["sync_mismatches"] for r in results),
        "errors": errors,
        "error_samples": samples[:5],
        "gaps": sum(r["gaps"] for r in results),
        "fetches": sum(r["fetches"] for r in results),
        "receive_failures": sum(r["receive_failure_count"] for r in results),
        "receive_failure_samples": [s for r in results for s in r["receive_failures"]][:5],
        "disconnects": sum(r["disconnects"] for r in results),
        "settled": all(s["ok"] for s in settled),
        "settle_seconds": max(s["seconds"] for s in settled),
        "connect_failures": connect_failures[:5],
        "server_log_problems": len(problems),
        "server_log_samples": problems[:5],
        "profile": profile,
    }
    step["zero_divergence"] = (
        diverged == 0 and step["lost_characters"] == 0 and step["sync_mismatches"] == 0 and connected == n
    )
    return step


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def collapsed(step: dict) -> bool:
    p95 = step["all_received_ms"]["p95"]
    return (
        p95 is None
        or p95 > 1000
        or step["edits_not_received_by_all"] > 0.01 * max(1, step["edits_in_window"])
        or not step["settled"]
    )


def print_table(steps: list[dict]) -> None:
    head = (
        f"{'N':>4} {'p50':>7} {'p95':>7} {'p99':>7} {'edits/s':>8} {'ack p95':>8} {'diverg':>6} "
        f"{'srv CPU%':>8} {'srv RSS':>8} {'gen CPU%':>8} {'other%':>6} {'letter':>7} {'errors':>6}"
    )
    print(head)
    print("-" * len(head))
    for s in steps:
        lat = s["all_received_ms"]
        div = "0" if s["zero_divergence"] else str(max(1, s["diverged_clients"]))
        print(
            f"{s['drafters']:>4} {_f(lat['p50']):>7} {_f(lat['p95']):>7} {_f(lat['p99']):>7} "
            f"{s['edits_per_s']:>8} {_f(s['ack_ms']['p95']):>8} {div:>6} {s['server_cpu_pct']:>8} "
            f"{s['server_rss_mb']:>8} {s['generator_cpu_pct']:>8} {s['other_cpu_pct']:>6} "
            f"{s['final_length']:>7} {sum(s['errors'].values()):>6}" + ("  COLLAPSED" if collapsed(s) else "")
        )


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drafters", default="25,50,100,150,160,200,300", help="comma-separated N values")
    parser.add_argument("--seconds", type=float, default=20, help="measured window per N")
    parser.add_argument("--warmup", type=float, default=5, help="typing before the measured window")
    parser.add_argument(
        "--generator",
        choices=("node", "python"),
        default="node",
        help="load generator: node (drafting_worker.mjs, light) or python (drafting_worker.py, a shadow per drafter)",
    )
    parser.add_argument(
        "--processes", type=int, default=None, help="load-generator processes (default: node 1 per server, python 4)"
    )
    parser.add_argument("--server", choices=("gunicorn", "wsgi"), default="gunicorn")
    parser.add_argument("--protocol", type=int, choices=(1, 2), default=2, help="drafting protocol the drafters speak")
    parser.add_argument(
        "--server-processes",
        type=int,
        choices=(1, 2),
        default=1,
        help="server processes; with 2, joined by --message-queue, half the drafters on each",
    )
    parser.add_argument(
        "--message-queue",
        default="redis://127.0.0.1:6379/14",
        help="SOCKETIO_MESSAGE_QUEUE for --server-processes 2",
    )
    parser.add_argument(
        "--memory",
        action="store_true",
        help="instead of typing: server RSS before and after N idle drafters connect and join",
    )
    parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database (default: fresh SQLite)")
    parser.add_argument(
        "--sqlite-wal", action="store_true", help="experiment: put the SQLite file in WAL mode (the app does not)"
    )
    parser.add_argument(
        "--letter",
        choices=("typographic", "ascii"),
        default="typographic",
        help="the letter's text: with typographic quotes and dashes (not ASCII), or plain ASCII",
    )
    parser.add_argument("--initial-chars", type=int, default=2000, help="length of the letter when typing starts")
    parser.add_argument("--settle-seconds", type=float, default=60, help="bound on waiting for catch-up")
    parser.add_argument("--stop-after-collapse", action="store_true", help="skip larger N once one collapses")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        help="wait up to this many seconds before each N for other work on the machine to drop under --quiet-below",
    )
    parser.add_argument("--quiet-below", type=float, default=20, help="%% of one core (see --wait-quiet)")
    parser.add_argument(
        "--priority",
        type=int,
        default=0,
        help="run the server and the generators at nice -PRIORITY (root only), so that other work on a "
        "shared machine disturbs the measurement less",
    )
    parser.add_argument(
        "--source",
        default=None,
        help="serve the app from this source tree instead of the repository's (e.g. a `git archive` of a commit), "
        "with the repository's .venv",
    )
    parser.add_argument("--typists", type=int, default=None, help="only this many drafters type (the rest listen)")
    parser.add_argument(
        "--profile", action="store_true", help="sample the server with py-spy over the window (summary in the JSON)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, database)")
    parser.add_argument("--output", default=None, help="JSON file (default bench/results/drafting-<time>.json)")
    args = parser.parse_args()
    args.drafters = [int(v) for v in str(args.drafters).split(",") if v.strip()]
    if args.seconds > 300 or args.warmup > 120:
        parser.error("--seconds is at most 300 and --warmup at most 120")

    global ROOT
    # Stopped by a signal: still stop the server and the generators (the `finally` blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if args.source:
        ROOT = Path(args.source).resolve()
    if args.priority:
        os.nice(-args.priority)  # inherited by the server and the generators
    started = datetime.now(UTC)
    workdir = Path(tempfile.mkdtemp(prefix="undersigned-bench-"))
    print(f"work folder {workdir}", flush=True)
    steps: list[dict] = []
    try:
        db_info = prepare_database(workdir, args, len(args.drafters))
        for index, n in enumerate(args.drafters):
            print(
                f"N={n}: "
                + ("idle drafters" if args.memory else f"{args.warmup:g} s warm-up + {args.seconds:g} s measured ..."),
                flush=True,
            )
            step = run_step(n, db_info["letter_ids"][index], db_info, args, workdir)
            steps.append(step)
            if args.memory:
                print(f"  {json.dumps(step)}", flush=True)
                continue
            lat = step["all_received_ms"]
            print(
                f"  p50 {_f(lat['p50'])} ms, p95 {_f(lat['p95'])} ms, p99 {_f(lat['p99'])} ms, "
                f"{step['edits_per_s']} edits/s, zero divergence: {step['zero_divergence']}, "
                f"errors {step['errors']}, server log problems {step['server_log_problems']}",
                flush=True,
            )
            if args.stop_after_collapse and collapsed(step):
                break
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    first_collapse = None
    if not args.memory:
        print()
        print_table(steps)
        first_collapse = next((s["drafters"] for s in steps if collapsed(s)), None)
        print(
            f"\ncollapse (p95 > 1 s, >1% of edits not delivered to all, or no catch-up): "
            f"{'none up to ' + str(max(args.drafters)) if first_collapse is None else f'N={first_collapse}'}"
        )
    report = {
        "git": git_state(),
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "started_utc": started.isoformat(timespec="seconds"),
        "machine": machine_description(),
        "settings": {
            "server": args.server,
            "server_processes": args.server_processes,
            "protocol": args.protocol,
            "mode": "memory" if args.memory else "typing",
            "database": "postgresql" if args.database_url else ("sqlite (WAL)" if args.sqlite_wal else "sqlite"),
            "seconds": args.seconds,
            "warmup": args.warmup,
            "generator": args.generator,
            "processes": generator_processes(args, max(args.drafters)),
            "initial_chars": args.initial_chars,
            "letter": args.letter,
            "nice": os.nice(0),
        },
        "first_collapse": first_collapse,
        "steps": steps,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    kind = f"{args.server}{args.server_processes}" + ("-memory" if args.memory else "")
    output = Path(args.output) if args.output else RESULTS / f"drafting-{started:%Y%m%dT%H%M%SZ}-{kind}.json"
    output.write_text(json.dumps(report, indent=2))
    print(f"JSON: {output}")


if __name__ == "__main__":
    main()
