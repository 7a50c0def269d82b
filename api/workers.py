"""`serve --workers N`: N server processes, each accepting on its own SO_REUSEPORT socket.

With one listening socket shared by every process (uvicorn's way), nothing balances which
process accepts a connection, and a client's keep-alive connections stay where they land: in
the HTTP benchmark nearly all of them reach one worker while the other core idles. With a
socket per process the kernel hashes each new connection to one of them.
"""
from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading

import uvicorn

log = logging.getLogger("twinmatch.workers")


def listen(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A listening socket that other processes may bind to the same port (the kernel balances).

    It is created as IPPROTO_TCP, or asyncio would not set TCP_NODELAY on its connections and
    each keep-alive response would wait ~40 ms for a delayed ACK (uvicorn issue #3149).
    """
    family, _, _, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(addr)
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock


def _serve(sock: socket.socket, options: dict) -> None:
    """One worker process: the app on its own socket."""
    server = uvicorn.Server(uvicorn.Config("api.main:create_app", **options))
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(3)  # the app could not start (the supervisor stops rather than retry)


def run(host: str, port: int, workers: int, options: dict) -> int:
    """Start `workers` processes, replace any that dies, stop them all on SIGINT or SIGTERM."""
    ctx = multiprocessing.get_context("spawn")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    first = listen(host, port)
    port = first.getsockname()[1]  # port 0: every worker takes the one the first socket got

    def start(sock: socket.socket | None = None):
        sock = sock or listen(host, port)
        proc = ctx.Process(target=_serve, args=(sock, options), name="twinmatch-worker")
        proc.start()
        sock.close()  # the child has its own copy; a dead child's socket must not stay open here
        return proc

    procs = [start(first)] + [start() for _ in range(workers - 1)]
    log.info("serving on %s:%d with %d workers", host, port, workers)
    rc = 0
    while not stop.wait(0.5):
        for i, proc in enumerate(procs):
            if proc.is_alive():
                continue
            if proc.exitcode == 3:  # the app cannot start: another worker would fail the same way
                log.error("worker %s could not start; stopping", proc.pid)
                rc = 1
                stop.set()
                break
            log.warning("worker %s exited with %s; starting another", proc.pid, proc.exitcode)
            procs[i] = start()
    for proc in procs:
        if proc.is_alive():
            proc.terminate()  # uvicorn finishes the requests in flight
    for proc in procs:
        proc.join(30)
        if proc.is_alive():
            proc.kill()
            proc.join()
    return rc
