"""`twinmatch migrate` and `twinmatch reindex`: embedded <-> OpenSearch (osmem) and re-embedding."""
from __future__ import annotations

import argparse

import numpy as np

from indexer import ops
from matcher.backends.embedded.backend import EmbeddedBackend
from matcher.backends.opensearch.backend import OpenSearchBackend
from matcher.backends.types import CandidateFilter
from tests.backends.conformance import DIM, rec, unit, varied
from tests.backends.conftest import OSMEM_ANALYZERS
from tests.fakes import ThemeEmbedder


def _os(osmem, name, dim=DIM):
    return OpenSearchBackend(osmem.url, name, dim, analyzers=OSMEM_ANALYZERS)


def test_migrate_embedded_to_opensearch_and_back(tmp_path, osmem, index_name):
    emb = EmbeddedBackend(tmp_path / "a", DIM)
    emb.upsert([rec(p, unit(1, i), unit(i, 1)) for i, p in enumerate(varied())])
    emb.set_meta("model_id", "test/model")
    emb.set_meta("dim", str(DIM))
    emb.record_contact("a", "b", answered=True)
    dst = _os(osmem, index_name)
    seen = []
    assert ops.migrate(emb, dst, seen.append, batch=3) == 8 and sum(seen) == 8
    assert dst.count() == 8 and dst.get_meta("model_id") == "test/model"
    for pid, r in emb.get_many([p.id for p in varied()]).items():
        got = dst.get(pid)
        assert got.profile == r.profile and got.units == r.units
        np.testing.assert_allclose(got.vectors, r.vectors, atol=1e-7)
    assert (dst.get("b").received, dst.get("b").answered) == (1, 1)
    assert set(dst.filter_ids(CandidateFilter(), 50)) == set(emb.filter_ids(CandidateFilter(), 50))
    back = EmbeddedBackend(tmp_path / "b", DIM)
    assert ops.migrate(dst, back) == 8 and back.get_meta("model_id") == "test/model"
    assert {r.profile.id for b in back.scan() for r in b} == {p.id for p in varied()}
    emb.close(), back.close()


def test_reindex_reembeds_into_new_version(osmem, index_name):
    b = _os(osmem, index_name)
    b.upsert([rec(p, unit(1)) for p in varied()[:4]])
    b.record_contact("a", "c")
    emb = ThemeEmbedder()
    name = b.reindex(transform=ops.reembedder(emb), dim=emb.dim)
    assert name.endswith("-v2") and b.dim == emb.dim == 16
    got = b.get("a")
    assert got.vectors.shape == (1, 16) and got.units == ["idea:0"]
    assert b.get("c").received == 1
    b.upsert([rec(varied()[5], np.eye(16, dtype=np.float32)[:1])])  # new writes use the new dim
    assert b.count() == 5


def test_cli_registers_commands():
    ap = argparse.ArgumentParser()
    ops.register(ap.add_subparsers(dest="cmd"))
    a = ap.parse_args(["migrate", "--from", "embedded", "--to", "opensearch"])
    assert (a.src, a.dst, a.func) == ("embedded", "opensearch", ops.cmd_migrate)
    a = ap.parse_args(["reindex", "--rebuild", "--keep", "2"])
    assert a.rebuild and a.keep == 2 and a.func == ops.cmd_reindex
