"""Which process holds a data directory's writer lock, so a refused command line write says what to do."""
from __future__ import annotations

import os
from pathlib import Path

LOCK = Path("keyword") / ".tantivy-writer.lock"   # tantivy's writer lock: one writer per directory


def lock_holder(data_dir: Path, locks: Path = Path("/proc/locks")) -> int | None:
    """The pid holding the directory's writer lock, from the kernel's lock table (Linux); None
    where that table is unreadable or names no process of ours (another pid namespace)."""
    try:
        st = (Path(data_dir) / LOCK).stat()
        table = locks.read_text()
    except OSError:
        return None
    dev = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    for line in table.splitlines():
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 4726 fe:00:10897358 0 EOF" (blocked waiters carry "->")
        if len(fields) >= 6 and fields[1] != "->" and fields[5] == dev and fields[4].isdigit():
            return int(fields[4])
    return None


def _argv(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def refusal(data_dir: Path) -> str:
    """One line: who holds the directory, and what to do instead of writing to it here."""
    pid = lock_holder(data_dir)
    if pid is None:
        return (f"the data directory {data_dir} is held by another twinmatch process (is `twinmatch serve` "
                "running?); write through the API or stop it")
    parent = _parent(pid)
    # `serve --workers N` writes from a worker process; stopping its parent stops them all.
    for candidate in (pid, parent):
        if candidate and "serve" in _argv(candidate):
            return (f"the data directory {data_dir} is held by a running server (pid {candidate}); "
                    "write through the API or stop it")
    command = " ".join(" ".join(_argv(pid)).split()) or "unknown command"   # one line, however it was called
    command = command if len(command) <= 120 else command[:119] + "…"
    return (f"the data directory {data_dir} is held by another twinmatch process (pid {pid}: {command}); "
            "wait for it to finish or stop it")
