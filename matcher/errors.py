"""The error hierarchy; api/errors.py maps it to HTTP in one place.

    MatchingError
    ├── NotFound               404
    │   ├── ProfileNotFound
    │   ├── CampaignNotFound
    │   ├── SubscriptionNotFound
    │   ├── SavedSearchNotFound
    │   └── WebhookNotFound
    ├── CampaignNotReady       409
    ├── InvalidProfile         422
    ├── InvalidQuery           422
    ├── InvalidContact         422
    ├── ModelMismatch          409
    ├── PayloadTooLarge        413
    ├── Unauthorized           401
    ├── AccessDenied           403
    ├── RateLimited            429
    └── BackendUnavailable     503
"""
from __future__ import annotations


class MatchingError(Exception):
    """Base of every error twinmatch raises on purpose. `details` is always a list of objects
    (an object given alone becomes the one item), as every error body carries it."""
    status = 500
    code = "matching_error"

    def __init__(self, message: str, *, details: list | dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = [] if details is None else details if isinstance(details, list) else [details]


class NotFound(MatchingError):
    """A stored thing asked for by id that does not exist."""
    status, code, what = 404, "not_found", "item"

    def __init__(self, ident: str):
        super().__init__(f"no {self.what} with id {ident!r}",
                         details=[{"field": "id", "reason": f"no such {self.what}", "id": ident}])


class ProfileNotFound(NotFound):
    code, what = "profile_not_found", "profile"


class CampaignNotFound(NotFound):
    code, what = "campaign_not_found", "campaign"


class SubscriptionNotFound(NotFound):
    code, what = "subscription_not_found", "alert subscription for the profile"


class SavedSearchNotFound(NotFound):
    code, what = "saved_search_not_found", "saved search"


class WebhookNotFound(NotFound):
    code, what = "webhook_not_found", "webhook for the key"


class CampaignNotReady(MatchingError):
    status, code = 409, "campaign_not_ready"


class InvalidProfile(MatchingError):
    status, code = 422, "invalid_profile"


class InvalidQuery(MatchingError):
    status, code = 422, "invalid_query"


class InvalidContact(MatchingError):
    """A contact request that cannot be: a teacher contacting themselves."""
    status, code = 422, "invalid_contact"


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


class ShuttingDown(BackendUnavailable):
    """The process is stopping: a background job ends between its steps, and none starts."""


class DirectoryInUse(BackendUnavailable):
    """Another process holds the data directory's writer: open as a follower, or refuse."""
