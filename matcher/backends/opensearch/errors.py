"""Translate opensearch-py and transport exceptions into matcher.errors, at the adapter boundary.

    opensearchpy.ConnectionError, ConnectionTimeout, SSLError  -> BackendUnavailable
    TransportError 429 / 5xx / no status                       -> BackendUnavailable
    AuthenticationException, AuthorizationException (401/403) -> BackendUnavailable (our
                                                                   credentials, not the caller's)
    RequestError 400 on a write                                -> InvalidProfile
    RequestError 400 on a read                                 -> InvalidQuery
    anything else from opensearch-py                           -> MatchingError

Nothing is cached about a failure: the next call tries the cluster again, so the service
recovers by itself when the cluster comes back.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from opensearchpy import exceptions as osx

from matcher.errors import BackendUnavailable, InvalidProfile, InvalidQuery, MatchingError

RETRYABLE = frozenset({429, 500, 502, 503, 504})


def reason(exc: osx.TransportError) -> str:
    """The server's own words: `type: reason` of the root cause when there is one."""
    info = exc.info if isinstance(exc.info, dict) else {}
    err = info.get("error")
    if isinstance(err, dict):
        cause = (err.get("root_cause") or [err])[0]
        return f"{cause.get('type')}: {cause.get('reason')}"
    return str(exc.error)


def translate(exc: Exception, *, write: bool, what: str) -> MatchingError:
    """Our error for `exc`, raised while doing `what`."""
    if isinstance(exc, MatchingError):
        return exc
    if isinstance(exc, osx.ConnectionError):  # includes ConnectionTimeout and SSLError
        kind = "timed out" if isinstance(exc, osx.ConnectionTimeout) else "unreachable"
        return BackendUnavailable(f"OpenSearch {kind} while trying to {what}: {exc.error}")
    if isinstance(exc, (osx.AuthenticationException, osx.AuthorizationException)):
        return BackendUnavailable(f"OpenSearch refused our credentials while trying to {what} "
                                  f"({exc.status_code}); check TWINMATCH_OPENSEARCH_URL")
    if isinstance(exc, osx.TransportError):
        status = exc.status_code if isinstance(exc.status_code, int) else None
        if status is None or status in RETRYABLE or status >= 500:
            return BackendUnavailable(f"OpenSearch could not {what} ({status}): {reason(exc)}",
                                      retry_after=5 if status == 429 else 2)
        if status == 400:
            cls = InvalidProfile if write else InvalidQuery
            return cls(f"OpenSearch rejected the request to {what}: {reason(exc)}")
        return MatchingError(f"OpenSearch could not {what} ({status}): {reason(exc)}")
    if isinstance(exc, osx.OpenSearchException):
        return MatchingError(f"OpenSearch client error while trying to {what}: {exc}")
    raise exc  # not ours to translate: a bug, let it surface as itself


@contextmanager
def boundary(what: str, *, write: bool = False) -> Iterator[None]:
    """Run a block of client calls; any opensearch-py error leaves it as one of ours."""
    try:
        yield
    except MatchingError:
        raise
    except osx.OpenSearchException as exc:
        raise translate(exc, write=write, what=what) from exc
