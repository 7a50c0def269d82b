"""A readers-writer lock: searches run side by side, a writer runs alone."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator


class RWLock:
    """Many readers or one writer.

    A waiting writer holds new readers back, so a steady stream of searches cannot starve an
    upsert. The writer may take the lock again (write or read) while it holds it, and a reader
    may read again; a reader asking to write is a bug and raises, because two readers doing
    that would wait for each other forever.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer: int | None = None
        self._waiting_writers = 0
        self._local = threading.local()

    @contextmanager
    def read(self) -> Iterator[None]:
        me = threading.get_ident()
        held = getattr(self._local, "reads", 0)
        if self._writer == me or held:
            self._local.reads = held + 1
            try:
                yield
            finally:
                self._local.reads = held
            return
        with self._cond:
            while self._writer is not None or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        self._local.reads = 1
        try:
            yield
        finally:
            self._local.reads = 0
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        me = threading.get_ident()
        if self._writer == me:
            yield
            return
        if getattr(self._local, "reads", 0):
            raise RuntimeError("a reader cannot take the write lock")
        with self._cond:
            self._waiting_writers += 1
            try:
                while self._writer is not None or self._readers:
                    self._cond.wait()
            finally:
                self._waiting_writers -= 1
            self._writer = me
        try:
            yield
        finally:
            with self._cond:
                self._writer = None
                self._cond.notify_all()
