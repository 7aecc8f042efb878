"""A per-account slow-down of sign-in attempts that never locks the owner out.

The first few wrong passwords for an account cost nothing. After that, each failure makes the
next attempt for that account wait a little: 1 second, then 2, 4, 8, 16, and never more than
30. An attempt during the wait is refused without checking the password and does not count as
a failure, so the owner can always sign in, at worst half a minute after the last failure. A
successful sign-in forgets the failures; so does an hour without a first failure repeating.

The per-address limits (Flask-Limiter, on the sign-in route) still apply; this one counts per
account, whatever the address, so that guesses spread over many addresses are slowed too. The
counts live where the rate limits do (RATELIMIT_STORAGE_URI: memory, or Redis shared by every
process), under a keyed digest of the account, never the address itself. If that storage fails,
sign-in goes on without the slow-down rather than refusing everyone.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from collections.abc import Callable
from typing import Protocol

from flask import current_app
from limits.storage import storage_from_string

log = logging.getLogger(__name__)

FREE_FAILURES = 5
MAX_WAIT_SECONDS = 30
WINDOW_SECONDS = 3600
EXTENSION_KEY = "undersigned.sign_in_throttle"


class CounterStore(Protocol):
    """The counters with expiry that the `limits` storages offer (memory, Redis)."""

    def incr(self, key: str, expiry: int, amount: int = 1) -> int: ...

    def get(self, key: str) -> int: ...

    def get_expiry(self, key: str) -> float: ...

    def clear(self, key: str) -> None: ...


def wait_after(failures: int) -> int:
    """Seconds the next attempt waits after this many failures in a row."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES), MAX_WAIT_SECONDS)


class SignInThrottle:
    """Failures and waits per account key, in a counter store; `clock` is the store's clock."""

    def __init__(self, store: CounterStore, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    def seconds_to_wait(self, account: str) -> int:
        """0 if an attempt for this account may go ahead now, else the whole seconds left."""
        try:
            if self.store.get(_wait_key(account)) <= 0:
                return 0
            left = self.store.get_expiry(_wait_key(account)) - self.clock()
        except Exception:  # never refuse everyone because the store is down
            log.warning("sign-in slow-down unavailable: its storage failed", exc_info=True)
            return 0
        return max(1, math.ceil(left)) if left > 0 else 0

    def failed(self, account: str) -> None:
        """Count a wrong password; from the FREE_FAILURES-th on, the next attempt waits."""
        try:
            failures = self.store.incr(_failures_key(account), WINDOW_SECONDS)
            wait = wait_after(failures)
            if wait:
                self.store.clear(_wait_key(account))
                self.store.incr(_wait_key(account), wait)
        except Exception:
            log.warning("sign-in slow-down unavailable: its storage failed", exc_info=True)

    def succeeded(self, account: str) -> None:
        """The owner is in: forget the failures."""
        try:
            self.store.clear(_failures_key(account))
            self.store.clear(_wait_key(account))
        except Exception:
            log.warning("sign-in slow-down unavailable: its storage failed", exc_info=True)


def _failures_key(account: str) -> str:
    return f"undersigned/sign-in/failures/{account}"


def _wait_key(account: str) -> str:
    return f"undersigned/sign-in/wait/{account}"


def account_key(official_id: int | None, email: str) -> str:
    """The key of the account an attempt is for: the official if the address is theirs, else the
    address as typed (so an unknown address is slowed down alike). A keyed digest: the storage
    never holds an address."""
    name = f"official:{official_id}" if official_id is not None else f"email:{email.strip().lower()}"
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(secret, name.encode("utf-8"), hashlib.sha256).hexdigest()[:40]


def throttle() -> SignInThrottle | None:
    """The app's slow-down, on the rate limits' storage; None when rate limits are off."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    found = current_app.extensions.get(EXTENSION_KEY)
    if found is None:
        store = storage_from_string(current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
        found = current_app.extensions.setdefault(EXTENSION_KEY, SignInThrottle(store))
    return found
