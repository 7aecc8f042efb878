"""Fixtures for the multi-process tests: a private PostgreSQL cluster and Redis server for the
session (the fault tests stop and restart them, so they are never the shared ones), and per test
two gunicorn processes of the app behind nginx, a fresh letter and drafting clients.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.multiprocess.cluster import (
    AppProcess,
    Nginx,
    PrivatePostgres,
    PrivateRedis,
    api_get,
    app_environment,
    migrate_and_seed,
    start_apps,
    stop_apps,
    tail,
    tools_available,
)
from tests.multiprocess.drafter import Drafter
from tests.support.services import require_part

DRAFTERS = [f"Alder {n}" for n in range(8)]
LETTER_TEXT = (
    "To the Mayor and the Common Council,\n\n"
    "We, the undersigned alders, ask that the city fund safer crossings near every school, "
    "buses that come on time, and sidewalks without holes. Residents of every ward — "
    "from the river to the hills — have told us the same thing. 🚸\n\n"
    "Respectfully,\n"
)


@dataclass
class Services:
    postgres: PrivatePostgres
    redis: PrivateRedis
    env: dict[str, str]
    tokens: dict[str, str]  # official's name -> API token
    workdir: Path

    def drafter_token(self, n: int) -> str:
        return self.tokens[DRAFTERS[n]]

    def ensure_running(self) -> None:
        """Bring back whatever a fault test stopped (for the tests after it)."""
        if not self.postgres.running():
            self.postgres.start()
        if self.redis.proc is None or self.redis.proc.poll() is not None:
            self.redis.start()


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    require_part(tools_available(), "PostgreSQL 15 server binaries, redis-server, nginx and openssl")
    workdir = tmp_path_factory.mktemp("multiprocess")
    postgres = PrivatePostgres()
    redis = PrivateRedis(workdir / "redis")
    try:
        postgres.init()
        postgres.start()
        redis.start()
        database_url = postgres.create_database("undersigned")
        env = app_environment(database_url, redis, workdir)
        tokens = migrate_and_seed(env, {"drafter": DRAFTERS, "clerk": ["Clerk"]}, workdir / "setup.log")
        yield Services(postgres, redis, env, tokens, workdir)
    finally:
        redis.stop()
        postgres.destroy()


@dataclass
class Cluster:
    services: Services
    apps: dict[str, AppProcess]
    nginx: Nginx
    letters: list[int] = field(default_factory=list)

    def new_letter(self, title: str, text: str = LETTER_TEXT) -> int:
        answer = requests.post(
            f"{self.nginx.url}/api/v1/letters",
            json={"title": title, "text": text},
            headers={"Authorization": f"Bearer {self.services.drafter_token(0)}"},
            timeout=30,
        )
        assert answer.status_code == 201, answer.text
        self.letters.append(answer.json()["id"])
        return answer.json()["id"]

    def letter(self, letter_id: int) -> dict[str, Any]:
        answer = api_get(self.nginx.url, f"/api/v1/letters/{letter_id}", self.services.drafter_token(0))
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def cluster(services: Services, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cluster]:
    """Two app processes, A and B, on the private services, behind nginx."""
    services.ensure_running()
    apps = {name: AppProcess(name, services.env, tmp_path) for name in ("A", "B")}
    nginx = Nginx(list(apps.values()), tmp_path)
    try:
        start_apps(list(apps.values()))
        nginx.start()
        yield Cluster(services, apps, nginx)
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            for app in apps.values():
                print(f"--- app {app.name} log ({app.log_path}) ---\n{tail(app.log_path, 60)}")
            print(f"--- nginx error log ---\n{tail(nginx.dir / 'nginx-error.log', 30)}")
        nginx.stop()
        stop_apps(list(apps.values()))
        services.ensure_running()


@pytest.fixture
def make_drafter(cluster: Cluster) -> Iterator[Callable[..., Drafter]]:
    """Connect a drafter (through nginx to the named process) and join the letter."""
    made: list[Drafter] = []

    def make(name: str, app: str, official: int, letter_id: int, *, url: str | None = None, **options) -> Drafter:
        drafter = Drafter(
            name,
            url or cluster.nginx.socket_url(app),
            cluster.services.drafter_token(official),
            letter_id,
            seed=official,
            **options,
        )
        made.append(drafter)
        return drafter.start()

    yield make
    for drafter in made:
        with contextlib.suppress(Exception):
            drafter.close()


@pytest.fixture
def app_factory(services: Services, tmp_path: Path) -> Iterator[Callable[..., list[AppProcess]]]:
    """Start extra app processes with a changed environment (stopped at teardown)."""
    started: list[AppProcess] = []

    def start(names: list[str], **env: str) -> list[AppProcess]:
        services.ensure_running()
        apps = [AppProcess(name, {**services.env, **env}, tmp_path) for name in names]
        started.extend(apps)
        start_apps(apps)
        return apps

    yield start
    stop_apps(started)
