"""Embedding cache keyed by (model, text hash), so unchanged profiles are never re-encoded."""
from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from matcher.embeddings.base import Embedder


QUERIES_KEPT = 4096   # search texts whose vectors stay in memory (1.5 KB each at 384-d)


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class CachedEmbedder(Embedder):
    """Wraps an embedder; passages are looked up in an SQLite file before encoding, and the
    latest search texts in memory (saved searches ask for the same texts on every arrival)."""

    def __init__(self, inner: Embedder, path: Path | None):
        self.inner, self.dim, self.model_id = inner, inner.dim, inner.model_id
        self._lock = threading.Lock()
        self._db = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA secure_delete=ON")  # a forgotten vector's bytes are zeroed
            self._db.execute("CREATE TABLE IF NOT EXISTS emb (model TEXT, key BLOB, vec BLOB, "
                             "PRIMARY KEY (model, key))")
        self.hits = self.misses = 0
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()

    def passages(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        keys = [text_key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        if self._db is not None and texts:
            with self._lock:
                for i in range(0, len(keys), 500):
                    chunk = list(set(keys[i:i + 500]))
                    q = ",".join("?" * len(chunk))
                    for key, vec in self._db.execute(
                            f"SELECT key, vec FROM emb WHERE model=? AND key IN ({q})",
                            [self.model_id, *chunk]):
                        found[key] = np.frombuffer(vec, np.float32)
        todo = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in found))
        if todo:
            fresh = self.inner.passages(todo)
            new = {text_key(t): v for t, v in zip(todo, fresh)}
            found.update(new)
            if self._db is not None:
                with self._lock, self._db:
                    self._db.executemany("INSERT OR REPLACE INTO emb VALUES (?,?,?)",
                                         [(self.model_id, k, v.astype(np.float32).tobytes())
                                          for k, v in new.items()])
        self.misses += len(todo)
        self.hits += len(texts) - len(todo)
        for i, k in enumerate(keys):
            out[i] = found[k]
        return out

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            vec = self._queries.get(text)
            if vec is not None:
                self._queries.move_to_end(text)
                return vec
        vec = self.inner.query(text)
        vec.setflags(write=False)           # shared between callers
        with self._lock:
            self._queries[text] = vec
            if len(self._queries) > QUERIES_KEPT:
                self._queries.popitem(last=False)
        return vec

    def add(self, keys: np.ndarray, vecs: np.ndarray) -> int:
        """Store vectors by text key, keeping any already cached; 0 without a cache file."""
        if self._db is None:
            return 0
        rows = [(self.model_id, k.tobytes(), v.astype(np.float32).tobytes()) for k, v in zip(keys, vecs)]
        with self._lock, self._db:
            self._db.executemany("INSERT OR IGNORE INTO emb VALUES (?,?,?)", rows)
        return len(rows)

    def forget(self, texts: list[str]) -> None:
        """Drop cached vectors of erased texts (right to erasure covers caches too)."""
        if self._db is None or not texts:
            return
        with self._lock:
            with self._db:
                self._db.executemany("DELETE FROM emb WHERE model=? AND key=?",
                                     [(self.model_id, text_key(t)) for t in texts])
            # The WAL still holds the pages with the vector and its key: fold it into the
            # (zeroed) database file and empty it. Busy (another process reading) leaves it
            # for the next forget.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def export_vectors(cache: CachedEmbedder, texts: list[str], path: Path) -> int:
    """Write the vectors of `texts` (encoding any that are missing) to a portable .npz file."""
    texts = list(dict.fromkeys(texts))
    vecs = cache.passages(texts)
    keys = np.frombuffer(b"".join(text_key(t) for t in texts), np.uint8).reshape(-1, 16)
    np.savez_compressed(path, model=np.array(cache.model_id), keys=keys, vecs=vecs.astype(np.float16))
    return len(texts)


def import_vectors(cache: CachedEmbedder, path: Path) -> int:
    """Load a file written by `export_vectors` into the cache; 0 when it is another model's."""
    with np.load(path) as data:
        if str(data["model"]) != cache.model_id:
            return 0
        keys, vecs = data["keys"], data["vecs"].astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return cache.add(keys, vecs)
