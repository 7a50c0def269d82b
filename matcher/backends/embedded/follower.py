"""A follower process's catch-up with the writer process that shares its data directory.

A follower never writes a file: it keeps its float32 rows in memory, and before each search
replays the changes the writer committed since (by seq, with a count of deletions that tells
it to look for erased ids) and reloads the keyword searcher when the writer's keyword mark
moves.
"""
from __future__ import annotations

import threading

from matcher.backends.embedded import store as sql
from matcher.backends.embedded.keyword import KeywordIndex
from matcher.backends.embedded.memory import Memory
from matcher.backends.embedded.rwlock import RWLock
from matcher.backends.embedded.store import Store


class Follower:
    """Applies the writer's commits to this process's memory and keyword searcher."""

    def __init__(self, store: Store, keyword: KeywordIndex, mem: Memory, seq: int, marks: tuple,
                 writing: threading.RLock, rw: RWLock):
        self.store, self.keyword, self.mem = store, keyword, mem
        self.seq = seq            # the newest change the memory holds
        self.seen = marks         # the store's marks (store.marks) when the memory last caught up
        self._writing, self._rw = writing, rw

    def follow(self) -> None:
        """Catch up with what the writer committed since the last call; cheap (one indexed
        query) when nothing changed."""
        with self.store.reading() as db:
            if sql.marks(db) == self.seen:
                return
        with self._writing:                      # one catch-up at a time
            with self.store.snapshot() as db:    # one read: marks, documents and vectors agree
                marks = sql.marks(db)
                seq, kseq, dels = marks
                present = sql.present(db) if dels != self.seen[2] else None
                with self._rw.write():           # searches wait only while memory changes
                    if seq > self.seq:
                        self.mem.replay(db, since=self.seq)
                        self.seq = seq
                    if present is not None:      # erasures leave no tombstone: compare ids
                        self.mem.forget_missing(present)
            if kseq != self.seen[1]:
                try:
                    self.keyword.refresh()
                except ValueError:  # the writer merged a segment away mid-reload: the next search retries
                    marks = (seq, self.seen[1], dels)
            self.seen = marks
