"""Who is calling: the principal and its scopes (open local mode when no keys are configured)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

SCOPES = ("search", "read", "write", "campaign", "admin")


@dataclass(frozen=True)
class Principal:
    name: str
    scopes: frozenset[str]
    origins: tuple[str, ...] = field(default=())

    def can(self, scope: str) -> bool:
        return "admin" in self.scopes or scope in self.scopes

    @property
    def sees_private(self) -> bool:
        return self.can("read")


LOCAL = Principal("local", frozenset(SCOPES))


def get_principal(request: Request) -> Principal:
    """With no keys configured the service runs open for local development."""
    return LOCAL


def require(scope: str):
    """A dependency that admits principals holding `scope`."""
    def _dep(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        from matcher.errors import AccessDenied
        if not principal.can(scope):
            raise AccessDenied(f"this key lacks the {scope!r} scope")
        return principal
    return _dep
