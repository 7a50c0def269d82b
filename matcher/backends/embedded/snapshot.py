"""Generations of numpy snapshots of the embedded backend's memory, with a seq watermark.

    snapshots/CURRENT      name of the last complete generation
    snapshots/g000042/     meta.json (written last), ids.npy, columns.npz, rows (vector_files.py)

A generation is complete once CURRENT names it; anything else is debris from a crash and is
removed on open. SQLite stays the source of truth: a snapshot only saves re-reading it, so a
generation of another format version, or one that cannot be read, is dropped and the memory
rebuilt from SQLite.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

from matcher.backends.embedded import vector_files
from matcher.backends.embedded.columns import Columns
from matcher.backends.embedded.memory import Memory

VERSION = 2   # the one layout this code writes and reads


def _fsync_dir(d: Path) -> None:
    fd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Snapshots:
    """The generations under `root`, and the one this process published or opened (`published`)."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.published: tuple[Path, int] | None = None   # (generation, seq it holds); a writer's only

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

    # -- the memory in a generation ----------------------------------------------------------

    def read(self, d: Path, meta: dict, dim: int, private: bool) -> Memory:
        """The memory saved in generation `d`. New float32 rows go on in its file, or in memory
        when `private` (a follower must not write the file its writer appends to)."""
        mem = Memory(dim, load_ids(d), _columns(d), vector_files.load(d, meta["vectors"], private))
        for slot, pid in enumerate(mem.ids):   # erased in place since the generation was written
            if pid is None and slot < mem.columns.n and mem.columns.alive[slot]:
                mem.columns.clear(slot)
                mem.vectors.remove(slot)
        return mem

    def adopt(self, d: Path, seq: int, slots: list[int] = (), rows: list[int] = ()) -> None:
        """A writer opened generation `d`, which holds `seq`: it becomes the published one,
        once the profiles erased since it was written (their `slots` and `rows`) are erased
        inside it too (a crash may have come between the two)."""
        if slots:
            erase(d, list(slots), list(rows))
        self.clean(d)
        self.published = (d, seq)

    def write(self, mem: Memory, seq: int, dim: int) -> bool:
        """Publish a generation of `mem` as of `seq`; False if the published one is that already.
        Dead rows are compacted away on the way when they are many."""
        if self.published and self.published[1] == seq:
            return False
        d = self.fresh(keep=self.published[0] if self.published else mem.vectors.exact.path.parent)
        vectors = mem.vectors
        if vectors.needs_compaction():
            vectors = vector_files.compacted(vectors, d / "exact.f32")
        np.save(d / "ids.npy", np.array([i or "" for i in mem.ids], dtype=str))
        np.savez(d / "columns.npz", **mem.columns.arrays())
        vmeta = vector_files.save(vectors, d)
        self.publish(d, {"seq": seq, "dim": dim, "vectors": vmeta})
        vectors.exact.path = d / "exact.f32"     # the same rows, now named by this generation
        mem.vectors, self.published = vectors, (d, seq)
        return True

    def erase(self, slots: list[int], rows: list[int]) -> None:
        """Erase profiles inside the published generation too (nothing when none is)."""
        if slots and self.published:
            erase(self.published[0], slots, rows)


def _columns(d: Path) -> Columns:
    with np.load(d / "columns.npz") as arrs:
        return Columns.from_arrays(arrs)


def load_ids(d: Path) -> list[str | None]:
    return [i or None for i in np.load(d / "ids.npy").tolist()]


def erase(d: Path, slots: list[int], rows: list[int]) -> None:
    """Overwrite erased profiles' ids and float16 rows inside a generation. A generation saved
    while the graph held the rows has no float16 file: its float32 rows are the live file
    itself (a hard link), which the store zeroes."""
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
