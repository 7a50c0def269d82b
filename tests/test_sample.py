"""The sample generator yields valid, varied, seed-determined profiles."""
from indexer.sample import generate
from models import Profile


def test_profiles_validate_and_vary():
    rows = list(generate(200, seed=3))
    assert len(rows) == 200
    for row in rows:
        Profile.model_validate(row)
    assert len({r["school"]["country"] for r in rows}) >= 20
    assert len({lang for r in rows for lang in r["languages"]}) >= 8
    assert len({r["school"]["id"] for r in rows}) < 150  # colleagues share schools
    assert len({r["id"] for r in rows}) == 200


def test_same_seed_same_profiles():
    assert list(generate(50, seed=5)) == list(generate(50, seed=5))
    assert list(generate(50, seed=5)) != list(generate(50, seed=6))
