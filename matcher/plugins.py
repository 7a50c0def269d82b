"""Optional parts of the service (CLI commands, routers) that are used when their module exists."""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Iterable, Iterator


def optional_modules(names: Iterable[str]) -> Iterator[ModuleType]:
    """Import each module that exists; an import error inside a module still raises."""
    for name in names:
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
