"""The error hierarchy; api/errors.py maps it to HTTP in one place.

    MatchingError
    ├── ProfileNotFound        404
    ├── InvalidProfile         422
    ├── InvalidQuery           422
    ├── ModelMismatch          409
    ├── PayloadTooLarge        413
    ├── Unauthorized           401
    ├── AccessDenied           403
    ├── RateLimited            429
    └── BackendUnavailable     503
"""
from __future__ import annotations


class MatchingError(Exception):
    """Base of every error twinmatch raises on purpose."""
    status = 500
    code = "matching_error"

    def __init__(self, message: str, *, details: list | dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details


class ProfileNotFound(MatchingError):
    status, code = 404, "profile_not_found"

    def __init__(self, profile_id: str):
        super().__init__(f"no profile with id {profile_id!r}", details={"id": profile_id})


class InvalidProfile(MatchingError):
    status, code = 422, "invalid_profile"


class InvalidQuery(MatchingError):
    status, code = 422, "invalid_query"


class ModelMismatch(MatchingError):
    status, code = 409, "model_mismatch"


class PayloadTooLarge(MatchingError):
    status, code = 413, "payload_too_large"


class Unauthorized(MatchingError):
    status, code = 401, "unauthorized"


class AccessDenied(MatchingError):
    status, code = 403, "access_denied"


class RateLimited(MatchingError):
    status, code = 429, "rate_limited"

    def __init__(self, message: str, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after


class BackendUnavailable(MatchingError):
    status, code = 503, "backend_unavailable"

    def __init__(self, message: str, retry_after: int = 2):
        super().__init__(message)
        self.retry_after = retry_after
