"""Errors raised by services. Adapters turn them into JSON, socket codes or pages."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A rule was broken; nothing was changed."""

    code = "bad_request"
    status = 400

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class InvalidInput(ServiceError):
    code = "bad_request"
    status = 400


class Unauthorized(ServiceError):
    code = "unauthorized"
    status = 401


class Forbidden(ServiceError):
    code = "forbidden"
    status = 403


class NotFound(ServiceError):
    code = "not_found"
    status = 404


class Conflict(ServiceError):
    code = "conflict"
    status = 409


class LetterLocked(Conflict):
    code = "locked"


class TooLarge(ServiceError):
    code = "too_large"
    status = 413


class RateLimited(ServiceError):
    """Too many of something in too short a time; `details["retry_after"]` says how many seconds
    until it may be tried again (the API sends it as Retry-After)."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
