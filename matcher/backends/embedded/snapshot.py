"""Generations of numpy snapshots of the embedded backend's derived indexes, with a seq watermark.

    snapshots/CURRENT      name of the last complete generation
    snapshots/g000042/     meta.json (written last), ids.npy, columns.npz, rows (vectors.py)

A generation is complete once CURRENT names it; anything else is debris from a crash and
is removed on open. SQLite stays the source of truth: a snapshot only saves re-reading it, so
a generation of another format version, or one that cannot be read, is dropped and the
derived indexes are rebuilt from SQLite.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

VERSION = 2   # the one layout this code writes and reads


def _fsync_dir(d: Path) -> None:
    fd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Snapshots:
    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def current(self) -> tuple[Path, dict] | None:
        """The last complete generation of this format version and its meta, or None."""
        try:
            name = (self.root / "CURRENT").read_text().strip()
            d = self.root / name
            meta = json.loads((d / "meta.json").read_text())
        except (OSError, ValueError):
            return None
        return (d, meta) if meta.get("version") == VERSION else None

    def fresh(self, keep: Path | None = None) -> Path:
        """A new, empty generation directory; debris other than `keep` is removed first."""
        self.clean(keep)
        gens = [int(p.name[1:]) for p in self.root.glob("g*") if p.name[1:].isdigit()]
        d = self.root / f"g{max(gens, default=0) + 1:06d}"
        d.mkdir()
        return d

    def clean(self, keep: Path | None) -> None:
        for p in self.root.glob("g*"):
            if p != keep:
                shutil.rmtree(p, ignore_errors=True)

    def publish(self, d: Path, meta: dict) -> None:
        """Make `d` the current generation (atomic: rename of CURRENT), then drop the others."""
        for f in d.iterdir():
            with open(f, "rb+") as fh:
                os.fsync(fh.fileno())
        (d / "meta.json").write_text(json.dumps({**meta, "version": VERSION}))
        _fsync_dir(d)
        tmp = self.root / "CURRENT.tmp"
        tmp.write_text(d.name)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.root / "CURRENT")
        _fsync_dir(self.root)
        self.clean(d)

    def drop(self) -> None:
        """Forget the current generation (the next open rebuilds from SQLite)."""
        (self.root / "CURRENT").unlink(missing_ok=True)


def save_ids(d: Path, ids: list[str | None]) -> None:
    np.save(d / "ids.npy", np.array([i or "" for i in ids], dtype=str))


def load_ids(d: Path) -> list[str | None]:
    return [i or None for i in np.load(d / "ids.npy").tolist()]


def erase(d: Path, slots: list[int], rows: list[int]) -> None:
    """Overwrite erased profiles' ids and float16 rows inside a published generation. A
    generation saved while the graph held the rows has no float16 file: its float32 rows are
    the live file itself (a hard link), which the store zeroes."""
    ids = np.load(d / "ids.npy", mmap_mode="r+")
    for s in slots:
        if s < len(ids):
            ids[s] = ""
    ids.flush()
    if not (d / "f16.npy").exists():
        return
    f16 = np.load(d / "f16.npy", mmap_mode="r+")
    for r in rows:
        if r < len(f16):
            f16[r] = 0
    f16.flush()
