"""The embedded backend keeps everything across restarts and recovers derived indexes."""
import shutil

import numpy as np

from matcher.backends.embedded.backend import EmbeddedBackend
from matcher.backends.types import CandidateFilter
from matcher.service import build_matcher


def test_data_survives_restart(settings):
    m = build_matcher(settings)
    before = [r.profile.id for r in m.partners("pt-recycle").results]
    m.delete("pl-recycle")
    m.close()
    m = build_matcher(settings)
    try:
        after = [r.profile.id for r in m.partners("pt-recycle").results]
        assert after == [i for i in before if i != "pl-recycle"]
        assert m.backend.count() == 12
        assert m.get("gr-recycle").school.country == "GR"
    finally:
        m.close()


def test_lost_keyword_index_is_rebuilt_from_the_store(settings, data_dir):
    shutil.rmtree(data_dir / "keyword")
    b = EmbeddedBackend(data_dir, 384)
    try:
        assert b.keyword.count() == b.count() == 13
        assert [c.id for c in b.keyword_search("ανακύκλωση", CandidateFilter(), 3)][0] == "gr-recycle"
    finally:
        b.close()


def test_model_change_is_refused(settings, data_dir):
    from matcher.errors import ModelMismatch
    b = EmbeddedBackend(data_dir, 384)
    b.set_meta("model_id", "some-other-model")
    b.close()
    try:
        build_matcher(settings)
    except ModelMismatch as exc:
        assert "reindex" in exc.message
    else:
        raise AssertionError("a different model's index was opened")


def test_unchanged_profiles_are_not_re_encoded(matcher, mini_profiles):
    from models import Profile
    matcher.embedder.hits = matcher.embedder.misses = 0
    seq = matcher.backend.get_meta("keyword_seq")
    assert len(matcher.upsert([Profile.model_validate(p) for p in mini_profiles])) == 13
    assert matcher.embedder.hits == matcher.embedder.misses == 0   # identical: skipped
    assert matcher.backend.get_meta("keyword_seq") == seq
    renamed = [Profile.model_validate({**p, "name": p["name"] + " Jr"}) for p in mini_profiles]
    matcher.upsert(renamed)
    assert matcher.embedder.misses == 0 and matcher.embedder.hits > 13  # texts from the cache
    assert matcher.get("pt-recycle").name == "Ana Sousa Jr"
    assert matcher.get("pt-recycle").ideas[0].lang == "pt"
    rec = matcher.record("pt-recycle")
    assert rec.vectors.shape[1] == 384 and np.allclose(np.linalg.norm(rec.vectors, axis=1), 1, atol=1e-3)


def test_contact_counts_survive_updates_and_travel_with_records(tmp_path):
    from matcher.backends.types import Record
    from tests.fakes import profile as make
    from models import Profile

    b = EmbeddedBackend(tmp_path, 4)
    try:
        vec = np.ones((1, 4), np.float32) / 2
        p = Profile.model_validate(make("c1", "PT"))
        b.upsert([Record(p, vec, ["idea:0"])])
        b.record_contact("x", "c1", answered=True)
        b.upsert([Record(p, vec, ["idea:0"])])                      # an ordinary update
        assert (b.get("c1").received, b.get("c1").answered) == (1, 1)
        b.upsert([Record(Profile.model_validate(make("c2", "RO")), vec, ["idea:0"], 7, 3)])  # migrated
        assert (b.get("c2").received, b.get("c2").answered) == (7, 3)
    finally:
        b.close()


def test_erasing_inside_a_generation_saved_without_float16_rows(tmp_path):
    """A generation saved while the graph held the rows has ids and float32 rows only."""
    from matcher.backends.embedded import snapshot
    np.save(tmp_path / "ids.npy", np.array(["a", "b", "c"], dtype=str))
    snapshot.erase(tmp_path, [1], [2, 3])
    assert snapshot.load_ids(tmp_path) == ["a", None, "c"]
