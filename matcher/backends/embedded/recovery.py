"""Opening the embedded backend's derived indexes: memory and the keyword index catch up with SQLite.

The memory comes from the last snapshot plus every SQLite change newer than its watermark,
or from SQLite alone when there is no snapshot of this format version that can be read (it
is then rebuilt, never patched). The keyword index replays every change newer than its own
watermark. A crash between the stores therefore heals itself on the next open.
"""
from __future__ import annotations

from dataclasses import dataclass

from matcher.backends.embedded import store as sql
from matcher.backends.embedded.columns import Columns
from matcher.backends.embedded.keyword import KeywordIndex
from matcher.backends.embedded.memory import Memory
from matcher.backends.embedded.snapshot import Snapshots
from matcher.backends.embedded.store import Store
from matcher.backends.embedded.vectors import VectorRows
from models import Profile


@dataclass
class Opened:
    """The memory at one committed state of the store, and what a follower compares next."""
    memory: Memory
    source: str      # "snapshot" or "sqlite" (tests, bench)
    seq: int         # the newest seq the memory holds
    marks: tuple     # the store's marks (store.marks) at that state


def open_memory(store: Store, snapshots: Snapshots, dim: int, follower: bool) -> Opened:
    """Memory as of one read of the store. A follower writes no file: it keeps its float32
    rows in memory and leaves the generations to the writer."""
    with store.snapshot() as db:
        seq, marks = sql.last_seq(db), sql.marks(db)
        cur = snapshots.current()
        if cur and cur[1].get("dim") == dim and cur[1]["seq"] <= seq:
            d, meta = cur
            try:
                mem = snapshots.read(d, meta, dim, private=follower)
                mem.replay(db, since=meta["seq"])
                # Deletions newer than the snapshot left no tombstone (erasure): find them by
                # count, and by id only when the counts disagree.
                gone: tuple[list[int], list[int]] = ([], [])
                if sql.count(db) != len(mem.slot):
                    gone = mem.forget_missing(sql.present(db))
                if not follower:
                    snapshots.adopt(d, meta["seq"], *gone)
                return Opened(mem, "snapshot", seq, marks)
            except (OSError, ValueError, KeyError, RuntimeError):  # unreadable: rebuild from SQLite
                pass
        if not follower:
            snapshots.drop()
        exact = None if follower else snapshots.fresh() / "exact.f32"
        mem = Memory(dim, [], Columns(), VectorRows(dim, exact_path=exact))
        mem.replay(db)
        return Opened(mem, "sqlite", seq, marks)


def recover_keyword(store: Store, keyword: KeywordIndex, mem: Memory) -> None:
    """Bring the keyword index (this process holds its writer) up to the store's seq."""
    mark = int(store.get_meta("keyword_seq") or 0)
    if keyword.count() != len(mem.slot) or mark > store.seq:
        mark = -1  # the index is missing, stale beyond replay, or from another store: rebuild
        keyword.clear()
    changed = 0
    with store.snapshot() as db:
        for doc in sql.docs(db, mark):
            keyword.add(Profile.model_validate_json(doc))
            changed += 1
    for pid in store.deleted_since(mark):
        if pid not in mem.slot:
            keyword.remove(pid)
            changed += 1
    if changed or mark < 0:
        keyword.commit()
    keyword.committed_seq = store.seq
