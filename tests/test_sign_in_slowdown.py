"""The per-account sign-in slow-down (issue 11, item 12): repeated wrong passwords for one
account make its next attempts wait a few seconds, whatever the address, and never lock the
owner out. Time is a fake clock: no test sleeps or measures time."""

from __future__ import annotations

import pytest

from app.accounts.sign_in_throttle import EXTENSION_KEY, FREE_FAILURES, MAX_WAIT_SECONDS, SignInThrottle, wait_after
from app.config import parse_networks
from tests.conftest import PASSWORD, csrf_token_from


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class ClockStore:
    """A counter store with expiry, as the `limits` storages behave, on a fake clock."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.values: dict[str, int] = {}
        self.expiries: dict[str, float] = {}

    def _expire(self, key: str) -> None:
        if key in self.expiries and self.expiries[key] <= self.clock():
            self.values.pop(key, None)
            self.expiries.pop(key, None)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        self._expire(key)
        self.values[key] = self.values.get(key, 0) + amount
        if self.values[key] == amount:
            self.expiries[key] = self.clock() + expiry
        return self.values[key]

    def get(self, key: str) -> int:
        self._expire(key)
        return self.values.get(key, 0)

    def get_expiry(self, key: str) -> float:
        return self.expiries.get(key, self.clock())

    def clear(self, key: str) -> None:
        self.values.pop(key, None)
        self.expiries.pop(key, None)


class BrokenStore:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("the rate-limit storage is down")

        return fail


@pytest.fixture
def clock(app) -> FakeClock:
    """A fake clock for the app's slow-down; the address limits are lifted (allowlisted), so
    that only the per-account slow-down is at work."""
    clock = FakeClock()
    app.extensions[EXTENSION_KEY] = SignInThrottle(ClockStore(clock), clock=clock)
    app.config["RATE_LIMIT_ALLOWLIST"] = parse_networks("127.0.0.1")
    return clock


@pytest.fixture
def attempt(client):
    def attempt(email: str, password: str):
        page = client.get("/auth/sign-in")
        token = csrf_token_from(page.get_data(as_text=True))
        return client.post("/auth/sign-in", data={"email": email, "password": password, "csrf_token": token})

    return attempt


def test_waits_grow_from_one_second_and_are_capped_low():
    assert [wait_after(n) for n in range(1, 13)] == [0, 0, 0, 0, 1, 2, 4, 8, 16, 30, 30, 30]
    assert MAX_WAIT_SECONDS == 30


def test_after_repeated_failures_even_the_right_password_waits_then_works(clock, attempt, drafter):
    statuses = [attempt(drafter.email, f"wrong {n}").status_code for n in range(FREE_FAILURES)]
    assert statuses == [401] * FREE_FAILURES
    slowed = attempt(drafter.email, PASSWORD)
    assert slowed.status_code == 429
    assert slowed.headers["Retry-After"] == "1"
    assert "Wait 1 second, then try again." in slowed.get_data(as_text=True)
    clock.advance(1)
    assert attempt(drafter.email, PASSWORD).status_code == 302


def test_refused_attempts_do_not_lengthen_the_wait(clock, attempt, drafter):
    for n in range(FREE_FAILURES + 2):  # after 5, 6 and 7 failures: waits of 1, 2 and 4 seconds
        clock.advance(wait_after(n))
        assert attempt(drafter.email, f"wrong {n}").status_code == 401
    for _ in range(20):  # someone keeps trying during the wait
        assert attempt(drafter.email, "guess").status_code == 429
    clock.advance(3)
    assert attempt(drafter.email, PASSWORD).headers["Retry-After"] == "1"
    clock.advance(1)
    assert attempt(drafter.email, PASSWORD).status_code == 302


def test_the_owner_is_never_locked_out_for_longer_than_the_cap(clock, attempt, drafter):
    waits = []
    for n in range(15):
        response = attempt(drafter.email, f"wrong {n}")
        if response.status_code == 429:
            waits.append(int(response.headers["Retry-After"]))
            clock.advance(waits[-1])
            assert attempt(drafter.email, f"wrong {n}").status_code == 401
    assert waits == [1, 2, 4, 8, 16, 30, 30, 30, 30, 30]
    clock.advance(MAX_WAIT_SECONDS)
    assert attempt(drafter.email, PASSWORD).status_code == 302


def test_success_forgets_the_failures(clock, attempt, drafter):
    for n in range(FREE_FAILURES - 1):
        assert attempt(drafter.email, f"wrong {n}").status_code == 401
    assert attempt(drafter.email, PASSWORD).status_code == 302
    for n in range(FREE_FAILURES):
        assert attempt(drafter.email, f"wrong again {n}").status_code == 401


def test_the_slow_down_is_per_account(clock, attempt, drafter, drafter2):
    for n in range(FREE_FAILURES):
        attempt(drafter.email, f"wrong {n}")
    assert attempt(drafter.email.upper(), PASSWORD).status_code == 429  # the same account, spelt otherwise
    assert attempt(drafter2.email, PASSWORD).status_code == 302


def test_unknown_addresses_are_slowed_down_alike(clock, attempt, drafter):
    """The answers do not tell whether an address has an account."""

    def sequence(email: str) -> list[tuple[int, str | None]]:
        answers = []
        for n in range(FREE_FAILURES + 2):
            response = attempt(email, f"wrong {n}")
            answers.append((response.status_code, response.headers.get("Retry-After")))
        return answers

    assert (
        sequence(drafter.email)
        == sequence("nobody@city.example")
        == [(401, None)] * FREE_FAILURES
        + [
            (429, "1"),
            (429, "1"),
        ]
    )


def test_a_failing_store_never_refuses_sign_in(app, attempt, drafter):
    app.extensions[EXTENSION_KEY] = SignInThrottle(BrokenStore())
    app.config["RATE_LIMIT_ALLOWLIST"] = parse_networks("127.0.0.1")
    for n in range(FREE_FAILURES + 2):
        assert attempt(drafter.email, f"wrong {n}").status_code == 401
    assert attempt(drafter.email, PASSWORD).status_code == 302


def test_with_the_configured_storage_the_right_password_is_refused_during_the_wait(app, attempt, drafter):
    """The real storage (memory://, as configured): the refusal sequence, without the clock."""
    app.config["RATE_LIMIT_ALLOWLIST"] = parse_networks("127.0.0.1")
    assert [attempt(drafter.email, f"wrong {n}").status_code for n in range(FREE_FAILURES)] == [401] * FREE_FAILURES
    slowed = attempt(drafter.email, PASSWORD)
    assert slowed.status_code == 429
    assert slowed.headers["Retry-After"] in {"1", "2"}
    kept = repr(app.extensions[EXTENSION_KEY].store.storage)
    assert "sign-in/wait/" in kept and drafter.email not in kept and "city.example" not in kept  # digests only
