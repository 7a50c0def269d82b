"""Background jobs of one server process: started in threads, asked to stop and awaited at shutdown."""
from __future__ import annotations

import threading
import time
from typing import Callable

from matcher.errors import ShuttingDown

# How long shutdown waits for jobs to notice the stop before the matcher closes under them (a
# job checks between blocks of its work; a read after the close fails cleanly, never crashes).
STOP_WAIT = 10.0


class Jobs:
    """The running jobs. A job calls `check()` between its steps, which raises ShuttingDown once
    the process stops."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()

    def start(self, name: str, target: Callable, *args) -> threading.Thread:
        """Run `target(*args)` in a daemon thread; refused once the process is stopping."""
        self.check()

        def run() -> None:
            try:
                target(*args)
            finally:
                with self._lock:
                    self._threads.discard(threading.current_thread())

        t = threading.Thread(target=run, name=name, daemon=True)
        with self._lock:
            self._threads.add(t)
        t.start()
        return t

    def check(self) -> None:
        """Raise ShuttingDown once the process is stopping."""
        if self.stopping.is_set():
            raise ShuttingDown("the service is shutting down; try again once it is back", retry_after=5)

    def running(self) -> int:
        with self._lock:
            return len(self._threads)

    def stop(self, wait: float = STOP_WAIT) -> int:
        """Ask every job to stop and wait up to `wait` seconds in all; returns how many still run."""
        self.stopping.set()
        deadline = time.monotonic() + wait
        with self._lock:
            threads = list(self._threads)
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        return sum(t.is_alive() for t in threads)
