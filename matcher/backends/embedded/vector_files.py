"""Vector rows in a snapshot generation: what is saved, how it is loaded, and compaction on the way."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from matcher.backends.embedded.graph import Graph
from matcher.backends.embedded.vectors import VectorRows

GRAPH_FILE = "graph.faiss"


def save(v: VectorRows, d: Path) -> dict:
    """Write the rows into directory `d`; returns the meta to keep with them. The first
    graph is built here when it is due, so the next open loads it instead of building it."""
    v.sync_graph()
    v.flush()
    if v.vecs is not None:
        np.save(d / "f16.npy", v.vecs[:v.n])
    np.save(d / "owner.npy", v.owner[:v.n])
    np.save(d / "kind.npy", v.kind[:v.n])
    np.save(d / "first.npy", v.first)
    np.save(d / "count.npy", v.count)
    exact = d / "exact.f32"
    if v.exact.path and v.exact.path != exact:
        os.link(v.exact.path, exact)          # rows are append-only: share, don't copy
    elif not v.exact.path:
        v.exact.arr[:v.n].tofile(exact)
    if v.graph is not None:
        v.graph.save(d / GRAPH_FILE)
    return {"rows": v.n, "dead": v.dead, "dim": v.dim, "graph_rows": v.graph.rows if v.graph else 0}


def load(d: Path, meta: dict, private: bool = False) -> VectorRows:
    """Rows saved by `save`; new rows go on in `d/exact.f32`, or in memory when `private`
    (a follower process must not write the file its writer appends to)."""
    n, dim = meta["rows"], meta["dim"]
    v = VectorRows(dim, capacity=max(n, 1024), exact_path=None if private else d / "exact.f32")
    if private:
        v.exact.arr[:n] = np.fromfile(d / "exact.f32", np.float32, count=n * dim).reshape(n, dim)
    v.n, v.dead = n, meta["dead"]
    if (d / "f16.npy").exists():
        v.vecs[:n] = np.load(d / "f16.npy")
    v.owner[:n] = np.load(d / "owner.npy")
    v.kind[:n] = np.load(d / "kind.npy")
    v.first, v.count = np.load(d / "first.npy"), np.load(d / "count.npy")
    if meta["graph_rows"] and (d / GRAPH_FILE).exists():   # else the graph is rebuilt
        v.graph = Graph.load(d / GRAPH_FILE, dim, v.owner[:n] >= 0)
        v.vecs = None
    return v


def compacted(v: VectorRows, exact_path: Path | None) -> VectorRows:
    """A copy without dead rows (row numbers change, so its graph is rebuilt)."""
    out = VectorRows(v.dim, max(1024, v.n - v.dead), exact_path)
    slots = np.flatnonzero(v.count)
    if len(slots):
        rows = v.rows(slots)
        out.put_many(slots, v.count[slots], np.asarray(v.exact.arr[rows]), v.kind[rows])
    return out
