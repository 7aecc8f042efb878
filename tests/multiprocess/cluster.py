"""Private services for the multi-process tests: a PostgreSQL cluster, a Redis server, gunicorn
app processes and nginx, each a child process on 127.0.0.1 that the tests may stop, kill and
restart without touching the servers the rest of the test suite shares.

Every wait is bounded; every process is started in a session of its own so that stopping it
stops its children too (gunicorn's worker, nginx's worker).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = REPO_ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python")
PG_BIN = Path(os.environ.get("TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SECRET_KEY = "multiprocess-test-secret-key-shared-by-every-process"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, poll: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(poll)
    if not predicate():
        raise TimeoutError(f"{what}: not within {timeout} s")


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} unreadable)"


def stop_group(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Signal a child's whole process group (it was started with start_new_session) and reap it."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    # A child that outlived its leader (a worker being shut down) goes too.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def tools_available() -> bool:
    """The PostgreSQL server binaries, redis-server, nginx and openssl (and runuser, as root)."""
    return (
        (PG_BIN / "initdb").exists()
        and Path(REDIS_SERVER).exists()
        and Path(NGINX).exists()
        and shutil.which("openssl") is not None
        and (os.geteuid() != 0 or shutil.which("runuser") is not None)
    )


# -- PostgreSQL ---------------------------------------------------------------------------


class PrivatePostgres:
    """A throw-away PostgreSQL cluster (trust auth, fsync off) in a temporary directory.

    initdb refuses to run as root, so as root every PostgreSQL program runs as the `postgres`
    user (runuser) and the directory belongs to it.
    """

    def __init__(self) -> None:
        # Not under pytest's tmp_path: its parents are private to root; postgres must reach this.
        self.dir = Path(tempfile.mkdtemp(prefix="undersigned-mp-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, user="postgres", group="postgres")

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.dir)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stdout}\n{done.stderr}\n{tail(self.log)}")
        return done

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.dir}'",
            "fsync": "off",
            "full_page_writes": "off",
            "max_connections": "100",
            "shared_buffers": "32MB",
            "logging_collector": "off",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            for key, value in options.items():
                conf.write(f"{key} = {value}\n")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start", timeout=90)

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", timeout=90)

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists() and port_open(self.port)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres") as conn:
            conn.autocommit = True
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        """Stop (whatever state it is in) and delete the cluster."""
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            with contextlib.suppress(Exception):
                self.stop("immediate")
        if pid_file.exists():  # pg_ctl could not stop it: kill the postmaster
            with contextlib.suppress(Exception):
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


# -- Redis --------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server child process without persistence; start() again after stop() to restart it."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = (self.dir / f"redis-{self.starts}.log").open("w")
        self.proc = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_until(lambda: self._ping(), 15, f"redis on port {self.port}")

    def _ping(self) -> bool:
        if self.proc is None or self.proc.poll() is not None:
            raise RuntimeError(f"redis-server exited: {tail(self.dir / f'redis-{self.starts}.log')}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None:
            stop_group(self.proc, sig)
            self.proc = None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


# -- the app ------------------------------------------------------------------------------


def app_environment(database_url: str, redis: PrivateRedis, workdir: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SOCKETIO_", "RATELIMIT_", "RATE_LIMIT_", "SMTP_", "PROXY_"))
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET_KEY,
            "SOCKETIO_MESSAGE_QUEUE": redis.url(0),
            "RATELIMIT_STORAGE_URI": redis.url(1),
            "RATE_LIMIT_ALLOWLIST": "127.0.0.1",
            "UNDERSIGNED_INSTANCE_PATH": str(workdir / "instance-setup"),
            "MAIL_FROM": "Undersigned Tests <no-reply@undersigned.invalid>",
            "PUBLIC_BASE_URL": "http://127.0.0.1",
            "PYTHONPATH": str(REPO_ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


SEED_SNIPPET = """
import json, sys
from app import create_app
from app.extensions import db
from app.accounts.models import Official
from app.accounts import api_tokens

spec = json.loads(sys.argv[1])
app = create_app()
with app.app_context():
    made = {}
    for role, names in spec.items():
        for name in names:
            official = Official(email=f"{name}@multiprocess.invalid", name=name, role=role, active=True)
            db.session.add(official)
            db.session.commit()
            made[name] = api_tokens.issue_token(official, "multiprocess tests")
print(json.dumps(made))
"""


def migrate_and_seed(env: dict[str, str], officials: dict[str, list[str]], log: Path) -> dict[str, str]:
    """`flask db upgrade`, then create the officials; answers {name: API token}."""
    with log.open("a") as out:
        subprocess.run(
            [str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
            cwd=REPO_ROOT,
            env=env,
            check=True,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=180,
        )
    done = subprocess.run(
        [PYTHON, "-c", SEED_SNIPPET, json.dumps(officials)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    if done.returncode != 0:
        raise RuntimeError(f"seeding failed: {done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class AppProcess:
    """`gunicorn -c gunicorn.conf.py wsgi:app` (one gevent-websocket worker) on a free port."""

    def __init__(self, name: str, env: dict[str, str], workdir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"app-{name}.log"
        instance = workdir / f"instance-{name}"
        instance.mkdir(parents=True, exist_ok=True)
        self.env = {**env, "HOST": "127.0.0.1", "PORT": str(self.port), "UNDERSIGNED_INSTANCE_PATH": str(instance)}
        self.proc: subprocess.Popen | None = None

    def start(self) -> AppProcess:
        log = self.log_path.open("a")
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        def healthy() -> bool:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"app {self.name} exited:\n{tail(self.log_path)}")
            try:
                return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        wait_until(healthy, timeout, f"app {self.name} on port {self.port}", poll=0.1)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """kill -9 the whole process (gunicorn's master and its worker), as a crash would."""
        if self.proc is not None:
            stop_group(self.proc, signal.SIGKILL)

    def stop(self) -> None:
        """gunicorn's quick shutdown (SIGQUIT): no waiting for keep-alive connections to close."""
        if self.proc is not None:
            stop_group(self.proc, signal.SIGQUIT, timeout=15)

    def problems(self) -> list[str]:
        """Tracebacks the process logged."""
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []
        return [line for line in lines if "Traceback" in line]


def start_apps(apps: list[AppProcess], timeout: float = 60) -> None:
    for app in apps:
        app.start()
    for app in apps:
        app.wait_ready(timeout)


def stop_apps(apps: list[AppProcess]) -> None:
    """Stop several app processes at once (signal all, then reap)."""
    for app in apps:
        if app.proc is not None and app.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(app.proc.pid, signal.SIGQUIT)
    for app in apps:
        app.stop()


# -- nginx --------------------------------------------------------------------------------

NGINX_MAIN_CONF = """\
# nginx for one test: one worker, every file in the test's directory.
worker_processes 1;
user {user};
error_log {dir}/nginx-error.log info;

events {{
    worker_connections 1024;
}}

http {{
    access_log {dir}/nginx-access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    include {site};
}}
"""

NGINX_TEST_SITE = """\
# The test's site: deploy/nginx.conf on 127.0.0.1, without TLS, routing by ?node=.
upstream undersigned {{
    # Production hashes the client's address (`hash $remote_addr consistent;`). Every test
    # client comes from 127.0.0.1, so that would send all of them to one process; the tests
    # choose a process with `?node=...` in the Socket.IO URL instead. Stickiness is the same:
    # one client, one process, and when that process dies nginx hashes it to another.
    hash $arg_node consistent;
{servers}
}}

map $http_upgrade $connection_upgrade {{
    default upgrade;
    ''      close;
}}

server {{
    listen 127.0.0.1:{port};
    client_max_body_size 1m;

    proxy_http_version 1.1;
    # $http_host keeps the port: the websocket's Origin (http://127.0.0.1:{port}) must match it.
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_connect_timeout 2s;
    proxy_next_upstream error timeout;
    # Which process answered (the tests use it to find ?node values for each process).
    add_header X-Upstream $upstream_addr always;

    location /socket.io/ {{
        proxy_pass http://undersigned;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_buffering off;
        proxy_read_timeout 120s;
    }}

    location / {{
        proxy_pass http://undersigned;
    }}
}}
"""


class NginxProcess:
    """nginx as a child process serving one site file (the http-level part of a configuration)."""

    def __init__(self, workdir: Path, site: str, ports: list[int]) -> None:
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.ports = ports
        (self.dir / "site.conf").write_text(site)
        user = "root" if os.geteuid() == 0 else "nobody"  # workers must reach the private temp dirs
        self.conf = self.dir / "nginx.conf"
        self.conf.write_text(NGINX_MAIN_CONF.format(user=user, dir=self.dir, site=self.dir / "site.conf"))
        self.proc: subprocess.Popen | None = None

    def _command(self, *extra: str) -> list[str]:
        return [NGINX, *extra, "-c", str(self.conf), "-g", f"daemon off; pid {self.dir}/nginx.pid;"]

    def start(self) -> None:
        check = subprocess.run(self._command("-t"), capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t failed: {check.stderr}")
        log = (self.dir / "nginx-stderr.log").open("w")
        self.proc = subprocess.Popen(self._command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        for port in self.ports:
            wait_until(lambda port=port: port_open(port), 15, f"nginx on port {port}")

    def stop(self) -> None:
        """nginx's fast shutdown (SIGTERM; SIGQUIT would wait for open websockets to close)."""
        if self.proc is not None:
            stop_group(self.proc, signal.SIGTERM, timeout=10)
            self.proc = None


class Nginx(NginxProcess):
    """nginx in front of app processes, routing by `?node=` (see NGINX_TEST_SITE)."""

    def __init__(self, apps: list[AppProcess], workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.apps = apps
        servers = "\n".join(f"    server 127.0.0.1:{app.port} max_fails=1 fail_timeout=5s;" for app in apps)
        super().__init__(workdir / "nginx", NGINX_TEST_SITE.format(servers=servers, port=self.port), [self.port])
        self.node_for: dict[str, str] = {}  # app name -> a ?node value nginx sends to it

    def start(self) -> Nginx:
        super().start()
        self._find_nodes()
        return self

    def _find_nodes(self) -> None:
        """Which ?node values nginx hashes to which process (bounded: 64 probes)."""
        by_port = {str(app.port): app.name for app in self.apps}
        for n in range(64):
            node = f"n{n}"
            answer = requests.get(f"{self.url}/healthz", params={"node": node}, timeout=5)
            upstream = answer.headers.get("X-Upstream", "")
            name = by_port.get(upstream.rsplit(":", 1)[-1])
            if name is not None and name not in self.node_for:
                self.node_for[name] = node
            if len(self.node_for) == len(self.apps):
                return
        raise RuntimeError(f"nginx never routed to every process: {self.node_for}")

    def socket_url(self, app_name: str) -> str:
        """The URL a drafter connects to, through nginx, to reach `app_name` while it lives."""
        return f"{self.url}?node={self.node_for[app_name]}"


def api_get(base_url: str, path: str, token: str, **kwargs: Any) -> requests.Response:
    return requests.get(f"{base_url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30, **kwargs)
